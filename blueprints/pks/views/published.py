"""The public list of cooperation in force, ``/kerja-sama/`` (no login, outside the module's gate)."""

from flask import Blueprint, request

from blueprints.auth.models import regencies
from blueprints.core import audit
from blueprints.core.auth_gate import public
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from ..published import in_force

public_bp = Blueprint("pks_public", __name__, url_prefix="/kerja-sama")


@public_bp.route("/")
@audit.not_sensitive
@public
def in_force_list():
    page, regency = in_force(today_local(), request.args.get("pihak", "")[:10], request.args.get("hal"))
    return render(
        "pks/public_list.html", page=page, regency=regency, regencies=regencies(), today=today_local()
    )
