from flask import Blueprint

from blueprints.core.roles import gate_blueprint

bp = gate_blueprint(Blueprint("sidilan", __name__, url_prefix="/sidilan"))

from . import routes, reports  # noqa: E402,F401
