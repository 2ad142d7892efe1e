"""SIDILAN disability form view."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response

from .. import bp
from ..access import ENTRY_ROLES
from ..disability import disability_values, save_disability
from ..forms import DisabilityForm
from ..models import Person
from ..workflow import editable
from ._common import _not_editable


@bp.route("/orang/<int:person_id>/disabilitas", methods=["GET", "POST"])
@audit.reads("sidilan_disability", "formulir disabilitas orang")
@roles_required(*ENTRY_ROLES)
def disability_edit(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if not editable(person):
        return _not_editable(person)
    if request.method == "POST":
        form = DisabilityForm()
        out = save_disability(person, form, current_user)
        if out.stale:
            return conflict_response(
                form,
                out.stale,
                back_url=url_for("sidilan.disability_edit", person_id=person.id),
                current=disability_values(out.stale),
            )
        if out.record is not None:
            flash("Data disabilitas tersimpan.", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    else:
        d = person.disability
        form = DisabilityForm(obj=d)
        if d is not None:
            for name, value in disability_values(d).items():
                form[name].data = value
    return render(
        "sidilan/disability_form.html", form=form, p=person, status=FORM_INVALID if has_errors(form) else 200
    )
