"""SIDILAN household view (docs/sidilan.md §5.2)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import has_errors
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import bp
from ..access import ENTRY_ROLES, may_see_nik, may_write
from ..assistance import household_assistance
from ..documents import page_context as documents_context
from ..forms import HouseholdForm
from ..household_roles import recipient_of, recipients_form, save_recipients
from ..households import save_household
from ..models import Household
from ..nagari_scope import nagari_open
from ._common import _place_values, recorded


@bp.route("/keluarga/<int:household_id>", methods=["GET", "POST"])
@audit.reads("sidilan_household", "keluarga")
@nagari_open
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
    return _household_page(hh, form, cascade, recipients_form(hh))


def _household_page(hh, form, cascade, roles_form):
    """The household page with its two forms (address and conditions; recipients) as given."""
    assistance = list(db.session.scalars(household_assistance(hh, current_user)))
    page = render(
        "sidilan/household.html",
        hh=hh,
        form=form,
        cascade=cascade,
        roles_form=roles_form,
        main=recipient_of(hh, hh.penerima_utama_id),
        alternate=recipient_of(hh, hh.penerima_pengganti_id),
        assistance=assistance,
        may_write=may_write(current_user),
        show_nik=may_see_nik(current_user),
        **documents_context(hh, current_user),
        status=FORM_INVALID if has_errors(form) or has_errors(roles_form) else 200,
    )
    return recorded(page, "view", "sidilan_household", hh.id, f"membuka keluarga #{hh.id}")


@bp.route("/keluarga/<int:household_id>/penerima", methods=["POST"])
@roles_required(*ENTRY_ROLES)
def household_recipients(household_id: int):
    """Set the principal and alternate recipient (a version-checked edit of the household)."""
    hh = get_scoped_or_404(Household, household_id, options=(joinedload(Household.members),))
    roles_form = recipients_form(hh, request.form)
    out = save_recipients(hh, roles_form, current_user)
    back = url_for("sidilan.household", household_id=hh.id)
    if out.stale:
        return conflict_response(roles_form, out.stale, back_url=back)
    if out.record is not None:
        flash("Penerima keluarga tersimpan.", "ok")
        return redirect(back)
    form = HouseholdForm(obj=hh)
    return _household_page(hh, form, Cascade.build(current_user.regency, _place_values(hh)), roles_form)
