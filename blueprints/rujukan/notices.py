"""The other side is told (issue 14): every lifecycle step on a letter notifies the facility on the other side
of it (blueprints.notify); a rejected or redirected letter stays on the sender's home page until the sender acts
(a new referral copied from it, or "Sudah ditangani" on the notification). On screen the text names the patient
so the nurse recognises them; what leaves the app (e-mail, WhatsApp) carries the letter number only. Never a NIK
or a diagnosis."""

from datetime import date

from sqlalchemy import select

from blueprints import notify
from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.jobs import periodic
from blueprints.core.timeutil import today_local

from .models import EXPIRABLE, FacilityProfile, Patient, Referral

CHANNELS = {"telepon": "telepon", "sms": "SMS/WA", "kertas": "sobekan kertas"}
# the steps that leave the sender with a patient who has nowhere to go: they stay until the sender acts
STICKY = ("reject", "redirect")


def _name(org_id: int | None) -> str:
    org = db.session.get(Organisation, org_id) if org_id else None
    return org.name if org else "faskes lain"


def _email(org_id: int) -> str | None:
    return db.session.scalar(select(FacilityProfile.email).where(FacilityProfile.organisation_id == org_id))


def _patient(ref: Referral) -> str:
    patient = ref.patient or db.session.get(Patient, ref.patient_id)
    return patient.name if patient else "pasien"


def texts(ref: Referral, action: str, note: str | None = None) -> tuple[str, str]:
    """(on screen, outside) for a step on the letter; ``note`` is the receiver's reason (rejected, redirected),
    shown on screen only."""
    number = ref.number or f"#{ref.id}"
    who = _patient(ref)
    origin, dest = _name(ref.origin_id), _name(ref.destination_id)
    reason = f" Alasan: {note.strip()[:150]}." if note and note.strip() else ""
    screen = {
        "issue": (
            f"Rujukan baru {number} dari {origin}: {who}.",
            f"Rujukan baru nomor {number} dari {origin}.",
        ),
        "send": (
            f"Rujukan {number} ({who}) dari {origin} sudah dikabarkan ke faskes Anda.",
            f"Rujukan nomor {number} dari {origin} dikabarkan ke faskes Anda.",
        ),
        "accept": (f"Rujukan {number} ({who}) diterima {dest}.", f"Rujukan nomor {number} diterima {dest}."),
        "reject": (
            f"Rujukan {number} ({who}) DITOLAK {dest}.{reason} Hubungi pasien dan buat rujukan baru.",
            f"Rujukan nomor {number} ditolak {dest}. Pasien perlu dirujuk ulang.",
        ),
        "redirect": (
            f"Rujukan {number} ({who}) DIALIHKAN {dest} ke {_name(ref.redirect_to_id)}.{reason} "
            "Buat rujukan baru ke faskes itu.",
            f"Rujukan nomor {number} dialihkan {dest} ke {_name(ref.redirect_to_id)}.",
        ),
        "arrive": (
            f"Pasien {who} ({number}) sudah tiba di {dest}.",
            f"Pasien rujukan nomor {number} tiba di {dest}.",
        ),
        "answer": (
            f"Jawaban rujukan {number} ({who}) dari {dest} sudah ada.",
            f"Jawaban rujukan nomor {number} dari {dest} sudah ada.",
        ),
        "complete": (
            f"Rujukan {number} ({who}) selesai, tindak lanjut di {origin}.",
            f"Rujukan nomor {number} selesai di {origin}.",
        ),
        "cancel": (
            f"Rujukan {number} ({who}) DIBATALKAN {origin}. Pasien tidak jadi datang.",
            f"Rujukan nomor {number} dibatalkan {origin}.",
        ),
    }
    return screen[action]


def announce(
    ref: Referral, action: str, user, *, channel: str = "web", note: str | None = None, at=None
) -> None:
    """Notify the other side of a step ``user`` took on ``ref`` (in the caller's transaction). A letter never
    issued (a draft, or a draft cancelled) concerns nobody else."""
    if ref.issued_at is None:
        return
    if user.organisation_id == ref.origin_id:
        target, sticky = ref.destination_id, False  # the sender's step, or a receiver's it recorded offline
    else:
        target, sticky = ref.origin_id, action in STICKY
    if target is None or target == user.organisation_id:
        return
    screen, outside = texts(ref, action, note)
    if user.organisation_id == ref.origin_id and channel in CHANNELS:
        screen = f"{_name(ref.origin_id)} mencatat dari {CHANNELS[channel]}: {screen}"
    notify.notify(
        target,
        f"rujukan_{action}",
        screen,
        mail_text=outside,
        endpoint="rujukan.detail",
        args={"ref_id": ref.id},
        subject=("rujukan", ref.id),
        sticky=sticky,
        email=_email(target),
        at=at,
    )


def announce_expiring(ref: Referral) -> bool:
    """Tell the sender that a letter soon expires, once per letter (a daily job may run it again)."""
    number = ref.number or f"#{ref.id}"
    until = tanggal(ref.valid_until)
    row = notify.notify(
        ref.origin_id,
        "rujukan_expiring",
        f"Rujukan {number} ({_patient(ref)}) segera kedaluwarsa: berlaku sampai {until}.",
        mail_text=f"Rujukan nomor {number} segera kedaluwarsa (berlaku sampai {until}).",
        endpoint="rujukan.detail",
        args={"ref_id": ref.id},
        subject=("rujukan", ref.id),
        email=_email(ref.origin_id),
        once_key=f"rujukan:{ref.id}:expiring",
    )
    return row is not None


def notify_expiring_letters(today: date | None = None) -> int:
    """Every facility's "Segera kedaluwarsa" worklist (worklists.worklist, the one rule) gets one notification
    per letter; commits, then queues the e-mails. Returns how many were added."""
    from .worklists import worklist

    today = today or today_local()
    facilities = db.session.scalars(
        select(Referral.origin_id).where(Referral.status.in_(EXPIRABLE)).distinct()
    ).all()
    added = 0
    for org_id in facilities:
        for ref in db.session.scalars(worklist("segera_kedaluwarsa", org_id, today)):
            added += announce_expiring(ref)
    db.session.commit()
    notify.send_pending()
    return added


@periodic
def _daily_expiring(app, huey):
    from huey import crontab

    @huey.periodic_task(crontab(hour="23", minute="0"), name="sinergi.rujukan_notify_expiring")  # 06.00 WIB
    def rujukan_notify_expiring():
        with app.app_context():
            try:
                notify_expiring_letters()
            finally:
                db.session.remove()

    return rujukan_notify_expiring
