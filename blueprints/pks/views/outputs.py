"""Printed outputs: agreement sheet, timeline, the period report (page, PDF, .docx, .xlsx), meeting pack. What
goes in the period report is decided in ``reporting.py``."""

from flask import request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pdf import pdf_response, render_pdf
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp, report_jobs, timeline
from ..minutes import MEETING_OPTIONS, WALK_IN_ROWS, discussed, meeting_files, signers
from ..models import Agreement, Meeting
from ..queries import load_record, record_options
from ..report_files import cell_text
from ..reporting import period_from, period_report
from ..slips import slip_summary, slips_of
from ..storage import signed_scans
from ..validity import effective_end, status_berlaku
from ..waiting import waiting_label

# rows of each section the page shows (within the page budget at 500 agreements); the files hold all
REPORT_PAGE_ROWS = 20


@bp.route("/<int:agreement_id>/lembar.pdf")
@audit.reads("pks_agreement", "cetak lembar kesepakatan")
def sheet_pdf(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id, options=record_options(with_signatories=True))
    children = load_record(a)  # first: validity reads the children it loads
    today = today_local()
    slips = slips_of(a)
    data = render_pdf(
        "pks/pdf_sheet.html",
        a=a,
        today=today,
        berlaku=status_berlaku(a, today),
        end=effective_end(a),
        summary=slip_summary(a, slips),
        slips=slips,
        children=children,
        scans=signed_scans(a),
        menunggu_text=waiting_label(a),
    )
    response = pdf_response(data, f"lembar-kesepakatan-{a.id}.pdf")  # before the commit expires ``a``
    audit.record("print", "pks_agreement", a.id, f"lembar kesepakatan #{a.id}")
    db.session.commit()
    return response


@bp.route("/<int:agreement_id>/linimasa.pdf")
@audit.reads("pks_agreement", "cetak linimasa kesepakatan")
def timeline_pdf(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    data = render_pdf("pks/pdf_timeline.html", a=a, items=timeline.build(a), today=today_local())
    response = pdf_response(data, f"linimasa-kesepakatan-{a.id}.pdf")
    audit.record("print", "pks_agreement", a.id, f"linimasa kesepakatan #{a.id}")
    db.session.commit()
    return response


@bp.route("/laporan")
@audit.not_sensitive
def report_pack():
    today = today_local()
    report = period_report(period_from(request.args, today), current_user, today)
    return render(
        "pks/report.html",
        report=report,
        cell=cell_text,
        page_rows=REPORT_PAGE_ROWS,
        # back to the first year an agreement is known; a future year asked for stays selectable
        years=range(max(today.year, report.period.year), min(report.first_year, report.period.year) - 1, -1),
    )


@bp.route("/laporan.xlsx", methods=["GET", "POST"])
@audit.reads("pks_report", "ekspor paket laporan")
def report_xlsx():
    return _report_file("xlsx")


@bp.route("/laporan.docx", methods=["GET", "POST"])
@audit.reads("pks_report", "ekspor paket laporan")
def report_docx():
    return _report_file("docx")


@bp.route("/laporan.pdf", methods=["GET", "POST"])
@audit.reads("pks_report", "ekspor paket laporan")
def report_pdf():
    return _report_file("pdf")


def _report_file(fmt: str):
    today = today_local()
    return report_jobs.report_file(fmt, period_from(request.args, today), current_user, today).response()


@bp.route("/rapat/<int:meeting_id>/paket.pdf")
@audit.reads("pks_meeting", "cetak paket rapat")
def meeting_pdf(meeting_id):
    """Meeting pack: agenda, attendee list for the daftar hadir (with blank rows for walk-in attendees),
    decisions, action items, and the signature blocks of the chair and the notulis."""
    m = get_scoped_or_404(Meeting, meeting_id, options=MEETING_OPTIONS)
    shown = discussed(m)
    data = render_pdf(
        "pks/pdf_meeting.html",
        m=m,
        discussed=shown,
        links=meeting_files(m, shown),
        signers=signers(m),
        walk_in_rows=WALK_IN_ROWS,
        today=today_local(),
    )
    response = pdf_response(data, f"paket-rapat-{m.id}.pdf")
    audit.record("print", "pks_meeting", m.id, f"paket rapat #{m.id}")
    db.session.commit()
    return response
