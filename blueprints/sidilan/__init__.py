from flask import Blueprint

from blueprints.core import roles as R
from blueprints.core.modules import Module

bp = Blueprint("sidilan", __name__, url_prefix="/sidilan")

from . import cli, demo, home, nagari_scope, views  # noqa: E402,F401
from .usulan_public import public_bp  # noqa: E402

bp.before_request(nagari_scope.gate)

MODULE = Module(
    "sidilan",
    "SIDILAN",
    frozenset({R.OPERATOR_DINSOS, R.VERIFIKATOR_DINSOS, R.VERIFIKATOR_NAGARI, R.PIMPINAN}),
    bp,
    demo=demo.load,
    panels=home.panels,
    extra_blueprints=(public_bp,),  # the public usulan page /usulan/ (no login)
)
