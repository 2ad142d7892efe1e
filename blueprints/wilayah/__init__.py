from flask import Blueprint

bp = Blueprint("wilayah", __name__, url_prefix="/wilayah")

from . import routes  # noqa: E402,F401
