from flask import Blueprint, abort

from blueprints.core.roles import gate_blueprint

bp = gate_blueprint(Blueprint("rujukan", __name__, url_prefix="/rujukan"))
MAX_ID = 2**31 - 1  # the database's INTEGER


@bp.url_value_preprocessor
def _ids_in_range(endpoint, values):
    """An id in the URL beyond the database's INTEGER range is "not found", never a query (an overflow)."""
    if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
        abort(404)


from . import cli, routes  # noqa: E402,F401
from .verify import verify_bp  # noqa: E402


@bp.record_once
def _register_verify(state):
    """The public /v/<code> page lives outside the login gate; registered alongside this blueprint
    so app.py needs no change."""
    state.app.register_blueprint(verify_bp)
