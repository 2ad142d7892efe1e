"""One-page profile PDF (issue 3 item 10): rendered by core.pdf, audited as print, scoped, one page even for a
person with a long history; NIK masked for roles that may not see it."""

import contextlib
import re
import zlib
from datetime import date

from flask_login import login_user
from sqlalchemy import func, select

from blueprints.auth.models import Regency, User
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.models import Assistance, ElderlyAssessment, Person, Program

from .conftest import barthel_items


def pdf_pages(data: bytes) -> int:
    """Page objects in the PDF, including those inside compressed object streams."""
    parts = [data]
    for m in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", data):
        raw = data[m.end() : m.end() + int(m.group(1))]
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(raw))
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", b"\n".join(parts)))


def busy_person(app) -> int:
    """A Solok elderly person with many assessments and assistance rows."""
    with app.app_context():
        regency = db.session.scalar(select(Regency).where(Regency.code == "13.02"))
        p = db.session.scalar(
            select(Person)
            .where(Person.regency_id == regency.id, Person.tanggal_lahir <= date(1960, 1, 1))
            .order_by(Person.id)
        )
        program = db.session.scalar(
            select(Program).where(Program.regency_id == regency.id).order_by(Program.id)
        )
        for i in range(8):
            db.session.add(
                ElderlyAssessment(
                    regency_id=regency.id,
                    person_id=p.id,
                    tgl_asesmen=date(2020 + i % 6, 1, 1 + i),
                    usia=65,
                    barthel_total=10 + i,
                    barthel_kategori="ringan",
                    **barthel_items(10 + i),
                )
            )
            db.session.add(
                Assistance(
                    regency_id=regency.id,
                    program_id=program.id,
                    person_id=p.id,
                    tahun=2018 + i,
                    status="disalurkan",
                    nilai_rp=600000,
                    tahap=f"Tahap {i + 1}",
                )
            )
        db.session.commit()
        return p.id


def test_profile_is_a_one_page_pdf_and_audited(app, client, auth):
    person_id = busy_person(app)
    auth.login("operator.solok")
    r = client.get(f"/sidilan/orang/{person_id}/profil.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert pdf_pages(r.data) == 1
    with app.app_context():
        ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "print")).one()
        assert ev.object_type == "sidilan_person" and ev.object_id == str(person_id)
        assert ev.summary == f"cetak profil orang #{person_id}"


def test_every_demo_profile_fits_one_page(app, client, auth):
    auth.login("verifikator.solok")
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(Person.id)
                .join(Regency, Regency.id == Person.regency_id)
                .where(Regency.code == "13.02")
                .order_by(Person.id)
                .limit(8)
            )
        )
    for person_id in ids:
        r = client.get(f"/sidilan/orang/{person_id}/profil.pdf")
        assert r.status_code == 200 and pdf_pages(r.data) == 1, person_id


def test_profile_of_another_regency_is_404(app, client, auth):
    with app.app_context():
        solok_id = db.session.scalar(
            select(Person.id)
            .join(Regency, Regency.id == Person.regency_id)
            .where(Regency.code == "13.02")
            .order_by(Person.id)
        )
    auth.login("operator.sijunjung")
    assert client.get(f"/sidilan/orang/{solok_id}/profil.pdf").status_code == 404
    assert client.get("/sidilan/orang/999999/profil.pdf").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "print")
            )
            == 0
        )


def test_profile_masks_nik_for_pimpinan(app):
    """The template shows the full NIK and the mother's name only to roles that may see them."""
    from flask import render_template

    from blueprints.core.nik import mask_nik
    from blueprints.core.timeutil import today_local
    from blueprints.sidilan import values as V

    with app.app_context():
        p = db.session.scalar(select(Person).where(Person.nik.is_not(None)).order_by(Person.id))
        p.nama_ibu_kandung = "Ibu Rahasia"
        regency = db.session.get(Regency, p.regency_id)
        for username, full in (("pimpinan.solok", False), ("operator.solok", True)):
            user = db.session.scalar(select(User).where(User.username == username))
            with app.test_request_context():
                login_user(user)
                from blueprints.sidilan.access import may_see_nik

                assert may_see_nik(user) is full
                html = render_template(
                    "sidilan/pdf_profile.html",
                    p=p,
                    v=V,
                    show_nik=may_see_nik(user),
                    today=today_local(),
                    mask=mask_nik,
                    regency=regency,
                    age=70,
                    assessments=[],
                    assistance=[],
                    last_event=None,
                    limit=4,
                    wg_flag=False,
                    mark="m",
                    footer="f",
                    page_size="210mm 297mm",
                )
            assert (p.nik in html) is full
            assert (mask_nik(p.nik) in html) is not full
            assert ("Ibu Rahasia" in html) is full
        db.session.rollback()
