"""The signing target and its postponement ledger (penundaan, docs/pks.md §4.5): the first target is set,
every later change appends a slip."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.forms import date_range_message, out_of_range
from blueprints.core.outcome import Outcome

from .events import log
from .models import Agreement, Slip, SlipVoid
from .outcome import Locked
from .saving import creates_once
from .target import Target, format_target, parse_target


def set_target(
    a: Agreement,
    target: Target,
    reason: str,
    decided_by: str,
    user,
    meeting_id: int | None = None,
    tempat: str = "",
    acara: str = "",
    is_demo: bool = False,
    on: date | None = None,
) -> Outcome:
    """The first target is simply set. A later target that ends later than the current one is a postponement,
    appended to the slip ledger (a reason required); one that ends on or before it (the same target saved
    again, or a narrower or earlier one: "Oktober 2024" -> "minggu ke-2 Oktober 2024") only makes the target
    more precise: no slip, no reason needed."""
    out = Outcome()
    reason = (reason or "").strip()
    if a.is_locked:
        out.refusals.append(Locked.message)
        return out
    later = a.target_mulai is not None and target.selesai > (a.target_selesai or a.target_mulai)
    if later and not reason:
        out.refusals.append("Penundaan wajib disertai alasan.")
        return out
    if later:
        db.session.add(
            Slip(
                agreement_id=a.id,
                old_mulai=a.target_mulai,
                old_selesai=a.target_selesai,
                old_presisi=a.target_presisi,
                new_mulai=target.mulai,
                new_selesai=target.selesai,
                new_presisi=target.presisi,
                alasan=reason[:2000],
                diputuskan_oleh=decided_by[:200],
                meeting_id=meeting_id,
                diputuskan_pada=on,
                recorded_by_id=getattr(user, "id", None),
                is_demo=is_demo,
            )
        )
        log(
            a,
            "penundaan",
            user,
            reason=f"Target {format_target(*_current(a))} → {target.label()}: {reason}"[:2000],
            on_date=on,
        )
    elif a.target_mulai is not None:
        old = format_target(*_current(a))
        if old != target.label():
            log(
                a,
                "target",
                user,
                reason=f"Target diperjelas: {old} → {target.label()}" + (f": {reason}" if reason else ""),
            )
    else:
        a.target_awal_selesai = target.selesai
        log(a, "target", user, reason=f"Target tanda tangan: {target.label()}")
    a.target_mulai, a.target_selesai, a.target_presisi = target.mulai, target.selesai, target.presisi
    if tempat:
        a.target_tempat = tempat[:200]
    if acara:
        a.target_acara = acara[:200]
    db.session.flush()
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: target tanda tangan", user=user)
    return out


def decision_day_error(a: Agreement, on: date | None, today: date) -> str | None:
    """A postponement recorded later takes the day it was decided: never in the future, never before the
    previous postponement of the ledger."""
    if on is None:
        return None
    if on > today:
        return "Tanggal tidak boleh setelah hari ini."
    days = [s.day for s in slips_of(a) if s.void is None]
    if days and on < max(days):
        return f"Tanggal tidak boleh sebelum penundaan sebelumnya ({tanggal(max(days))})."
    return None


@creates_once
def set_target_from_form(a: Agreement, form, user, today: date):
    """The target form's use case: the target is typed as text ("minggu ke-2 September 2024"), so it is parsed
    and range-checked here. Answers the ``Outcome`` of ``creates_once`` (a refusal has its reason on the form)."""
    try:
        parsed = parse_target(form.target.data)
    except ValueError as e:
        form.target.errors.append(str(e))
        return None
    if out_of_range(parsed.mulai) or out_of_range(parsed.selesai):
        form.target.errors.append(date_range_message())
        return None
    if message := decision_day_error(a, form.tanggal.data, today):
        form.tanggal.errors.append(message)
        return None
    out = set_target(
        a,
        parsed,
        form.alasan.data or "",
        form.diputuskan_oleh.data or "",
        user,
        meeting_id=form.meeting_id.data or None,
        tempat=(form.tempat.data or "").strip(),
        on=form.tanggal.data,
    )
    if not out.ok:
        form.alasan.errors.extend(out.refusals)
        return None
    return url_for("pks.stage", agreement_id=a.id), f"Target tanda tangan: {parsed.label()}."


def slips_of(a: Agreement) -> list[Slip]:
    return list(
        db.session.scalars(select(Slip).where(Slip.agreement_id == a.id).order_by(Slip.recorded_at, Slip.id))
    )


Range = tuple[date | None, date | None, str]  # a target as (mulai, selesai, presisi)


def _old(s: Slip) -> Range:
    return (s.old_mulai, s.old_selesai, s.old_presisi)


def _new(s: Slip) -> Range:
    return (s.new_mulai, s.new_selesai, s.new_presisi)


def _current(a: Agreement) -> Range:
    return (a.target_mulai, a.target_selesai, a.target_presisi)


def first_target(a: Agreement, slips: list[Slip]) -> tuple[str, date | None]:
    """The first target ever set (its label, its last day): where the ledger starts, a voided slip included
    (what it moved from was in force), else the agreement's own first target. ``slips`` in ledger order."""
    if slips:
        return format_target(*_old(slips[0])), slips[0].old_selesai
    return format_target(*_current(a)), (a.target_awal_selesai or a.target_selesai)


