from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from blueprints.core.audit import AuditEvent, record
from blueprints.core.extensions import db
from blueprints.core.fmt import angka, tanggal, tanggal_jam
from blueprints.core.nik import check_kk, check_nik, mask_nik
from tests.clock import TODAY
from tests.conftest import HX


def test_indonesian_dates_and_numbers():
    assert tanggal(date(2024, 8, 29)) == "29 Agustus 2024"
    assert tanggal(date(2023, 1, 25), with_day=True) == "Rabu, 25 Januari 2023"
    assert tanggal_jam(datetime(2024, 8, 29, 7, 5, tzinfo=UTC)) == "29 Agustus 2024 14.05"
    assert angka(1234567) == "1.234.567"
    assert angka(1234.5, 1) == "1.234,5"
    assert tanggal(None) == ""


def test_nik_errors_and_warnings():
    assert check_nik("12345").errors == ["NIK harus tepat 16 digit angka."]
    assert "Kode provinsi 99" in check_nik("9902015001900001").errors[0]
    assert any("Bulan lahir" in e for e in check_nik("1302031513900001").errors)
    assert any("01–31" in e for e in check_nik("1302033501900001").errors)
    assert any("0000" in e for e in check_nik("1302035001900000").errors)
    good = check_nik("1302 1850 0190 0001", sex="P", birth_date=date(1990, 1, 10), regency_code="13.02")
    assert good.ok and good.warnings == [] and good.value == "1302185001900001"
    assert good.region_name == "Tigo Lurah, Kabupaten Solok" and good.sex == "P"
    differs = check_nik("1302185001900001", sex="L", birth_date=date(1990, 1, 11), regency_code="13.03")
    assert differs.ok and len(differs.warnings) == 3
    feb31 = check_nik("1302183102900001")
    assert feb31.ok and any("31 Februari" in w for w in feb31.warnings)
    assert check_kk("13021812").errors and check_kk("1302181203150007").ok
    assert mask_nik("1302185001900001") == "1302********0001"


def test_audit_events_are_append_only(app):
    with app.app_context():
        record("view", "test", 1, "membaca", user=None, regency_id=None)
        db.session.commit()
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "test")).one()
        event.summary = "diubah"
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(RuntimeError):
            db.session.delete(db.session.get(AuditEvent, event.id))
            db.session.commit()
        db.session.rollback()


def test_audit_page_filters(client, auth):
    auth.login("operator.solok", "salah")
    auth.login("operator.solok")
    auth.logout()
    auth.login("admin.solok")
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert "Gagal masuk" in everything and "operator.solok" in everything
    failed = client.get("/admin/audit?action=login_failed").get_data(as_text=True)
    assert "Gagal masuk" in failed and "<td>Masuk</td>" not in failed
    tomorrow = client.get(f"/admin/audit?date_from={TODAY + timedelta(days=1)}").get_data(as_text=True)
    assert "Tidak ada kejadian" in tomorrow
    fragment = client.get("/admin/audit?action=login", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "<td>Masuk</td>" in fragment


def test_audit_page_is_scoped(client, auth):
    auth.login("operator.sijunjung")
    auth.logout()
    auth.login("admin.solok")
    assert "operator.sijunjung" not in client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("code", [400, 403, 404, 409, 413, 429, 500])
def test_error_pages_are_indonesian_page_and_fragment(make_app, code):
    from flask import abort

    app = make_app()
    app.add_url_rule(f"/uji/{code}", f"uji_{code}", lambda: abort(code))
    client = app.test_client()
    client.post("/masuk", data={"username": "operator.solok", "password": "sinergi-demo-2024"})
    page = client.get(f"/uji/{code}")
    assert page.status_code == code and "<html" in page.get_data(as_text=True)
    fragment = client.get(f"/uji/{code}", headers=HX)
    assert fragment.status_code == code and "<html" not in fragment.get_data(as_text=True)
    assert "Kembali ke beranda" in fragment.get_data(as_text=True)


def test_unexpected_exception_is_a_friendly_500(make_app):
    app = make_app()

    def boom():
        raise ValueError("rahasia internal")

    app.add_url_rule("/uji/meledak", "boom", boom)
    response = app.test_client().get("/uji/meledak")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Terjadi kesalahan pada sistem" in text and "rahasia internal" not in text


def test_body_over_limit_is_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/masuk", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413 and "Berkas terlalu besar" in response.get_data(as_text=True)


def test_healthz_checks_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_home_shows_attention_section(client, auth):
    auth.login("kerjasama.solok")
    page = client.get("/").get_data(as_text=True)
    assert "Perlu perhatian hari ini" in page


def test_demo_is_idempotent(app, runner):
    from blueprints.auth.models import Organisation, User

    with app.app_context():
        users = len(db.session.scalars(select(User.id)).all())
        orgs = len(db.session.scalars(select(Organisation.id)).all())
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert len(db.session.scalars(select(User.id)).all()) == users
        assert len(db.session.scalars(select(Organisation.id)).all()) == orgs
        names = set(db.session.scalars(select(Organisation.name)))
    for expected in (
        "Dinas Sosial Kabupaten Solok",
        "Dinas Komunikasi dan Informatika Kabupaten Sijunjung",
        "Bagian Kerjasama Setda Kabupaten Solok",
        "Bagian Pemerintahan dan Otonomi Daerah Setda Kabupaten Sijunjung",
        "RSUD Sijunjung (demo)",
    ):
        assert expected in names


def test_spreadsheet_cells_cannot_run_as_formulas():
    import io as _io
    from datetime import date as _date

    from openpyxl import Workbook, load_workbook

    from blueprints.core.export import csv_bytes, safe_row

    row = safe_row(
        ['=HYPERLINK("http://x")', "+62 812", "@SUM(A1)", "-5", 7, 2.5, _date(2024, 8, 29), None, "Biasa"]
    )
    assert row == [
        '\'=HYPERLINK("http://x")',
        "'+62 812",
        "'@SUM(A1)",
        "'-5",
        7,
        2.5,
        _date(2024, 8, 29),
        "",
        "Biasa",
    ]
    book = Workbook()
    book.active.append(row)
    buf = _io.BytesIO()
    book.save(buf)
    cell = load_workbook(_io.BytesIO(buf.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    text = csv_bytes([["=1+1", "ok"]], delimiter=";").decode("utf-8")
    assert text == "\ufeff'=1+1;ok\r\n"


def test_paging_a_list_in_memory(app):
    from blueprints.core.pagination import paginate_list

    with app.test_request_context("/?hal=2"):
        items = list(range(45))
        assert paginate_list(items, "2").items == list(range(20, 40))
        last = paginate_list(items, "99")
        assert last.page == 3 and last.items == [40, 41, 42, 43, 44] and not last.has_next
        assert paginate_list(items, "x").page == 1 and paginate_list([], "-3").items == []


def test_fields_without_errors_are_not_marked_invalid(client):
    page = client.get("/masuk").get_data(as_text=True)
    assert 'aria-invalid="None"' not in page and "aria-invalid" not in page
    refused = client.post("/masuk", data={"username": "", "password": ""}).get_data(as_text=True)
    assert 'aria-invalid="None"' not in refused
