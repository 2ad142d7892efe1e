"""One date-ordered story per agreement: state changes, signing, slips, meetings, drafts, reports, activities."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Date, Integer, String, Text, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import aliased

from blueprints.auth.models import Regency, User
from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, to_local

from .agreements import visible_notes
from .models import (
    DOC_KINDS,
    TAHAP,
    Activity,
    Agreement,
    Document,
    Evaluation,
    Event,
    Letter,
    Meeting,
    Report,
    meeting_agreement,
)
from .slips import slips_of
from .target import format_target


@dataclass(frozen=True)
class Item:
    on: date
    order: int  # ties: keep insertion order stable across databases
    kind: str
    text: str
    actor: str = ""
    sha256: str = ""  # a document's fingerprint, shown apart from the text (shortened in print)


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
    "penandatangan": "Penandatangan",
    "koreksi": "Koreksi",
    "menunggu": "Menunggu",
    "dokumen": "Dokumen",
    "pelaksanaan": "Pelaksanaan",
    "rapat": "Rapat",
    "usul": "Usulan",
    "usul_setuju": "Usulan disetujui",
    "usul_tolak": "Usulan ditolak",
    "usul_tarik": "Usulan ditarik",
    "dicatat": "Pencatatan",
    "review": "Review hukum",
}


def _day(dt) -> date:
    return to_local(dt).date()


TEXT_NULL, DAY_NULL = cast(null(), Text), cast(null(), Date)


@cache
def _branches() -> tuple:
    """The branches of ``_rows`` but the notes, built once per process: the same statement for every agreement
    (its id is the bound ``agreement_id``), so a record page does not build eight SELECTs again each time."""
    agreement_id = bindparam("agreement_id", type_=Integer)
    text_null, day_null = TEXT_NULL, DAY_NULL

    def shape(source, model, at, day, s1, s2, s3, s4, person):
        return select(
            literal(source, String).label("source"),
            model.id.label("id"),
            (at if at is not None else cast(null(), UTCDateTime())).label("at"),
            (day if day is not None else day_null).label("day"),
            cast(s1, Text).label("s1") if s1 is not None else text_null.label("s1"),
            cast(s2, Text).label("s2") if s2 is not None else text_null.label("s2"),
            cast(s3, Text).label("s3") if s3 is not None else text_null.label("s3"),
            cast(s4, Text).label("s4") if s4 is not None else text_null.label("s4"),
            (person if person is not None else text_null).label("person"),
        ).where(model.agreement_id == agreement_id)

    actor, uploader = aliased(User), aliased(User)
    branches = [
        shape(
            "event",
            Event,
            Event.at,
            Event.on_date,
            Event.kind,
            Event.from_state,
            Event.to_state,
            Event.reason,
            actor.name,
        ).outerjoin(actor, actor.id == Event.actor_id),
        shape(
            "document",
            Document,
            Document.uploaded_at,
            None,
            Document.kind,
            Document.versi,
            Document.filename,
            Document.sha256,
            uploader.name,
        ).outerjoin(uploader, uploader.id == Document.uploaded_by_id),
        shape(
            "letter",
            Letter,
            None,
            Letter.tanggal,
            Letter.arah,
            Letter.nomor,
            Letter.perihal,
            Letter.tembusan,
            None,
        ),
        shape("report", Report, None, Report.disampaikan_pada, Report.periode, None, None, None, None).where(
            Report.disampaikan_pada.is_not(None)
        ),
        shape(
            "activity", Activity, None, Activity.tanggal, Activity.jenis, Activity.status, None, None, None
        ),
        shape(
            "evaluation", Evaluation, None, Evaluation.tanggal, Evaluation.rekomendasi, None, None, None, None
        ),
        select(  # the meetings that discussed it: no agreement column of their own
            literal("meeting", String).label("source"),
            Meeting.id.label("id"),
            cast(null(), UTCDateTime()).label("at"),
            Meeting.tanggal.label("day"),
            cast(Meeting.tempat, Text).label("s1"),
            cast(Meeting.agenda, Text).label("s2"),
            text_null.label("s3"),
            text_null.label("s4"),
            text_null.label("person"),
        )
        .join(meeting_agreement, meeting_agreement.c.meeting_id == Meeting.id)
        .where(meeting_agreement.c.agreement_id == agreement_id, Meeting.deleted_at.is_(None)),
    ]
    return tuple(branches)


@cache
def _statement(notes_role: str | None):
    """Events, documents, letters, delivered reports, activities, evaluations and meetings of one agreement (the
    bound ``agreement_id``) in one UNION ALL, each as (source, id, instant, day, s1, s2, s3, s4, person): one
    query however many rows. ``notes_role``: also the notes a user of that role may read
    (``agreements.visible_notes``). Built once per role, so a record page neither builds nor keys it again."""
    text_null, day_null = TEXT_NULL, DAY_NULL
    branches = list(_branches())
    if notes_role is not None:
        notes = visible_notes(notes_role)
        author = aliased(User)
        branches.append(
            select(
                literal("note", String).label("source"),
                notes.c.id.label("id"),
                notes.c.created_at.label("at"),
                day_null.label("day"),
                cast(notes.c.kind, Text).label("s1"),
                cast(notes.c.text, Text).label("s2"),
                cast(Regency.name, Text).label("s3"),  # set for an internal note
                text_null.label("s4"),
                author.name.label("person"),
            )
            .outerjoin(author, author.id == notes.c.author_id)
            .outerjoin(Regency, Regency.id == notes.c.regency_id)
        )
    union = union_all(*branches).subquery()
    return select(union).order_by(union.c.source, union.c.id)


def _rows(agreement_id: int, notes_user=None):
    """The rows of ``_statement`` for one agreement (and the notes ``notes_user`` may read)."""
    if notes_user is None:
        return db.session.execute(_statement(None), {"agreement_id": agreement_id})
    return db.session.execute(
        _statement(notes_user.role), {"agreement_id": agreement_id, "regency_id": notes_user.regency_id}
    )


def _item(row) -> Item:
    source, rid, s1, s2, s3, s4 = row.source, row.id, row.s1 or "", row.s2 or "", row.s3 or "", row.s4 or ""
    if source == "event":
        text = s4
        if s1 == "tahap":
            text = f"{TAHAP.get(s2, s2) or '—'} → {TAHAP.get(s3, s3)}" + (f": {s4}" if s4 else "")
        return Item(row.day or _day(row.at), rid, EVENT_KIND.get(s1, s1), text, row.person or "")
    if source == "document":
        label = DOC_KINDS.get(s1, s1) + (f" v{s2}" if s2 else "")
        return Item(_day(row.at), 300000 + rid, "Dokumen", f"{label}: {s3}", row.person or "", s4)
    if source == "letter":
        copies = f" (tembusan: {s4.replace(chr(10), ', ')})" if s4 else ""
        return Item(row.day, 700000 + rid, f"Surat {s1}", f"{s2}: {s3}{copies}")
    if source == "report":
        return Item(row.day, 400000 + rid, "Laporan", f"Laporan {s1} disampaikan")
    if source == "activity":
        return Item(row.day, 500000 + rid, "Kegiatan", f"{s1} ({s2})")
    return Item(row.day, 600000 + rid, "Evaluasi", f"Rekomendasi: {s1}")


@dataclass(frozen=True)
class MeetingRow:
    """A meeting that discussed the agreement, as its record page lists it."""

    id: int
    tanggal: date
    tempat: str
    agenda: str


@dataclass(frozen=True)
class NoteRow:
    """A note as the record page shows it; ``internal_to`` names the regency of an internal note."""

    kind: str
    text: str
    internal_to: str
    author: str
    created_at: datetime


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {
        uid: name for uid, name in db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    }


def _slip_actors(decided_by: str, recorder: str) -> str:
    """Every actor of a slip: who decided it and who recorded it ("diputuskan oleh Sekda; dicatat oleh Rina")."""
    parts = [f"diputuskan oleh {decided_by.strip()}" if decided_by.strip() else ""]
    parts.append(f"dicatat oleh {recorder}" if recorder else "")
    return "; ".join(p for p in parts if p)


def story(a: Agreement, slips=None, notes_user=None) -> tuple[list[Item], list[MeetingRow], list[NoteRow]]:
    """The timeline of ``a``, the meetings that discussed it (newest first) and (for ``notes_user``) the notes
    they may read (newest first), from one UNION ALL. ``slips``: the agreement's own, when the caller has them
    already. Each slip is told once, from the ledger (not again by the "penundaan" events that logged it), and
    a voided one has a second item for its void (who, when, why)."""
    items, meetings, notes = [], [], []
    for row in _rows(a.id, notes_user):
        if row.source == "meeting":
            meetings.append(MeetingRow(row.id, row.day, row.s1 or "", row.s2 or ""))
        elif row.source == "note":
            internal = (row.s3 or "").removeprefix("Kabupaten ")
            notes.append((row.id, NoteRow(row.s1 or "", row.s2 or "", internal, row.person or "", row.at)))
        elif not (row.source == "event" and row.s1 == "penundaan"):  # the slip ledger below tells each one
            items.append(_item(row))
    slips = slips_of(a) if slips is None else slips
    people = _names(
        ({s.void.voided_by_id for s in slips if s.void is not None} | {s.recorded_by_id for s in slips})
        - {None}
    )
    for s in slips:
        day = s.day
        items.append(
            Item(
                day,
                100000 + s.id,
                "Penundaan",
                f"{format_target(s.old_mulai, s.old_selesai, s.old_presisi)} → "
                f"{format_target(s.new_mulai, s.new_selesai, s.new_presisi)} (+{s.days} hari): {s.alasan}"
                + (" [dibatalkan]" if s.void else ""),  # who voided it, when and why: its own item
                _slip_actors(s.diputuskan_oleh, people.get(s.recorded_by_id, "")),
            )
        )
        if s.void is not None:
            items.append(
                Item(
                    _day(s.void.voided_at),
                    800000 + s.id,
                    "Penundaan dibatalkan",
                    f"Catatan penundaan ke {format_target(s.new_mulai, s.new_selesai, s.new_presisi)} "
                    f"dibatalkan: {s.void.alasan}",
                    people.get(s.void.voided_by_id, ""),
                )
            )
    for m in meetings:
        items.append(Item(m.tanggal, 200000 + m.id, "Rapat", f"{m.tempat}: {m.agenda[:160]}"))
    meetings.sort(key=lambda m: (m.tanggal, m.id), reverse=True)
    notes.sort(key=lambda n: (n[1].created_at, n[0]), reverse=True)
    return sorted(items, key=lambda i: (i.on, i.order)), meetings, [n for _, n in notes]


def build(a: Agreement, slips=None) -> list[Item]:
    return story(a, slips)[0]
