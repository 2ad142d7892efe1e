"""Referral letters (docs/rujukan.md §4.3): the lists, the draft (new, edit, copy), the issue procedure
(``issue_referral``: the one way a letter is issued, from the form, the detail page and the demo alike) and
what the detail page shows."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from blueprints import notify
from blueprints.auth.models import Organisation
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, field_errors
from blueprints.core.pagination import keyset
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import WIB, today_local, utcnow
from blueprints.core.versioning import is_stale

from . import lifecycle
from .access import require_sender, side_of
from .border import apply_border, suggested_basis
from .facilities import level_label, offered, place_of, profile_of
from .lifecycle import COPYABLE, TransitionError
from .models import (
    EXPIRABLE,
    STATUS_LABELS,
    FacilityProfile,
    HealthWorker,
    Patient,
    Poli,
    Referral,
    ReferralEvent,
)
from .outcome import refusal
from .search import referral_condition
from .validation import check, save_draft
from .verification import parse_code, verify_code

# ---- lists ------------------------------------------------------------------------------------------------


def _filtered(stmt, status: str, q: str):
    today = today_local()
    if status == "kedaluwarsa":
        stmt = stmt.where(lifecycle.expired_clause(today))
    elif status in EXPIRABLE:
        stmt = stmt.where(Referral.status == status, ~lifecycle.expired_clause(today))
    elif status in STATUS_LABELS:
        stmt = stmt.where(Referral.status == status)
    code_id = parse_code(q) if q else None
    if code_id is not None:  # the verification code typed from a returned paper slip
        return stmt.where(Referral.id == code_id)
    if q:
        stmt = stmt.where(referral_condition(q))
    return stmt


def letter_query(inbox: bool, user, status: str, q: str):
    """(statement, sort keys) of the facility's outgoing letters, newest first, or (``inbox``) the issued letters
    addressed to it, newest issued first; the index on (facility, sort keys) serves every page."""
    if inbox:
        stmt = (
            scoped(Referral)
            .where(Referral.destination_id == user.organisation_id, Referral.status != "draf")
            .options(joinedload(Referral.patient), joinedload(Referral.origin))
        )
        keys = (Referral.issued_at, Referral.id)
    else:
        stmt = (
            scoped(Referral)
            .where(Referral.origin_id == user.organisation_id)
            .options(joinedload(Referral.patient), joinedload(Referral.destination))
        )
        keys = (Referral.created_at, Referral.id)
    return _filtered(stmt, status, q), keys


def letter_list(inbox: bool, user, status: str, q: str, args):
    """One page of the outgoing or incoming letters with the status filter and the search (number, patient
    name, NIK, No. JKN, or a verification code), by keyset: a deep page costs what page 1 costs."""
    stmt, keys = letter_query(inbox, user, status, q)
    return keyset(stmt, keys, args, filters=("status", "q"), descending=True)


# ---- the referral form ------------------------------------------------------------------------------------


def destination_choices(user) -> list[tuple[int, str]]:
    """Every active facility of the directory but the user's own, by regency, level and name; destinations
    outside both regencies last, named with their city."""
    rows = db.session.execute(
        select(Organisation, FacilityProfile)
        .outerjoin(FacilityProfile, FacilityProfile.organisation_id == Organisation.id)
        .where(
            Organisation.facility_level.is_not(None),
            Organisation.id != user.organisation_id,
            or_(FacilityProfile.id.is_(None), FacilityProfile.active.is_(True)),
        )
        .options(joinedload(Organisation.regency))
        .order_by(
            FacilityProfile.outside_area.is_not(None),
            Organisation.regency_id,
            Organisation.facility_level,
            Organisation.name,
        )
    )
    return [(o.id, f"{o.name} · {level_label(o, p)} · {place_of(o, p)}") for o, p in rows]


def poli_choices(destination_id: int | None) -> list[tuple[int, str]]:
    """The chosen facility's active poli with their schedule; without a choice, every active poli."""
    stmt = (
        select(Poli.id, Poli.name, Poli.schedule, Organisation.name)
        .join(Organisation, Organisation.id == Poli.organisation_id)
        .where(Poli.active.is_(True), offered())
        .order_by(Organisation.name, Poli.name, Poli.id)
    )
    if destination_id:
        rows = db.session.execute(stmt.where(Poli.organisation_id == destination_id))
        return [(pid, f"{pname} ({sched})" if sched else pname) for pid, pname, sched, _ in rows]
    return [(pid, f"{oname} — {pname}") for pid, pname, _, oname in db.session.execute(stmt)]


