from flask import abort, request
from flask_login import current_user, login_required

from blueprints.core import audit
from blueprints.core.render import render

from . import bp
from .service import Cascade, regency_by_code


@bp.route("/cascade")
@audit.not_sensitive
@login_required
def cascade():
    """Refill the kecamatan -> nagari -> jorong group. Region lists are public reference data,
    so any signed-in user may read either regency's (a Sijunjung puskesmas writes Solok addresses)."""
    regency = regency_by_code(request.args.get("_cascade_regency")) or current_user.regency
    if regency is None:
        abort(404)
    prefix = request.args.get("_cascade_prefix", "")[:20]
    required = request.args.get("_cascade_required") == "1"
    state = Cascade.build(regency, request.args, prefix=prefix, required=required)
    return render("wilayah/cascade_page.html", "wilayah/_cascade.html", cascade=state)
