"""One date-ordered story per agreement: state changes, signing, slips, meetings, drafts, reports, activities."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.timeutil import to_local

from .minutes import meetings_of
from .models import TAHAP, Activity, Agreement, Document, Evaluation, Event, Letter, Report
from .slips import slips_of
from .target import format_target


@dataclass(frozen=True)
class Item:
    on: date
    order: int  # ties: keep insertion order stable across databases
    kind: str
    text: str
    actor: str = ""


EVENT_KIND = {
    "tahap": "Tahap",
    "ttd": "Penandatanganan",
    "target": "Target",
    "penundaan": "Penundaan",
    "dibuat": "Dibuat",
    "turunan": "Naskah turunan",
    "ubah": "Perubahan",
    "pihak": "Pihak",
    "nomor": "Nomor",
    "menunggu": "Menunggu",
}


def _day(dt) -> date:
    return to_local(dt).date()


def build(a: Agreement, meetings=None, slips=None) -> list[Item]:
    """``meetings``, ``slips``: the agreement's own, when the caller has them already."""
    items: list[Item] = []
    for ev in db.session.scalars(
        select(Event)  # actors joined in (Event.actor), however many
        .where(Event.agreement_id == a.id)
        .order_by(Event.at, Event.id)
    ):
        text = ev.reason
        if ev.kind == "tahap":
            text = (
                f"{TAHAP.get(ev.from_state, ev.from_state) or '—'} → {TAHAP.get(ev.to_state, ev.to_state)}"
                + (f": {ev.reason}" if ev.reason else "")
            )
        items.append(
            Item(
                ev.on_date or _day(ev.at),
                ev.id,
                EVENT_KIND.get(ev.kind, ev.kind),
                text,
                ev.actor.name if ev.actor else "",
            )
        )
    for s in slips_of(a) if slips is None else slips:
        day = s.meeting.tanggal if s.meeting else _day(s.recorded_at)
        items.append(
            Item(
                day,
                100000 + s.id,
                "Penundaan",
                f"{format_target(s.old_mulai, s.old_selesai, s.old_presisi)} → "
                f"{format_target(s.new_mulai, s.new_selesai, s.new_presisi)} (+{s.days} hari): {s.alasan}",
                s.diputuskan_oleh,
            )
        )
    for m in meetings_of(a) if meetings is None else meetings:
        items.append(Item(m.tanggal, 200000 + m.id, "Rapat", f"{m.tempat}: {m.agenda[:160]}"))
    for d in db.session.scalars(select(Document).where(Document.agreement_id == a.id).order_by(Document.id)):
        label = d.kind_label + (f" v{d.versi}" if d.versi else "")
        items.append(
            Item(
                _day(d.uploaded_at),
                300000 + d.id,
                "Dokumen",
                f"{label}: {d.filename} (SHA-256 {d.sha256})",
                d.uploaded_by.name if d.uploaded_by else "",
            )
        )
    for x in db.session.scalars(select(Letter).where(Letter.agreement_id == a.id).order_by(Letter.id)):
        items.append(
            Item(
                x.tanggal,
                700000 + x.id,
                f"Surat {x.arah}",
                f"{x.nomor}: {x.perihal}"
                + (f" (tembusan: {x.tembusan.replace(chr(10), ', ')})" if x.tembusan else ""),
            )
        )
    for r in db.session.scalars(select(Report).where(Report.agreement_id == a.id).order_by(Report.id)):
        if r.disampaikan_pada:
            items.append(
                Item(r.disampaikan_pada, 400000 + r.id, "Laporan", f"Laporan {r.periode} disampaikan")
            )
    for act in db.session.scalars(
        select(Activity).where(Activity.agreement_id == a.id).order_by(Activity.id)
    ):
        items.append(Item(act.tanggal, 500000 + act.id, "Kegiatan", f"{act.jenis} ({act.status})"))
    for ev in db.session.scalars(
        select(Evaluation).where(Evaluation.agreement_id == a.id).order_by(Evaluation.id)
    ):
        items.append(Item(ev.tanggal, 600000 + ev.id, "Evaluasi", f"Rekomendasi: {ev.rekomendasi}"))
    return sorted(items, key=lambda i: (i.on, i.order))
