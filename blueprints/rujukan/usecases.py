"""Rujukan use cases: each submit of a form runs one of these, in one transaction.

A use case that creates something (a patient, a draft, a copy, an issue, a lifecycle step, a reply, a poli or
health worker) claims the form's one-time submission key as its first write and remembers where the result lives
before it commits, so a replay of the same submit lands on the first result (``core.submission``). A use case
that edits a versioned record compares the version the form showed before anything else (``core.versioning``).
A refusal rolls back, which also releases the key, so the clerk can correct the form and send it again.

Views parse the request, call one function here and choose the page from the ``Result``.
"""
from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm.attributes import flag_modified

from blueprints.auth.models import Organisation
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.nik import check_nik, clean_number
from blueprints.core.submission import Replay
from blueprints.core.timeutil import today_local, utcnow
from blueprints.core.versioning import is_stale
from blueprints.wilayah.models import Jorong

from . import icd, links, service
from .models import FacilityProfile, Patient, Referral
from .settings import setting


@dataclass
class Result:
    """What a use case did. Exactly one of these describes the outcome:
    ``replay`` (an earlier submit with this key already made it), ``stale`` (the form was filled on an older
    version of the record), ``known`` (the NIK is already a patient of this facility), ``errors`` (by field name;
    the form is shown again, 422), ``refused`` (the record's state no longer allows the step), or ``record``."""
    record: object = None
    replay: Replay | None = None
    stale: bool = False
    known: Patient | None = None
    errors: dict[str, str] = field(default_factory=dict)
    refused: str | None = None
    warnings: list[str] = field(default_factory=list)
    nik_check: object = None


def _first_errors(form) -> dict[str, str]:
    return {name: messages[0] for name, messages in form.errors.items()}


def _refusal(exc: service.TransitionError) -> Result:
    db.session.rollback()
    return Result(errors={exc.field: str(exc)}) if exc.field else Result(refused=str(exc))


# ---- SIDILAN link ---------------------------------------------------------------------------------------

def _border_jorong_ids() -> set[int]:
    """Ids of the configured border jorong (RUJUKAN_BORDER_JORONG), in one query."""
    pairs = setting("RUJUKAN_BORDER_JORONG")
    if not pairs:
        return set()
    return set(db.session.scalars(select(Jorong.id).where(or_(
        *(and_(Jorong.nagari_code == nagari_code, Jorong.name == name) for nagari_code, name in pairs)))))


def sidilan_lookup(nik: str, user):
    """SIDILAN person with this NIK in the user's regency or a border jorong; the lookup is audited."""
    person = links.find_person(nik, {user.regency_id}, _border_jorong_ids())
    if person is not None:
        audit.record("view", "sidilan_person", person.person_id,
                     f"prefill rujukan dari SIDILAN orang #{person.person_id}")
    return person


# ---- patients -------------------------------------------------------------------------------------------

def _patient_errors(form, cascade, patient: Patient | None, user):
    """Every rule of the patient form; the messages go onto the form's fields. Returns (place errors,
    NIK check)."""
    form.validate()
    place_errors = cascade.errors()
    nik_check = None
    if form.nik.data:
        nik_check = check_nik(form.nik.data, sex=form.sex.data or None, birth_date=form.birth_date.data,
                              regency_code=form.home_regency.data or None)
        form.nik.errors = list(form.nik.errors) + nik_check.errors
    elif not form.no_nik_reason.data:
        form.nik.errors = list(form.nik.errors) + ["Isi NIK, atau tulis alasan tanpa NIK (mis. bayi baru lahir)."]
    if patient is not None and nik_check and nik_check.ok and service.patient_with_nik(
            user.organisation_id, nik_check.value, patient) is not None:
        form.nik.errors = list(form.nik.errors) + ["NIK ini sudah terdaftar untuk pasien lain di faskes ini."]
    jkn = clean_number(form.no_jkn.data)
    if form.no_jkn.data and not (len(jkn) == 13 and jkn.isdigit()):
        form.no_jkn.errors = list(form.no_jkn.errors) + ["No. Kartu JKN harus tepat 13 digit angka."]
    if form.jenis_kepesertaan.data != "non_jkn" and not form.no_jkn.data:
        form.no_jkn.errors = list(form.no_jkn.errors) + ["Peserta JKN: isi No. Kartu JKN (13 digit)."]
    return place_errors, nik_check


