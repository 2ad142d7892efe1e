"""Follow-up worklists (docs/rujukan.md §9.3): the queries behind the home panels and the worklist page."""

from datetime import date, timedelta

from sqlalchemy import or_, select

from .models import EXPIRABLE, Referral
from .settings import setting

SENDER = {
    "belum_tiba": "Terbit, pasien belum tiba",
    "belum_dijawab": "Pasien tiba, belum dijawab",
    "segera_kedaluwarsa": "Segera kedaluwarsa",
    "kedaluwarsa": "Kedaluwarsa",
}
RECEIVER = {
    "masuk_hari_ini": "Rujukan masuk hari ini",
    "menunggu_jawaban": "Menunggu jawaban kita",
}
LABELS = {**SENDER, **RECEIVER}
TONE = {"kedaluwarsa": "danger", "belum_dijawab": "warn", "menunggu_jawaban": "warn", "belum_tiba": "warn"}


def worklist(name: str, org_id: int, today: date):
    """select(Referral) for one worklist of a facility, oldest first; None for an unknown name."""
    active = Referral.status.in_(EXPIRABLE)
    not_expired = Referral.valid_until >= today
    if name == "belum_tiba":
        cutoff = today - timedelta(days=int(setting("RUJUKAN_NOT_ARRIVED_DAYS")))
        where = [Referral.origin_id == org_id, active, not_expired, Referral.issued_on <= cutoff]
    elif name == "belum_dijawab":
        where = [Referral.origin_id == org_id, Referral.status == "tiba"]
    elif name == "segera_kedaluwarsa":
        soon = today + timedelta(days=int(setting("RUJUKAN_EXPIRING_DAYS")))
        where = [Referral.origin_id == org_id, active, not_expired, Referral.valid_until <= soon]
    elif name == "kedaluwarsa":
        where = [Referral.origin_id == org_id, active, Referral.valid_until < today]
    elif name == "masuk_hari_ini":
        where = [
            Referral.destination_id == org_id,
            active,
            not_expired,
            or_(Referral.issued_on == today, Referral.planned_visit == today),
        ]
    elif name == "menunggu_jawaban":
        where = [Referral.destination_id == org_id, Referral.status == "tiba"]
    else:
        return None
    return select(Referral).where(*where).order_by(Referral.issued_at, Referral.id)


def matches(name: str, r: Referral, org_id: int, today: date) -> bool:
    """The same rule as ``worklist()`` for one loaded referral (home panels load once, then sort)."""
    active = r.status in EXPIRABLE
    live = r.valid_until is not None and r.valid_until >= today
    if name == "belum_tiba":
        cutoff = today - timedelta(days=int(setting("RUJUKAN_NOT_ARRIVED_DAYS")))
        return r.origin_id == org_id and active and live and r.issued_on is not None and r.issued_on <= cutoff
    if name == "belum_dijawab":
        return r.origin_id == org_id and r.status == "tiba"
    if name == "segera_kedaluwarsa":
        soon = today + timedelta(days=int(setting("RUJUKAN_EXPIRING_DAYS")))
        return r.origin_id == org_id and active and live and r.valid_until <= soon
    if name == "kedaluwarsa":
        return r.origin_id == org_id and active and r.valid_until is not None and r.valid_until < today
    if name == "masuk_hari_ini":
        return (
            r.destination_id == org_id
            and active
            and live
            and (r.issued_on == today or r.planned_visit == today)
        )
    if name == "menunggu_jawaban":
        return r.destination_id == org_id and r.status == "tiba"
    return False


def open_referrals(org_id: int):
    """Every referral any worklist can hold for this facility, in one query."""
    return (
        select(Referral)
        .where(
            or_(Referral.origin_id == org_id, Referral.destination_id == org_id),
            Referral.status.in_(EXPIRABLE + ("tiba",)),
        )
        .order_by(Referral.issued_at, Referral.id)
    )
