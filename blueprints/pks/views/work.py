"""Pages of implementation: activities, obligations per party, periodic reports, evaluations, and the page that
corrects or deletes one of them (the use cases are in ``implementation.py``)."""

from flask import abort, request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp, implementation
from ..access import can_write
from ..forms import (
    UNKNOWN_FORM,
    ActivityEditForm,
    ActivityForm,
    DeleteRowForm,
    EvaluationEditForm,
    EvaluationForm,
    ObligationEditForm,
    ObligationForm,
    ObligationStatusForm,
    ReportEditForm,
    ReportForm,
    ReportSubmittedForm,
)
from ..models import (
    ACTIVITY_STATUS,
    OBLIGATION_STATUS,
    REKOMENDASI,
    REPORT_TO,
    Activity,
    Agreement,
    Evaluation,
    Obligation,
    Report,
)
from ..queries import party_options
from ._common import answer

EDIT_FORMS = {
    "kegiatan": ActivityEditForm,
    "kewajiban": ObligationEditForm,
    "laporan": ReportEditForm,
    "evaluasi": EvaluationEditForm,
}


def _party_choices(a) -> list:
    return [(0, "—")] + [(p.id, f"{p.short_label} ({p.where_short})") for p in a.parties]


def _forms(a):
    ob = ObligationForm(prefix="o")
    ob.party_id.choices = _party_choices(a)
    return ActivityForm(prefix="k"), ob, ReportForm(prefix="r"), EvaluationForm(prefix="e")


def _page(a, forms, status=200, error=None):
    act, ob, rep, ev = forms
    rows = implementation.rows_of
    return render(
        "pks/work.html",
        a=a,
        act_form=act,
        ob_form=ob,
        rep_form=rep,
        ev_form=ev,
        error=error,
        activities=rows(Activity, a),
        obligations=rows(Obligation, a),
        reports=rows(Report, a),
        evaluations=rows(Evaluation, a),
        today=today_local(),
        OBLIGATION_STATUS=OBLIGATION_STATUS,
        ACTIVITY_STATUS=ACTIVITY_STATUS,
        REKOMENDASI=REKOMENDASI,
        REPORT_TO=REPORT_TO,
        can_write=can_write(),
        status=status,
    )


@bp.route("/<int:agreement_id>/pelaksanaan", methods=["GET", "POST"])
@audit.not_sensitive
def work(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id, options=party_options())
    forms = _forms(a)
    if request.method == "POST":
        which = request.form.get("bagian")
        by_section = dict(zip(implementation.SECTIONS, forms, strict=True))
        if not a.is_signed:
            return _page(a, forms, FORM_INVALID, implementation.NOT_SIGNED)
        if which not in by_section:
            return _page(a, forms, FORM_INVALID, UNKNOWN_FORM)
        form = by_section[which]
        if form.validate_on_submit() and (done := answer(implementation.record(a, which, form))):
            return done
        return _page(a, forms, FORM_INVALID)
    return _page(a, forms)


def _row_or_404(agreement_id: int, which: str, row_id: int):
    a = get_scoped_or_404(Agreement, agreement_id, options=party_options())
    row = implementation.row_of(a, which, row_id)
    if row is None:
        abort(404)
    return a, row


def _row_page(a, which, row, form, delete_form, status=200):
    return render(
        "pks/work_row.html",
        a=a,
        which=which,
        row=row,
        noun=implementation.NOUN[which],
        form=form,
        delete_form=delete_form,
        status=status,
    )


def _edit_form(a, which, row):
    form = EDIT_FORMS[which](obj=row if request.method == "GET" else None)
    if which == "kewajiban":
        form.party_id.choices = _party_choices(a)
        if request.method == "GET":
            form.party_id.data = row.party_id or 0
    if request.method == "GET":
        form.version.data = row.version
    return form


def _delete_form(row):
    form = DeleteRowForm(formdata=None)
    form.version.data = row.version
    return form


@bp.route("/<int:agreement_id>/pelaksanaan/<which>/<int:row_id>", methods=["GET", "POST"])
@audit.not_sensitive
def work_row(agreement_id, which, row_id):
    """Correct a record (the form shows what is stored, on its version) or, below it, delete it."""
    a, row = _row_or_404(agreement_id, which, row_id)
    form = _edit_form(a, which, row)
    if request.method == "POST" and (
        done := answer(implementation.save_row(a, which, row, form, current_user), form)
    ):
        return done
    status = FORM_INVALID if request.method == "POST" else 200
    return _row_page(a, which, row, form, _delete_form(row), status)


@bp.route("/<int:agreement_id>/pelaksanaan/<which>/<int:row_id>/hapus", methods=["POST"])
def work_row_delete(agreement_id, which, row_id):
    a, row = _row_or_404(agreement_id, which, row_id)
    form = DeleteRowForm()
    if done := answer(implementation.delete_row(a, which, row, form, current_user), form):
        return done
    edit = EDIT_FORMS[which](obj=row, formdata=None)
    if which == "kewajiban":
        edit.party_id.choices = _party_choices(a)
        edit.party_id.data = row.party_id or 0
    edit.version.data = row.version
    return _row_page(a, which, row, edit, form, FORM_INVALID)


@bp.route("/<int:agreement_id>/laporan/<int:report_id>/disampaikan", methods=["POST"])
def report_submitted(agreement_id, report_id):
    """A report entered without its submission date, marked submitted (on the date it was)."""
    a, report = _row_or_404(agreement_id, "laporan", report_id)
    form = ReportSubmittedForm()
    out = implementation.mark_submitted(a, report, form, current_user)
    return answer(out, form) or _page(a, _forms(a), FORM_INVALID, " ".join(out.messages()))


@bp.route("/<int:agreement_id>/kewajiban/<int:obligation_id>", methods=["POST"])
def obligation_status(agreement_id, obligation_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    ob = implementation.obligation_of(a, obligation_id)
    if ob is None:
        abort(404)
    form = ObligationStatusForm()
    out = implementation.save_obligation_status(a, ob, form)
    return answer(out, form) or _page(a, _forms(a), FORM_INVALID, out.error)
