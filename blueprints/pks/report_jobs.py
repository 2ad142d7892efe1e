"""The period report as a file (docs/pks.md §9): made in the request for a few agreements, by a background job
(core.jobs) when the user's scope holds more than PKS_REPORT_JOB_ROWS agreements (the PDF of 500 agreements is
about 90 pages). What goes in the report is decided in ``reporting.py``, how each format lays it out in
``report_files.py``."""

from datetime import date

from blueprints.core import audit, jobs
from blueprints.core.export import MIMETYPES
from blueprints.core.extensions import db
from blueprints.core.pdf import render_pdf

from . import report_files
from .reporting import Period, PeriodReport, period_report
from .settings import setting

FORMATS = ("xlsx", "pdf", "docx")


def _file(fmt: str, period: Period, user, today: date, printed_for=None, report=None) -> tuple[bytes, int]:
    report = period_report(period, user, today) if report is None else report
    count = report.counts["ringkasan"]
    if fmt == "xlsx":
        return report_files.workbook(report), count
    letter = report_files.letter_of(user, today)
    if fmt == "docx":
        return report_files.document(report, letter, getattr(user, "organisation", None)), count
    pdf = render_pdf(
        "pks/pdf_report.html",
        report=report,
        letter=letter,
        intro=report_files.intro(report),
        cell=report_files.cell_text,
        blank_name=report_files.BLANK_NAME,
        blank_nip=report_files.BLANK_NIP,
        printed_for=printed_for,
    )
    return pdf, count


def _name(period: Period, fmt: str) -> str:
    return f"laporan-kerja-sama-{period.year}-{period.semester}.{fmt}"


def report_file(fmt: str, period: Period, user, today: date) -> jobs.FileOrJob:
    """The report as ``fmt`` (xlsx, docx or pdf), its export audited; over PKS_REPORT_JOB_ROWS agreements, the
    offer of a job."""
    report: PeriodReport = period_report(period, user, today)  # set-based reads; making the file takes long
    count = report.counts["ringkasan"]
    if count > int(setting("PKS_REPORT_JOB_ROWS")):
        label = f"Laporan kerja sama {period.label} ({fmt.upper()})"
        params = {"fmt": fmt, "year": period.year, "semester": period.semester, "today": today.isoformat()}
        offer = jobs.Offer("pks_report", label, params, user, total=count, unit="kesepakatan")
        return jobs.FileOrJob(offer=offer)
    data, _ = _file(fmt, period, user, today, report=report)
    audit.record("export", "pks_report", None, f"laporan kerja sama {period.label} ({fmt})")
    db.session.commit()
    return jobs.FileOrJob(data, _name(period, fmt), inline=fmt == "pdf")


@jobs.job("pks_report", record_type="pks_report", action="export")
def report_job(job, progress) -> jobs.Result:
    p = job.params
    period, today = Period(p["year"], p["semester"]), date.fromisoformat(p["today"])
    progress(0, None, "Menyusun laporan kerja sama")
    data, count = _file(p["fmt"], period, job.owner, today, printed_for=job.owner)
    return jobs.Result(
        data,
        _name(period, p["fmt"]),
        MIMETYPES[p["fmt"]],
        summary=f"laporan kerja sama {period.label} ({p['fmt']}), {count} kesepakatan",
        message=f"{count} kesepakatan dalam laporan kerja sama",
    )
