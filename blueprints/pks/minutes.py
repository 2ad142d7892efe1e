"""Rapat and its minutes (docs/pks.md §4.3): the meeting, the agreements it discussed, attendees, decisions and
action items (tindak lanjut). Create use cases answer an ``Outcome`` through ``saving.creates_once``."""

from datetime import date
from typing import NamedTuple

from flask import url_for
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import record_id
from blueprints.core.outcome import Outcome
from blueprints.core.scope import scope_of

from .models import ActionItem, Agreement, Attendee, Decision, Meeting, MeetingDocument, meeting_agreement
from .saving import creates_once, refused_as_one, saved


def _text(field) -> str:
    return (field.data or "").strip()


MEETING_IN_FUTURE = "Tanggal rapat tidak boleh setelah hari ini: catat rapat yang sudah berlangsung."


@creates_once
def create_meeting(a: Agreement, form, today: date):
    """A meeting that took place (never a future day), with the agreement it discussed."""
    if form.tanggal.data > today:
        form.tanggal.errors.append(MEETING_IN_FUTURE)
        return None
    m = Meeting(
        tanggal=form.tanggal.data,
        jam=form.jam.data,
        tempat=_text(form.tempat),
        tautan=_text(form.tautan),
        host_regency_id=form.host_regency_id.data or None,
        agenda=_text(form.agenda),
        undangan_nomor=_text(form.undangan_nomor),
    )
    m.agreements = [a]
    db.session.add(m)
    db.session.flush()
    audit.record("create", "pks_meeting", m.id, f"rapat #{m.id} kesepakatan #{a.id}")
    return url_for(
        "pks.meeting", meeting_id=m.id
    ), "Rapat dicatat. Tambahkan peserta, keputusan dan tindak lanjut."


