"""SIDILAN data-quality flags: a clerk marks a "perlu dicek" flag on a record as checked."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from blueprints.core.forms import Form
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404

from .. import bp, quality
from ..access import ENTRY_ROLES
from ..models import Person


class ClearFlagForm(Form):
    """The 'sudah dicek' button of a flag (CSRF only)."""


@bp.route("/orang/<int:person_id>/dicek/<int:flag_id>", methods=["POST"])
@roles_required(*ENTRY_ROLES)
def flag_clear(person_id: int, flag_id: int):
    person = get_scoped_or_404(Person, person_id)
    if not ClearFlagForm().validate_on_submit():
        abort(400)
    out = quality.clear_flag(person, flag_id, current_user)
    flash(out.repeated or quality.CLEARED, "ok")
    return redirect(url_for("sidilan.person_view", person_id=person.id))