def days_late(signed_on: date | None, first_end: date | None) -> int | None:
    """Days the signing came after the first target's last day (0 when on time or early)."""
    if signed_on is None or first_end is None:
        return None
    return max((signed_on - first_end).days, 0)


def target_on(a: Agreement, slips: list[Slip], day: date) -> Range:
    """The target in force on ``day``, rebuilt from the whole ledger (``slips`` in ledger order, voided ones
    included): what the next live postponement after that day moved from; with none, the current target,
    unless a voided slip still holds it (voided before a void put the target back): then the last live slip's,
    else where the ledger starts."""
    live = [s for s in slips if s.void is None]
    later = [s for s in live if s.day > day]
    if later:
        return _old(later[0])
    current = _current(a)
    after_live = slips[slips.index(live[-1]) + 1 :] if live else slips
    if any(s.void is not None and _new(s) == current for s in after_live):
        return _new(live[-1]) if live else _old(slips[0])
    return current


@dataclass(frozen=True)
class SlipSummary:
    count: int
    total_days: int
    first_target: str
    current_target: str
    actual: date | None
    late_days: int | None  # actual signing vs the first target's last day


def slip_summary(a: Agreement, slips: list[Slip]) -> SlipSummary:
    """Counts and days of the postponements; a voided slip stays in the ledger but counts for nothing."""
    first, first_end = first_target(a, slips)
    live = [s for s in slips if s.void is None]
    return SlipSummary(
        len(live),
        sum(s.days for s in live),
        first,
        format_target(*_current(a)),
        a.tgl_ttd,
        days_late(a.tgl_ttd, first_end),
    )


VOID_NEEDS_REASON = "Tulis alasan pembatalan catatan penundaan ini."
ALREADY_VOID = "Catatan penundaan ini sudah dibatalkan."


def void_slip(a: Agreement, slip_id: int, reason: str, user) -> Outcome:
    """Void a mistaken slip with a reason (kept, struck through, left out of the counts): never a deletion. Voiding
    the latest live slip puts its old target back, unless the target was set again since (made more precise,
    which appends no slip): then the current target stays, said in the history entry. After
    signing (a locked agreement) the void is a correction of the facts: an audited "koreksi" in the history,
    the reason still required. A second void of the same slip changes nothing."""
    slip = db.session.scalar(select(Slip).where(Slip.id == slip_id, Slip.agreement_id == a.id))
    if slip is None:
        return Outcome(refusals=["Catatan penundaan tidak ditemukan."])
    if slip.void is not None:
        return Outcome(repeated=ALREADY_VOID)
    reason = " ".join((reason or "").split())
    if not reason:
        return Outcome(errors={"alasan": VOID_NEEDS_REASON})
    live = [s for s in slips_of(a) if s.void is None]
    db.session.add(SlipVoid(slip_id=slip.id, alasan=reason[:2000], voided_by_id=user.id))
    what = f"Catatan penundaan {format_target(*_old(slip))} → {format_target(*_new(slip))}"
    back = ""
    if live and live[-1] is slip:  # the latest postponement was the mistake: its old target is back
        current = _current(a)
        if current == _new(slip):
            a.target_mulai, a.target_selesai, a.target_presisi = _old(slip)
            back = f"; target kembali ke {format_target(*_old(slip))}"
        else:  # the target was made more precise since (no slip): that later decision stands
            back = f"; target tetap {format_target(*current)}"
    if a.is_locked:  # docs/pks.md §4.5: after signing, a correction of the facts with its reason
        log(a, "koreksi", user, reason=f"Koreksi: {what} dibatalkan{back}. Alasan: {reason}"[:2000])
    else:
        log(a, "penundaan", user, reason=f"{what} dibatalkan{back}: {reason}"[:2000])
    kind = "koreksi penundaan" if a.is_locked else "penundaan"
    audit.record(
        "update", "pks_slip", slip.id, f"{kind} #{slip.id} kesepakatan #{a.id} dibatalkan", user=user
    )
    try:
        db.session.commit()
    except IntegrityError:  # voided at the same moment by another officer: the first holds
        db.session.rollback()
        return Outcome(repeated=ALREADY_VOID)
    message = "Catatan penundaan dibatalkan; tetap tercatat dan tidak dihitung lagi."
    return Outcome(record=slip, data={"message": ("Koreksi dicatat. " if a.is_locked else "") + message})
