"""Printed outputs: agreement sheet, timeline, report pack (.xlsx and PDF); and the daily reminder job."""
import io
from dataclasses import dataclass
from datetime import date

import click
from flask import request
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.export import download, safe_row
from blueprints.core.extensions import db
from blueprints.core.pdf import pdf_response, render_pdf
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local

from . import bp, service, timeline
from .home import by_agreement
from .models import TAHAP, Agreement, ReminderLog, Slip
from .models_work import OBLIGATION_STATUS, Obligation, Report
from .target import format_target


def _scans(a):
    from .models_work import Document
    return list(db.session.scalars(select(Document).where(Document.agreement_id == a.id, Document.kind == "ttd")
                                   .order_by(Document.id)))


@bp.route("/<int:agreement_id>/lembar.pdf")
@audit.reads("pks_agreement", "cetak lembar kesepakatan")
def sheet_pdf(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    today = today_local()
    slips = service.slips_of(a)
    children = list(db.session.scalars(scoped(Agreement).where(Agreement.parent_id == a.id).order_by(Agreement.id)))
    data = render_pdf("pks/pdf_sheet.html", a=a, today=today, berlaku=service.status_berlaku(a, today),
                      end=service.effective_end(a), summary=service.slip_summary(a, slips), slips=slips,
                      children=children, scans=_scans(a), menunggu_text=service.menunggu_label(a, service.regency_names()))
    audit.record("print", "pks_agreement", a.id, f"lembar kesepakatan #{a.id}")
    db.session.commit()
    return pdf_response(data, f"lembar-kesepakatan-{a.id}.pdf")


@bp.route("/<int:agreement_id>/linimasa.pdf")
@audit.reads("pks_agreement", "cetak linimasa kesepakatan")
def timeline_pdf(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    data = render_pdf("pks/pdf_timeline.html", a=a, items=timeline.build(a), today=today_local())
    audit.record("print", "pks_agreement", a.id, f"linimasa kesepakatan #{a.id}")
    db.session.commit()
    return pdf_response(data, f"linimasa-kesepakatan-{a.id}.pdf")


@dataclass(frozen=True)
class Period:
    year: int
    semester: int  # 0 = whole year

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.semester == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.semester == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return f"Tahun {self.year}" if not self.semester else f"Semester {'I' if self.semester == 1 else 'II'} {self.year}"


def _period(args) -> Period:
    today = today_local()
    try:
        year = int(args.get("tahun") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    semester = args.get("semester", "0")
    return Period(year, int(semester) if semester in ("0", "1", "2") else 0)


def pack_rows(period: Period, user) -> list[dict]:
    today = min(today_local(), period.end)
    agreements = list(db.session.scalars(scoped(Agreement, user).options(*service.list_options())
                                         .order_by(Agreement.id)))
    ids = [a.id for a in agreements]
    obligations, reports = by_agreement(Obligation, ids), by_agreement(Report, ids)
    slips_by = by_agreement(Slip, ids, Slip.recorded_at, Slip.id)
    rows = []
    for a in agreements:
        slips = slips_by.get(a.id, [])
        summary = service.slip_summary(a, slips)
        obs = obligations.get(a.id, [])
        reps = [r for r in reports.get(a.id, []) if r.disampaikan_pada and period.start <= r.disampaikan_pada <= period.end]
        rows.append({
            "id": a.id, "jenis": a.jenis, "judul": a.judul, "tahap": TAHAP.get(a.tahap, a.tahap),
            "status": service.status_label(service.status_berlaku(a, today)),
            "nomor": "; ".join(n.nomor for n in a.numbers), "tgl_ttd": a.tgl_ttd,
            "berakhir": service.effective_end(a), "target": summary.current_target,
            "penundaan": summary.count, "hari_tertunda": summary.total_days,
            "kewajiban_dipenuhi": sum(1 for o in obs if o.status == "dipenuhi"), "kewajiban": len(obs),
            "laporan": len(reps), "slips": slips, "obligations": obs,
        })
    return rows


@bp.route("/laporan")
@audit.not_sensitive
def report_pack():
    period = _period(request.args)
    return render("pks/report.html", period=period, rows=pack_rows(period, current_user),
                  years=range(today_local().year, 2022, -1))


@bp.route("/laporan.xlsx")
@audit.reads("pks_report", "ekspor paket laporan")
def report_xlsx():
    period = _period(request.args)
    rows = pack_rows(period, current_user)
    wb = Workbook()
    ws = wb.active
    ws.title = "Kesepakatan"
    ws.append([f"Laporan kerja sama daerah – {period.label}"])
    head = ["No", "Jenis", "Judul", "Tahap", "Status berlaku", "Nomor", "Tanggal TTD", "Berakhir",
            "Target TTD", "Jumlah penundaan", "Hari tertunda", "Kewajiban dipenuhi", "Jumlah kewajiban",
            "Laporan disampaikan"]
    ws.append(head)
    for r in rows:
        ws.append(safe_row([r["id"], r["jenis"], r["judul"], r["tahap"], r["status"], r["nomor"], r["tgl_ttd"],
                            r["berakhir"], r["target"], r["penundaan"], r["hari_tertunda"],
                            r["kewajiban_dipenuhi"], r["kewajiban"], r["laporan"]]))
    slips = wb.create_sheet("Penundaan")
    slips.append(["Kesepakatan", "Target lama", "Target baru", "Hari", "Alasan", "Diputuskan oleh"])
    for r in rows:
        for s in r["slips"]:
            slips.append(safe_row([r["judul"], format_target(s.old_mulai, s.old_selesai, s.old_presisi),
                                   format_target(s.new_mulai, s.new_selesai, s.new_presisi), s.days, s.alasan,
                                   s.diputuskan_oleh]))
    obs = wb.create_sheet("Kewajiban")
    obs.append(["Kesepakatan", "Kewajiban", "Tenggat", "Status"])
    today = today_local()
    for r in rows:
        for o in r["obligations"]:
            obs.append(safe_row([r["judul"], o.text, o.due, OBLIGATION_STATUS[o.status_on(today)]]))
    buf = io.BytesIO()
    wb.save(buf)
    audit.record("export", "pks_report", None, f"paket laporan {period.label} (xlsx)")
    db.session.commit()
    return download(buf.getvalue(), f"laporan-kerja-sama-{period.year}-{period.semester}.xlsx")


@bp.route("/laporan.pdf")
@audit.reads("pks_report", "ekspor paket laporan")
def report_pdf():
    period = _period(request.args)
    data = render_pdf("pks/pdf_report.html", period=period, rows=pack_rows(period, current_user),
                      today=today_local())
    audit.record("export", "pks_report", None, f"paket laporan {period.label} (pdf)")
    db.session.commit()
    return pdf_response(data, f"laporan-kerja-sama-{period.year}-{period.semester}.pdf")


# ---- daily job ----------------------------------------------------------------------------------

def run_reminders(today: date) -> list[tuple[int, str]]:
    """Log each due reminder once (per rung, per end date); returns what was new today."""
    from .home import all_reminders
    agreements = list(db.session.scalars(select(Agreement).order_by(Agreement.id)))
    sent = {(r.agreement_id, r.key) for r in db.session.scalars(select(ReminderLog))}
    new = []
    for r in all_reminders(agreements, today):
        if (r.agreement_id, r.key) in sent:
            continue
        db.session.add(ReminderLog(agreement_id=r.agreement_id, key=r.key, text=f"{r.judul[:150]}: {r.text}"[:300],
                                   sent_on=today))
        sent.add((r.agreement_id, r.key))
        new.append((r.agreement_id, f"{r.judul[:80]}: {r.text}"))
    db.session.flush()
    return new


@bp.cli.command("reminders")
@click.option("--tanggal", default=None, help="Hitung untuk tanggal ini (tttt-bb-hh); bawaan hari ini (WIB).")
def reminders_command(tanggal):
    """Compute today's PKS reminders (daily cron job); each reminder is logged once."""
    today = date.fromisoformat(tanggal) if tanggal else today_local()
    new = run_reminders(today)
    db.session.commit()
    click.echo(f"Pengingat kerja sama {today.isoformat()}: {len(new)} baru.")
    for aid, text in new:
        click.echo(f"  #{aid} {text}")


@bp.route("/rapat/<int:meeting_id>/paket.pdf")
@audit.reads("pks_meeting", "cetak paket rapat")
def meeting_pdf(meeting_id):
    """Meeting pack: agenda, attendee list for the daftar hadir, decisions and action items."""
    from .models_work import Meeting, MeetingDocument
    m = get_scoped_or_404(Meeting, meeting_id)
    links = list(db.session.scalars(select(MeetingDocument).where(MeetingDocument.meeting_id == m.id)))
    data = render_pdf("pks/pdf_meeting.html", m=m, links=links, today=today_local())
    audit.record("print", "pks_meeting", m.id, f"paket rapat #{m.id}")
    db.session.commit()
    return pdf_response(data, f"paket-rapat-{m.id}.pdf")