def save_patient(form, cascade, patient: Patient | None, user) -> Result:
    """Register a patient (``patient`` None) or save an edit. Registering a NIK this facility already has
    opens that patient instead (``known``), also when the rest of the form is not valid yet."""
    created = patient is None
    if not created and is_stale(patient, form.version.data):
        return Result(stale=True)
    place_errors, nik_check = _patient_errors(form, cascade, patient, user)
    invalid = bool(form.errors or place_errors)
    if created:
        if not invalid and (replay := submission.claim(form.submission_key.data)):
            return Result(replay=replay)
        # after the claim, so a replay of this submit is told apart from a second registration
        known = service.patient_with_nik(user.organisation_id, nik_check.value) if nik_check and nik_check.ok \
            else None
        if known is not None:
            db.session.rollback()
            return Result(known=known)
    if invalid:
        return Result(errors=place_errors, nik_check=nik_check)
    if created:
        patient = Patient(organisation_id=user.organisation_id)
        db.session.add(patient)
    patient.name = form.name.data
    patient.nik = nik_check.value if nik_check else None
    patient.no_nik_reason = None if patient.nik else form.no_nik_reason.data
    patient.no_jkn = clean_number(form.no_jkn.data) or None
    patient.status_peserta = form.status_peserta.data or None
    patient.jenis_kepesertaan = form.jenis_kepesertaan.data
    patient.birth_date = form.birth_date.data
    patient.sex = form.sex.data
    patient.home_regency_id = cascade.regency.id
    patient.kecamatan_code, patient.nagari_code, patient.jorong_id = (cascade.kecamatan, cascade.nagari,
                                                                      cascade.jorong_id)
    patient.address, patient.phone, patient.no_rm = form.address.data, form.phone.data, form.no_rm.data
    if patient.nik:
        person = sidilan_lookup(patient.nik, user)
        patient.sidilan_person_id = person.person_id if person else None
        patient.accessibility = service.accessibility_text(person) if person else None
    db.session.flush()
    audit.record("create" if created else "update", "rujukan_patient", patient.id,
                 f"{'mendaftarkan' if created else 'mengubah'} pasien rujukan #{patient.id}")
    if created:
        submission.remember(form.submission_key.data, url_for("rujukan.patient", patient_id=patient.id))
    db.session.commit()
    return Result(record=patient, warnings=list(nik_check.warnings) if nik_check else [])


# ---- referral drafts and the issue -------------------------------------------------------------------------

def typed_values(form) -> dict:
    """The referral form's values by field name; a field that failed its own validation counts as not given,
    so no invalid value reaches a rule's query or the referral."""
    return {name: None if f.errors else f.data for name, f in form._fields.items()}


def apply_border(ref: Referral, patient: Patient) -> None:
    """The border-service link (PKS) and the accessibility summary as they stand today."""
    origin = db.session.get(Organisation, ref.origin_id)
    destination = db.session.get(Organisation, ref.destination_id) if ref.destination_id else None
    border = service.border_for(patient, origin, destination, today_local())
    ref.border = border.covered
    ref.pks_agreement_id = border.coverage.agreement_id if border.covered else None
    ref.pks_snapshot = service.pks_snapshot(border.coverage) if border.covered else None
    ref.accessibility = patient.accessibility


def issue_referral(ref: Referral, user) -> tuple[dict[str, str], list[str]]:
    """The issue procedure, the same from the referral form and from the detail page: every rule for an issued
    letter, the border link as of today, the number, the audit. Returns (errors by field, warnings); raises
    ``service.TransitionError`` when the letter's state or the number format refuses it. Does not commit."""
    errors, warnings = service.check(ref, for_issue=True)
    if errors:
        return errors, warnings
    apply_border(ref, ref.patient or db.session.get(Patient, ref.patient_id))
    service.issue(ref, user)
    audit.record("update", "rujukan", ref.id, f"menerbitkan rujukan #{ref.id}")
    return {}, warnings


