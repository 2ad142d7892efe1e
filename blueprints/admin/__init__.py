from flask import Blueprint

from blueprints.core.roles import gate_blueprint

bp = gate_blueprint(Blueprint("admin", __name__, url_prefix="/admin"))

from . import routes  # noqa: E402,F401
