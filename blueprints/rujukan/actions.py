"""A lifecycle step on a letter from its detail page (docs/rujukan.md §7): send, accept, reject, redirect,
arrive, complete, cancel. The reply (the 'answer' step with its content) is ``replies.record_reply``."""

from flask import url_for

from blueprints import notify
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, field_errors

from . import lifecycle
from .lifecycle import TRANSITIONS, TransitionError
from .models import Referral
from .outcome import refusal


def record_action(ref: Referral, action: str, form, user) -> Outcome:
    """One lifecycle step. A replay of the same submit lands on the letter; another submit of a step the state
    no longer allows is refused (``refusals``)."""
    if not form.validate():
        return Outcome(errors=field_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    try:
        target = lifecycle.redirect_target(ref, form.redirect_to_id.data) if action == "redirect" else None
        lifecycle.check_transition(ref, action, user, channel=form.channel.data, note=form.note.data)
    except TransitionError as e:
        return refusal(e)
    if target is not None:
        ref.redirect_to_id = target.id
    lifecycle.transition(ref, action, user, channel=form.channel.data, note=form.note.data)
    audit.record("update", "rujukan", ref.id, f"rujukan #{ref.id}: {TRANSITIONS[action].label.lower()}")
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    notify.send_pending()
    return Outcome(record=ref)