def nakes_choices(organisation_id: int) -> list[tuple[int, str]]:
    nakes = db.session.scalars(
        select(HealthWorker)
        .where(HealthWorker.organisation_id == organisation_id, HealthWorker.active.is_(True))
        .order_by(HealthWorker.name)
    )
    return [(n.id, f"{n.name} ({n.profession_label})") for n in nakes]


def destination_info(destination_id: int | None) -> dict:
    """Contacts, capacity and travel note of the chosen destination, shown beside the choice."""
    dest = db.session.get(Organisation, destination_id) if destination_id else None
    if dest is None or dest.facility_level is None:
        return {"dest": None, "dest_profile": None}
    return {"dest": dest, "dest_profile": profile_of(dest.id)}


def patient_for_referral(patient_id: int) -> Patient:
    """The patient a new letter is for (in the user's scope, else 404), with the jorong the basis depends on."""
    patient = db.session.scalars(
        scoped(Patient).where(Patient.id == patient_id).options(joinedload(Patient.jorong))
    ).first()
    if patient is None:
        abort(404)
    return patient


def new_draft(patient: Patient, user) -> Referral:
    """An unsaved draft of this facility for the patient (``save_referral`` adds it)."""
    return Referral(
        origin_id=user.organisation_id,
        patient_id=patient.id,
        patient=patient,
        created_by_id=user.id,
        status="draf",
    )


def draft_defaults(patient: Patient) -> dict:
    """What a new letter's form starts with (field name -> value)."""
    return {
        "jenis": "rj",
        "kategori": "rj",
        "tipe": "penuh",
        "arah": "vertikal",
        "payer": "bpjs" if patient.jenis_kepesertaan not in (None, "non_jkn") or patient.no_jkn else "pasien",
        "referred_at": utcnow().replace(second=0, microsecond=0),
        "consent_date": today_local(),
        "dasar": suggested_basis(patient),
        "bpjs_card": patient.no_jkn or "",
    }


def stored_values(ref: Referral) -> dict:
    """The referral's values under the form's field names where the two differ (selects, diagnosis codes)."""
    values = {
        "destination_id": ref.destination_id or 0,
        "poli_id": ref.poli_id or 0,
        "nakes_id": ref.nakes_id or 0,
        "igd_call_accepted": {True: "ya", False: "tidak"}.get(ref.igd_call_accepted, ""),
    }
    values.update({f"diag{i}": getattr(ref, f"diag{i}_code") or "" for i in (1, 2, 3)})
    return values


def own_referral(ref_id: int, user) -> Referral:
    """A letter of the user's facility (the sender side), else 404."""
    ref = get_scoped_or_404(Referral, ref_id)
    require_sender(ref, user)
    return ref


def typed_values(form) -> dict:
    """The referral form's values by field name; a field that failed its own validation counts as not given,
    so no invalid value reaches a rule's query or the referral."""
    return {name: None if f.errors else f.data for name, f in form._fields.items()}


# ---- the issue procedure ----------------------------------------------------------------------------------


