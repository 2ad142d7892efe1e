"""Facility directory (§4.1): both regencies' FKTP/FKTL with contacts, poli schedules, travel notes, staff."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pagination import paginate
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.versioning import conflict_response

from . import bp, usecases
from .forms import FacilityForm, NakesForm, PoliForm, search_text
from .models import FacilityProfile, HealthWorker, Poli, is_dinkes


def _facility_or_404(org_id: int) -> Organisation:
    org = db.session.scalars(select(Organisation).where(Organisation.id == org_id,
                                                        Organisation.facility_level.is_not(None))
                             .options(joinedload(Organisation.regency))).first()
    if org is None:
        abort(404)
    return org


def may_edit(org: Organisation, user=None) -> bool:
    """Staff edit their own facility; Dinas Kesehatan edits its regency's facilities."""
    user = user or current_user
    return user.organisation_id == org.id or (is_dinkes(user) and user.regency_id == org.regency_id)


def profile_of(org_id: int) -> FacilityProfile | None:
    return db.session.scalar(select(FacilityProfile).where(FacilityProfile.organisation_id == org_id))


@bp.route("/faskes")
@audit.not_sensitive
def facilities():
    q = search_text(request.args.get("q"))
    level = request.args.get("level", "")[:4]
    stmt = (select(Organisation).where(Organisation.facility_level.is_not(None))
            .options(joinedload(Organisation.regency))
            .order_by(Organisation.regency_id, Organisation.facility_level, Organisation.name, Organisation.id))
    if q:
        stmt = stmt.where(func.lower(Organisation.name).like(f"%{q.lower()}%"))
    if level in ("FKTP", "FKTL"):
        stmt = stmt.where(Organisation.facility_level == level)
    page = paginate(stmt, request.args.get("hal"))
    ids = [o.id for o in page.items]
    profiles = {p.organisation_id: p for p in db.session.scalars(
        select(FacilityProfile).where(FacilityProfile.organisation_id.in_(ids or [0])))}
    return render("rujukan/facilities.html", "rujukan/_facilities.html", page=page, q=q, level=level,
                  profiles=profiles)


def _active(model, org_id: int) -> list:
    """The facility's active poli or health workers, by name."""
    return list(db.session.scalars(select(model).where(model.organisation_id == org_id, model.active.is_(True))
                                   .order_by(model.name, model.id)))


def _facility_page(org: Organisation, status: int = 200, poli_form=None, nakes_form=None):
    return render("rujukan/facility.html", status=status, org=org, profile=profile_of(org.id),
                  polis=_active(Poli, org.id), nakes=_active(HealthWorker, org.id), editable=may_edit(org),
                  poli_form=poli_form or PoliForm(prefix="poli"), nakes_form=nakes_form or NakesForm(prefix="nakes"))


@bp.route("/faskes/<int:org_id>")
@audit.not_sensitive
def facility(org_id: int):
    return _facility_page(_facility_or_404(org_id))


@bp.route("/faskes/<int:org_id>/ubah", methods=["GET", "POST"])
@audit.not_sensitive
def facility_edit(org_id: int):
    org = _facility_or_404(org_id)
    if not may_edit(org):
        abort(404)
    profile = profile_of(org.id)
    form = FacilityForm(obj=profile or FacilityProfile(organisation_id=org.id, paper="A4"))
    if request.method == "GET":
        form.phone.data, form.address.data, form.version.data = org.phone, org.address, org.version
        return render("rujukan/facility_form.html", org=org, form=form)
    result = usecases.save_facility(org, form, current_user)
    if result.stale:
        return conflict_response(form, org, back_url=url_for("rujukan.facility_edit", org_id=org.id),
                                 current=usecases.facility_values(org, profile))
    if result.record is None:
        return render("rujukan/facility_form.html", status=FORM_INVALID, org=org, form=form)
    flash("Direktori faskes diperbarui.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))


# kind -> (form, model, new row from the valid form, noun for the audit summary, flash message)
ITEMS = {
    "poli": (PoliForm, Poli, lambda f: dict(name=f.name.data, schedule=f.schedule.data or ""), "poli",
             "Poli ditambahkan."),
    "nakes": (NakesForm, HealthWorker,
              lambda f: dict(name=f.name.data, profession=f.profession.data, sip=f.sip.data or None),
              "tenaga kesehatan", "Tenaga kesehatan ditambahkan."),
}


@bp.route("/faskes/<int:org_id>/poli", methods=["POST"], endpoint="poli_add", defaults={"kind": "poli"})
@bp.route("/faskes/<int:org_id>/nakes", methods=["POST"], endpoint="nakes_add", defaults={"kind": "nakes"})
def item_add(org_id: int, kind: str):
    org = _facility_or_404(org_id)
    if not may_edit(org):
        abort(404)
    form_cls, model, values, noun, done = ITEMS[kind]
    form = form_cls(prefix=kind)
    result = usecases.add_item(org, model, values, noun, form)
    if result.replay:
        return result.replay.response()
    if result.record is None:
        return _facility_page(org, status=FORM_INVALID, **{f"{kind}_form": form})
    flash(done, "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))


@bp.route("/faskes/<int:org_id>/nonaktif/<kind>/<int:item_id>", methods=["POST"])
def item_off(org_id: int, kind: str, item_id: int):
    """The URL names the wanted state (inactive): posting it again changes nothing."""
    org = _facility_or_404(org_id)
    model = ITEMS[kind][1] if kind in ITEMS else None
    if model is None or not may_edit(org):
        abort(404)
    item = db.session.get(model, item_id)
    if item is None or item.organisation_id != org.id:
        abort(404)
    result = usecases.deactivate_item(org, item, kind)
    flash(result.refused or "Data dinonaktifkan.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))
