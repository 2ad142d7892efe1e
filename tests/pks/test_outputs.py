"""Printed and exported outputs, and the daily reminder command."""

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, ReminderLog, Report


def test_pdfs_start_with_pdf_and_are_audited(app, solok, ids):
    for url in (
        f"/pks/{ids['pks1']}/lembar.pdf",
        f"/pks/{ids['ksb']}/linimasa.pdf",
        "/pks/laporan.pdf?tahun=2024",
        "/pks/rapat/1/paket.pdf",
    ):
        r = solok.get(url)
        assert r.status_code == 200 and r.data.startswith(b"%PDF") and r.mimetype == "application/pdf"
    with app.app_context():
        actions = sorted(
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.in_(("print", "export"))))
        )
        assert actions == ["export", "print", "print", "print"]


def test_xlsx_report_pack_holds_the_rows(solok, ids):
    r = solok.get("/pks/laporan.xlsx?tahun=2024&semester=2")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb["Kesepakatan"]
    assert ws["A1"].value == "Daftar kesepakatan – Semester II 2024"
    titles = [row[2] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert any("SIDILAN" in t for t in titles) and any("Wilayah Perbatasan" in t for t in titles)
    assert len(titles) == 3
    slips = list(wb["Penundaan"].iter_rows(min_row=3, values_only=True))
    assert len(slips) == 2 and all(
        s[0] == n and s[2] == "Juli 2024" and s[3] == "minggu ke-2 September 2024" and s[4] == 45
        for n, s in enumerate(slips, 1)
    )


def test_report_pack_page(solok):
    page = solok.get("/pks/laporan?tahun=2024&semester=1").get_data(as_text=True)
    assert "Semester I 2024" in page and "Keadaan per 30 Juni 2024" in page


def test_report_pack_lists_the_reports_due_or_delivered_in_the_period(app, solok, ids):
    with app.app_context():
        ksb = db.session.get(Agreement, ids["ksb"])
        db.session.query(Report).filter_by(agreement_id=ksb.id).delete()
        for periode, due, delivered in (
            ("Laporan A", date(2025, 1, 31), date(2025, 3, 1)),
            ("Laporan B", date(2025, 7, 31), date(2025, 8, 1)),
            ("Laporan C", date(2026, 1, 31), None),
        ):
            db.session.add(
                Report(agreement_id=ksb.id, periode=periode, jatuh_tempo=due, disampaikan_pada=delivered)
            )
        db.session.commit()

    def reports_shown(query: str) -> list[str]:
        page = solok.get(f"/pks/laporan?{query}").get_data(as_text=True)
        section = page.split("<h2>Laporan yang jatuh tempo <small>")[1].split("<h2>")[0]
        return re.findall(r"<td>(Laporan [ABC])</td>", section)

    assert reports_shown("tahun=2025&semester=1") == ["Laporan A"]
    assert reports_shown("tahun=2025&semester=2") == ["Laporan B"]
    assert reports_shown("tahun=2025") == ["Laporan A", "Laporan B"]
    assert reports_shown("tahun=2026") == ["Laporan C"]  # due in January 2026, still not delivered


def test_reminders_command_logs_each_rung_once(app, runner):
    result = runner.invoke(args=["pks", "reminders", "--tanggal", "2027-12-25"])
    assert result.exit_code == 0, result.output
    assert "berakhir dalam 30 hari (24 Januari 2028)" in result.output
    assert "target tanda tangan minggu ke-2 September 2024 terlewat" in result.output
    again = runner.invoke(args=["pks", "reminders", "--tanggal", "2027-12-25"])
    assert "0 baru" in again.output
    later = runner.invoke(args=["pks", "reminders", "--tanggal", "2028-01-20"])
    assert "berakhir dalam 4 hari" in later.output and "1 baru" in later.output
    after = runner.invoke(args=["pks", "reminders", "--tanggal", "2028-01-25"])
    assert "0 baru" in after.output  # silent after expiry
    with app.app_context():
        keys = sorted(db.session.scalars(select(ReminderLog.key).where(ReminderLog.key.like("expiry:%"))))
        assert keys == ["expiry:30:2028-01-24", "expiry:7:2028-01-24"]


def test_report_pack_and_waiting_view_query_counts_do_not_grow(app, solok):
    from .test_pages import _add_agreements, _count_queries

    _add_agreements(app, 2)
    few = [_count_queries(app, solok, url) for url in ("/pks/laporan", "/pks/menunggu")]
    _add_agreements(app, 45)
    many = [_count_queries(app, solok, url) for url in ("/pks/laporan", "/pks/menunggu")]
    assert few == many  # report pack: user, agreements, numbers, children, obligations, reports, slips
    assert many[0] <= 7 and many[1] <= 6
    page = solok.get("/pks/laporan").get_data(as_text=True)
    assert "PKS massal" in page and "baris lainnya ada di PDF, .docx dan .xlsx" in page
    sheet = load_workbook(io.BytesIO(solok.get("/pks/laporan.xlsx").data))["Kesepakatan"]
    assert "PKS massal 44" in [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]


def _job_file(client, url):
    import re

    from tests.offers import start_offered

    response = start_offered(client, url)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in html and "kesepakatan dalam laporan kerja sama" in html
    (link,) = re.findall(r'href="(/pekerjaan/\d+/unduh)"', html)
    return client.get(link), int(link.split("/")[2])


def test_a_report_pack_over_the_threshold_is_a_job_with_the_same_file(app, solok, ids):
    inline = solok.get("/pks/laporan.xlsx?tahun=2024&semester=2")
    app.config["PKS_REPORT_JOB_ROWS"] = 0
    got, job_id = _job_file(solok, "/pks/laporan.xlsx?tahun=2024&semester=2")
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    queued, direct = load_workbook(io.BytesIO(got.data)), load_workbook(io.BytesIO(inline.data))
    assert list(queued["Kesepakatan"].iter_rows(values_only=True)) == list(
        direct["Kesepakatan"].iter_rows(values_only=True)
    )
    pdf, pdf_job = _job_file(solok, "/pks/laporan.pdf?tahun=2024")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    with app.app_context():
        summaries = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.object_type == "pks_report").order_by(AuditEvent.id)
        ).all()
    assert [s.split(":")[0] for s in summaries[-4:]] == [
        f"pekerjaan #{job_id}",
        f"unduh hasil pekerjaan #{job_id}",
        f"pekerjaan #{pdf_job}",
        f"unduh hasil pekerjaan #{pdf_job}",
    ]


def test_the_worker_runs_the_daily_reminders_as_a_periodic_task(app, runner):
    from datetime import datetime

    from blueprints.core import jobs

    task = jobs.install_periodic(app)["daily_reminders"]
    huey = jobs.huey_of(app)
    assert [t.name for t in huey.read_periodic(datetime(2026, 1, 1, 1, 0))] == ["pks.daily_reminders"]
    assert huey.read_periodic(datetime(2026, 1, 1, 2, 0)) == []  # once a day, 01:00 UTC (08:00 WIB)
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(ReminderLog))
    task()  # immediate mode: the task runs now
    with app.app_context():
        recorded = db.session.scalar(select(db.func.count()).select_from(ReminderLog)) - before
    assert recorded > 0
    again = runner.invoke(args=["pks", "reminders"])
    assert "0 baru" in again.output  # the task recorded today's reminders, as the command would have
