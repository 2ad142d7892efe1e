"""Which KSB scope items are covered by which agreements (the use cases: ``agreements.py``)."""

from flask import request

from blueprints.core import audit
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import agreements as drafting
from .. import bp


@bp.route("/cakupan")
@audit.not_sensitive
def coverage():
    return render("pks/coverage.html", page=drafting.coverage_page(today_local(), request.args.get("hal")))
