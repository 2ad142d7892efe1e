"""The Rujukan-facing API: find_person_by_nik and its accessibility summary."""

from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.extensions import db
from blueprints.sidilan.models import Person
from blueprints.sidilan.public import PersonSummary, find_person_by_nik


def test_find_person_by_nik_scope_and_summary(app):
    with app.app_context():
        solok = db.session.scalar(select(Regency.id).where(Regency.code == "13.02"))
        sijunjung = db.session.scalar(select(Regency.id).where(Regency.code == "13.03"))
        p = db.session.scalar(
            select(Person)
            .where(Person.nama_lengkap == "Rosmaniar", Person.regency_id == solok)
            .order_by(Person.id)
        )
        found = find_person_by_nik(p.nik, {solok})
        assert isinstance(found, PersonSummary) and found.person_id == p.id and found.sex == "P"
        assert found.nagari_code == "13.02.18.2004" and found.jorong_id == p.jorong_id
        assert "Pengguna kursi roda" in found.accessibility and "Perlu pendamping" in found.accessibility
        assert "Disabilitas fisik" in found.accessibility
        assert find_person_by_nik(p.nik, {sijunjung}) is None
        assert find_person_by_nik(p.nik, {sijunjung}, {p.jorong_id}).person_id == p.id
        assert find_person_by_nik(p.nik[:4] + " " + p.nik[4:], {solok}) is not None
        assert find_person_by_nik("12345", {solok}) is None
        deaf = db.session.scalar(
            select(Person)
            .where(Person.nama_lengkap == "Febri", Person.regency_id == solok)
            .order_by(Person.id)
        )
        assert "Perlu juru bahasa isyarat" in find_person_by_nik(deaf.nik, {solok}).accessibility
        p.merged_into_id = deaf.id
        db.session.flush()
        assert find_person_by_nik(p.nik, {solok}) is None
        db.session.rollback()
