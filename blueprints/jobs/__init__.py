"""Foundation pages of the background jobs (core.jobs): "Pekerjaan saya", a job's progress page and its download.
Every logged-in user has them; a job is its owner's only (someone else's answers 404)."""

from flask import Blueprint

from blueprints.core.auth_gate import require_login

bp = Blueprint("jobs", __name__, url_prefix="/pekerjaan")
bp.before_request(require_login)

from . import routes  # noqa: E402,F401
