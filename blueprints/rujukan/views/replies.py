"""The receiving doctor's reply to a referral."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404

from .. import bp
from ..access import side_of
from ..forms import ReplyForm
from ..lifecycle import allowed_actions
from ..models import Referral
from ..replies import record_reply, reply_defaults


@bp.route("/<int:ref_id>/jawab", methods=["GET", "POST"])
@audit.reads("rujukan", "formulir jawaban rujukan")
def referral_reply(ref_id: int):
    """The receiving doctor's answer (docs/rujukan.md §4.4); the sender may type it from slip or call."""
    ref = get_scoped_or_404(Referral, ref_id)
    form = ReplyForm()
    side = side_of(ref, current_user)
    if side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"]
    if request.method == "GET":
        if "answer" not in allowed_actions(ref, current_user):
            abort(404)
        for name, value in reply_defaults(ref, side).items():
            getattr(form, name).data = value
        return render("rujukan/reply_form.html", ref=ref, form=form)
    result = record_reply(ref, form, current_user)
    if result.replay:
        return result.replay.response()
    if result.record is not None:
        flash("Jawaban rujukan disimpan; faskes asal dapat melihatnya.", "ok")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    for name, message in result.errors.items():
        if message not in getattr(form, name).errors:
            getattr(form, name).errors = list(getattr(form, name).errors) + [message]
    return render(
        "rujukan/reply_form.html",
        status=409 if result.error else FORM_INVALID,
        ref=ref,
        form=form,
        error=result.error,
    )