def save_referral(ref: Referral, form, user, *, created: bool, issue: bool) -> Result:
    """Save a new draft (``created``: ``ref`` not added yet) or an edit of a draft, and with ``issue`` also
    issue it, in one transaction. What was typed is checked as a whole before anything is copied onto ``ref``."""
    if not created and is_stale(ref, form.version.data):
        return Result(stale=True)
    valid = form.validate()
    errors, warnings = service.save_draft(ref, typed_values(form), for_issue=issue, invalid=set(form.errors))
    if not valid or errors:
        return Result(errors=errors, warnings=warnings)
    if created:
        if replay := submission.claim(form.submission_key.data):
            return Result(replay=replay)
        db.session.add(ref)
    apply_border(ref, ref.patient)
    db.session.flush()
    if created:
        service.log_event(ref, user, None, "draf")
    audit.record("create" if created else "update", "rujukan", ref.id,
                 f"{'membuat' if created else 'mengubah'} draf rujukan #{ref.id}")
    if ref.destination_id is None:
        audit.record("update", "rujukan", ref.id, f"rujukan #{ref.id}: tujuan teks bebas di luar direktori")
    if issue:
        try:
            errors, warnings = issue_referral(ref, user)
        except service.TransitionError as e:
            return _refusal(e)
        if errors:
            db.session.rollback()
            return Result(errors=errors, warnings=warnings)
    if created:
        submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    return Result(record=ref, warnings=warnings)


