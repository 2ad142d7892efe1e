"""Public check of a printed letter: /v/<code>. No login; shows no personal or clinical data."""

from flask import Blueprint

from blueprints.core import audit
from blueprints.core.auth_gate import public
from blueprints.core.extensions import db, limiter
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from ..models import STATUS_LABELS, Referral
from ..settings import setting
from ..verification import parse_code

verify_bp = Blueprint("rujukan_verify", __name__)


@verify_bp.route("/v/<code>")
@audit.not_sensitive
@public
@limiter.limit(lambda: setting("RUJUKAN_VERIFY_LIMIT"))
def verify(code: str):
    ref_id = parse_code(code)
    ref = db.session.get(Referral, ref_id) if ref_id else None
    if ref is None or ref.number is None:
        return render("rujukan/verify.html", status=404, ref=None, code=code[:40])
    status = ref.effective_status(today_local())
    return render("rujukan/verify.html", ref=ref, code=code, state=status, status_label=STATUS_LABELS[status])
