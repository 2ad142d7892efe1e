"""The service area of an agreement, read by Rujukan through ``public.covering_agreements`` (the use cases:
``areas.py``)."""

from flask import abort, request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import areas, bp
from ..access import can_write
from ..models import Agreement
from ..saving import posted_key
from ._common import answer


@bp.route("/<int:agreement_id>/wilayah", methods=["GET", "POST"])
@audit.not_sensitive
def service_area(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    regency, regencies = areas.area_regency(a, request.values.get("daerah", type=int), current_user)
    cascade = Cascade.build(
        regency, request.form if request.method == "POST" else request.args, prefix="w", required=True
    )
    errors, key_error = {}, None
    key, missing = posted_key(request.form) if request.method == "POST" else posted_key({})
    if request.method == "POST" and not is_cascade_refresh(request.form):
        if not can_write():
            abort(404)
        out = areas.add_area(a, cascade, key, missing)
        if done := answer(out):
            return done
        errors, key_error = out.errors, out.error
    return render(
        "pks/area.html",
        a=a,
        areas=areas.areas_of(a),
        cascade=cascade,
        errors=errors,
        regency=regency,
        regencies=regencies,
        can_write=can_write(),
        submission_key=key,
        key_error=key_error,
        status=FORM_INVALID if errors or key_error else 200,
    )
