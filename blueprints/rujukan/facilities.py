"""The facility directory (docs/rujukan.md §4.1): a facility's contacts, paper size and capacity note, its poli
and health workers. Who may edit an entry is ``access.may_edit_facility``."""

from flask import abort, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from blueprints.auth.models import Organisation
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, field_errors
from blueprints.core.pagination import paginate
from blueprints.core.timeutil import utcnow
from blueprints.core.versioning import is_stale

from .models import FacilityProfile, HealthWorker, Poli

PROFILE_FIELDS = ("whatsapp", "email", "ambulance", "travel_note", "capacity_note", "bpjs_office")


def facility_or_404(org_id: int) -> Organisation:
    """A facility of the directory (any regency: the directory is shared), else 404."""
    org = db.session.scalars(
        select(Organisation)
        .where(Organisation.id == org_id, Organisation.facility_level.is_not(None))
        .options(joinedload(Organisation.regency))
    ).first()
    if org is None:
        abort(404)
    return org


def directory_page(q: str, level: str, page_arg):
    """One page of the directory (name search, FKTP/FKTL filter) and the entries' profiles by facility id."""
    stmt = (
        select(Organisation)
        .where(Organisation.facility_level.is_not(None))
        .options(joinedload(Organisation.regency))
        .order_by(Organisation.regency_id, Organisation.facility_level, Organisation.name, Organisation.id)
    )
    if q:
        stmt = stmt.where(func.lower(Organisation.name).like(f"%{q.lower()}%"))
    if level in ("FKTP", "FKTL"):
        stmt = stmt.where(Organisation.facility_level == level)
    page = paginate(stmt, page_arg, filters=("q", "level"))
    ids = [o.id for o in page.items]
    profiles = {
        p.organisation_id: p
        for p in db.session.scalars(
            select(FacilityProfile).where(FacilityProfile.organisation_id.in_(ids or [0]))
        )
    }
    return page, profiles


def profile_of(org_id: int) -> FacilityProfile | None:
    return db.session.scalar(select(FacilityProfile).where(FacilityProfile.organisation_id == org_id))


def active_items(model, org_id: int) -> list:
    """The facility's active poli or health workers, by name."""
    return list(
        db.session.scalars(
            select(model)
            .where(model.organisation_id == org_id, model.active.is_(True))
            .order_by(model.name, model.id)
        )
    )


def facility_values(org: Organisation, profile: FacilityProfile | None) -> dict:
    """The directory entry as the facility form shows it (organisation and profile together)."""
    values = {
        "phone": org.phone,
        "address": org.address,
        "paper": (profile.paper if profile else None) or "A4",
    }
    values.update({name: getattr(profile, name) if profile else None for name in PROFILE_FIELDS})
    return values


def save_facility(org: Organisation, form, user) -> Outcome:
    """Save the directory entry. The organisation row carries the entry's version: every save updates it, so
    two clerks saving the same entry conflict whichever of its fields they change."""
    if is_stale(org, form.version.data):
        return Outcome(stale=True)
    if not form.validate():
        return Outcome(errors=field_errors(form))
    profile = profile_of(org.id)
    if profile is None:
        profile = FacilityProfile(organisation_id=org.id)
        db.session.add(profile)
    org.phone, org.address = form.phone.data or None, form.address.data or None
    flag_modified(
        org, "phone"
    )  # the UPDATE (and its version check) happens even when only the profile changed
    if (form.capacity_note.data or None) != profile.capacity_note:
        profile.capacity_at = utcnow()
    for name in PROFILE_FIELDS:
        setattr(profile, name, getattr(form, name).data or None)
    profile.paper = form.paper.data
    audit.record("update", "rujukan_faskes", org.id, f"mengubah direktori faskes #{org.id}")
    db.session.commit()
    return Outcome(record=org)


# kind -> (model, new row's columns from the valid form, noun for the audit summary)
ITEMS = {
    "poli": (Poli, lambda f: dict(name=f.name.data, schedule=f.schedule.data or ""), "poli"),
    "nakes": (
        HealthWorker,
        lambda f: dict(name=f.name.data, profession=f.profession.data, sip=f.sip.data or None),
        "tenaga kesehatan",
    ),
}


def add_item(org: Organisation, kind: str, form) -> Outcome:
    """A poli or a health worker of the facility."""
    if not form.validate():
        return Outcome(errors=field_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    model, values, noun = ITEMS[kind]
    item = model(organisation_id=org.id, **values(form))
    db.session.add(item)
    audit.record("update", "rujukan_faskes", org.id, f"menambah {noun} faskes #{org.id}")
    submission.remember(form.submission_key.data, url_for("rujukan.facility", org_id=org.id))
    db.session.commit()
    return Outcome(record=item)


def item_of(org: Organisation, kind: str, item_id: int):
    """The facility's poli or health worker, or None (unknown kind, other facility, no such row)."""
    model = ITEMS[kind][0] if kind in ITEMS else None
    item = db.session.get(model, item_id) if model is not None else None
    return item if item is not None and item.organisation_id == org.id else None


def deactivate_item(org: Organisation, item, kind: str) -> Outcome:
    """Take a poli or health worker off the lists (referrals keep pointing at it). The wanted state is in the
    request, so a repeated post changes nothing and is not audited twice."""
    if not item.active:
        return Outcome(refusals=["Data ini sudah nonaktif."])
    item.active = False
    audit.record("update", "rujukan_faskes", org.id, f"menonaktifkan {kind} #{item.id}")
    db.session.commit()
    return Outcome(record=item)
