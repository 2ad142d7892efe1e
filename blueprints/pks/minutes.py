"""Rapat and its minutes (docs/pks.md §4.3): the meeting, the agreements it discussed, attendees, decisions,
action items (tindak lanjut) and the notulen text. Create use cases answer an ``Outcome`` through
``saving.creates_once``; corrections (edit on the version shown, delete with a reason) land in the history of
every agreement the meeting discussed and in the audit log.

A meeting held on or before the signing of every agreement it discussed is part of the signed record: once they
are all signed (or cancelled) its attendees, decisions and notulen are frozen (``minutes_frozen``). A meeting held
after the signing (monitoring, evaluation) stays correctable. Action items are implementation work: on a frozen
meeting their owner and due date may still change and they may be closed, but their text stays and they are not
deleted."""

from datetime import date
from typing import NamedTuple

from flask import url_for
from sqlalchemy import and_, delete, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import SelectField, StringField

from blueprints.auth.models import Organisation, Regency, remember_regencies
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.forms import record_id
from blueprints.core.outcome import Outcome
from blueprints.core.scope import scope_of
from blueprints.core.timeutil import utcnow
from blueprints.core.versioning import change_text

from .events import log
from .models import (
    FINAL_STAGES,
    ActionItem,
    Agreement,
    Attendee,
    Decision,
    Document,
    Meeting,
    MeetingDocument,
    Party,
    meeting_agreement,
)
from .saving import checked, creates_once, refused, refused_as_one, saved, stale_action, stale_outcome


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
    owner = owner_values(form)
    if owner is None:
        return None
    row = ActionItem(meeting_id=m.id, text=form.text.data.strip(), due=form.due.data, **owner)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_action_item", row.id, f"tindak lanjut #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Tindak lanjut disimpan."


OWNER_FROM_LIST = (
    "Penanggung jawab di daerah pengguna Sinergi dipilih dari daftar OPD; isian bebas hanya untuk penanggung "
    "jawab di luar daerah itu."
)
OWNER_NOT_OF_REGENCY = "OPD ini bukan organisasi daerah penanggung jawab yang dipilih."


def owner_values(form, row: ActionItem | None = None) -> dict | None:
    """Who owns an action item, as the form names it (docs/pks.md §4.3): an OPD of the list (its regency
    follows, the free text goes), a regency alone (its Bagian Kerjasama), or someone outside the app's regencies
    in free text. A row recorded before the list keeps its text while it is not changed. None with the message
    on the field when the form mixes them."""
    org_id = form.organisation_id.data or None
    regency_id = form.owner_regency_id.data or None
    text = " ".join(_text(form.owner).split())
    legacy = row is not None and text == " ".join((row.owner or "").split())
    if org_id is not None:
        org = db.session.get(Organisation, org_id)
        if regency_id is not None and regency_id != org.regency_id:
            form.owner_regency_id.errors.append(OWNER_NOT_OF_REGENCY)
            return None
        if text and not legacy:
            form.owner.errors.append(OWNER_FROM_LIST)
            return None
        return {"organisation_id": org.id, "owner_regency_id": org.regency_id, "owner": ""}
    if regency_id is not None and text and not legacy:
        form.owner.errors.append(OWNER_FROM_LIST)
        return None
    return {"organisation_id": None, "owner_regency_id": regency_id, "owner": text}


class OwnerLists(NamedTuple):
    """The selects of a meeting's forms, read in one statement: every regency, and the organisations (not
    health facilities) of the regencies that are parties to the agreements the meeting discussed."""

    regencies: list[tuple[int, str]]
    organisations: list[tuple[int, str]]


