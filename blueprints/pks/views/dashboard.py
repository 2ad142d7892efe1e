"""The module's home page: what needs attention today (an admin gets the rule switches)."""

from flask_login import current_user

from blueprints.core import audit
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp
from ..access import rules_only
from ..home import attention
from .rules import rules


@bp.route("/")
@audit.not_sensitive
def index():
    if rules_only():
        return rules()
    today = today_local()
    items = attention(current_user, today)
    return render("pks/index.html", items=items, today=today)
