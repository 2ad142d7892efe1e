"""The report pack as a file (docs/pks.md §9): made in the request for a few agreements, by a background job
(core.jobs) when the user's scope holds more than PKS_REPORT_JOB_ROWS agreements (the PDF of 500 agreements is
about 90 pages). What goes in the pack is decided in ``reporting.py``."""

from datetime import date

from blueprints.core import audit, jobs
from blueprints.core.export import MIMETYPES
from blueprints.core.extensions import db
from blueprints.core.pdf import render_pdf

from .reporting import Period, pack_rows, pack_workbook
from .settings import setting

FORMATS = ("xlsx", "pdf")


def _file(fmt: str, period: Period, user, today: date, printed_for=None, rows=None) -> tuple[bytes, int]:
    rows = pack_rows(period, user, today) if rows is None else rows
    if fmt == "xlsx":
        return pack_workbook(period, rows, today), len(rows)
    pdf = render_pdf("pks/pdf_report.html", period=period, rows=rows, today=today, printed_for=printed_for)
    return pdf, len(rows)


def _name(period: Period, fmt: str) -> str:
    return f"laporan-kerja-sama-{period.year}-{period.semester}.{fmt}"


def report_file(fmt: str, period: Period, user, today: date) -> jobs.FileOrJob:
    """The pack as ``fmt`` (xlsx or pdf), its export audited; over PKS_REPORT_JOB_ROWS agreements, the offer
    of a job."""
    rows = pack_rows(period, user, today)  # a few set-based reads; what takes long is making the file
    count = len(rows)
    if count > int(setting("PKS_REPORT_JOB_ROWS")):
        label = f"Paket laporan kerja sama {period.label} ({fmt.upper()})"
        params = {"fmt": fmt, "year": period.year, "semester": period.semester, "today": today.isoformat()}
        offer = jobs.Offer("pks_report", label, params, user, total=count, unit="kesepakatan")
        return jobs.FileOrJob(offer=offer)
    data, _ = _file(fmt, period, user, today, rows=rows)
    audit.record("export", "pks_report", None, f"paket laporan {period.label} ({fmt})")
    db.session.commit()
    return jobs.FileOrJob(data, _name(period, fmt), inline=fmt == "pdf")


@jobs.job("pks_report", record_type="pks_report", action="export")
def report_job(job, progress) -> jobs.Result:
    p = job.params
    period, today = Period(p["year"], p["semester"]), date.fromisoformat(p["today"])
    progress(0, None, "Menyusun paket laporan")
    data, count = _file(p["fmt"], period, job.owner, today, printed_for=job.owner)
    return jobs.Result(
        data,
        _name(period, p["fmt"]),
        MIMETYPES[p["fmt"]],
        summary=f"paket laporan {period.label} ({p['fmt']}), {count} kesepakatan",
        message=f"{count} kesepakatan dalam paket laporan",
    )
