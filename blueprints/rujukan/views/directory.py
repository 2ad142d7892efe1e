"""Facility directory (docs/rujukan.md §4.1): FKTP/FKTL of both regencies, contacts, poli, staff."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import Organisation
from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.versioning import conflict_response

from .. import bp
from ..access import may_edit_facility
from ..facilities import (
    active_items,
    add_item,
    deactivate_item,
    directory_page,
    facility_or_404,
    facility_values,
    item_of,
    profile_of,
    save_facility,
)
from ..forms import FacilityForm, NakesForm, PoliForm, search_text
from ..models import FacilityProfile, HealthWorker, Poli


@bp.route("/faskes")
@audit.not_sensitive
def facilities():
    q = search_text(request.args.get("q"))
    level = request.args.get("level", "")[:4]
    page, profiles = directory_page(q, level, request.args.get("hal"))
    return render(
        "rujukan/facilities.html", "rujukan/_facilities.html", page=page, q=q, level=level, profiles=profiles
    )


def _facility_page(org: Organisation, status: int = 200, poli_form=None, nakes_form=None):
    return render(
        "rujukan/facility.html",
        status=status,
        org=org,
        profile=profile_of(org.id),
        polis=active_items(Poli, org.id),
        nakes=active_items(HealthWorker, org.id),
        editable=may_edit_facility(org),
        poli_form=poli_form or PoliForm(prefix="poli"),
        nakes_form=nakes_form or NakesForm(prefix="nakes"),
    )


@bp.route("/faskes/<int:org_id>")
@audit.not_sensitive
def facility(org_id: int):
    return _facility_page(facility_or_404(org_id))


@bp.route("/faskes/<int:org_id>/ubah", methods=["GET", "POST"])
@audit.not_sensitive
def facility_edit(org_id: int):
    org = facility_or_404(org_id)
    if not may_edit_facility(org):
        abort(404)
    profile = profile_of(org.id)
    form = FacilityForm(obj=profile or FacilityProfile(organisation_id=org.id, paper="A4"))
    if request.method == "GET":
        form.phone.data, form.address.data, form.version.data = org.phone, org.address, org.version
        return render("rujukan/facility_form.html", org=org, form=form)
    result = save_facility(org, form, current_user)
    if result.stale:
        return conflict_response(
            form,
            org,
            back_url=url_for("rujukan.facility_edit", org_id=org.id),
            current=facility_values(org, profile),
        )
    if result.record is None:
        return render("rujukan/facility_form.html", status=FORM_INVALID, org=org, form=form)
    flash("Direktori faskes diperbarui.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))


# kind -> (form, flash message); the rows themselves are facilities.ITEMS
ITEM_FORMS = {"poli": (PoliForm, "Poli ditambahkan."), "nakes": (NakesForm, "Tenaga kesehatan ditambahkan.")}


@bp.route("/faskes/<int:org_id>/poli", methods=["POST"], endpoint="poli_add", defaults={"kind": "poli"})
@bp.route("/faskes/<int:org_id>/nakes", methods=["POST"], endpoint="nakes_add", defaults={"kind": "nakes"})
def item_add(org_id: int, kind: str):
    org = facility_or_404(org_id)
    if not may_edit_facility(org):
        abort(404)
    form_cls, done = ITEM_FORMS[kind]
    form = form_cls(prefix=kind)
    result = add_item(org, kind, form)
    if result.replay:
        return result.replay.response()
    if result.record is None:
        return _facility_page(org, status=FORM_INVALID, **{f"{kind}_form": form})
    flash(done, "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))


@bp.route("/faskes/<int:org_id>/nonaktif/<kind>/<int:item_id>", methods=["POST"])
def item_off(org_id: int, kind: str, item_id: int):
    """The URL names the wanted state (inactive): posting it again changes nothing."""
    org = facility_or_404(org_id)
    item = item_of(org, kind, item_id) if may_edit_facility(org) else None
    if item is None:
        abort(404)
    result = deactivate_item(org, item, kind)
    flash(result.error or "Data dinonaktifkan.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))
