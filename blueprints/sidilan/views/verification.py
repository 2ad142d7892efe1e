"""Separated verification on the worklists (docs/sidilan.md §9.1, §9.5): bulk workflow steps with one note, the
re-verification (verval) worklist, its worksheet per jorong and the bulk recording of outcomes."""

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.core import audit
from blueprints.core.forms import Form, record_id
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.timeutil import today_local

from .. import bp
from .. import bulk as bulk_uc
from .. import values as V
from .. import verval as verval_uc
from ..access import STEP_ROLES, VERIFY_ROLES
from ..nagari_scope import nagari_open
from ..workflow import ACTION_LABELS

RESULT_KEY = "sidilan_bulk"  # the last bulk outcome (ids and reasons only), shown by bulk_result


class BulkForm(Form):
    action = StringField(validators=[DataRequired("Pilih tindakan."), Length(max=20)])
    note = TextAreaField(
        "Catatan", validators=[Optional(), Length(max=500, message="Catatan maksimal 500 karakter.")]
    )


def _finish(result, what: str, back: str):
    session[RESULT_KEY] = {**result.as_dict(), "what": what, "back": back}
    return redirect(url_for("sidilan.bulk_result"))


@bp.route("/verifikasi/massal", methods=["POST"])
@roles_required(*STEP_ROLES)
@nagari_open
def bulk_step():
    form = BulkForm()
    items = bulk_uc.parse_items(request.form.getlist("pilih"))
    if not form.validate_on_submit() or form.action.data not in ACTION_LABELS:
        flash("Tindakan tidak sah atau catatan terlalu panjang (maksimal 500 karakter).", "error")
        return redirect(url_for("sidilan.worklist"))
    if not items:
        flash("Centang dulu data yang akan diproses.", "error")
        return redirect(url_for("sidilan.worklist"))
    result = bulk_uc.bulk_step(current_user, items, form.action.data, form.note.data)
    return _finish(result, ACTION_LABELS[form.action.data], url_for("sidilan.worklist"))


@bp.route("/verifikasi/hasil")
@roles_required(*STEP_ROLES)
@audit.reads("sidilan_person", "hasil tindakan massal")
@nagari_open
def bulk_result():
    data = session.get(RESULT_KEY)
    if not data:
        return redirect(url_for("sidilan.worklist"))
    skipped = [(pid, reason) for pid, reason in data["skipped"]]
    names = bulk_uc.names_of(current_user, {pid for pid, _ in skipped})
    back = data.get("back") if data.get("back", "").startswith("/sidilan/") else url_for("sidilan.worklist")
    return render(
        "sidilan/bulk_result.html",
        done=data["done"],
        what=data["what"],
        skipped=skipped,
        names=names,
        back=back,
    )


# ---- verval (re-verification) ---------------------------------------------------------------------------


def _place_args(args) -> tuple[str, int | None]:
    nagari = (args.get("nagari") or "").strip()[:20]
    raw = (args.get("jorong") or "").strip()
    jorong = record_id(raw)
    return nagari, jorong


@bp.route("/verval")
@roles_required(*STEP_ROLES)
@audit.reads("sidilan_person", "daftar verval")
@nagari_open
def verval():
    today = today_local()
    nagari, jorong = _place_args(request.args)
    places = verval_uc.per_jorong(current_user, today)
    page = paginate(
        verval_uc.listing(current_user, today, nagari, jorong),
        request.args.get("hal"),
        filters=("nagari", "jorong"),
    )
    return render(
        "sidilan/verval.html",
        places=places,
        page=page,
        nagari=nagari,
        jorong=jorong,
        cutoff=verval_uc.cutoff(today),
        outcomes=V.HASIL_VERVAL,
    )


class VervalForm(Form):
    hasil = StringField(validators=[DataRequired("Pilih hasil verval."), Length(max=20)])
    note = TextAreaField(
        "Catatan", validators=[Optional(), Length(max=500, message="Catatan maksimal 500 karakter.")]
    )


@bp.route("/verval/catat", methods=["POST"])
@roles_required(
    *VERIFY_ROLES
)  # an outcome re-certifies a record for two years: a verifier's step, not entry's
@nagari_open
def verval_record():
    form = VervalForm()
    items = bulk_uc.parse_items(request.form.getlist("pilih"))
    back = url_for("sidilan.verval", **{k: v for k, v in request.args.items() if k in ("nagari", "jorong")})
    if not form.validate_on_submit() or form.hasil.data not in verval_uc.EFFECTS:
        flash("Pilih hasil verval; catatan maksimal 500 karakter.", "error")
        return redirect(back)
    if not items:
        flash("Centang dulu data yang akan dicatat.", "error")
        return redirect(back)
    result = verval_uc.record_outcomes(current_user, items, form.hasil.data, form.note.data, today_local())
    return _finish(result, f"Verval: {V.label(V.HASIL_VERVAL, form.hasil.data)}", back)


@bp.route("/verval/lembar.pdf", methods=["GET", "POST"])
@roles_required(*STEP_ROLES)
@audit.reads("sidilan_person", "cetak daftar verval")
@nagari_open
def verval_sheet():
    nagari, jorong = _place_args(request.args)
    answer = verval_uc.sheet_or_queue(current_user, today_local(), nagari, jorong)
    if answer is None:
        abort(404)
    return answer.response()
