from flask import flash, redirect, request
from flask_login import current_user

from blueprints.auth.models import regencies
from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import add_errors
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.wilayah.models import Jorong
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import bp, jorongs
from ..forms import JorongForm


@bp.route("/jorong", methods=["GET", "POST"])
@audit.not_sensitive
def jorong():
    source = request.form if request.method == "POST" else request.args
    regency = jorongs.regency_for(current_user, source)
    cascade = Cascade.build(regency, source, required=True)
    back = jorongs.back_args(current_user, regency)
    form = JorongForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and not is_cascade_refresh(request.form):
        errors = cascade.errors()
        if form.validate_on_submit() and not errors:
            out = jorongs.add_jorong(form, cascade, back)
            if out.replay:
                return out.replay.response()
            if out.record is not None:
                flash(f"Jorong {out.record.name} ditambahkan.", "ok")
                return redirect(out.data["url"])
            add_errors(form, {name: [text] for name, text in out.errors.items()})
    stmt = jorongs.list_stmt(regency, cascade)
    page = paginate(stmt, request.args.get("hal"), per_page=50, filters=("kecamatan", "nagari", *back))
    return render(
        "admin/jorong.html",
        form=form,
        cascade=cascade,
        errors=errors,
        page=page,
        status=FORM_INVALID if (form.errors or errors) else 200,
        regency=regency,
        regencies=regencies() if back else [],
    )


@bp.route("/jorong/<int:jorong_id>/aktif", methods=["POST"])
def jorong_toggle(jorong_id: int):
    out = jorongs.set_active(get_scoped_or_404(Jorong, jorong_id), request.form.get("active"), current_user)
    row = out.record
    flash(f"Jorong {row.name} {'diaktifkan' if row.active else 'dinonaktifkan'}.", "ok")
    return redirect(out.data["url"])
