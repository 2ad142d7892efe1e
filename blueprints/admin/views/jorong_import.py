"""Jorong import pages: upload and dry run, apply, the template file."""

from flask import redirect, request
from flask_login import current_user

from blueprints.core import audit, sheets
from blueprints.core.export import download
from blueprints.core.forms import CONTROL_CHARS, FORM_INVALID
from blueprints.core.render import render

from .. import bp
from .. import jorong_import as ji
from ..forms import JorongApplyForm, JorongUploadForm


def _page(form, plan=None, apply_form=None, status=200, problem=None):
    if problem:
        form.berkas.errors = [problem]
    return render(
        "admin/jorong_import.html",
        form=form,
        plan=plan,
        apply_form=apply_form or JorongApplyForm(formdata=None),
        done=request.args.get("selesai", type=int),
        skipped=request.args.get("dilewati", type=int),
        max_rows=ji.MAX_ROWS,
        status=status,
    )


@bp.route("/jorong/impor", methods=["GET", "POST"])
@audit.not_sensitive  # region reference data: no personal data is read or shown
def jorong_import():
    form = JorongUploadForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=FORM_INVALID)
    upload = form.berkas.data
    filename = CONTROL_CHARS.sub("", upload.filename or "")[:200]
    try:
        entries = ji.read_entries(filename, upload.read())
    except sheets.SheetError as exc:
        return _page(form, status=FORM_INVALID, problem=str(exc))
    plan = ji.plan(entries, current_user, filename)
    apply_form = JorongApplyForm(formdata=None, data={"rows": plan.carried(), "filename": filename})
    return _page(form, plan=plan, apply_form=apply_form)


@bp.route("/jorong/impor/terapkan", methods=["POST"])
def jorong_import_apply():
    form = JorongApplyForm()
    if not form.validate_on_submit():
        return _page(JorongUploadForm(formdata=None), status=FORM_INVALID, problem=_first_error(form))
    out = ji.apply(
        ji.entries_from_form(form.rows.data), current_user, form.submission_key.data, form.filename.data
    )
    if out.replay:
        return out.replay.response()
    return redirect(out.data["url"], code=303)


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return "Formulir tidak sah."


@bp.route("/jorong/impor/templat.csv")
@audit.not_sensitive
def jorong_import_template():
    return download(ji.template_csv(current_user), "templat-jorong.csv")
