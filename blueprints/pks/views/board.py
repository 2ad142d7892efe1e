"""The kanban of stages (the use cases: ``stages.py``)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render, wants_fragment
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp, stages
from ..access import can_write
from ..models import TAHAP, Agreement
from ..saving import REPLAY_NOTE
from ..target import format_target
from ..waiting import menunggu_label, regency_names


def _all_stages() -> bool:
    """?semua=1 (or the move form's hidden field): show the empty stages too."""
    return (request.values.get("semua") or "") == "1"


def _render_board(jenis, error=None, status=200, note=None):
    jenis, columns, empty = stages.board(jenis, _all_stages())
    names = regency_names()
    return render(
        "pks/kanban.html",
        "pks/_kanban.html",
        jenis=jenis,
        kinds=stages.BOARD_KINDS[jenis],
        columns=columns,
        empty=empty,
        all_stages=_all_stages(),
        error=error,
        note=note,
        menunggu_of=lambda a: menunggu_label(a, names),
        target_of=lambda a: format_target(a.target_mulai, a.target_selesai, a.target_presisi),
        today=today_local(),
        next_stages=stages.next_stages,
        TAHAP=TAHAP,
        can_write=can_write(),
        status=status,
    )


@bp.route("/papan")
@audit.not_sensitive
def kanban():
    return _render_board(request.args.get("jenis", "PKS"))


@bp.route("/papan/<int:agreement_id>/pindah", methods=["POST"])
def kanban_move(agreement_id):
    """Plain form per card (Post/Redirect/Get), or htmx: answers with the refreshed board fragment."""
    a = get_scoped_or_404(Agreement, agreement_id)
    jenis = "KSB" if a.jenis == "KSB" else "PKS"
    to = request.form.get("to", "")
    out = stages.move(
        a, request.form.get("dari", ""), to, request.form.get("reason", ""), current_user, today_local()
    )
    if out.ok:
        db.session.commit()
    elif not out.repeated:  # the board again, with the reason next to it: plain page or htmx fragment alike
        return _render_board(jenis, error=" ".join(out.messages()), status=409 if out.stale else FORM_INVALID)
    if out.repeated:
        note = REPLAY_NOTE
    elif "message" in out.data:  # a proposal to the other side: the stage has not moved yet
        note = f"{a.judul[:60]}: {out.data['message']}"
    else:
        note = f"{a.judul[:60]}: tahap sekarang {TAHAP[to]}."
    if wants_fragment():
        return _render_board(jenis, note=note, status=200)
    flash(note, "ok")
    semua = "1" if _all_stages() else None
    return redirect(url_for("pks.kanban", jenis=jenis, semua=semua), 303 if out.repeated else 302)
