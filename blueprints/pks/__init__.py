from flask import Blueprint

from blueprints.core import roles as R
from blueprints.core.modules import Module

bp = Blueprint("pks", __name__, url_prefix="/pks", cli_group="pks")

from . import cli, demo, home, schedule, views  # noqa: E402,F401
from .views.published import public_bp  # noqa: E402

# The superadmin belongs to no regency, so it does no regency's cooperation work.
MODULE = Module(
    "pks",
    "Kerja Sama",
    frozenset({R.KERJASAMA, R.PIMPINAN, R.ADMIN}),
    bp,
    demo=demo.load,
    panels=home.panels,
    extra_blueprints=(public_bp,),
)
