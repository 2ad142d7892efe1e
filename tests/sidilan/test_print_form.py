"""Blank paper form per jorong (sidilan.md §12): PDF from the foundation cascade."""
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.wilayah.models import Jorong
from tests.sidilan.test_print_profile import pdf_pages

TIGO_JANGKO_NAGARI = "13.02.18.2004"


def _tigo_jangko(app):
    with app.app_context():
        return db.session.scalar(select(Jorong.id).where(Jorong.name == "Tigo Jangko"))


def test_paper_form_page_has_cascade(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cetak/formulir")
    assert r.status_code == 200
    assert 'name="kecamatan"' in r.text and 'name="nagari"' in r.text


def test_paper_form_pdf_for_jorong(app, client, auth):
    auth.login("operator.solok")
    jorong_id = _tigo_jangko(app)
    r = client.get("/sidilan/cetak/formulir", query_string={
        "kecamatan": "13.02.18", "nagari": TIGO_JANGKO_NAGARI, "jorong": jorong_id, "cetak": "1"})
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert "Tigo_Jangko" in r.headers["Content-Disposition"]
    assert pdf_pages(r.data) == 2  # front and back of one A4 sheet


def test_paper_form_needs_nagari(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cetak/formulir", query_string={"kecamatan": "13.02.18", "cetak": "1"})
    assert r.status_code == 400
    assert "Pilih nagari." in r.text


def test_paper_form_other_regency_nagari_is_ignored(client, auth):
    """A Sijunjung clerk cannot print a Solok nagari: the cascade drops codes outside the regency."""
    auth.login("operator.sijunjung")
    r = client.get("/sidilan/cetak/formulir", query_string={
        "kecamatan": "13.02.18", "nagari": TIGO_JANGKO_NAGARI, "cetak": "1"})
    assert r.status_code == 400
    assert r.mimetype == "text/html"
    assert "Pilih kecamatan." in r.text


def test_paper_form_cascade_refresh_without_js(client, auth):
    auth.login("operator.solok")
    r = client.get("/sidilan/cetak/formulir", query_string={"kecamatan": "13.02.18", "_cascade": "1"})
    assert r.status_code == 200
    assert TIGO_JANGKO_NAGARI in r.text  # the nagari list is filled
    assert "Pilih nagari." not in r.text
