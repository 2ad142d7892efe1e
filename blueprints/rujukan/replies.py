"""The receiving doctor's answer (jawaban rujukan, docs/rujukan.md §4.4): typed on the web by the receiver, or by
the sender from the returned paper slip or a phone call."""

from flask import url_for

from blueprints import notify
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, field_errors

from . import icd, lifecycle
from .lifecycle import TransitionError
from .models import Referral
from .outcome import refusal

UNKNOWN_CODE_MESSAGE = "Kode ICD-10 tidak dikenal."


def reply_defaults(ref: Referral, side: str | None) -> dict:
    """What the reply form starts with: the channel of the side typing it, the letter's main diagnosis."""
    return {"channel": "web" if side == "receiver" else "kertas", "reply_diag": ref.diag1_code}


def record_reply(ref: Referral, form, user) -> Outcome:
    """The receiving doctor's answer, recorded once."""
    if not form.validate():
        return Outcome(errors=field_errors(form))
    found = icd.lookup(form.reply_diag.data)
    if found is None:
        return Outcome(errors={"reply_diag": UNKNOWN_CODE_MESSAGE})
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
    ref.reply_doctor = form.reply_doctor.data
    lifecycle.transition(ref, "answer", user, channel=form.channel.data)
    audit.record("update", "rujukan", ref.id, f"jawaban rujukan #{ref.id} dicatat")
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    notify.send_pending()
    return Outcome(record=ref)
