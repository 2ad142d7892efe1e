"""The module's home page: what needs attention today (an admin gets the rule switches), each list capped at
its first ``DASHBOARD_ROWS`` rows with "lihat semua" to that list in full, page by page."""

from flask import abort, request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.pagination import paginate_list
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp
from ..access import rules_only
from ..home import ATTENTION_PARTS, DASHBOARD_ROWS, attention
from ..reminders import recipients
from .rules import rules


@bp.route("/")
@audit.not_sensitive
def index():
    if rules_only():
        return rules()
    today = today_local()
    items = attention(current_user, today)
    return render("pks/index.html", items=items, today=today, rows=DASHBOARD_ROWS)


@bp.route("/perhatian/<part>")
@audit.not_sensitive
def attention_part(part: str):
    """One list of the home page in full (``part``: one of ``ATTENTION_PARTS``), 50 rows a page."""
    if part not in ATTENTION_PARTS:
        abort(404)
    today = today_local()
    items = attention(current_user, today)
    page = paginate_list(getattr(items, part), request.args.get("hal"), per_page=50)
    return render(
        "pks/attention.html",
        page=page,
        part=part,
        title=ATTENTION_PARTS[part],
        danger=items.danger,
        today=today,
        to=recipients(page.items) if part == "reminders" else None,
    )
