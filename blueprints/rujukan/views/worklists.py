"""Worklists of the facility (not arrived, not answered, expiring, ...)."""

from flask import abort, request
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from blueprints.core import audit
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp
from ..access import require_facility
from ..models import Referral
from ..worklists import LABELS, RECEIVER, SENDER, worklist


@bp.route("/daftar-kerja")
@audit.reads("rujukan", "daftar kerja rujukan")
def worklist_page():
    require_facility()
    name = request.args.get("daftar", "belum_tiba")
    if name not in LABELS:
        abort(404)
    stmt = worklist(name, current_user.organisation_id, today_local())
    # The page's patients by primary key in a second statement: joined, PostgreSQL hashes every patient of the
    # regency before the LIMIT (it cannot sort the few letters first and probe only the page's patients).
    page = paginate(
        stmt.options(
            selectinload(Referral.patient), joinedload(Referral.destination), joinedload(Referral.origin)
        ),
        request.args.get("hal"),
        filters=("daftar",),
    )
    return render(
        "rujukan/worklist.html",
        "rujukan/_worklist.html",
        page=page,
        name=name,
        labels=LABELS,
        sender=SENDER,
        receiver=RECEIVER,
    )
