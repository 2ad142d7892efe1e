from flask import Blueprint

from blueprints.core.roles import gate_blueprint

bp = gate_blueprint(Blueprint("rujukan", __name__, url_prefix="/rujukan"))


from . import cli, routes  # noqa: E402,F401
from .verify import verify_bp  # noqa: E402


@bp.record_once
def _register_verify(state):
    """The public /v/<code> page lives outside the login gate; registered alongside this blueprint
    so app.py needs no change."""
    state.app.register_blueprint(verify_bp)
