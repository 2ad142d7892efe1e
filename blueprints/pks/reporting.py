"""The report pack (docs/pks.md §8): per year or semester, one row per agreement the user sees; as a page,
.xlsx and PDF. Reads only; the views audit the export."""

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from blueprints.core.export import safe_row
from blueprints.core.extensions import db

from .models import OBLIGATION_STATUS, TAHAP, DocNumber, Obligation, Report, Slip
from .queries import agreement_rows, by_agreement
from .reminders import ObligationRow
from .slips import slip_summary
from .target import format_target
from .validity import effective_end, status_berlaku, status_label


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
        return (
            f"Tahun {self.year}"
            if not self.semester
            else f"Semester {'I' if self.semester == 1 else 'II'} {self.year}"
        )


def period_from(args, today: date) -> Period:
    """The period asked for (``tahun``, ``semester``): this year by default, 2000..2100."""
    try:
        year = int(args.get("tahun") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    semester = args.get("semester", "0")
    return Period(year, int(semester) if semester in ("0", "1", "2") else 0)


def _delivered_in(period: Period, ids) -> dict[int, int]:
    """Reports delivered within the period, counted per agreement in SQL."""
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Report.agreement_id, func.count())
            .where(
                Report.agreement_id.in_(ids),
                Report.disampaikan_pada >= period.start,
                Report.disampaikan_pada <= period.end,
            )
            .group_by(Report.agreement_id)
        ).all()
    )


def _numbers(ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if ids:
        stmt = select(DocNumber.agreement_id, DocNumber.nomor).where(DocNumber.agreement_id.in_(ids))
        for aid, nomor in db.session.execute(stmt.order_by(DocNumber.id)):
            out.setdefault(aid, []).append(nomor)
    return out


def _obligations(ids) -> dict[int, list[ObligationRow]]:
    out: dict[int, list[ObligationRow]] = {}
    if ids:
        stmt = select(
            Obligation.id, Obligation.agreement_id, Obligation.text, Obligation.due, Obligation.status
        )
        for row in db.session.execute(stmt.where(Obligation.agreement_id.in_(ids)).order_by(Obligation.id)):
            out.setdefault(row.agreement_id, []).append(ObligationRow(*row))
    return out


def pack_rows(period: Period, user, today: date) -> list[dict]:
    """One row per agreement the user sees, in five queries however many: the agreements as plain rows with
    their children (``agreement_rows``), their numbers, obligations, postponements and the reports delivered in
    the period (counted in SQL)."""
    today = min(today, period.end)
    agreements, _names = agreement_rows(user)
    ids = [a.id for a in agreements]
    numbers, obligations, delivered = _numbers(ids), _obligations(ids), _delivered_in(period, ids)
    slips_by = by_agreement(Slip, ids, Slip.recorded_at, Slip.id)
    rows = []
    for a in agreements:
        slips = slips_by.get(a.id, [])
        summary = slip_summary(a, slips)
        obs = obligations.get(a.id, [])
        rows.append(
            {
                "id": a.id,
                "jenis": a.jenis,
                "judul": a.judul,
                "tahap": TAHAP.get(a.tahap, a.tahap),
                "status": status_label(status_berlaku(a, today)),
                "nomor": "; ".join(numbers.get(a.id, ())),
                "tgl_ttd": a.tgl_ttd,
                "berakhir": effective_end(a),
                "target": summary.current_target,
                "penundaan": summary.count,
                "hari_tertunda": summary.total_days,
                "kewajiban_dipenuhi": sum(1 for o in obs if o.status == "dipenuhi"),
                "kewajiban": len(obs),
                "laporan": delivered.get(a.id, 0),
                "slips": slips,
                "obligations": obs,
            }
        )
    return rows


def pack_workbook(period: Period, rows: list[dict], today: date) -> bytes:
    """The pack as .xlsx: agreements, postponements, obligations (cells made safe for spreadsheets)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Kesepakatan"
    ws.append([f"Laporan kerja sama daerah – {period.label}"])
    head = [
        "No",
        "Jenis",
        "Judul",
        "Tahap",
        "Status berlaku",
        "Nomor",
        "Tanggal TTD",
        "Berakhir",
        "Target TTD",
        "Jumlah penundaan",
        "Hari tertunda",
        "Kewajiban dipenuhi",
        "Jumlah kewajiban",
        "Laporan disampaikan",
    ]
    ws.append(head)
    for r in rows:
        ws.append(
            safe_row(
                [
                    r["id"],
                    r["jenis"],
                    r["judul"],
                    r["tahap"],
                    r["status"],
                    r["nomor"],
                    r["tgl_ttd"],
                    r["berakhir"],
                    r["target"],
                    r["penundaan"],
                    r["hari_tertunda"],
                    r["kewajiban_dipenuhi"],
                    r["kewajiban"],
                    r["laporan"],
                ]
            )
        )
    slips = wb.create_sheet("Penundaan")
    slips.append(["Kesepakatan", "Target lama", "Target baru", "Hari", "Alasan", "Diputuskan oleh"])
    for r in rows:
        for s in r["slips"]:
            slips.append(
                safe_row(
                    [
                        r["judul"],
                        format_target(s.old_mulai, s.old_selesai, s.old_presisi),
                        format_target(s.new_mulai, s.new_selesai, s.new_presisi),
                        s.days,
                        s.alasan,
                        s.diputuskan_oleh,
                    ]
                )
            )
    obs = wb.create_sheet("Kewajiban")
    obs.append(["Kesepakatan", "Kewajiban", "Tenggat", "Status"])
    for r in rows:
        for o in r["obligations"]:
            obs.append(safe_row([r["judul"], o.text, o.due, OBLIGATION_STATUS[o.status_on(today)]]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
