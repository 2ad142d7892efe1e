"""Outgoing and incoming letter lists."""

from flask import redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.render import render

from .. import bp
from .. import referrals as rf
from ..access import is_dinkes, require_facility
from ..forms import search_text
from ..models import STATUS_LABELS

STATUS_FILTERS = {"": "Semua status", **STATUS_LABELS}


def _list_page(template: str, inbox: bool):
    """Outgoing and incoming lists: the same status filter, search, paging and fragment."""
    status = request.args.get("status", "")[:12]
    q = search_text(request.args.get("q"))
    page = rf.letter_list(inbox, current_user, status, q, request.args)
    return render(
        template, "rujukan/_list.html", page=page, st=status, q=q, statuses=STATUS_FILTERS, inbox=inbox
    )


@bp.route("/")
@audit.reads("rujukan", "daftar rujukan keluar")
def index():
    if is_dinkes(current_user):
        return redirect(url_for("rujukan.recap"))
    require_facility()
    return _list_page("rujukan/index.html", inbox=False)


@bp.route("/masuk")
@audit.reads("rujukan", "daftar rujukan masuk")
def inbox():
    """Incoming referrals addressed to this facility (never drafts)."""
    require_facility()
    return _list_page("rujukan/inbox.html", inbox=True)