def owner_lists(m: Meeting) -> OwnerLists:
    party_regencies = (
        select(Party.regency_id)
        .join(meeting_agreement, meeting_agreement.c.agreement_id == Party.agreement_id)
        .where(meeting_agreement.c.meeting_id == m.id, Party.regency_id.is_not(None))
    )
    rows = db.session.execute(
        select(Regency, Organisation.id, Organisation.name)
        .outerjoin(
            Organisation,
            and_(
                Organisation.regency_id == Regency.id,
                Organisation.facility_level.is_(None),
                Regency.id.in_(party_regencies),
            ),
        )
        .order_by(Regency.code, Organisation.name, Organisation.id)
    ).all()
    models, orgs = [], [(0, "—")]
    for regency, oid, oname in rows:
        if not models or models[-1] is not regency:
            models.append(regency)
        if oid is not None:
            orgs.append((oid, f"{regency.name.removeprefix('Kabupaten ')} · {oname}"))
    remember_regencies(models)  # the page's host and attendees read them; its other selects too
    regencies = [(r.id, r.name) for r in models]
    return OwnerLists(regencies, orgs)


def with_current_owner(organisations: list[tuple[int, str]], row: ActionItem) -> list[tuple[int, str]]:
    """The owner choices of an item's edit form, keeping its current OPD even when that regency is no longer a
    party (an edit of only the due date must not ask for another owner)."""
    if row.organisation_id and all(oid != row.organisation_id for oid, _n in organisations):
        return [*organisations, (row.organisation_id, row.organisation.name)]
    return organisations


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


class Discussed(NamedTuple):
    """What a meeting discussed as its reader may see it: the agreements of the user's scope, and how many others
    (another regency's own agreements discussed at a joint meeting), counted, never named."""

    shown: list
    others: int


def discussed(m: Meeting, visible=None) -> Discussed:
    """``m.agreements`` narrowed to those the user can see (``visible``: their ids, when already read). Not yet
    loaded, the agreements and whether the user sees each come in one query."""
    if visible is None and "agreements" not in m.__dict__:
        clause = scope_of(Agreement)
        rows = db.session.execute(
            select(Agreement, true() if clause is None else clause)
            .join(meeting_agreement, meeting_agreement.c.agreement_id == Agreement.id)
            .where(meeting_agreement.c.meeting_id == m.id)
            .order_by(Agreement.id)
        ).all()
        set_committed_value(m, "agreements", [a for a, _in_scope in rows])
        visible = {a.id for a, in_scope in rows if in_scope}
    elif visible is None:
        visible = set(visible_ids(a.id for a in m.agreements))
    shown = [a for a in m.agreements if a.id in visible]
    return Discussed(shown, len(m.agreements) - len(shown))


class LinkOffers(NamedTuple):
    offers: list[Linkable]
    discussed: Discussed


def linkable(m: Meeting, cari: str = "", only: int | None = None) -> LinkOffers:
    """Agreements the user can see that a meeting may discuss (not cancelled), as plain rows, at most
    ``LINK_OFFERS + 1`` (one more tells the page that a search would show others). Without ``cari`` they are the
    family of what the meeting discusses (its KSB, the KSB's PKS); with it, any whose title holds the words or whose
    number is typed; ``only`` asks whether that one agreement may be linked (a submitted choice). The same query
    loads the agreements ``m`` discusses (any the user can see or not) into ``m.agreements`` unless already
    loaded, and tells which of them the user can see: only those rows are read as models."""
    clause = scope_of(Agreement)
    offered = and_(true() if clause is None else clause, Agreement.tahap != "dibatalkan")
    link = meeting_agreement.alias("discussed_link")
    is_discussed = link.c.agreement_id.is_not(None)
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
        select(
            Agreement.id, Agreement.jenis, Agreement.judul, _DISCUSSED, true() if clause is None else clause
        )
        .outerjoin(link, and_(link.c.agreement_id == Agreement.id, link.c.meeting_id == m.id))
        .outerjoin(_DISCUSSED, _DISCUSSED.id == link.c.agreement_id)
        .where(is_discussed | offered)
        .order_by(link.c.agreement_id.is_(None), Agreement.id)
        .limit(select(func.count()).select_from(discussed_ids.subquery()).scalar_subquery() + LINK_OFFERS + 1)
    ).all()
    if "agreements" not in m.__dict__:
        set_committed_value(m, "agreements", [row[3] for row in rows if row[3] is not None])
    # a row is there because it is discussed or offered; a discussed one is offered only as the replay asked
    offers = [
        Linkable(aid, jenis, judul) for aid, jenis, judul, seen, _v in rows if seen is None or aid == only
    ]
    visible = {aid for aid, _j, _t, seen, in_scope in rows if seen is not None and in_scope}
    return LinkOffers(offers, discussed(m, visible))


