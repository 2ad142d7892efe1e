"""Facility directory (§4.1): both regencies' FKTP/FKTL with contacts, poli schedules, travel notes, staff."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.timeutil import utcnow

from . import bp
from .forms import FacilityForm, NakesForm, PoliForm
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
def facilities():
    q = (request.args.get("q") or "").strip()[:60]
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


@bp.route("/faskes/<int:org_id>")
def facility(org_id: int):
    org = _facility_or_404(org_id)
    polis = list(db.session.scalars(select(Poli).where(Poli.organisation_id == org.id, Poli.active.is_(True))
                                    .order_by(Poli.name, Poli.id)))
    nakes = list(db.session.scalars(select(HealthWorker).where(HealthWorker.organisation_id == org.id,
                                                               HealthWorker.active.is_(True))
                                    .order_by(HealthWorker.name, HealthWorker.id)))
    editable = may_edit(org)
    return render("rujukan/facility.html", org=org, profile=profile_of(org.id), polis=polis, nakes=nakes,
                  editable=editable, poli_form=PoliForm(prefix="poli"), nakes_form=NakesForm(prefix="nakes"))


@bp.route("/faskes/<int:org_id>/ubah", methods=["GET", "POST"])
def facility_edit(org_id: int):
    org = _facility_or_404(org_id)
    if not may_edit(org):
        abort(404)
    profile = profile_of(org.id) or FacilityProfile(organisation_id=org.id, paper="A4")
    form = FacilityForm(obj=profile)
    if request.method == "GET":
        form.phone.data, form.address.data = org.phone, org.address
    if form.validate_on_submit():
        if profile.id is None:
            db.session.add(profile)
        org.phone, org.address = form.phone.data or None, form.address.data or None
        if (form.capacity_note.data or None) != profile.capacity_note:
            profile.capacity_at = utcnow()
        for name in ("whatsapp", "email", "ambulance", "travel_note", "capacity_note", "paper", "bpjs_office"):
            setattr(profile, name, getattr(form, name).data or None)
        profile.paper = form.paper.data
        audit.record("update", "rujukan_faskes", org.id, f"mengubah direktori faskes #{org.id}")
        db.session.commit()
        flash("Direktori faskes diperbarui.", "ok")
        return redirect(url_for("rujukan.facility", org_id=org.id))
    return render("rujukan/facility_form.html", status=422 if form.errors else 200, org=org, form=form)


@bp.route("/faskes/<int:org_id>/poli", methods=["POST"])
def poli_add(org_id: int):
    org = _facility_or_404(org_id)
    if not may_edit(org):
        abort(404)
    form = PoliForm(prefix="poli")
    if form.validate_on_submit():
        db.session.add(Poli(organisation_id=org.id, name=form.name.data, schedule=form.schedule.data or ""))
        audit.record("update", "rujukan_faskes", org.id, f"menambah poli faskes #{org.id}")
        db.session.commit()
        flash("Poli ditambahkan.", "ok")
        return redirect(url_for("rujukan.facility", org_id=org.id))
    return _facility_with_errors(org, poli_form=form)


@bp.route("/faskes/<int:org_id>/nakes", methods=["POST"])
def nakes_add(org_id: int):
    org = _facility_or_404(org_id)
    if not may_edit(org):
        abort(404)
    form = NakesForm(prefix="nakes")
    if form.validate_on_submit():
        db.session.add(HealthWorker(organisation_id=org.id, name=form.name.data, profession=form.profession.data,
                                    sip=form.sip.data or None))
        audit.record("update", "rujukan_faskes", org.id, f"menambah tenaga kesehatan faskes #{org.id}")
        db.session.commit()
        flash("Tenaga kesehatan ditambahkan.", "ok")
        return redirect(url_for("rujukan.facility", org_id=org.id))
    return _facility_with_errors(org, nakes_form=form)


@bp.route("/faskes/<int:org_id>/nonaktif/<kind>/<int:item_id>", methods=["POST"])
def item_off(org_id: int, kind: str, item_id: int):
    org = _facility_or_404(org_id)
    model = {"poli": Poli, "nakes": HealthWorker}.get(kind)
    if model is None or not may_edit(org):
        abort(404)
    item = db.session.get(model, item_id)
    if item is None or item.organisation_id != org.id:
        abort(404)
    item.active = False  # referrals keep pointing at it
    audit.record("update", "rujukan_faskes", org.id, f"menonaktifkan {kind} #{item.id}")
    db.session.commit()
    flash("Data dinonaktifkan.", "ok")
    return redirect(url_for("rujukan.facility", org_id=org.id))


def _facility_with_errors(org, poli_form=None, nakes_form=None):
    polis = list(db.session.scalars(select(Poli).where(Poli.organisation_id == org.id, Poli.active.is_(True))
                                    .order_by(Poli.name, Poli.id)))
    nakes = list(db.session.scalars(select(HealthWorker).where(HealthWorker.organisation_id == org.id,
                                                               HealthWorker.active.is_(True))
                                    .order_by(HealthWorker.name, HealthWorker.id)))
    return render("rujukan/facility.html", status=422, org=org, profile=profile_of(org.id), polis=polis,
                  nakes=nakes, editable=True, poli_form=poli_form or PoliForm(prefix="poli"),
                  nakes_form=nakes_form or NakesForm(prefix="nakes"))
