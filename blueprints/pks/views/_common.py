"""What several views share: the scoped agreement, the response to a use case's outcome (``answer``, and
``_finish`` for the stage moves), the status of a form shown again, and the template helpers (``pks_target``,
``pks_status``, ``pks_fmt``)."""

from flask import flash, redirect, request, url_for
from markupsafe import Markup, escape

from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import Outcome
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response

from .. import bp
from ..models import STATUS_BERLAKU, Agreement
from ..saving import REPLAY_NOTE
from ..target import format_target


def get_agreement(agreement_id: int, options=()) -> Agreement:
    return get_scoped_or_404(Agreement, agreement_id, options=options)


def answer(out: Outcome, form=None):
    """The response to a create or edit use case (``saving``), or None when it refused: the view shows the form
    again with its messages. A replay lands on the first result with the replay note; a stale edit answers the
    conflict page (409) for ``form``; a repeat of what is stored lands on the record with the replay note; what
    went through flashes its message and goes to its address (PRG)."""
    if out.replay:
        return out.replay.response()
    if out.stale:
        return conflict_response(form, out.stale, back_url=out.data["url"], current=out.data.get("current"))
    if out.repeated:
        flash(REPLAY_NOTE, "ok")
        return redirect(out.data["url"], code=303)
    if out.record is None or not out.ok:
        return None
    flash(out.data["message"], "ok")
    return redirect(out.data["url"])


def _finish(out: Outcome, a: Agreement, form, message: str):
    """When the outcome went through, commit, flash its warnings and go back to the record page (PRG); when it
    was refused, its messages go onto ``form`` (shown above its fields) and nothing was written. The outcome's
    own ``data["message"]`` (a proposal instead of a move) replaces ``message``.
    A repeat of what is already stored lands on the record page with the replay note."""
    if out.repeated:
        flash(REPLAY_NOTE, "ok")
        return redirect(url_for("pks.detail", agreement_id=a.id), 303)
    if not out.ok:
        form.form_errors.extend(out.messages())
        return None
    db.session.commit()
    for w in out.warnings:
        flash("Peringatan: " + w.text, "warn")
    flash(out.data.get("message", message), "ok")
    return redirect(url_for("pks.detail", agreement_id=a.id))


def _form_status() -> int:
    """A form shown again after a POST was refused: 422, the one status for an invalid form."""
    return FORM_INVALID if request.method == "POST" else 200


# ---- template helpers (prefixed, registered by this blueprint) ----------------------------------

STATUS_TONE = {
    "aktif": "ok",
    "akan_berakhir": "warn",
    "kedaluwarsa": "danger",
    "diakhiri": "",
    "dibatalkan": "",
    "belum_berlaku": "",
}


@bp.app_template_global("pks_target")
def _target_label(a) -> str:
    return format_target(a.target_mulai, a.target_selesai, a.target_presisi)


@bp.app_template_global("pks_status")
def _status_badge(code: str):
    return Markup(
        f'<span class="badge {STATUS_TONE.get(code, "")}">{escape(STATUS_BERLAKU.get(code, code))}</span>'
    )


@bp.app_template_global("pks_fmt")
def _fmt_target(mulai, selesai, presisi) -> str:
    return format_target(mulai, selesai, presisi)
