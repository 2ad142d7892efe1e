from flask import Blueprint

from blueprints.core.roles import gate_blueprint

bp = gate_blueprint(Blueprint("rujukan", __name__, url_prefix="/rujukan"))

from . import routes  # noqa: E402,F401
