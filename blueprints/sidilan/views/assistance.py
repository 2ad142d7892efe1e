"""SIDILAN assistance views: new assistance, status flow, a person's aid history, unassisted and
double-program lists."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.pagination import paginate_grouped
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local
from blueprints.core.versioning import conflict_response

from .. import bp, report_dashboard
from ..access import ENTRY_ROLES, STAFF_ROLES
from ..assistance import (
    add_assistance,
    aid_history,
    double_program_details,
    double_program_stmt,
    period_label,
    set_assistance_status,
)
from ..forms import AssistanceForm, AssistanceStatusForm
from ..models import Assistance, Person
from ..programs import program_choices, programs_for
from ..search import Filters


@bp.app_template_global("aid_period")
def _aid_period(row) -> str:
    return period_label(row)


@bp.route("/orang/<int:person_id>/bantuan", methods=["GET", "POST"])
@audit.reads("sidilan_assistance", "formulir bantuan orang")
@roles_required(*ENTRY_ROLES)
def assistance_new(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id or not person.active:
        abort(404)
    form = AssistanceForm()
    programs = programs_for(current_user)
    form.program_id.choices = program_choices(programs)
    warnings: list[str] = []
    if request.method == "GET":
        form.tahun.data = today_local().year
    else:
        out = add_assistance(person, form, programs, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            flash("Bantuan dicatat dengan status diusulkan.", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
        warnings = out.warnings
    return render(
        "sidilan/assistance_form.html",
        form=form,
        p=person,
        programs=programs,
        warnings=warnings,
        status=FORM_INVALID if has_errors(form) or warnings else 200,
    )


@bp.route("/orang/<int:person_id>/riwayat-bantuan")
@audit.reads("sidilan_assistance", "riwayat bantuan orang")
def assistance_history(person_id: int):
    """Every aid of a person and of their household, newest period first: program, period, status, value,
    dates and who entered it."""
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id:
        abort(404)
    rows, more = aid_history(person, current_user)
    return render("sidilan/assistance_history.html", p=person, rows=rows, more=more)


@bp.route("/bantuan/<int:aid>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def assistance_status(aid: int):
    """Status flow of docs/sidilan.md §9.3; the form says which record page to return to."""
    row = get_scoped_or_404(Assistance, aid)
    form = AssistanceStatusForm()
    nxt = request.form.get("next_person") or ""
    person_id = int(nxt) if nxt.isascii() and nxt.isdigit() and len(nxt) < 10 else row.person_id
    back = url_for("sidilan.person_view", person_id=person_id) if person_id else url_for("sidilan.index")
    out = set_assistance_status(row, form, current_user)
    if out.stale:
        return conflict_response(form, out.stale, back_url=back)
    if out.record is not None:
        flash("Status bantuan diperbarui.", "ok")
    elif out.repeated:
        flash(out.repeated, "ok")
    else:
        flash(out.error, "error")
    return redirect(back)


@bp.route("/tanpa-bantuan")
@audit.reads("sidilan_person", "daftar tanpa bantuan")
def unassisted():
    """People with a severe disability or Barthel <= 8 who receive no assistance."""
    page, summary = report_dashboard.unassisted_page(current_user, request.args)
    return render(
        "sidilan/unassisted.html",
        "sidilan/_list.html",
        page=page,
        today=today_local(),
        f=Filters(),
        summary=summary,
    )


@bp.route("/bantuan-ganda")
@audit.reads("sidilan_household", "daftar bantuan ganda")
def double_program():
    """Households that receive the same program more than once in a year."""
    page = paginate_grouped(double_program_stmt(current_user), request.args.get("hal"))
    households, programs = double_program_details(page.items)
    return render("sidilan/double.html", page=page, households=households, programs=programs)
