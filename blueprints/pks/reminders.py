"""Reminders (pengingat, docs/pks.md §6.4): computed fresh for every page, and logged once each by the
daily job (``flask pks reminders``).

``reminders_for`` is pure: the agreement, ``today``, the ladder and the rows it is given; the callers fetch
those rows for many agreements at once.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, bindparam, cast, literal_column, null, select, union_all

from blueprints.core.extensions import db

from .models import (
    FINAL_STAGES,
    TAHAP,
    ActionItem,
    Agreement,
    Obligation,
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
    kind: str  # expiry / keputusan / laporan / target / ksb_berakhir / tindak_lanjut / kewajiban
    key: str  # unique per agreement and occasion, so the daily job sends each once
    text: str
    tone: str = "warn"


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
    )


def _decision_reminder(a: Agreement, today: date, status: str) -> Reminder | None:
    d = a.tgl_keputusan_perpanjangan
    if (
        status in ("aktif", "akan_berakhir")
        and d
        and 0 <= (d - today).days <= DECISION_NOTICE_DAYS
        and effective_end(a) == a.tgl_berakhir
    ):
        return Reminder(
            a.id,
            a.judul,
            "keputusan",
            f"keputusan:{d.isoformat()}",
            f"batas keputusan perpanjangan {_day(d)}",
        )
    return None


def _target_reminder(a: Agreement, today: date) -> Reminder | None:
    if a.target_selesai and a.target_selesai < today and not a.is_signed and a.tahap not in FINAL_STAGES:
        days = (today - a.target_selesai).days
        return Reminder(
            a.id,
            a.judul,
            "target",
            f"target:{a.target_selesai.isoformat()}",
            f"target tanda tangan {format_target(a.target_mulai, a.target_selesai, a.target_presisi)}"
            f" terlewat {days} hari",
            "danger",
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
        )
        for item in actions
        if not item.done and item.due and item.due < today
    ]
    out += [
        Reminder(a.id, a.judul, "kewajiban", f"kw:{ob.id}", f"kewajiban lewat tenggat: {ob.text[:80]}")
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
    ]
    return [r for r in found if r] + _work_reminders(a, today, actions, obligations, reports)


class ActionRow(NamedTuple):
    """What the work rules read of an open action item (``work_rows``)."""

    id: int
    text: str
    due: date | None
    done: bool = False


class ObligationRow(NamedTuple):
    """What the work rules read of an obligation (``work_rows``); its status is the model's own rule."""

    id: int
    agreement_id: int
    text: str
    due: date | None
    status: str

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
    ).where(ScopeItem.ksb_id.in_(ksb_ids), ~live.exists())


@cache
def _work_rows_statement(with_uncovered: bool):
    """The UNION of ``work_rows``, built once per process for either shape: the agreement ids (and the KSB ids)
    are bound lists, so a page does not build the four SELECTs again each time."""
    ids = bindparam("ids", expanding=True)
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
        )
        .join(ActionItem, ActionItem.meeting_id == meeting_agreement.c.meeting_id)
        .where(meeting_agreement.c.agreement_id.in_(ids), ActionItem.done.is_(False)),
        select(
            literal_column("'kw'"),
            Obligation.agreement_id,
            Obligation.id,
            Obligation.text,
            Obligation.due,
            Obligation.status,
            no_date,
        ).where(Obligation.agreement_id.in_(ids)),
        select(
            literal_column("'lap'"),
            Report.agreement_id,
            Report.id,
            Report.periode,
            Report.jatuh_tempo,
            literal_column("''"),
            Report.disampaikan_pada,
        ).where(Report.agreement_id.in_(ids)),
    ]
    if with_uncovered:
        parts.append(_uncovered_part(bindparam("ksb_ids", expanding=True), no_date))
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
    for kind, aid, rid, text, due, status, delivered in db.session.execute(stmt, params):
        if kind == "tl":
            out.actions.setdefault(aid, []).append(ActionRow(rid, text, due))
        elif kind == "kw":
            out.obligations.setdefault(aid, []).append(ObligationRow(rid, aid, text, due, status))
        elif kind == "lap":
            out.reports.setdefault(aid, []).append(ReportRow(rid, aid, text, due, delivered))
        else:
            out.uncovered.setdefault(aid, []).append(ScopeRow(rid, aid, text, due))
    return out


def all_reminders(agreements, today: date, rows: WorkRows | None = None) -> list[Reminder]:
    """The reminders of these agreements; ``rows``: their ``work_rows`` when the caller read them already."""
    if rows is None:
        rows = work_rows([a.id for a in agreements])
    rungs = ladder()
    out = []
    for a in agreements:
        out.extend(
            reminders_for(
                a,
                today,
                rungs,
                rows.actions.get(a.id, ()),
                rows.obligations.get(a.id, ()),
                rows.reports.get(a.id, ()),
            )
        )
    return out


def reminders_of(a: Agreement, today: date) -> list[Reminder]:
    return all_reminders([a], today)


def run_reminders(today: date) -> list[tuple[int, str]]:
    """Log each due reminder once (per rung, per end date); returns what was new today. Adds, never commits."""
    agreements = list(db.session.scalars(select(Agreement).order_by(Agreement.id)))
    sent = {(r.agreement_id, r.key) for r in db.session.scalars(select(ReminderLog))}
    new = []
    for r in all_reminders(agreements, today):
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
