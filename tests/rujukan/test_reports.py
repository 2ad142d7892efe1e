"""Monthly cross-regency recap, register book, worklists and home panels."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.timeutil import to_local
from blueprints.rujukan.models import Referral
from tests.clock import TODAY
from tests.queries import statements

from .conftest import org, referral_where
from .test_pdf import pdf_info


def _served_this_month(app):
    """The latest arrival at RSUD Sijunjung of a Solok resident (demo): its number, patient and WIB month."""
    with app.app_context():
        r = db.session.scalars(
            select(Referral)
            .where(Referral.destination_id == org("rsud").id, Referral.arrived_at.is_not(None))
            .order_by(Referral.arrived_at.desc(), Referral.id.desc())
        ).first()
        assert r.patient.home_regency.code == "13.02"
        local = to_local(r.arrived_at).date()
        return r.number, r.patient.name, f"{local.year}-{local.month:02d}"


def test_recap_for_both_dinkes(app, client, auth):
    number, name, month = _served_this_month(app)
    for user in ("dinkes.solok", "dinkes.sijunjung"):
        auth.login(user)
        resp = client.get(
            "/rujukan/rekap", query_string={"bulan": month, "asal": "13.02", "layanan": "13.03"}
        )
        assert resp.status_code == 200 and number in resp.text and name in resp.text
        assert "RSUD Sijunjung (demo)" in resp.text and "FKTL" in resp.text and "BPJS Kesehatan" in resp.text
        assert "Per diagnosis" in resp.text and "Per kategori" in resp.text
        auth.logout()


def test_recap_exports(app, client, auth):
    number, name, month = _served_this_month(app)
    auth.login("dinkes.solok")
    qs = {"bulan": month, "asal": "13.02", "layanan": "13.03"}
    resp = client.get("/rujukan/rekap", query_string={**qs, "format": "csv"})
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Tanggal layanan" and any(number in r for r in rows)
    assert not any("1302185203840001" in ";".join(r) for r in rows)  # NIK masked in exports
    resp = client.get("/rujukan/rekap", query_string={**qs, "format": "xlsx"})
    wb = load_workbook(io.BytesIO(resp.data))
    assert any(row[4] == number for row in wb["Rekap"].iter_rows(values_only=True))
    resp = client.get("/rujukan/rekap", query_string={**qs, "format": "pdf"})
    assert resp.mimetype == "application/pdf" and resp.data[:4] == b"%PDF"
    pages, boxes = pdf_info(resp.data)
    assert pages >= 1 and [float(x) for x in boxes[0].split()[2:]] == [935.433071, 609.448819]  # F4 landscape


def test_recap_only_for_dinkes(client, auth):
    auth.login("faskes.solok")
    assert client.get("/rujukan/rekap").status_code == 404


def test_register_book(app, client, auth):
    auth.login("faskes.solok")
    with app.app_context():
        ref = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "selesai")
        month, number = f"{ref.issued_on.year}-{ref.issued_on.month:02d}", ref.number
    resp = client.get("/rujukan/register", query_string={"bulan": month})
    assert resp.status_code == 200 and number in resp.text
    resp = client.get("/rujukan/register", query_string={"bulan": month, "format": "csv"})
    assert number in resp.data.decode("utf-8-sig")
    auth.logout()
    auth.login("faskes2.solok")
    assert number not in client.get("/rujukan/register", query_string={"bulan": month}).text


def test_worklists_and_home_panels(client, auth):
    auth.login("faskes.solok")
    home = client.get("/")
    assert "Kedaluwarsa" in home.text and "Segera kedaluwarsa" in home.text
    assert "Pasien tiba, belum dijawab" in home.text
    expired = client.get("/rujukan/daftar-kerja", query_string={"daftar": "kedaluwarsa"})
    assert expired.status_code == 200 and "Kedaluwarsa" in expired.text and "RJK" in expired.text
    assert client.get("/rujukan/daftar-kerja", query_string={"daftar": "salah"}).status_code == 404
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    home = client.get("/")
    assert "Menunggu jawaban kita" in home.text
    auth.logout()
    auth.login("dinkes.sijunjung")
    assert "Rekap bulanan" in client.get("/").text


def test_panels_show_what_the_worklist_pages_hold(app):
    """The home panels come from the worklists' own queries (one UNION ALL): each panel's count is the length of
    its worklist, and its lines are that worklist's oldest five."""
    from datetime import timedelta

    from blueprints.rujukan.worklists import LABELS, panels_of, worklist

    with app.app_context():
        for key in ("pkm", "rsud", "kumanis"):
            org_id = org(key).id
            for day in (TODAY, TODAY + timedelta(days=10)):
                panels = panels_of(org_id, day)
                for name in LABELS:
                    ids = [r.id for r in db.session.scalars(worklist(name, org_id, day))]
                    count, lines = panels.get(name, (0, []))
                    assert (count, [line.ref_id for line in lines]) == (len(ids), ids[:5]), (key, name, day)
        assert any(panels_of(org(key).id, TODAY) for key in ("pkm", "rsud", "kumanis"))