@creates_once
def add_attendee(m: Meeting, form):
    row = Attendee(
        meeting_id=m.id,
        nama=form.nama.data.strip(),
        jabatan=_text(form.jabatan),
        opd=_text(form.opd),
        regency_id=form.regency_id.data or None,
        keterangan=_text(form.keterangan),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_attendee", row.id, f"peserta #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Peserta disimpan."


@creates_once
def add_decision(m: Meeting, form):
    row = Decision(meeting_id=m.id, text=form.text.data.strip())
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_decision", row.id, f"keputusan #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Keputusan disimpan."


@creates_once
def add_action(m: Meeting, form):
    row = ActionItem(
        meeting_id=m.id,
        text=form.text.data.strip(),
        owner_regency_id=form.owner_regency_id.data or None,
        owner=_text(form.owner),
        due=form.due.data,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_action_item", row.id, f"tindak lanjut #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Tindak lanjut disimpan."


def action_item(m: Meeting, item_id: int) -> ActionItem | None:
    return db.session.scalar(
        select(ActionItem).where(ActionItem.id == item_id, ActionItem.meeting_id == m.id)
    )


def save_action_done(m: Meeting, item: ActionItem, form, today: date) -> Outcome:
    """The done / reopen button of an action item: valid, then the wanted state (a double tap is ``repeated``)."""
    url = url_for("pks.meeting", meeting_id=m.id)
    if not form.validate():
        return refused_as_one(form)
    if not set_action_done(item, form.done.data == "1", today):
        return Outcome(repeated=True, data={"url": url})
    return saved(item, url, "Status tindak lanjut disimpan.")


def set_action_done(item: ActionItem, done: bool, today: date) -> bool:
    """Posts carry the wanted state, so a double tap does not reopen what it closed: False when it already is."""
    if item.done == done:
        return False
    item.done, item.done_on = done, today if done else None
    audit.record(
        "update",
        "pks_action_item",
        item.id,
        f"tindak lanjut #{item.id} rapat #{item.meeting_id} {'selesai' if done else 'dibuka lagi'}",
    )
    return True


# A meeting's page and pack: its decisions in the meeting's own query (one collection joined, so its rows do
# not multiply with another's).
MEETING_OPTIONS = (joinedload(Meeting.decisions),)


class Linkable(NamedTuple):
    """An agreement a meeting may discuss, as the link form offers it."""

    id: int
    jenis: str
    judul: str


_DISCUSSED = aliased(Agreement, name="discussed")  # built once: an alias of a wide model costs a millisecond
LINK_OFFERS = 30  # options the link form shows at once; a search narrows the rest


def linkable(m: Meeting, cari: str = "", only: int | None = None) -> list[Linkable]:
    """Agreements the user can see that a meeting may discuss (not cancelled), as plain rows, at most
    ``LINK_OFFERS + 1`` (one more tells the page that a search would show others). Without ``cari`` they are the
    family of what the meeting discusses (its KSB, the KSB's PKS); with it, any whose title holds the words or whose
    number is typed; ``only`` asks whether that one agreement may be linked (a submitted choice). The same query
    loads the agreements ``m`` discusses (any the user can see or not) into ``m.agreements`` unless already
    loaded: only those rows are read as models."""
    clause = scope_of(Agreement)
    offered = and_(true() if clause is None else clause, Agreement.tahap != "dibatalkan")
    link = meeting_agreement.alias("discussed_link")
    discussed = link.c.agreement_id.is_not(None)
    discussed_ids = select(meeting_agreement.c.agreement_id).where(meeting_agreement.c.meeting_id == m.id)
    cari = cari.strip()
    if only is not None:  # a replay of a link already made names a discussed one: still valid
        offered = and_(offered, Agreement.id == only)
    elif cari:
        by_title = Agreement.judul.icontains(cari[:100], autoescape=True)
        number = record_id(cari)
        offered = and_(offered, by_title if number is None else or_(by_title, Agreement.id == number))
    else:
        parents = (
            select(Agreement.parent_id)
            .join(meeting_agreement, meeting_agreement.c.agreement_id == Agreement.id)
            .where(meeting_agreement.c.meeting_id == m.id, Agreement.parent_id.is_not(None))
            .cte("discussed_parents")
        )
        family = or_(
            Agreement.parent_id.in_(discussed_ids),
            Agreement.id.in_(select(parents.c.parent_id)),
            Agreement.parent_id.in_(select(parents.c.parent_id)),
        )
        offered = and_(offered, family)
    # The discussed rows first (all of them: they fill m.agreements), then the offers up to the limit.
    rows = db.session.execute(
        select(Agreement.id, Agreement.jenis, Agreement.judul, _DISCUSSED)
        .outerjoin(link, and_(link.c.agreement_id == Agreement.id, link.c.meeting_id == m.id))
        .outerjoin(_DISCUSSED, _DISCUSSED.id == link.c.agreement_id)
        .where(discussed | offered)
        .order_by(link.c.agreement_id.is_(None), Agreement.id)
        .limit(select(func.count()).select_from(discussed_ids.subquery()).scalar_subquery() + LINK_OFFERS + 1)
    ).all()
    if "agreements" not in m.__dict__:
        set_committed_value(m, "agreements", [row[-1] for row in rows if row[-1] is not None])
    # a row is there because it is discussed or offered; a discussed one is offered only as the replay asked
    return [Linkable(aid, jenis, judul) for aid, jenis, judul, seen in rows if seen is None or aid == only]


@creates_once
def link_agreement(m: Meeting, form):
    """Add another agreement discussed in the same meeting (one the link form offered); a replay changes nothing."""
    linked = db.session.get(Agreement, form.agreement_id.data)
    if linked not in m.agreements:
        m.agreements.append(linked)
        db.session.flush()
        audit.record("update", "pks_meeting", m.id, f"rapat #{m.id} ditautkan ke kesepakatan #{linked.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Kesepakatan ditambahkan ke rapat."


def meeting_files(m: Meeting) -> list[MeetingDocument]:
    return list(db.session.scalars(select(MeetingDocument).where(MeetingDocument.meeting_id == m.id)))


def meetings_of(a: Agreement) -> list[Meeting]:
    """The meetings that discussed ``a``, newest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(meeting_agreement)
            .where(meeting_agreement.c.agreement_id == a.id)
            .order_by(Meeting.tanggal.desc(), Meeting.id.desc())
        )
    )


def meeting_choices(a: Agreement) -> list[tuple[int, str]]:
    """Select options for "which meeting": none, or one that discussed ``a``."""
    return [(0, "—")] + [(m.id, f"{m.tanggal.isoformat()} {m.tempat[:60]}") for m in meetings_of(a)]
