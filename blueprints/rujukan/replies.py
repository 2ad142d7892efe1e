"""The receiving doctor's answer (jawaban rujukan, docs/rujukan.md §4.4): typed on the web by the receiver, or by
the sender from the returned paper slip or a phone call."""

from flask import url_for

from blueprints import notify
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, field_errors

from . import icd, lifecycle
from .facilities import active_items
from .lifecycle import TransitionError
from .models import HealthWorker, Referral
from .outcome import refusal

UNKNOWN_CODE_MESSAGE = "Kode ICD-10 tidak dikenal."
DOCTOR_MESSAGE = "Pilih dokter yang menjawab dari daftar tenaga kesehatan faskes tujuan."
DOCTOR_NAME_MESSAGE = "Isi nama dokter yang menjawab."


def answering_staff(ref: Referral) -> list[HealthWorker]:
    """The active health workers of the answering facility (the destination), by name; none for a letter to a
    facility outside the directory."""
    return active_items(HealthWorker, ref.destination_id) if ref.destination_id else []


def doctor_choices(staff: list[HealthWorker]) -> list[tuple[int, str]]:
    return [(0, "— pilih —")] + [(n.id, f"{n.name} ({n.profession_label})") for n in staff]


def reply_defaults(ref: Referral, side: str | None) -> dict:
    """What the reply form starts with: the channel of the side typing it, the letter's main diagnosis."""
    return {
        "channel": "web" if side == "receiver" else "kertas",
        "reply_diag": ref.diag1_code,
        "reply_doctor_id": ref.reply_doctor_id or 0,
    }


def _doctor(form, staff: list[HealthWorker]) -> tuple[HealthWorker | None, dict]:
    """The answering doctor: one of ``staff`` when the facility lists any, else the typed name."""
    if staff:
        chosen = next((n for n in staff if n.id == form.reply_doctor_id.data), None)
        return chosen, ({} if chosen else {"reply_doctor_id": DOCTOR_MESSAGE})
    return None, ({} if form.reply_doctor.data else {"reply_doctor": DOCTOR_NAME_MESSAGE})


def record_reply(ref: Referral, form, user, staff: list[HealthWorker]) -> Outcome:
    """The receiving doctor's answer, recorded once. ``staff``: answering_staff(ref), the choices offered."""
    if not form.validate():
        return Outcome(errors=field_errors(form))
    found = icd.lookup(form.reply_diag.data)
    doctor, errors = _doctor(form, staff)
    if found is None:
        errors["reply_diag"] = UNKNOWN_CODE_MESSAGE
    if errors:
        return Outcome(errors=errors)
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    try:
        lifecycle.check_transition(ref, "answer", user, channel=form.channel.data)
    except TransitionError as e:
        return refusal(e)
    ref.reply_diag_code, ref.reply_diag_name = found
    ref.reply_therapy, ref.reply_advice = form.reply_therapy.data, form.reply_advice.data
    ref.reply_control_date = form.reply_control_date.data
    ref.reply_inpatient, ref.reply_finished = form.reply_inpatient.data, form.reply_finished.data
    ref.reply_doctor_id = doctor.id if doctor else None
    ref.reply_doctor = doctor.name if doctor else form.reply_doctor.data
    lifecycle.transition(ref, "answer", user, channel=form.channel.data)
    audit.record("update", "rujukan", ref.id, f"jawaban rujukan #{ref.id} dicatat")
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    notify.send_pending()
    return Outcome(record=ref)
