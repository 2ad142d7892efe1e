"""SIDILAN household view (docs/sidilan.md §5.2)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import bp
from ..access import may_see_nik, may_write
from ..assistance import household_assistance
from ..documents import page_context as documents_context
from ..forms import HouseholdForm
from ..households import save_household
from ..models import Household
from ._common import _place_values, recorded


@bp.route("/keluarga/<int:household_id>", methods=["GET", "POST"])
@audit.reads("sidilan_household", "keluarga")
def household(household_id: int):
    hh = get_scoped_or_404(
        Household, household_id, options=(joinedload(Household.members), joinedload(Household.documents))
    )
    if request.method == "POST" and not may_write(current_user):
        abort(404)
    if request.method == "POST":
        form = HouseholdForm()
        cascade = Cascade.build(current_user.regency, request.form)
        if not is_cascade_refresh(request.form):
            out = save_household(hh, form, cascade, current_user)
            if out.stale:
                return conflict_response(
                    form, out.stale, back_url=url_for("sidilan.household", household_id=hh.id)
                )
            if out.record is not None:
                flash("Data keluarga tersimpan.", "ok")
                return redirect(url_for("sidilan.household", household_id=hh.id))
    else:
        form = HouseholdForm(obj=hh)
        cascade = Cascade.build(current_user.regency, _place_values(hh))
    assistance = list(db.session.scalars(household_assistance(hh, current_user)))
    page = render(
        "sidilan/household.html",
        hh=hh,
        form=form,
        cascade=cascade,
        assistance=assistance,
        may_write=may_write(current_user),
        show_nik=may_see_nik(current_user),
        **documents_context(hh, current_user),
        status=FORM_INVALID if has_errors(form) else 200,
    )
    return recorded(page, "view", "sidilan_household", hh.id, f"membuka keluarga #{hh.id}")
