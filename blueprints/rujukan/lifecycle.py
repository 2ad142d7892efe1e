"""The letter's lifecycle (docs/rujukan.md §7): the transition table, which side may take each step, applying a
step to a referral, and the issue itself (number, validity, state). The table rules are pure functions of the
status, the side and what was typed, so they are tested without an app (tests/rujukan/test_rules_unit.py)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lokal import add_working_days

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.timeutil import WIB, today_local, utcnow

from . import notices
from .access import side_of
from .facilities import is_offered
from .models import EXPIRABLE, STATUS_LABELS, Referral, ReferralEvent
from .numbering import format_number, next_seq
from .settings import setting

REFUSED_MESSAGE = (
    "Pasien/keluarga menolak dirujuk: surat rujukan tidak dapat diterbitkan. Simpan sebagai draf "
    "lalu cetak surat penolakan rujukan untuk ditandatangani."
)


class TransitionError(Exception):
    """A lifecycle step refused, with an Indonesian message; ``field`` names the form field it is about
    (e.g. the reason), None when the referral's state itself does not allow the step."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str
    side: str  # sender / receiver
    sender_offline: bool = False  # the sender may record it from a phone call or the paper slip


TRANSITIONS = {
    "send": Transition("Tandai sudah dikabarkan ke penerima", ("diterbitkan",), "dikirim", "sender"),
    "accept": Transition("Terima rujukan", ("diterbitkan", "dikirim"), "diterima", "receiver", True),
    "reject": Transition("Tolak rujukan", ("diterbitkan", "dikirim"), "ditolak", "receiver", True),
    "redirect": Transition(
        "Alihkan ke faskes lain", ("diterbitkan", "dikirim"), "dialihkan", "receiver", True
    ),
    "arrive": Transition("Pasien tiba", ("diterbitkan", "dikirim", "diterima"), "tiba", "receiver", True),
    "answer": Transition("Jawaban rujukan", ("tiba",), "dijawab", "receiver", True),
    "complete": Transition("Selesai (tindak lanjut di faskes asal)", ("dijawab",), "selesai", "sender"),
    "cancel": Transition("Batalkan", ("draf", "diterbitkan", "dikirim"), "dibatalkan", "sender"),
}

# A letter in these states is not reused: the sender starts a new draft from its content.
COPYABLE = ("ditolak", "dialihkan", "kedaluwarsa", "dibatalkan")


# ---- validity ---------------------------------------------------------------------------------------------


def valid_until(issue_date: date, days: int, kind: str = "calendar") -> date:
    """The last day a letter issued on ``issue_date`` holds: N calendar days, or N working days."""
    if kind == "working":
        return add_working_days(issue_date, days)
    return issue_date + timedelta(days=days)


def valid_until_for(issue_date: date, jenis: str | None = None) -> date:
    """Configurable rule, never typed: RUJUKAN_VALIDITY_DAYS (default 90) of RUJUKAN_VALIDITY_KIND; an emergency
    letter (``jenis`` igd) RUJUKAN_IGD_VALIDITY_DAYS calendar days (default 0: the issue day only)."""
    if jenis == "igd":
        return valid_until(issue_date, int(setting("RUJUKAN_IGD_VALIDITY_DAYS")))
    return valid_until(issue_date, int(setting("RUJUKAN_VALIDITY_DAYS")), setting("RUJUKAN_VALIDITY_KIND"))


def expired_clause(today: date):
    return Referral.status.in_(EXPIRABLE) & (Referral.valid_until < today)


# ---- the table's rules (pure) -----------------------------------------------------------------------------


def may_take(t: Transition, side: str | None) -> bool:
    """The step's own side takes it; the sender also records a receiver's step it heard of offline."""
    return t.side == side or (t.sender_offline and side == "sender")


def allowed_steps(status: str, side: str | None) -> list[str]:
    """The steps a side may take on a letter in this (effective) status, in table order."""
    return [name for name, t in TRANSITIONS.items() if status in t.sources and may_take(t, side)]


def step_refusal(
    action: str, status: str, side: str | None, *, channel: str = "web", note: str | None = None
) -> TransitionError | None:
    """Why the step may not be taken (a TransitionError to raise), or None."""
    t = TRANSITIONS.get(action)
    if t is None:
        return TransitionError("Tindakan tidak dikenal.")
    if status not in t.sources:
        return TransitionError(
            f"Status {STATUS_LABELS[status].lower()} tidak dapat diubah dengan tindakan '{t.label}'."
        )
    if not may_take(t, side):
        return TransitionError(
            "Tindakan ini dilakukan oleh faskes " + ("asal." if t.side == "sender" else "tujuan.")
        )
    if side == "sender" and t.side == "receiver" and channel == "web":
        return TransitionError(
            "Faskes asal mencatat tindakan penerima hanya dari telepon, SMS/WA atau "
            "sobekan kertas: pilih salurannya.",
            field="channel",
        )
    if action == "cancel" and not (note or "").strip():
        return TransitionError("Alasan pembatalan wajib diisi.", field="note")
    if action in ("reject", "redirect") and not (note or "").strip():
        return TransitionError("Alasan wajib diisi (mis. kamar penuh, ICU penuh).", field="note")
    return None