def issue_referral(
    ref: Referral, user, *, at: datetime | None = None, audited: bool = True
) -> tuple[dict[str, str], list[str]]:
    """The issue procedure, the same from the referral form, the detail page and the demo: every rule for an
    issued letter, the border link as of the issue day, the number, the audit (``audited`` False only for demo
    rows, which are no one's action). ``at``: the issue instant (now). Returns (errors by field, warnings);
    raises ``TransitionError`` when the letter's state or the number format refuses it. Does not commit."""
    day = at.astimezone(WIB).date() if at else None
    errors, warnings = check(ref, for_issue=True, today=day)
    if errors:
        return errors, warnings
    apply_border(ref, ref.patient or db.session.get(Patient, ref.patient_id), on=day)
    lifecycle.issue(ref, user, now=at)
    if audited:
        audit.record("update", "rujukan", ref.id, f"menerbitkan rujukan #{ref.id}")
    return {}, warnings


def _issued(ref: Referral, user) -> Outcome:
    """The issue procedure inside a use case: ``record`` when issued, else the refusal (rolled back)."""
    try:
        errors, warnings = issue_referral(ref, user)
    except TransitionError as e:
        return refusal(e)
    if errors:
        db.session.rollback()
        return Outcome(errors=errors, warnings=warnings)
    return Outcome(record=ref, warnings=warnings)


def _audit_draft(ref: Referral, created: bool) -> None:
    audit.record(
        "create" if created else "update",
        "rujukan",
        ref.id,
        f"{'membuat' if created else 'mengubah'} draf rujukan #{ref.id}",
    )
    if ref.destination_id is None:
        audit.record("update", "rujukan", ref.id, f"rujukan #{ref.id}: tujuan teks bebas di luar direktori")


def save_referral(
    ref: Referral, form, user, *, created: bool, issue: bool, typed=None, extra=None, checks=None
) -> Outcome:
    """Save a new draft (``created``: ``ref`` not added yet) or an edit of a draft, and with ``issue`` also
    issue it, in one transaction. What was typed is checked as a whole before anything is copied onto ``ref``.
    A form other than the referral form (the emergency short form) gives ``typed``: a function of the validated
    form to the referral form's values; ``extra``: a function of the form to the columns it alone writes;
    ``checks``: a function of the form to its own errors by field, checked beside the referral rules."""
    if not created and is_stale(ref, form.version.data):
        return Outcome(stale=True)
    valid = form.validate()
    values = typed(form) if typed else typed_values(form)
    own = {k: m for k, m in checks(form).items() if k not in form.errors} if checks else {}
    errors, warnings = save_draft(ref, values, for_issue=issue, invalid=set(form.errors) | set(own))
    errors = {**errors, **own}
    if not valid or errors:
        return Outcome(errors=errors, warnings=warnings)
    if extra:
        for name, value in extra(form).items():
            setattr(ref, name, value)
    if created:
        if replay := submission.claim(form.submission_key.data):
            return Outcome(replay=replay)
        db.session.add(ref)
    apply_border(ref, ref.patient)
    db.session.flush()
    if created:
        lifecycle.log_event(ref, user, None, "draf")
    _audit_draft(ref, created)
    result = _issued(ref, user) if issue else Outcome(record=ref, warnings=warnings)
    if result.record is None:
        return result
    if created:
        submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    notify.send_pending()
    return result