def _month_with_rows(app, at_least: int) -> str:
    """This month, or the one before when it has too few rows (on the 1st, the demo has served one patient)."""
    from blueprints.auth.models import Regency
    from blueprints.rujukan.reports import recap

    with app.app_context():
        home, served = (
            db.session.scalar(select(Regency).where(Regency.code == c)) for c in ("13.02", "13.03")
        )
        for back in (0, 1):
            y, m = (TODAY.year, TODAY.month - back) if TODAY.month - back >= 1 else (TODAY.year - 1, 12)
            if len(recap(y, m, home, served)["rows"]) >= at_least:
                return f"{y}-{m:02d}"
    raise AssertionError("the demo serves too few patients for this test")


def test_recap_pdf_is_split_into_parts(make_app):
    app = make_app(RUJUKAN_RECAP_PDF_ROWS=1)
    client = app.test_client()
    client.post("/masuk", data={"username": "dinkes.sijunjung", "password": "sinergi-demo-2024"})
    month = _month_with_rows(app, 2)
    page = client.get("/rujukan/rekap", query_string={"bulan": month})
    assert "PDF (F4) bagian 2" in page.text
    resp = client.get("/rujukan/rekap", query_string={"bulan": month, "format": "pdf", "bagian": "2"})
    assert resp.data[:4] == b"%PDF" and "bagian-2" in resp.headers["Content-Disposition"]
    assert (
        client.get(
            "/rujukan/rekap", query_string={"bulan": month, "format": "pdf", "bagian": "x"}
        ).status_code
        == 200
    )


def test_reverse_pair_and_bad_pairs(client, auth):
    auth.login("dinkes.sijunjung")
    resp = client.get("/rujukan/rekap", query_string={"asal": "13.03", "layanan": "13.02"})
    assert resp.status_code == 200 and "Kabupaten Sijunjung di Kabupaten Solok" in resp.text
    assert client.get("/rujukan/rekap", query_string={"asal": "13.02", "layanan": "13.02"}).status_code == 404
    assert client.get("/rujukan/rekap", query_string={"asal": "99.99"}).status_code == 404


def test_recap_pdf_html_has_both_dinkes_signature_blocks(app):
    from flask import render_template

    from blueprints.auth.models import Regency
    from blueprints.rujukan.reports import recap, row_values

    number, name, month = _served_this_month(app)
    y, m = (int(x) for x in month.split("-"))
    with app.test_request_context("/rujukan/rekap"):
        home, served = (
            db.session.scalar(select(Regency).where(Regency.code == c)) for c in ("13.02", "13.03")
        )
        data = recap(y, m, home, served)
        html = render_template(
            "rujukan/pdf/recap.html",
            page_size="215mm 330mm",
            paper="F4",
            title="t",
            home=home,
            served=served,
            month=month,
            today=TODAY,
            part=1,
            parts=1,
            values=[row_values(x, data["places"]) for x in data["rows"]],
            **data,
        )
    assert html.count("Kepala Dinas Kesehatan") == 2
    assert "Kabupaten Solok" in html and "Kabupaten Sijunjung" in html and number in html
    assert "size:330mm 215mm" in html  # F4 landscape


def _copies_of(app, ref_number: str, n: int) -> None:
    """n more referrals like the one numbered ref_number (same patient, dates and state), unnumbered."""
    with app.app_context():
        base = db.session.scalar(select(Referral).where(Referral.number == ref_number))
        cols = [c.key for c in Referral.__table__.columns if c.key not in {"id", "number", "seq", "year"}]
        db.session.add_all(Referral(**{c: getattr(base, c) for c in cols}) for _ in range(n))
        db.session.commit()


def _export_queries(app, client, url: str, qs: dict) -> tuple[int, bytes]:
    with statements(app) as seen:
        resp = client.get(url, query_string=qs)
    assert resp.status_code == 200
    return len(seen), resp.data


def test_exports_do_not_reload_each_row(app, client, auth):
    """The audit commit comes after the file is built, so rows are not reloaded one query each."""
    number, _, month = _served_this_month(app)
    with app.app_context():
        ref = db.session.scalar(select(Referral).where(Referral.number == number))
        reg_month = f"{ref.issued_on.year}-{ref.issued_on.month:02d}"
    recap_qs = {"bulan": month, "asal": "13.02", "layanan": "13.03", "format": "csv"}
    register_qs = {"bulan": reg_month, "format": "csv"}
    auth.login("dinkes.solok")
    before_recap, data = _export_queries(app, client, "/rujukan/rekap", recap_qs)
    auth.logout()
    auth.login("faskes.solok")
    before_register, _ = _export_queries(app, client, "/rujukan/register", register_qs)
    _copies_of(app, number, 6)
    after_register, _ = _export_queries(app, client, "/rujukan/register", register_qs)
    auth.logout()
    auth.login("dinkes.solok")
    after_recap, more = _export_queries(app, client, "/rujukan/rekap", recap_qs)
    assert more.count(b"\n") == data.count(b"\n") + 6
    assert (after_recap, after_register) == (before_recap, before_register)