def issue_draft(ref: Referral, form, user) -> Result:
    """'Terbitkan' on the detail page: the issue procedure on the stored draft."""
    if not form.validate():
        return Result(errors=_first_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Result(replay=replay)
    if ref.status != "draf":
        db.session.rollback()
        return Result(refused="Rujukan ini sudah terbit.")
    try:
        errors, warnings = issue_referral(ref, user)
    except service.TransitionError as e:
        return _refusal(e)
    if errors:
        db.session.rollback()
        return Result(errors=errors, warnings=warnings)
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    return Result(record=ref, warnings=warnings)


COPY_FIELDS = ("jenis", "kategori", "tipe", "arah", "payer", "poli_name", "dasar", "anamnesis", "physical_exam", "bp",
               "pulse", "rr", "temperature", "weight", "height", "consciousness", "gcs", "supporting", "diag1_code",
               "diag1_name", "diag2_code", "diag2_name", "diag3_code", "diag3_name", "therapy_drug", "therapy_other",
               "bmhp", "procedures", "reason", "tacc", "tacc_time", "tacc_reason", "condition", "ambulance", "escort",
               "allergy", "note", "nakes_id")


def copy_referral(ref: Referral, form, user) -> Result:
    """A new draft from the content of a letter that is not reused (rejected, redirected, expired, cancelled),
    addressed to the facility the receiver redirected to (if any). Consent is asked again."""
    if not form.validate():
        return Result(errors=_first_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Result(replay=replay)
    new = Referral(origin_id=ref.origin_id, patient_id=ref.patient_id, created_by_id=user.id, status="draf",
                   **{name: getattr(ref, name) for name in COPY_FIELDS})
    if ref.status == "dialihkan" and ref.redirect_to_id:
        new.destination_id, new.poli_id, new.poli_name = ref.redirect_to_id, None, None
    else:
        new.destination_id, new.poli_id, new.destination_text = ref.destination_id, ref.poli_id, ref.destination_text
    db.session.add(new)
    db.session.flush()
    service.log_event(new, user, None, "draf", note=f"salinan dari rujukan #{ref.id}")
    audit.record("create", "rujukan", new.id, f"membuat draf rujukan #{new.id} dari rujukan #{ref.id}")
    submission.remember(form.submission_key.data, url_for("rujukan.referral_edit", ref_id=new.id))
    db.session.commit()
    return Result(record=new)


# ---- lifecycle ------------------------------------------------------------------------------------------

def record_action(ref: Referral, action: str, form, user) -> Result:
    """One lifecycle step (send, accept, reject, redirect, arrive, complete, cancel). A replay of the same submit
    lands on the letter; another submit of a step the state no longer allows is refused (``refused``)."""
    if not form.validate():
        return Result(errors=_first_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Result(replay=replay)
    try:
        target = service.redirect_target(ref, form.redirect_to_id.data) if action == "redirect" else None
        service.check_transition(ref, action, user, channel=form.channel.data, note=form.note.data)
    except service.TransitionError as e:
        return _refusal(e)
    if target is not None:
        ref.redirect_to_id = target.id
    service.transition(ref, action, user, channel=form.channel.data, note=form.note.data)
    audit.record("update", "rujukan", ref.id, f"rujukan #{ref.id}: {service.TRANSITIONS[action].label.lower()}")
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    return Result(record=ref)


def record_reply(ref: Referral, form, user) -> Result:
    """The receiving doctor's answer, recorded once."""
    if not form.validate():
        return Result(errors=_first_errors(form))
    found = icd.lookup(form.reply_diag.data)
    if found is None:
        return Result(errors={"reply_diag": "Kode ICD-10 tidak dikenal."})
    if replay := submission.claim(form.submission_key.data):
        return Result(replay=replay)
    try:
        service.check_transition(ref, "answer", user, channel=form.channel.data)
    except service.TransitionError as e:
        return _refusal(e)
    ref.reply_diag_code, ref.reply_diag_name = found
    ref.reply_therapy, ref.reply_advice = form.reply_therapy.data, form.reply_advice.data
    ref.reply_control_date = form.reply_control_date.data
    ref.reply_inpatient, ref.reply_finished = form.reply_inpatient.data, form.reply_finished.data
    ref.reply_doctor = form.reply_doctor.data
    service.transition(ref, "answer", user, channel=form.channel.data)
    audit.record("update", "rujukan", ref.id, f"jawaban rujukan #{ref.id} dicatat")
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    db.session.commit()
    return Result(record=ref)


# ---- facility directory -----------------------------------------------------------------------------------

PROFILE_FIELDS = ("whatsapp", "email", "ambulance", "travel_note", "capacity_note", "bpjs_office")


def facility_values(org: Organisation, profile: FacilityProfile | None) -> dict:
    """The directory entry as the facility form shows it (organisation and profile together)."""
    values = {"phone": org.phone, "address": org.address, "paper": (profile.paper if profile else None) or "A4"}
    values.update({name: getattr(profile, name) if profile else None for name in PROFILE_FIELDS})
    return values


def save_facility(org: Organisation, form, user) -> Result:
    """Save the directory entry. The organisation row carries the entry's version: every save updates it, so
    two clerks saving the same entry conflict whichever of its fields they change."""
    if is_stale(org, form.version.data):
        return Result(stale=True)
    if not form.validate():
        return Result(errors=_first_errors(form))
    profile = db.session.scalar(select(FacilityProfile).where(FacilityProfile.organisation_id == org.id))
    if profile is None:
        profile = FacilityProfile(organisation_id=org.id)
        db.session.add(profile)
    org.phone, org.address = form.phone.data or None, form.address.data or None
    flag_modified(org, "phone")  # the UPDATE (and its version check) happens even when only the profile changed
    if (form.capacity_note.data or None) != profile.capacity_note:
        profile.capacity_at = utcnow()
    for name in PROFILE_FIELDS:
        setattr(profile, name, getattr(form, name).data or None)
    profile.paper = form.paper.data
    audit.record("update", "rujukan_faskes", org.id, f"mengubah direktori faskes #{org.id}")
    db.session.commit()
    return Result(record=org)


def add_item(org: Organisation, model, values, noun: str, form) -> Result:
    """A poli or a health worker of the facility; ``values(form)`` gives the new row's columns."""
    if not form.validate():
        return Result(errors=_first_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Result(replay=replay)
    item = model(organisation_id=org.id, **values(form))
    db.session.add(item)
    audit.record("update", "rujukan_faskes", org.id, f"menambah {noun} faskes #{org.id}")
    submission.remember(form.submission_key.data, url_for("rujukan.facility", org_id=org.id))
    db.session.commit()
    return Result(record=item)


def deactivate_item(org: Organisation, item, kind: str) -> Result:
    """Take a poli or health worker off the lists (referrals keep pointing at it). The wanted state is in the
    request, so a repeated post changes nothing and is not audited twice."""
    if not item.active:
        return Result(refused="Data ini sudah nonaktif.")
    item.active = False
    audit.record("update", "rujukan_faskes", org.id, f"menonaktifkan {kind} #{item.id}")
    db.session.commit()
    return Result(record=item)
