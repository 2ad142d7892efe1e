"""The facility directory (docs/rujukan.md §4.1): a facility's contacts, paper size and capacity note, its poli
and health workers. Who may edit an entry is ``access.may_edit_facility``.

Dinas Kesehatan adds facilities of its regency and destinations outside both regencies (``create_facility``):
an outside destination is an organisation whose ``regency_id`` is the regency of the Dinkes that added it (that
Dinkes alone keeps it) and whose profile names its own city (``outside_area``). A deactivated facility is no
longer offered as a destination (``offered``); its row stays, so old letters keep showing it."""

from flask import abort, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from blueprints.auth.models import Organisation
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, add_errors, field_errors
from blueprints.core.pagination import paginate
from blueprints.core.timeutil import utcnow
from blueprints.core.versioning import is_stale

from .forms import PPK_CODE, PPK_CODE_MESSAGE
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


def offered():
    """The condition on ``Organisation`` for a facility still offered as a destination (not deactivated)."""
    inactive = select(FacilityProfile.organisation_id).where(FacilityProfile.active.is_(False))
    return Organisation.id.not_in(inactive.scalar_subquery())


def is_offered(org_id: int) -> bool:
    """Whether the facility is still offered as a destination (one small query)."""
    return not db.session.scalar(
        select(FacilityProfile.id).where(
            FacilityProfile.organisation_id == org_id, FacilityProfile.active.is_(False)
        )
    )


def is_tertiary(org: Organisation, codes) -> bool:
    """A tertiary facility: its BPJS code is in ``codes`` (RUJUKAN_TERTIARY_FACILITY_CODES) or the directory
    entry says "tersier"."""
    if org.facility_code and org.facility_code in codes:
        return True
    return bool(
        db.session.scalar(select(FacilityProfile.tertiary).where(FacilityProfile.organisation_id == org.id))
    )


def outside_ids():
    """The ids of destinations outside both regencies, as a subquery (a recap of the two regencies leaves
    them out: their ``regency_id`` names only the Dinkes that keeps them)."""
    return (
        select(FacilityProfile.organisation_id)
        .where(FacilityProfile.outside_area.is_not(None))
        .scalar_subquery()
    )


def place_of(org: Organisation, profile: FacilityProfile | None) -> str:
    """Where the facility is, as the directory shows it: its regency, or the city of an outside destination."""
    if profile is not None and profile.outside_area:
        return f"{profile.outside_area} (luar wilayah)"
    return org.regency.short_name


def level_label(org: Organisation, profile: FacilityProfile | None) -> str:
    return "FKTL tersier" if profile is not None and profile.tertiary else (org.facility_level or "")


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


# ---- Dinas Kesehatan: identity of an entry, new entries, deactivation ------------------------------------


def identity_values(org: Organisation, profile: FacilityProfile | None) -> dict:
    return {
        "name": org.name,
        "facility_type": (profile.facility_type if profile else None)
        or ("puskesmas" if org.kind == "puskesmas" else None),
        "level": "tersier" if profile and profile.tertiary else org.facility_level,
        "facility_code": org.facility_code,
        "wilayah": "luar" if profile and profile.outside_area else "dalam",
        "outside_area": profile.outside_area if profile else None,
    }


def _identity_rules(form, current_code: str | None = None) -> dict:
    """The rules across the identity fields: the type fits the level, an outside entry names its city, a new or
    changed BPJS code has the PPK format."""
    errors = {}
    code = form.facility_code.data
    if code and code != current_code and not PPK_CODE.match(code):
        errors["facility_code"] = PPK_CODE_MESSAGE
    ftype, level = form.facility_type.data, form.level.data
    if ftype == "puskesmas" and level in ("FKTL", "tersier"):
        errors["level"] = "Puskesmas adalah FKTP."
    elif ftype in ("rs", "rsud", "rsup") and level == "FKTP":
        errors["level"] = "Rumah sakit adalah FKTL atau tersier."
    if form.wilayah.data == "luar" and not form.outside_area.data:
        errors["outside_area"] = "Tulis kota/kabupaten faskes di luar wilayah, mis. Kota Padang."
    return errors


def _refused(form, errors: dict) -> Outcome:
    add_errors(form, {name: [message] for name, message in errors.items()})
    return Outcome(errors=field_errors(form))


