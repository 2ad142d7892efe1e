"""Facility directory (docs/rujukan.md §4.1): FKTP/FKTL of both regencies, contacts, poli, staff."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import Organisation
from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.versioning import conflict_response

from .. import bp
from .. import lists as L
from ..access import is_dinkes, may_edit_facility, require_dinkes
from ..facilities import (
    active_items,
    add_item,
    create_facility,
    deactivate_facility,
    deactivate_item,
    directory_page,
    facility_or_404,
    facility_values,
    identity_values,
    item_of,
    level_label,
    place_of,
    profile_of,
    reactivate_facility,
    save_facility,
)
from ..forms import (
    OUTSIDE_LABEL,
    FacilityCreateForm,
    FacilityEditByDinkesForm,
    FacilityForm,
    FacilityOffForm,
    FacilityOnForm,
    NakesForm,
    PoliForm,
    search_text,
)
from ..models import FacilityProfile, HealthWorker, Poli


@bp.route("/faskes")
@audit.not_sensitive
def facilities():
    q = search_text(request.args.get("q"))
    level = request.args.get("level", "")[:4]
    page, profiles = directory_page(q, level, request.args.get("hal"))
    return render(
        "rujukan/facilities.html",
        "rujukan/_facilities.html",
        page=page,
        q=q,
        level=level,
        profiles=profiles,
        place_of=place_of,
        level_label=level_label,
        may_add=is_dinkes(current_user),
    )


def _own_region(form):
    """The "Wilayah" choice names the Dinkes's own regency."""
    form.wilayah.choices = L.C([("dalam", current_user.regency.name), ("luar", OUTSIDE_LABEL)])
    return form


@bp.route("/faskes/baru", methods=["GET", "POST"])
@audit.not_sensitive
def facility_new():
    """Dinas Kesehatan adds a facility of its regency, or a destination outside both regencies."""
    require_dinkes()
    form = _own_region(FacilityCreateForm())
    if request.method == "GET":
        return render("rujukan/facility_new.html", form=form)
    result = create_facility(form, current_user)
    if result.replay:
        return result.replay.response()
    if result.record is None:
        return render("rujukan/facility_new.html", status=FORM_INVALID, form=form)
    flash("Faskes ditambahkan ke direktori. Tambahkan poli dan jadwalnya di bawah.", "ok")
    return redirect(url_for("rujukan.facility", org_id=result.record.id))


def _facility_page(org: Organisation, status: int = 200, poli_form=None, nakes_form=None, off_form=None):
    profile = profile_of(org.id)
    dinkes_edit = may_edit_facility(org) and is_dinkes(current_user)
    if off_form is None and dinkes_edit:
        off_form = FacilityOffForm(formdata=None)
        off_form.version.data = org.version
    on_form = None
    if dinkes_edit and profile is not None and not profile.active:
        on_form = FacilityOnForm(formdata=None)
        on_form.version.data = org.version
    return render(
        "rujukan/facility.html",
        status=status,
        org=org,
        profile=profile,
        place=place_of(org, profile),
        level=level_label(org, profile),
        polis=active_items(Poli, org.id),
        nakes=active_items(HealthWorker, org.id),
        editable=may_edit_facility(org),
        poli_form=poli_form or PoliForm(prefix="poli"),
        nakes_form=nakes_form or NakesForm(prefix="nakes"),
        off_form=off_form if dinkes_edit and (profile is None or profile.active) else None,
        on_form=on_form,
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
    # Dinkes's page shows the identity fields too; a post without them (the contacts-only form) edits contacts
    identity = is_dinkes(current_user) and (request.method == "GET" or "name" in request.form)
    form_cls = FacilityEditByDinkesForm if identity else FacilityForm
    form = form_cls(obj=profile or FacilityProfile(organisation_id=org.id, paper="A4"))
    if identity:
        _own_region(form)
    if request.method == "GET":
        form.phone.data, form.address.data, form.version.data = org.phone, org.address, org.version
        if form_cls is FacilityEditByDinkesForm:
            for name, value in identity_values(org, profile).items():
                form[name].data = value
        return render("rujukan/facility_form.html", org=org, form=form)
    result = save_facility(org, form, current_user)
    if result.stale:
        return conflict_response(
            form,
            org,
            back_url=url_for("rujukan.facility_edit", org_id=org.id),
            current={
                **facility_values(org, profile),
                **(identity_values(org, profile) if form_cls is FacilityEditByDinkesForm else {}),
            },
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


@bp.route("/faskes/<int:org_id>/nonaktifkan", methods=["POST"])
def facility_off(org_id: int):
    """Dinas Kesehatan takes a facility off the destination lists, with a reason; old letters keep it."""
    org = facility_or_404(org_id)
    if not (is_dinkes(current_user) and may_edit_facility(org)):
        abort(404)
    form = FacilityOffForm()
    result = deactivate_facility(org, form)
    if result.stale:
        return conflict_response(form, org, back_url=url_for("rujukan.facility", org_id=org.id))
    if result.refusals:
        flash(result.error, "ok")
        return redirect(url_for("rujukan.facility", org_id=org.id))
    if result.record is None:
        return _facility_page(org, status=FORM_INVALID, off_form=form)
    flash("Faskes dinonaktifkan: tidak lagi ditawarkan sebagai tujuan rujukan.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))


@bp.route("/faskes/<int:org_id>/aktifkan", methods=["POST"])
def facility_on(org_id: int):
    """Dinas Kesehatan offers a deactivated facility as a destination again."""
    org = facility_or_404(org_id)
    if not (is_dinkes(current_user) and may_edit_facility(org)):
        abort(404)
    form = FacilityOnForm()
    result = reactivate_facility(org, form)
    if result.stale:
        return conflict_response(form, org, back_url=url_for("rujukan.facility", org_id=org.id))
    flash(result.error or "Faskes aktif kembali sebagai tujuan rujukan.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))
