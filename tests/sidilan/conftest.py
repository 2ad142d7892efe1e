"""SIDILAN test helpers: a valid new-person form, demo lookups, gzip size."""
import gzip

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.sidilan.models import Person
from blueprints.wilayah.models import Jorong

TIGO_JANGKO_NAGARI = "13.02.18.2004"
NIK_WOMAN_1984 = "1302185203840099"  # 13.02.18, day 12+40, March 1984, serial 0099


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


@pytest.fixture
def jorong_id(app):
    with app.app_context():
        return db.session.scalar(select(Jorong.id).where(Jorong.nagari_code == TIGO_JANGKO_NAGARI))


@pytest.fixture
def person_data(jorong_id):
    """A complete, valid new person (a woman in Jorong Tigo Jangko); tests override fields."""
    def build(**over):
        data = {
            "nik": NIK_WOMAN_1984, "no_kk": "1302180101249999", "hubungan_keluarga": "Anak",
            "nama_lengkap": "Marlinda", "jenis_kelamin": "P", "tempat_lahir": "Solok",
            "tanggal_lahir": "1984-03-12", "kecamatan": "13.02.18", "nagari": TIGO_JANGKO_NAGARI,
            "jorong": str(jorong_id), "status_hidup": "hidup", "status_domisili": "menetap",
            "sumber_data": "lapangan", "persetujuan": "y", "tgl_persetujuan": "2024-08-29",
            "pemberi_persetujuan": "Marlinda", "nama_ibu_kandung": "Rahmah",
        }
        data.update(over)
        return {k: v for k, v in data.items() if v is not None}
    return build


def person_by_name(app, name: str) -> Person | None:
    with app.app_context():
        p = db.session.scalar(select(Person).where(Person.nama_lengkap == name).order_by(Person.id.desc()))
        if p is not None:
            db.session.expunge(p)
        return p


def person_id_of(app, name: str, regency_code: str = "13.02") -> int:
    from blueprints.auth.models import Regency
    with app.app_context():
        stmt = select(Person.id).where(Person.nama_lengkap == name)
        if regency_code:
            stmt = stmt.join(Regency, Regency.id == Person.regency_id).where(Regency.code == regency_code)
        return db.session.scalar(stmt.order_by(Person.id))
