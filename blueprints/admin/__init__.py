from flask import Blueprint

from blueprints.core import roles as R
from blueprints.core.modules import Module

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401

MODULE = Module("admin", "Admin", frozenset({R.ADMIN, R.SUPERADMIN}), bp)
