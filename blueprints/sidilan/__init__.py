from flask import Blueprint

from blueprints.core import roles as R
from blueprints.core.modules import Module

bp = Blueprint("sidilan", __name__, url_prefix="/sidilan")

from . import cli, demo, home, views  # noqa: E402,F401

MODULE = Module(
    "sidilan",
    "SIDILAN",
    frozenset({R.OPERATOR_DINSOS, R.VERIFIKATOR_DINSOS, R.PIMPINAN}),
    bp,
    demo=demo.load,
    panels=home.panels,
)
