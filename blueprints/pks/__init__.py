from flask import Blueprint

from blueprints.core.roles import gate_blueprint

bp = gate_blueprint(Blueprint("pks", __name__, url_prefix="/pks", cli_group="pks"))

from . import routes  # noqa: E402,F401
