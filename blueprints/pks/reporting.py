"""The report pack (docs/pks.md §8): per year or semester, one row per agreement the user sees; as a page,
.xlsx and PDF. Reads only; the views audit the export."""

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from blueprints.core.export import safe_row
from blueprints.core.extensions import db
from blueprints.core.scope import scoped

from .models import OBLIGATION_STATUS, TAHAP, Agreement, Obligation, Report, Slip
from .queries import by_agreement, list_options
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


def pack_rows(period: Period, user, today: date) -> list[dict]:
    today = min(today, period.end)
    agreements = list(
        db.session.scalars(
            scoped(Agreement, user).options(*list_options(joined_children=True)).order_by(Agreement.id)
        ).unique()
    )
    ids = [a.id for a in agreements]
    obligations, reports = by_agreement(Obligation, ids), by_agreement(Report, ids)
    slips_by = by_agreement(Slip, ids, Slip.recorded_at, Slip.id)
    rows = []
    for a in agreements:
        slips = slips_by.get(a.id, [])
        summary = slip_summary(a, slips)
        obs = obligations.get(a.id, [])
        reps = [
            r
            for r in reports.get(a.id, [])
            if r.disampaikan_pada and period.start <= r.disampaikan_pada <= period.end
        ]
        rows.append(
            {
                "id": a.id,
                "jenis": a.jenis,
                "judul": a.judul,
                "tahap": TAHAP.get(a.tahap, a.tahap),
                "status": status_label(status_berlaku(a, today)),
                "nomor": "; ".join(n.nomor for n in a.numbers),
                "tgl_ttd": a.tgl_ttd,
                "berakhir": effective_end(a),
                "target": summary.current_target,
                "penundaan": summary.count,
                "hari_tertunda": summary.total_days,
                "kewajiban_dipenuhi": sum(1 for o in obs if o.status == "dipenuhi"),
                "kewajiban": len(obs),
                "laporan": len(reps),
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