@creates_once
def link_agreement(m: Meeting, form):
    """Add another agreement discussed in the same meeting (one the link form offered); a replay changes nothing."""
    linked = db.session.get(Agreement, form.agreement_id.data)
    if linked not in m.agreements:
        m.agreements.append(linked)
        db.session.flush()
        audit.record("update", "pks_meeting", m.id, f"rapat #{m.id} ditautkan ke kesepakatan #{linked.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Kesepakatan ditambahkan ke rapat."


def meeting_files(m: Meeting, shown: Discussed) -> list[MeetingDocument]:
    """The meeting's files that belong to an agreement the user can see (``shown``): another regency's own
    agreement discussed at a joint meeting keeps its files to itself."""
    ids = [a.id for a in shown.shown]
    return list(
        db.session.scalars(
            select(MeetingDocument)
            .join(Document, Document.id == MeetingDocument.document_id)
            .where(MeetingDocument.meeting_id == m.id, Document.agreement_id.in_(ids))
        )
    )


class Signers(NamedTuple):
    """Who signs the meeting pack: the attendee noted as chairing it and the one noted as notulis (None: a blank
    line to fill in by hand)."""

    chair: Attendee | None
    notulis: Attendee | None


WALK_IN_ROWS = 5  # blank rows at the end of the printed daftar hadir, for attendees who were not listed
CHAIR_NOTES = ("memimpin", "pimpinan rapat", "ketua rapat")
NOTULIS_NOTES = ("notulis", "notulen")


def signers(m: Meeting) -> Signers:
    """The first attendee whose note (``keterangan``) says they chaired the meeting, and the first noted as
    notulis."""

    def first(words):
        return next((p for p in m.attendees if any(w in (p.keterangan or "").lower() for w in words)), None)

    return Signers(first(CHAIR_NOTES), first(NOTULIS_NOTES))


def meetings_of(a: Agreement) -> list[Meeting]:
    """The meetings that discussed ``a``, newest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(meeting_agreement)
            .where(meeting_agreement.c.agreement_id == a.id, Meeting.deleted_at.is_(None))
            .order_by(Meeting.tanggal.desc(), Meeting.id.desc())
        )
    )


def meeting_choices(a: Agreement) -> list[tuple[int, str]]:
    """Select options for "which meeting": none, or one that discussed ``a``."""
    return [(0, "—")] + [(m.id, f"{m.tanggal.isoformat()} {m.tempat[:60]}") for m in meetings_of(a)]


# ---- corrections -------------------------------------------------------------------------------------------

FROZEN = (
    "Kesepakatan yang dibahas rapat ini sudah ditandatangani; catatan rapat sebelum penandatanganan tidak dapat "
    "diubah atau dihapus lagi."
)
FROZEN_ACTION_TEXT = "Rapat ini sebelum penandatanganan: teks tindak lanjut tetap; yang dapat diubah penanggung jawab dan tenggat."
GONE = "Entri ini sudah tidak ada (mungkin baru saja dihapus)."


class Entry(NamedTuple):
    """One kind of entry of a meeting's minutes, as its correction pages name it."""

    model: type
    label: str  # "Peserta": the history says "Peserta diubah"
    table: str  # audit object type


ENTRIES = {
    "peserta": Entry(Attendee, "Peserta", "pks_attendee"),
    "keputusan": Entry(Decision, "Keputusan", "pks_decision"),
    "tindak-lanjut": Entry(ActionItem, "Tindak lanjut", "pks_action_item"),
}


def _held_before_signing(m: Meeting, a: Agreement) -> bool:
    """The meeting belongs to the signed record of ``a``: held on or before its signing."""
    return a.is_locked and (a.tgl_ttd is None or m.tanggal <= a.tgl_ttd)


def meeting_fixed(m: Meeting) -> bool:
    """The meeting itself (day, place, whether it happened) is part of a signed agreement's record: any agreement
    it discussed was signed on or after it. Its minutes freeze only once all are (``minutes_frozen``)."""
    return any(_held_before_signing(m, a) for a in m.agreements)


def minutes_frozen(m: Meeting) -> bool:
    """True when every agreement ``m`` discussed is signed or cancelled and the meeting was held on or before
    its signing: its minutes are part of the signed record (see the module's docstring)."""
    return bool(m.agreements) and all(_held_before_signing(m, a) for a in m.agreements)


def entry_of(m: Meeting, kind: str, entry_id: int):
    """The entry of kind ``kind`` (a key of ENTRIES) with this id in meeting ``m``, or None."""
    model = ENTRIES[kind].model
    return db.session.scalar(select(model).where(model.id == entry_id, model.meeting_id == m.id))


def _clean(field):
    """What a field of an entry's edit form stores: text stripped ("" when absent), an id select's 0 as none."""
    if isinstance(field, StringField):
        return (field.data or "").strip()
    if isinstance(field, SelectField):
        return field.data or None
    return field.data


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name.endswith("regency_id"):
        regency = db.session.get(Regency, value)
        return regency.short_name if regency else str(value)
    if name == "organisation_id":
        org = db.session.get(Organisation, value)
        return org.name if org else str(value)
    if isinstance(value, date):
        return tanggal(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 150 else text[:149] + "…"


def _describe(row) -> str:
    """An entry in a few words, for the history line of its deletion."""
    if isinstance(row, Attendee):
        return _shown("nama", row.nama) + (f", {_shown('jabatan', row.jabatan)}" if row.jabatan else "")
    return _shown("text", row.text)


def _history(m: Meeting, user, text: str) -> None:
    """One history line in every agreement the meeting discussed."""
    for a in m.agreements:
        log(a, "rapat", user, reason=f"Rapat {tanggal(m.tanggal)}: {text}"[:2000])


def _refusal(m: Meeting, form, stale: Outcome | None = None, frozen=minutes_frozen) -> Outcome | None:
    """The guards every correction of a meeting passes, in order: the version its form showed and the form
    itself (``saving.checked``), then a meeting frozen by the signing (``frozen``: the minutes' rule unless the
    correction names its own)."""
    if out := checked(form, stale):
        return out
    return refused(form, FROZEN) if frozen(m) else None


def _not_ours(shown: Discussed, form) -> Outcome | None:
    """The meeting itself is not one regency's to change or delete while it also discussed an agreement the user
    cannot see (another regency's own record)."""
    return refused(form, OTHERS_MEETING) if shown.others else None


def edit_entry(m: Meeting, kind: str, row, form, user) -> Outcome:
    """Correct an attendee, decision or action item on the version its form showed; the history keeps each
    changed field (old → new). A frozen meeting takes only an action item's new owner or due date."""
    entry = ENTRIES[kind]
    url = url_for("pks.meeting", meeting_id=m.id)
    if stale := stale_outcome(form, row, url=url):
        return stale
    if not form.validate():
        return refused(form)
    frozen = minutes_frozen(m)
    if frozen and entry.model is not ActionItem:
        return refused(form, FROZEN)
    values = {
        field.short_name: _clean(field)
        for field in form
        if field.short_name not in ("version", "csrf_token") and hasattr(row, field.short_name)
    }
    if entry.model is ActionItem:
        owner = owner_values(form, row)
        if owner is None:
            return refused(form)
        values.update(owner)
    changes = []
    for name, new in values.items():
        old = getattr(row, name)
        if (old or None) != (new or None):
            changes.append((form[name], old, new))
    if frozen and any(field.short_name == "text" for field, _, _ in changes):
        form.text.errors.append(FROZEN_ACTION_TEXT)
        return refused(form)
    if not changes:
        return Outcome(repeated=True, data={"url": url})
    for field, _, new in changes:
        setattr(row, field.short_name, new)
    _history(
        m,
        user,
        f"{entry.label} diubah: "
        + "; ".join(
            f"{field.label.text}: {_shown(field.short_name, old)} → {_shown(field.short_name, new)}"
            for field, old, new in changes
        ),
    )
    names = ", ".join(field.short_name for field, _, _ in changes)
    audit.record("update", entry.table, row.id, f"{kind} #{row.id} rapat #{m.id} diubah: {names}", user=user)
    return saved(row, url, f"{entry.label} diperbarui.")


def remove_entry(m: Meeting, kind: str, row, form, user) -> Outcome:
    """Delete an attendee, decision or action item with a reason, on the version its form showed; what it was
    and why stay in the history. Refused on a frozen meeting."""
    entry = ENTRIES[kind]
    url = url_for("pks.meeting", meeting_id=m.id)
    if out := _refusal(m, form, stale_outcome(form, row, url=url)):
        return out
    reason = " ".join(form.alasan.data.split())
    _history(m, user, f"{entry.label} dihapus ({_describe(row)}). Alasan: {reason}")
    audit.record("delete", entry.table, row.id, f"{kind} #{row.id} rapat #{m.id} dihapus", user=user)
    db.session.delete(row)
    return saved(row, url, f"{entry.label} dihapus.")


def save_notulen(m: Meeting, form, user) -> Outcome:
    """The notulen text of the meeting, on the version its form showed (the uploaded notulen file stays
    alongside). Refused on a frozen meeting."""
    url = url_for("pks.meeting", meeting_id=m.id)
    if out := _refusal(m, form, stale_outcome(form, m, url=url)):
        return out
    old, new = m.notulen or "", (form.notulen.data or "").strip()
    if old == new:
        return Outcome(repeated=True, data={"url": url})
    m.notulen = new
    _history(m, user, f"Notulen diubah: {_shown('notulen', old)} → {_shown('notulen', new)}")
    audit.record("update", "pks_meeting", m.id, f"notulen rapat #{m.id} diubah", user=user)
    return saved(m, url, "Notulen disimpan.")


# ---- the meeting itself ------------------------------------------------------------------------------------

LAST_AGREEMENT = (
    "Ini satu-satunya kesepakatan yang dibahas rapat ini; bila rapat ini tercatat keliru, hapus rapatnya."
)
DELETED = "Rapat ini sudah dihapus."
OTHERS_MEETING = (
    "Rapat ini juga membahas kesepakatan daerah lain yang tidak dapat Anda lihat: hanya daerah itu yang dapat "
    "mengubah atau menghapus rapatnya. Bila kesepakatan Anda keliru ditautkan, lepaskan dari rapat ini."
)
SIGNED_RECORD = "Kesepakatan ini sudah ditandatangani dan rapat ini bagian dari catatannya: rapat tidak dapat dilepas darinya."


def meeting_now(m: Meeting) -> dict:
    """What the meeting's edit form shows where the stored value is not the select's (no host: "—")."""
    return {"host_regency_id": m.host_regency_id or 0}


def save_meeting(m: Meeting, form, user, today: date) -> Outcome:
    """Correct the meeting (day, time, place, link, host, agenda, invitation number) on the version its form
    showed; the history of every agreement it discussed names each changed field (old → new). Refused on a
    frozen meeting, like its minutes."""
    url = url_for("pks.meeting", meeting_id=m.id)
    if out := _refusal(m, form, stale_outcome(form, m, url=url, current=meeting_now(m)), meeting_fixed):
        return out
    if out := _not_ours(discussed(m), form):
        return out
    if form.tanggal.data > today:
        form.tanggal.errors.append(MEETING_IN_FUTURE)
        return refused(form)
    for name in ("tempat", "tautan", "agenda", "undangan_nomor"):
        form[name].data = _text(form[name])
    changes = change_text(form, m, meeting_now(m))
    if not changes:
        return Outcome(repeated=True, data={"url": url})
    held = m.tanggal  # the history names the meeting by the day it was recorded with
    for name in ("tanggal", "jam", "tempat", "tautan", "agenda", "undangan_nomor"):
        setattr(m, name, form[name].data)
    m.host_regency_id = form.host_regency_id.data or None
    for a in m.agreements:
        log(a, "rapat", user, reason=f"Rapat {tanggal(held)} diubah: {changes}"[:2000])
    audit.record("update", "pks_meeting", m.id, f"rapat #{m.id} diubah", user=user)
    return saved(m, url, "Rapat diperbarui.")


def _where(m: Meeting) -> str:
    place = _shown("tempat", m.tempat) if m.tempat else _shown("tautan", m.tautan)
    return f"{tanggal(m.tanggal)}, {place}"


def visible_ids(ids) -> list[int]:
    """Those of these agreements the user can see, in id order."""
    clause = scope_of(Agreement)
    stmt = select(Agreement.id).where(Agreement.id.in_(list(ids))).order_by(Agreement.id)
    return list(db.session.scalars(stmt if clause is None else stmt.where(clause)))


def remove_meeting(m: Meeting, form, user) -> Outcome:
    """Delete a meeting recorded by mistake, with a reason, on the version its form showed: the row stays, marked
    deleted (who, when, why), and leaves every page, list, count and reminder; the history of each agreement it
    discussed says what it was and why it went. Refused on a frozen meeting, like its minutes."""
    url = url_for("pks.meeting", meeting_id=m.id)
    if out := _refusal(m, form, stale_action(form, m, url=url), meeting_fixed):
        return out
    shown = discussed(m)
    if out := _not_ours(shown, form):
        return out
    reason = " ".join(form.alasan.data.split())
    for a in m.agreements:
        log(a, "rapat", user, reason=f"Rapat dihapus ({_where(m)}). Alasan: {reason}"[:2000])
    back = min((a.id for a in shown.shown), default=None)
    m.deleted_at, m.deleted_by_id, m.deleted_reason = utcnow(), getattr(user, "id", None), reason
    audit.record("delete", "pks_meeting", m.id, f"rapat #{m.id} dihapus", user=user)
    to = url_for("pks.detail", agreement_id=back) if back else url_for("pks.index")
    return saved(m, to, "Rapat dihapus; alasannya tercatat di riwayat kesepakatan.")


def deleted_in_scope(meeting_id: int) -> bool:
    """A meeting the user could see before it was deleted (a second tap on its delete button)."""
    clause = scope_of(Agreement)
    stmt = (
        select(Meeting.id)
        .join(meeting_agreement, meeting_agreement.c.meeting_id == Meeting.id)
        .join(Agreement, Agreement.id == meeting_agreement.c.agreement_id)
        .where(Meeting.id == meeting_id, Meeting.deleted_at.is_not(None))
        .limit(1)
    )
    return db.session.scalar(stmt if clause is None else stmt.where(clause)) is not None


def unlink_agreement(m: Meeting, a: Agreement, form, user) -> Outcome:
    """Take an agreement off a meeting that did not discuss it, with a reason in the history of every agreement
    the meeting discussed (the one taken off included). A second tap finds it already off. Refused on a frozen
    meeting, for its last agreement, and for a signed agreement whose record it belongs to (held on or before
    the signing). The agreement's files linked to the meeting leave it too. Taking the user's own agreement off
    another regency's meeting leaves the meeting out of the user's sight: the answer goes to the agreement."""
    url = url_for("pks.meeting", meeting_id=m.id)
    if a not in m.agreements:
        return Outcome(repeated=True, data={"url": url})
    if out := _refusal(m, form):
        return out
    if len(m.agreements) == 1:
        return refused(form, LAST_AGREEMENT)
    if _held_before_signing(m, a):
        return refused(form, SIGNED_RECORD)
    seen_after = [x for x in discussed(m).shown if x is not a]  # read before the link goes
    reason = " ".join(form.alasan.data.split())
    _history(m, user, f"{a.jenis} #{a.id} ({_shown('judul', a.judul)}) dilepas dari rapat. Alasan: {reason}")
    m.agreements.remove(a)
    files = select(Document.id).where(Document.agreement_id == a.id)
    db.session.execute(
        delete(MeetingDocument).where(
            MeetingDocument.meeting_id == m.id, MeetingDocument.document_id.in_(files)
        )
    )
    audit.record("update", "pks_meeting", m.id, f"rapat #{m.id} dilepas dari kesepakatan #{a.id}", user=user)
    if not seen_after:
        url = url_for("pks.detail", agreement_id=a.id)
    return saved(m, url, "Kesepakatan dilepas dari rapat.")


def upload_choices(shown: Discussed) -> list[tuple[int, str]]:
    """(id, label) of the agreements a meeting discussed that the user can see, as its page lists them: where a
    file uploaded from the meeting page may belong. The upload itself is checked against the user's scope."""
    return [(a.id, f"{a.jenis} #{a.id}: {a.judul[:70]}") for a in shown.shown]


# ---- open action items of the user's scope -----------------------------------------------------------------

OPEN_PER_PAGE = 50


_NAMED = aliased(Agreement, name="named")  # the agreement an open action item is listed under


class OpenAction(NamedTuple):
    id: int
    text: str
    owner: str  # the owner organisation's name, else the typed owner
    regency: str
    due: date | None
    meeting_id: int
    held: date  # the meeting's day: the item's age counts from it
    agreement_id: int  # the meeting's first running agreement the user sees
    agreement: str


class OwnerGroup(NamedTuple):
    owner: str
    regency: str
    items: list[OpenAction]


class OpenActions(NamedTuple):
    groups: list[OwnerGroup]
    total: int
    overdue: int
    page: int
    pages: int


def open_actions(today: date, page: int = 1) -> OpenActions:
    """Open action items of the meetings the user can see, grouped by owner (region, then the OPD of the list or
    the typed owner), each group by due date (none last); ``OPEN_PER_PAGE`` a page. The counts cover every
    page."""
    clause = scope_of(Agreement)
    # the meeting's first agreement the user sees that still runs: it names the item; none (all cancelled or
    # ended, or none in scope) leaves the item out
    live = (
        select(Agreement.id)
        .join(meeting_agreement, meeting_agreement.c.agreement_id == Agreement.id)
        .where(meeting_agreement.c.meeting_id == Meeting.id, Agreement.tahap.not_in(sorted(FINAL_STAGES)))
        .where(true() if clause is None else clause)
        .order_by(Agreement.id)
        .limit(1)
        .correlate(Meeting)
        .scalar_subquery()
    )
    where = [ActionItem.done.is_(False), Meeting.deleted_at.is_(None), live.is_not(None)]
    owner_name = func.coalesce(Organisation.name, ActionItem.owner)
    total, overdue = db.session.execute(
        select(
            func.count(ActionItem.id),
            func.count(ActionItem.id).filter(ActionItem.due < today),
        )
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(*where)
    ).one()
    pages = max(1, -(-total // OPEN_PER_PAGE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        select(
            ActionItem.id,
            ActionItem.text,
            owner_name,
            Regency,
            ActionItem.due,
            Meeting.id,
            Meeting.tanggal,
            _NAMED.id,
            _NAMED.jenis,
            _NAMED.judul,
        )
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .join(_NAMED, _NAMED.id == live)
        .outerjoin(Organisation, Organisation.id == ActionItem.organisation_id)
        .outerjoin(Regency, Regency.id == func.coalesce(Organisation.regency_id, ActionItem.owner_regency_id))
        .where(*where)
        .order_by(
            func.coalesce(Regency.name, ""),
            owner_name,
            ActionItem.due.is_(None),
            ActionItem.due,
            ActionItem.id,
        )
        .limit(OPEN_PER_PAGE)
        .offset((page - 1) * OPEN_PER_PAGE)
    ).all()
    groups: list[OwnerGroup] = []
    for aid, text, owner, regency, due, meeting_id, held, agreement_id, jenis, judul in rows:
        item = OpenAction(
            aid,
            text,
            owner or "",
            regency.short_name if regency else "",
            due,
            meeting_id,
            held,
            agreement_id,
            f"{jenis}: {judul}",
        )
        if not groups or (groups[-1].regency, groups[-1].owner) != (item.regency, item.owner):
            groups.append(OwnerGroup(item.owner, item.regency, []))
        groups[-1].items.append(item)
    return OpenActions(groups, total, overdue, page, pages)