# ---- on a referral ----------------------------------------------------------------------------------------


def allowed_actions(ref: Referral, user, today: date | None = None) -> list[str]:
    return allowed_steps(ref.effective_status(today or today_local()), side_of(ref, user))


def check_transition(
    ref: Referral,
    action: str,
    user,
    *,
    channel: str = "web",
    note: str | None = None,
    today: date | None = None,
) -> None:
    """Raise TransitionError when the step may not be applied; changes nothing."""
    refusal = step_refusal(
        action, ref.effective_status(today or today_local()), side_of(ref, user), channel=channel, note=note
    )
    if refusal is not None:
        raise refusal


def log_event(
    ref: Referral,
    user,
    from_status: str | None,
    to_status: str,
    channel: str = "web",
    note: str | None = None,
    at: datetime | None = None,
) -> ReferralEvent:
    ev = ReferralEvent(
        referral_id=ref.id,
        at=at or utcnow(),
        user_id=user.id,
        organisation_id=user.organisation_id,
        from_status=from_status,
        to_status=to_status,
        channel=channel,
        note=(note or None) and note[:300],
    )
    db.session.add(ev)
    return ev


def redirect_target(ref: Referral, target_id: int | None) -> Organisation:
    """The facility a receiver redirects to: from the directory, neither the origin nor the destination."""
    target = db.session.get(Organisation, target_id) if target_id else None
    if (
        target is None
        or target.facility_level is None
        or target.id in (ref.origin_id, ref.destination_id)
        or not is_offered(target.id)
    ):
        raise TransitionError("Pilih faskes tujuan pengalihan dari direktori.", field="redirect_to_id")
    return target


def transition(
    ref: Referral,
    action: str,
    user,
    *,
    channel: str = "web",
    note: str | None = None,
    today: date | None = None,
) -> ReferralEvent:
    """Apply a lifecycle step or raise TransitionError with an Indonesian message."""
    check_transition(ref, action, user, channel=channel, note=note, today=today)
    t = TRANSITIONS[action]
    now = utcnow()
    previous = ref.status
    ref.status = t.target
    if action == "cancel":
        ref.cancel_reason = note.strip()[:300]
    elif action in ("accept", "reject", "redirect"):
        ref.answered_at = now
        ref.answer_note = (note or "").strip()[:300] or None
    elif action == "arrive":
        ref.arrived_at = now
    elif action == "answer":
        ref.replied_at = now
        ref.reply_channel = channel
    event = log_event(ref, user, previous, t.target, channel, note)
    notices.announce(ref, action, user, channel=channel, note=note)
    return event


def issue(ref: Referral, user, now: datetime | None = None) -> None:
    """Number, validity and state at issue. Call only after the rules for an issued letter passed
    (``referrals.issue_referral`` does both)."""
    if ref.status != "draf":
        raise TransitionError("Hanya draf yang dapat diterbitkan.")
    if ref.consent == "menolak":
        raise TransitionError(REFUSED_MESSAGE)
    now = now or utcnow()
    local = now.astimezone(WIB).date()
    origin = db.session.get(Organisation, ref.origin_id)
    seq = next_seq(ref.origin_id, local.year)
    try:
        number = format_number(seq, origin, local)
    except (ValueError, KeyError, IndexError) as e:  # a bad RUJUKAN_NUMBER_FORMAT must not crash the issue
        raise TransitionError(
            str(e) if isinstance(e, ValueError) else "Format nomor rujukan (RUJUKAN_NUMBER_FORMAT) tidak sah."
        ) from e
    ref.seq, ref.year, ref.number = seq, local.year, number
    ref.issued_at = now
    ref.issued_on = local
    ref.referred_at = ref.referred_at or now
    ref.valid_until = valid_until_for(local, ref.jenis)
    ref.status = "diterbitkan"
    log_event(ref, user, "draf", "diterbitkan", at=now)
    notices.announce(ref, "issue", user, at=now)


# ---- response times (detail page) -------------------------------------------------------------------------


def response_times(ref: Referral) -> dict[str, timedelta | None]:
    def delta(a, b):
        if a is None or b is None:
            return None
        return b - a

    return {
        "jawaban_penerima": delta(ref.issued_at, ref.answered_at),
        "tiba": delta(ref.issued_at, ref.arrived_at),
        "jawaban_rujukan": delta(ref.issued_at, ref.replied_at),
    }


def duration_text(td: timedelta | None) -> str:
    if td is None:
        return "—"
    minutes = int(td.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} menit"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} jam {minutes % 60} menit"
    return f"{hours // 24} hari {hours % 24} jam"
