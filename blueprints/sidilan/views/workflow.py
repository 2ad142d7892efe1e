"""SIDILAN verification workflow views: a status step on a person, the verification worklist."""

from flask import flash, redirect, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from blueprints.core import audit
from blueprints.core.render import render
from blueprints.core.roles import VERIFIKATOR_NAGARI, roles_required
from blueprints.core.scope import get_scoped_or_404

from .. import bp
from .. import values as V
from ..access import STEP_ROLES
from ..forms import WorkflowForm
from ..models import Person
from ..nagari_scope import nagari_open
from ..workflow import ACTION_LABELS, bulk_actions, step
from ..workflow import worklist as worklist_of


@bp.route("/orang/<int:person_id>/status", methods=["POST"])
@roles_required(*STEP_ROLES)
def person_transition(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    back = redirect(url_for("sidilan.person_view", person_id=person.id))
    form = WorkflowForm()
    if not form.validate_on_submit():
        flash("Tindakan tidak sah atau catatan terlalu panjang (maksimal 500 karakter).", "error")
        return back
    out = step(person, form.action.data, form.note.data, current_user)
    if out.related and current_user.role != VERIFIKATOR_NAGARI:  # duplicate cases: the Dinsos staff's pages
        links = Markup(" ").join(
            Markup('<a href="{}">Buka kasus duplikat #{}</a>').format(
                url_for("sidilan.duplicate_review", cand_id=c.id), c.id
            )
            for c in out.related
        )
        flash(escape(out.error) + Markup(" ") + links, "error")
    elif out.error:
        flash(out.error, "error")
    elif out.repeated:
        flash(out.repeated, "ok")
    else:
        flash(f"Status data: {V.label(V.STATUS_VERIFIKASI, person.status_verifikasi)}.", "ok")
    return back


@bp.route("/verifikasi")
@audit.reads("sidilan_person", "daftar kerja verifikasi")
@nagari_open
def worklist():
    counts, sections = worklist_of(current_user)
    bulk = {
        status: [(a, ACTION_LABELS[a]) for a in bulk_actions(current_user, status)]
        for status, _, _ in sections
    }
    return render("sidilan/worklist.html", counts=counts, sections=sections, bulk=bulk)
