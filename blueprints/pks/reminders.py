"""Reminders (pengingat, docs/pks.md §6.4): computed fresh for every page, and logged once each by the
daily job (``flask pks reminders``), which also hands each one to its recipients: the in-app notifications
(blueprints.notify) and, when a mail server and the recipient's address are set (the regency's for its Bagian
Kerjasama, an OPD's own for that OPD), an e-mail from the worker.

``reminders_for`` is pure: the agreement, ``today``, the ladder and the rows it is given; the callers fetch
those rows for many agreements at once. ``all_reminders`` keeps one reminder per fact (a PKS and its
perpanjangan share their end date) and sorts them by severity. An overdue item (a decision date passed, an
action item, obligation or report late, a signing target missed) stays until it is resolved.

Who receives a reminder (``recipients``): the Bagian Kerjasama of every party for what concerns the agreement
(its end, the renewal decision, the signing target, its KSB); the organisation that owns an action item (chosen
from the list; for an older item the one of its regency whose name starts with the typed owner, else that
regency's Bagian Kerjasama), an obligation (its party's OPD) or a report (the parties' OPDs). Action items of a
deleted meeting remind nobody.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, Integer, cast, exists, literal_column, null, or_, select, union_all

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.scope import id_list

from .models import (
    FINAL_STAGES,
    TAHAP,
    ActionItem,
    Agreement,
    Meeting,
    Obligation,
    Party,
    ReminderContact,
    ReminderContactOrg,
    ReminderLog,
    Report,
    ScopeItem,
    ScopeLink,
    meeting_agreement,
)
from .settings import ladder
from .target import format_target
from .validity import BANNER_DAYS, effective_end, status_berlaku

REPORT_NOTICE_DAYS = 14  # a report not yet delivered is announced this many days before it is due
DECISION_NOTICE_DAYS = 30  # the deadline to decide on a renewal, announced this many days before


@dataclass(frozen=True)
class Reminder:
    agreement_id: int
    judul: str
    kind: (
        str  # expiry / keputusan / laporan / target / ksb_berakhir / melewati_ksb / tindak_lanjut / kewajiban
    )
    key: str  # unique per agreement and occasion, so the daily job sends each once
    text: str
    tone: str = "warn"
    when: date | None = None  # the date it is about (sorts the reminders of one severity)
    # who owns the item: ("tl", regency id, name, organisation id) / ("kw", party id) / ("lap",); () the parties
    owner: tuple = ()

    @property
    def overdue(self) -> bool:
        return self.tone == "danger"


# the order of the kinds within one severity: what blocks the agreement itself first
KIND_ORDER = (
    "target",
    "keputusan",
    "expiry",
    "ksb_berakhir",
    "melewati_ksb",
    "kewajiban",
    "laporan",
    "tindak_lanjut",
)
KIND_LABEL = {
    "expiry": "berakhir",
    "keputusan": "keputusan perpanjangan",
    "laporan": "laporan",
    "target": "target tanda tangan",
    "ksb_berakhir": "KSB berakhir",
    "melewati_ksb": "melewati KSB",
    "tindak_lanjut": "tindak lanjut",
    "kewajiban": "kewajiban",
}


def severity(r: Reminder) -> tuple:
    """Overdue (danger) first, then by kind, then the earliest date."""
    return (0 if r.overdue else 1, KIND_ORDER.index(r.kind), r.when or date.max, r.agreement_id, r.key)


def _day(d: date) -> str:
    return format_target(d, d, "hari")


def expiry_reminder(a: Agreement, today: date, rungs: tuple[int, ...]) -> Reminder | None:
    """One reminder per rung of the ladder: the smallest rung not below the days left."""
    if status_berlaku(a, today, max(rungs)) != "akan_berakhir":
        return None
    end = effective_end(a)
    left = (end - today).days
    rung = min(r for r in rungs if r >= left)
    text = "berakhir hari ini" if left == 0 else f"berakhir dalam {left} hari ({_day(end)})"
    return Reminder(
        a.id,
        a.judul,
        "expiry",
        f"expiry:{rung}:{end.isoformat()}",
        text,
        "danger" if left <= BANNER_DAYS else "warn",
        end,
    )


def _renewal_started(a: Agreement) -> bool:
    """A perpanjangan of ``a`` is under way or signed: the renewal decision was taken."""
    return any(c.jenis == "PERPANJANGAN" and c.tahap != "dibatalkan" for c in a.children)


def _decision_reminder(a: Agreement, today: date, status: str) -> Reminder | None:
    """The renewal decision, announced ``DECISION_NOTICE_DAYS`` ahead; once its date passed undecided it stays,
    overdue, until a perpanjangan is started or the agreement is ended."""
    d = a.tgl_keputusan_perpanjangan
    if (
        status not in ("aktif", "akan_berakhir", "kedaluwarsa")
        or not d
        or a.tahap in FINAL_STAGES
        or effective_end(a) != a.tgl_berakhir
        or _renewal_started(a)
    ):
        return None
    left = (d - today).days
    if left < 0:
        return Reminder(
            a.id,
            a.judul,
            "keputusan",
            f"keputusan_lewat:{d.isoformat()}",
            f"batas keputusan perpanjangan {_day(d)} terlewat {-left} hari, belum diputuskan",
            "danger",
            d,
        )
    if left <= DECISION_NOTICE_DAYS:
        return Reminder(
            a.id,
            a.judul,
            "keputusan",
            f"keputusan:{d.isoformat()}",
            f"batas keputusan perpanjangan {_day(d)}",
            when=d,
        )
    return None


def ksb_of(a: Agreement):
    """The KSB an agreement rests on, up its parents (a PKS's, an adendum's or perpanjangan's of a PKS)."""
    seen = 0
    node = a.parent
    while node is not None and node.jenis != "KSB" and seen < 5:
        node, seen = node.parent, seen + 1
    return node if node is not None and node.jenis == "KSB" else None


def _outlasts_ksb_reminder(a: Agreement) -> Reminder | None:
    """A perpanjangan or adendum whose end comes after its KSB's (effective) end."""
    if a.jenis not in ("PERPANJANGAN", "ADENDUM") or a.tahap in FINAL_STAGES or not a.tgl_berakhir:
        return None
    ksb = ksb_of(a)
    ksb_end = effective_end(ksb) if ksb is not None else None
    if ksb_end is None or a.tgl_berakhir <= ksb_end:
        return None
    return Reminder(
        a.id,
        a.judul,
        "melewati_ksb",
        f"melewati_ksb:{a.tgl_berakhir.isoformat()}:{ksb_end.isoformat()}",
        f"berakhir {_day(a.tgl_berakhir)}, melewati masa KSB induk ({_day(ksb_end)})",
        when=a.tgl_berakhir,
    )


def _target_reminder(a: Agreement, today: date) -> Reminder | None:
    if (days := a.target_late_days(today)) is not None:
        return Reminder(
            a.id,
            a.judul,
            "target",
            f"target:{a.target_selesai.isoformat()}",
            f"target tanda tangan {format_target(a.target_mulai, a.target_selesai, a.target_presisi)}"
            f" terlewat {days} hari",
            "danger",
            a.target_selesai,
        )
    return None


def _parent_reminder(a: Agreement, today: date, rungs: tuple[int, ...]) -> Reminder | None:
    parent = a.parent
    if (
        a.jenis == "PKS"
        and not a.is_signed
        and a.tahap not in FINAL_STAGES
        and parent is not None
        and status_berlaku(parent, today, max(rungs)) == "akan_berakhir"
    ):
        end = effective_end(parent)
        return Reminder(
            a.id,
            a.judul,
            "ksb_berakhir",
            f"ksbend:{end.isoformat()}",
            f"KSB induk berakhir {_day(end)} sementara PKS masih {TAHAP.get(a.tahap, a.tahap).lower()}",
            "danger",
            end,
        )
    return None


def _work_reminders(a: Agreement, today: date, actions, obligations, reports) -> list[Reminder]:
    """Overdue action items and obligations, reports due within two weeks (none once the agreement ended)."""
    if a.tahap in FINAL_STAGES:
        return []
    out = [
        Reminder(
            a.id,
            a.judul,
            "tindak_lanjut",
            f"tl:{item.id}",
            f"tindak lanjut lewat tenggat sejak {_day(item.due)}: {item.text[:80]}",
            when=item.due,
            owner=(
                "tl",
                getattr(item, "owner_regency_id", None),
                getattr(item, "owner", "") or "",
                getattr(item, "organisation_id", None),
            ),
        )
        for item in actions
        if not item.done and item.due and item.due < today
    ]
    out += [
        Reminder(
            a.id,
            a.judul,
            "kewajiban",
            f"kw:{ob.id}",
            f"kewajiban lewat tenggat: {ob.text[:80]}",
            when=ob.due,
            owner=("kw", getattr(ob, "party_id", None)),
        )
        for ob in obligations
        if ob.status_on(today) == "lewat"
    ]
    for rep in reports:
        if (
            rep.disampaikan_pada is None
            and rep.jatuh_tempo
            and (rep.jatuh_tempo - today).days <= REPORT_NOTICE_DAYS
        ):
            late = rep.jatuh_tempo < today
            out.append(
                Reminder(
                    a.id,
                    a.judul,
                    "laporan",
                    f"lap:{rep.id}",
                    f"laporan {rep.periode} {'terlambat' if late else 'jatuh tempo'} {_day(rep.jatuh_tempo)}",
                    "danger" if late else "warn",
                    rep.jatuh_tempo,
                    ("lap",),
                )
            )
    return out


def reminders_for(
    a: Agreement, today: date, rungs: tuple[int, ...] | None = None, actions=(), obligations=(), reports=()
) -> list[Reminder]:
    rungs = rungs or ladder()
    status = status_berlaku(a, today, max(rungs))
    found = [
        expiry_reminder(a, today, rungs),
        _decision_reminder(a, today, status),
        _target_reminder(a, today),
        _parent_reminder(a, today, rungs),
        _outlasts_ksb_reminder(a),
    ]
    return [r for r in found if r] + _work_reminders(a, today, actions, obligations, reports)


class ActionRow(NamedTuple):
    """What the work rules read of an open action item (``work_rows``)."""

    id: int
    text: str
    due: date | None
    done: bool = False
    owner_regency_id: int | None = None
    owner: str = ""
    organisation_id: int | None = None


class ObligationRow(NamedTuple):
    """What the work rules read of an obligation (``work_rows``); its status is the model's own rule."""

    id: int
    agreement_id: int
    text: str
    due: date | None
    status: str
    party_id: int | None = None

    status_on = Obligation.status_on


class ReportRow(NamedTuple):
    """What the work rules read of a periodic report (``work_rows``)."""

    id: int
    agreement_id: int
    periode: str
    jatuh_tempo: date | None
    disampaikan_pada: date | None


class ScopeRow(NamedTuple):
    """A KSB scope item no live agreement implements (``work_rows(uncovered_of=...)``)."""

    id: int
    ksb_id: int
    nama: str
    dicatat_pada: date | None


@dataclass(frozen=True)
class WorkRows:
    """Each kind grouped by agreement id (scope items by their KSB's), in id order."""

    actions: dict[int, list]
    obligations: dict[int, list]
    reports: dict[int, list]
    uncovered: dict[int, list]


def _uncovered_part(ksb_ids, no_date):
    """Scope items of these KSBs that no live (not cancelled) agreement implements."""
    live = (
        select(ScopeLink.agreement_id)
        .join(Agreement, Agreement.id == ScopeLink.agreement_id)
        .where(ScopeLink.scope_item_id == ScopeItem.id, Agreement.tahap != "dibatalkan")
    )
    return select(
        literal_column("'rl'"),
        ScopeItem.ksb_id,
        ScopeItem.id,
        ScopeItem.nama,
        ScopeItem.dicatat_pada,
        literal_column("''"),
        no_date,
        cast(null(), Integer),
        literal_column("''"),
        cast(null(), Integer),
    ).where(ScopeItem.ksb_id.in_(ksb_ids), ~live.exists())


@cache
def _work_rows_statement(with_uncovered: bool):
    """The UNION of ``work_rows``, built once per process for either shape: the agreement ids (and the KSB ids)
    are bound lists, so a page does not build the four SELECTs again each time."""
    ids = id_list()
    no_date = cast(null(), Date)
    parts = [
        select(
            literal_column("'tl'").label("kind"),
            meeting_agreement.c.agreement_id.label("agreement_id"),
            ActionItem.id.label("id"),
            ActionItem.text.label("text"),
            ActionItem.due.label("due"),
            literal_column("''").label("status"),
            no_date.label("delivered"),
            ActionItem.owner_regency_id.label("ref"),
            ActionItem.owner.label("who"),
            ActionItem.organisation_id.label("org"),
        )
        .join(ActionItem, ActionItem.meeting_id == meeting_agreement.c.meeting_id)
        .where(
            meeting_agreement.c.agreement_id.in_(ids),
            ActionItem.done.is_(False),
            # an anti-join: a join to the meeting would let PostgreSQL start from every meeting
            ~exists().where(Meeting.id == meeting_agreement.c.meeting_id, Meeting.deleted_at.is_not(None)),
        ),
        select(
            literal_column("'kw'"),
            Obligation.agreement_id,
            Obligation.id,
            Obligation.text,
            Obligation.due,
            Obligation.status,
            no_date,
            Obligation.party_id,
            literal_column("''"),
            cast(null(), Integer),
        ).where(Obligation.agreement_id.in_(ids)),
        select(
            literal_column("'lap'"),
            Report.agreement_id,
            Report.id,
            Report.periode,
            Report.jatuh_tempo,
            literal_column("''"),
            Report.disampaikan_pada,
            cast(null(), Integer),
            literal_column("''"),
            cast(null(), Integer),
        ).where(Report.agreement_id.in_(ids)),
    ]
    if with_uncovered:
        parts.append(_uncovered_part(id_list("ksb_ids"), no_date))
    union = union_all(*parts).subquery()
    return select(union).order_by(union.c.id)


def work_rows(ids, uncovered_of=()) -> WorkRows:
    """What the work reminders read, for many agreements in one UNION ALL: the open action items of the meetings
    that discussed each agreement, its obligations, its reports, as light rows holding the columns the rules
    read; with ``uncovered_of`` (KSB ids) also those KSBs' scope items that no live agreement implements."""
    out = WorkRows({}, {}, {}, {})
    if not ids and not uncovered_of:
        return out
    params = {"ids": list(ids)}
    if uncovered_of:
        params["ksb_ids"] = list(uncovered_of)
    stmt = _work_rows_statement(bool(uncovered_of))
    for kind, aid, rid, text, due, status, delivered, ref, who, org in db.session.execute(stmt, params):
        if kind == "tl":
            out.actions.setdefault(aid, []).append(ActionRow(rid, text, due, False, ref, who or "", org))
        elif kind == "kw":
            out.obligations.setdefault(aid, []).append(ObligationRow(rid, aid, text, due, status, ref))
        elif kind == "lap":
            out.reports.setdefault(aid, []).append(ReportRow(rid, aid, text, due, delivered))
        else:
            out.uncovered.setdefault(aid, []).append(ScopeRow(rid, aid, text, due))
    return out


def _fact(r: Reminder, by_id: dict) -> tuple:
    """What a reminder is about: a signed perpanjangan's end is its parent's effective end, one fact."""
    a = by_id.get(r.agreement_id)
    if r.kind == "expiry" and a is not None and a.jenis == "PERPANJANGAN" and a.parent_id in by_id:
        return ("expiry", a.parent_id, r.key)
    return (r.kind, r.agreement_id, r.key)


def all_reminders(agreements, today: date, rows: WorkRows | None = None) -> list[Reminder]:
    """The reminders of these agreements, one per fact, most severe first (``severity``); ``rows``: their
    ``work_rows`` when the caller read them already."""
    if rows is None:
        rows = work_rows([a.id for a in agreements])
    rungs = ladder()
    by_id = {a.id: a for a in agreements}
    found = []
    for a in agreements:
        found.extend(
            reminders_for(
                a,
                today,
                rungs,
                rows.actions.get(a.id, ()),
                rows.obligations.get(a.id, ()),
                rows.reports.get(a.id, ()),
            )
        )
    # the parent (the agreement renewed) carries the shared expiry: its effective end is the perpanjangan's
    parents_first = sorted(found, key=lambda r: by_id[r.agreement_id].jenis == "PERPANJANGAN")
    seen, out = set(), []
    for r in parents_first:
        fact = _fact(r, by_id)
        if fact not in seen:
            seen.add(fact)
            out.append(r)
    return sorted(out, key=severity)


def reminders_of(a: Agreement, today: date) -> list[Reminder]:
    return all_reminders([a], today)


@dataclass(frozen=True)
class Recipient:
    organisation_id: int
    name: str
    # the regency's reminder address for its Bagian Kerjasama, an OPD's own address for an OPD
    email: str | None = None


def _organisations(regencies: set, owner_orgs: set) -> tuple[dict, dict, dict]:
    """The organisations of these regencies and these owners, in one statement: {id: (regency, kind, name)},
    {regency: its Bagian Kerjasama}, {id: the address its reminders are e-mailed to}: the regency's for its
    Bagian Kerjasama (``ReminderContact``), an OPD's own (``ReminderContactOrg``)."""
    orgs: dict[int, tuple[int, str, str]] = {}
    kerjasama: dict[int, int] = {}
    emails: dict[int, str] = {}
    if not regencies and not owner_orgs:
        return orgs, kerjasama, emails
    stmt = (
        select(
            Organisation.id,
            Organisation.regency_id,
            Organisation.kind,
            Organisation.name,
            ReminderContact.email,
            ReminderContactOrg.email,
        )
        .outerjoin(ReminderContact, ReminderContact.regency_id == Organisation.regency_id)
        .outerjoin(ReminderContactOrg, ReminderContactOrg.organisation_id == Organisation.id)
        .where(or_(Organisation.regency_id.in_(regencies), Organisation.id.in_(owner_orgs)))
        .order_by(Organisation.id)
    )
    for oid, rid, kind, name, email, own_email in db.session.execute(stmt):
        orgs[oid] = (rid, kind, name)
        if kind == "kerjasama":
            kerjasama.setdefault(rid, oid)
        if address := (email if kind == "kerjasama" else own_email):
            emails[oid] = address
    return orgs, kerjasama, emails


def recipients(reminders: list[Reminder]) -> dict[tuple[int, str], list[Recipient]]:
    """Who receives each reminder, by (agreement id, key), in two statements: the parties of the agreements, then
    the organisations of their regencies with each regency's reminder address (for its Bagian Kerjasama) and each
    OPD's own (``ReminderContactOrg``)."""
    ids = sorted({r.agreement_id for r in reminders})
    if not ids:
        return {}
    parties: dict[int, list] = {}
    for aid, pid, rid, org_id in db.session.execute(
        select(Party.agreement_id, Party.id, Party.regency_id, Party.organisation_id)
        .where(Party.agreement_id.in_(ids))
        .order_by(Party.agreement_id, Party.urutan, Party.id)
    ):
        parties.setdefault(aid, []).append((pid, rid, org_id))
    regencies = {p[1] for rows in parties.values() for p in rows}
    regencies |= {r.owner[1] for r in reminders if r.owner[:1] == ("tl",) and r.owner[1]}
    owner_orgs = {r.owner[3] for r in reminders if r.owner[:1] == ("tl",) and r.owner[3]}
    orgs, kerjasama, emails = _organisations(regencies, owner_orgs)

    def bk(regency_id) -> list[int]:
        return [kerjasama[regency_id]] if regency_id in kerjasama else []

    def named(regency_id, name: str) -> list[int]:
        wanted = " ".join(name.lower().split())
        if not wanted:
            return []
        return [
            oid for oid, (rid, _k, n) in orgs.items() if rid == regency_id and n.lower().startswith(wanted)
        ][:1]

    out = {}
    for r in reminders:
        rows = parties.get(r.agreement_id, [])
        all_bk = [o for _pid, rid, _org in rows for o in bk(rid)]
        kind = r.owner[:1]
        if kind == ("tl",) and r.owner[3]:  # the organisation chosen from the list
            targets = [r.owner[3]]
        elif kind == ("tl",) and r.owner[1]:  # an item recorded before the list: its typed owner's name
            targets = named(r.owner[1], r.owner[2]) or bk(r.owner[1])
        elif kind == ("kw",) and r.owner[1]:
            party = next((p for p in rows if p[0] == r.owner[1]), None)
            targets = ([party[2]] if party and party[2] else bk(party[1])) if party else all_bk
        elif kind == ("lap",):
            targets = [o for _pid, rid, org in rows for o in ([org] if org else bk(rid))]
        else:
            targets = all_bk
        targets = targets or all_bk
        unique = list(dict.fromkeys(t for t in targets if t in orgs))
        out[(r.agreement_id, r.key)] = [Recipient(o, orgs[o][2], emails.get(o)) for o in unique]
    return out


def deliver_reminders(reminders: list[Reminder]) -> int:
    """Hand each reminder to its recipients once (in-app, and e-mailed when configured): the notifications are
    added to the caller's transaction; the caller commits, then ``notify.send_pending()``."""
    from blueprints import notify

    added = 0
    found = recipients(reminders)
    for r in reminders:
        for who in found.get((r.agreement_id, r.key), []):
            row = notify.notify(
                who.organisation_id,
                f"pks_{r.kind}"[:30],
                f"Kerja sama: {r.judul[:150]}: {r.text}",
                mail_text=f"Pengingat kerja sama: {r.judul[:150]}: {r.text}",
                endpoint="pks.detail",
                args={"agreement_id": r.agreement_id},
                subject=("pks", r.agreement_id),
                email=who.email,
                once_key=f"pks:{r.agreement_id}:{r.key}:{who.organisation_id}"[:120],
            )
            added += row is not None
    return added


def run_reminders(today: date) -> list[tuple[int, str]]:
    """Log each due reminder once (per rung, per end date) and hand it to its recipients (``deliver_reminders``);
    returns what was new today. Adds, never commits: the caller commits, then ``notify.send_pending()``."""
    agreements = list(db.session.scalars(select(Agreement).order_by(Agreement.id)))
    sent = {(r.agreement_id, r.key) for r in db.session.scalars(select(ReminderLog))}
    new = []
    due = all_reminders(agreements, today)
    deliver_reminders(due)
    for r in due:
        if (r.agreement_id, r.key) in sent:
            continue
        db.session.add(
            ReminderLog(
                agreement_id=r.agreement_id, key=r.key, text=f"{r.judul[:150]}: {r.text}"[:300], sent_on=today
            )
        )
        sent.add((r.agreement_id, r.key))
        new.append((r.agreement_id, f"{r.judul[:80]}: {r.text}"))
    db.session.flush()
    return new