def _duplicates(form, org_id: int | None) -> dict:
    """Name and BPJS code not already used by another entry of the directory."""
    errors = {}
    others = select(Organisation.id).where(Organisation.facility_level.is_not(None))
    if org_id is not None:
        others = others.where(Organisation.id != org_id)
    if form.name.data and db.session.scalar(
        others.where(func.lower(Organisation.name) == form.name.data.lower()).limit(1)
    ):
        errors["name"] = "Faskes dengan nama ini sudah ada di direktori."
    if form.facility_code.data and db.session.scalar(
        others.where(Organisation.facility_code == form.facility_code.data).limit(1)
    ):
        errors["facility_code"] = "Kode PPK ini sudah dipakai faskes lain di direktori."
    return errors


def _apply_identity(org: Organisation, profile: FacilityProfile, form) -> None:
    org.name = form.name.data
    org.kind = "puskesmas" if form.facility_type.data == "puskesmas" else "rumah_sakit"
    org.facility_level = "FKTL" if form.level.data == "tersier" else form.level.data
    org.facility_code = form.facility_code.data or None
    profile.facility_type = form.facility_type.data
    profile.tertiary = form.level.data == "tersier"
    profile.outside_area = form.outside_area.data if form.wilayah.data == "luar" else None


def create_facility(form, user) -> Outcome:
    """A new directory entry of the Dinkes's regency (or kept by it, when outside both regencies)."""
    valid, rules = form.validate(), _identity_rules(form)
    if not valid or rules:
        return _refused(form, rules)
    if replay := submission.claim(form.submission_key.data):  # before the rules that read the directory
        return Outcome(replay=replay)
    if errors := _duplicates(form, None):
        db.session.rollback()  # the key goes with it: the corrected form may use it
        return _refused(form, errors)
    org = Organisation(regency_id=user.regency_id, kind="rumah_sakit", name="", is_demo=False)
    profile = FacilityProfile(organisation=org, paper="A4", active=True)
    _apply_identity(org, profile, form)
    org.phone, org.address = form.phone.data or None, form.address.data or None
    for name in ("whatsapp", "email", "ambulance", "capacity_note", "bpjs_office"):
        setattr(profile, name, getattr(form, name).data or None)
    if profile.capacity_note:
        profile.capacity_at = utcnow()
    db.session.add_all([org, profile])
    db.session.flush()
    audit.record("create", "rujukan_faskes", org.id, f"menambah faskes #{org.id} ke direktori")
    submission.remember(form.submission_key.data, url_for("rujukan.facility", org_id=org.id))
    db.session.commit()
    return Outcome(record=org)


def deactivate_facility(org: Organisation, form) -> Outcome:
    """Take the facility off the destination lists, with a reason (its letters keep pointing at it)."""
    if is_stale(org, form.version.data):
        return Outcome(stale=True)
    if not form.validate():
        return Outcome(errors=field_errors(form))
    profile = profile_of(org.id)
    if profile is not None and not profile.active:
        return Outcome(refusals=["Faskes ini sudah nonaktif."])
    if profile is None:
        profile = FacilityProfile(organisation_id=org.id, paper="A4")
        db.session.add(profile)
    profile.active, profile.deactivated_at, profile.deactivated_reason = False, utcnow(), form.reason.data
    flag_modified(org, "name")  # the entry's version moves: an edit form open elsewhere is now stale
    audit.record("update", "rujukan_faskes", org.id, f"menonaktifkan faskes #{org.id} dari direktori")
    db.session.commit()
    return Outcome(record=org)


def reactivate_facility(org: Organisation, form) -> Outcome:
    """Offer a deactivated facility as a destination again (a deactivation by mistake, a reopened hospital)."""
    if is_stale(org, form.version.data):
        return Outcome(stale=True)
    profile = profile_of(org.id)
    if profile is None or profile.active:
        return Outcome(refusals=["Faskes ini sudah aktif."])
    profile.active, profile.deactivated_at, profile.deactivated_reason = True, None, None
    flag_modified(org, "name")
    audit.record("update", "rujukan_faskes", org.id, f"mengaktifkan kembali faskes #{org.id} di direktori")
    db.session.commit()
    return Outcome(record=org)


def save_facility(org: Organisation, form, user) -> Outcome:
    """Save the directory entry. The organisation row carries the entry's version: every save updates it, so
    two clerks saving the same entry conflict whichever of its fields they change."""
    if is_stale(org, form.version.data):
        return Outcome(stale=True)
    dinkes_form = hasattr(form, "facility_type")
    valid = form.validate()
    errors = _identity_rules(form, org.facility_code) if dinkes_form else {}
    if valid and dinkes_form and not errors:
        errors = _duplicates(form, org.id)
    if not valid or errors:
        return _refused(form, errors)
    profile = profile_of(org.id)
    if profile is None:
        profile = FacilityProfile(organisation_id=org.id)
        db.session.add(profile)
    if dinkes_form:
        _apply_identity(org, profile, form)
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
