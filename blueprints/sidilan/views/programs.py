"""SIDILAN program views (reference data; managed by the verifikator of the regency)."""

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
from ..access import PROGRAM_ROLES, may_edit_programs
from ..forms import EditProgramForm, NewProgramForm
from ..models import Program
from ..programs import programs_for, save_program


@bp.route("/program")
@audit.not_sensitive
def programs():
    rows = programs_for(current_user, active_only=False)
    return render("sidilan/programs.html", rows=rows, may_edit=may_edit_programs(current_user))


@bp.route("/program/baru", methods=["GET", "POST"])
@bp.route("/program/<int:program_id>", methods=["GET", "POST"])
@audit.not_sensitive
@roles_required(*PROGRAM_ROLES)
def program_edit(program_id: int | None = None):
    row = get_scoped_or_404(Program, program_id) if program_id else None
    if row is None:
        form = NewProgramForm()
    else:
        form = EditProgramForm(obj=row) if request.method == "GET" else EditProgramForm()
    if request.method == "POST":
        out = save_program(row, form, current_user)
        if out.stale:
            return conflict_response(
                form, out.stale, back_url=url_for("sidilan.program_edit", program_id=row.id)
            )
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            flash("Program tersimpan.", "ok")
            return redirect(url_for("sidilan.programs"))
    return render(
        "sidilan/program_form.html", form=form, row=row, status=FORM_INVALID if has_errors(form) else 200
    )