def issue_draft(ref: Referral, form, user) -> Outcome:
    """'Terbitkan' on the detail page: the issue procedure on the stored draft."""
    if not form.validate():
        return Outcome(errors=field_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    if ref.status != "draf":
        db.session.rollback()
        return Outcome(refusals=["Rujukan ini sudah terbit."])
    result = _issued(ref, user)
    if result.record is None:
        return result
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    notify.send_pending()
    return result


COPY_FIELDS = (
    "jenis",
    "kategori",
    "tipe",
    "arah",
    "payer",
    "poli_name",
    "dasar",
    "anamnesis",
    "physical_exam",
    "bp",
    "pulse",
    "rr",
    "temperature",
    "weight",
    "height",
    "consciousness",
    "gcs",
    "supporting",
    "diag1_code",
    "diag1_name",
    "diag2_code",
    "diag2_name",
    "diag3_code",
    "diag3_name",
    "therapy_drug",
    "therapy_other",
    "bmhp",
    "procedures",
    "reason",
    "tacc",
    "tacc_time",
    "tacc_reason",
    "condition",
    "ambulance",
    "escort",
    "allergy",
    "note",
    "nakes_id",
    "bpjs_card",
)


def copyable(ref: Referral, today=None) -> bool:
    """A rejected, redirected, expired or cancelled letter is not reused: a new draft starts from its content."""
    return ref.effective_status(today or today_local()) in COPYABLE


def copy_referral(ref: Referral, form, user) -> Outcome:
    """A new draft from the content of a letter that is not reused (rejected, redirected, expired, cancelled),
    addressed to the facility the receiver redirected to (if any). Consent is asked again."""
    if not form.validate():
        return Outcome(errors=field_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    new = Referral(
        origin_id=ref.origin_id,
        patient_id=ref.patient_id,
        created_by_id=user.id,
        status="draf",
        **{name: getattr(ref, name) for name in COPY_FIELDS},
    )
    if ref.status == "dialihkan" and ref.redirect_to_id:
        new.destination_id, new.poli_id, new.poli_name = ref.redirect_to_id, None, None
    else:
        new.destination_id, new.poli_id, new.destination_text = (
            ref.destination_id,
            ref.poli_id,
            ref.destination_text,
        )
    db.session.add(new)
    db.session.flush()
    lifecycle.log_event(new, user, None, "draf", note=f"salinan dari rujukan #{ref.id}")
    audit.record("create", "rujukan", new.id, f"membuat draf rujukan #{new.id} dari rujukan #{ref.id}")
    notify.resolve(
        "rujukan", ref.id, ref.origin_id
    )  # the sender acted: a rejected letter leaves the home page
    submission.remember(form.submission_key.data, url_for("rujukan.referral_edit", ref_id=new.id))
    db.session.commit()
    return Outcome(record=new)


# ---- the detail page --------------------------------------------------------------------------------------


@dataclass
class Detail:
    """What the detail page shows of a letter, for this user."""

    ref: Referral
    events: list
    side: str | None
    actions: list[str]
    warnings: list[str]  # the rules' warnings on the sender's draft
    redirect_choices: list  # (id, name) of the facilities a redirect may go to
    can_copy: bool
    times: dict[str, timedelta | None]
    code: str | None  # the verification code, once issued


def detail(ref_id: int, user) -> Detail:
    """The letter in the user's scope (else 404) with its events and the steps this side may take; the view is
    audited (the caller commits after rendering)."""
    ref = (
        db.session.scalars(
            scoped(Referral)
            .where(Referral.id == ref_id)
            .options(
                joinedload(Referral.patient).joinedload(Patient.home_regency),
                joinedload(Referral.patient).joinedload(Patient.jorong),
                joinedload(Referral.origin),
                joinedload(Referral.destination),
                joinedload(Referral.nakes),
                joinedload(Referral.redirect_to),
                joinedload(Referral.attachments),
            )
        )
        .unique()
        .first()
    )
    if ref is None:
        abort(404)
    events = list(
        db.session.scalars(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == ref.id)
            .options(joinedload(ReferralEvent.organisation))
            .order_by(ReferralEvent.at, ReferralEvent.id)
        )
    )
    side = side_of(ref, user)
    actions = lifecycle.allowed_actions(ref, user)
    redirect_choices = (
        db.session.execute(
            select(Organisation.id, Organisation.name)
            .where(
                Organisation.facility_level.is_not(None),
                Organisation.id.not_in([ref.origin_id, ref.destination_id or 0]),
                offered(),
            )
            .order_by(Organisation.name)
        ).all()
        if "redirect" in actions
        else []
    )
    audit.record("view", "rujukan", ref.id, f"melihat rujukan #{ref.id}")
    return Detail(
        ref=ref,
        events=events,
        side=side,
        actions=actions,
        warnings=check(ref, for_issue=False)[1] if ref.status == "draf" and side == "sender" else [],
        redirect_choices=redirect_choices,
        can_copy=side == "sender" and copyable(ref),
        times=lifecycle.response_times(ref),
        code=verify_code(ref.id) if ref.number else None,
    )
