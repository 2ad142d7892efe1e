"""SIDILAN elderly assessment view (Barthel)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp
from .. import values as V
from ..access import ENTRY_ROLES
from ..assessments import add_assessment, barthel_maxima, barthel_options
from ..forms import add_barthel_fields
from ..models import Person


@bp.route("/orang/<int:person_id>/asesmen", methods=["GET", "POST"])
@audit.reads("sidilan_assessment", "formulir asesmen orang")
@roles_required(*ENTRY_ROLES)
def assessment_new(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id or not person.active:
        abort(404)
    form = add_barthel_fields(barthel_options(barthel_maxima()))()
    if request.method == "POST":
        out = add_assessment(person, form, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            row = out.record
            flash(
                f"Asesmen tersimpan: skor Barthel {row.barthel_total} "
                f"({V.label(V.BARTHEL_KATEGORI, row.barthel_kategori)}).",
                "ok",
            )
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    return render(
        "sidilan/assessment_form.html",
        form=form,
        p=person,
        today=today_local(),
        status=FORM_INVALID if has_errors(form) else 200,
    )
