"""Agreements waiting on someone, over all agreements (the use cases: ``waiting.py``)."""

from flask import request

from blueprints.core import audit
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp
from .. import waiting as waiting_cases


@bp.route("/menunggu")
@audit.not_sensitive
def waiting_view():
    today = today_local()
    names = waiting_cases.regency_names()
    return render(
        "pks/waiting.html",
        page=waiting_cases.waiting_page(request.args.get("hal")),
        today=today,
        label_of=lambda a: waiting_cases.menunggu_label(a, names),
    )
