"""Patients of a facility (docs/rujukan.md §4.2): the patient rules (NIK, the reason for a missing NIK, the JKN
card), registering and editing, one record per NIK per facility, the SIDILAN prefill, and the patient search."""

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Regency, regencies
from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.nik import check_nik, clean_number, missing_nik_reason
from blueprints.core.outcome import Outcome
from blueprints.core.pagination import paginate
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.versioning import is_stale
from blueprints.wilayah.service import Cascade

from . import links
from .border import border_jorong_ids
from .models import Patient, Referral
from .search import patient_ids

JKN_DIGITS_MESSAGE = "No. Kartu JKN harus tepat 13 digit angka."
JKN_REQUIRED_MESSAGE = "Peserta JKN: isi No. Kartu JKN (13 digit)."
NIK_TAKEN_MESSAGE = "NIK ini sudah terdaftar untuk pasien lain di faskes ini."


# ---- pure rules -------------------------------------------------------------------------------------------


def is_full_nik(value: str | None) -> bool:
    return bool(value) and len(value) == 16 and value.isdigit()


def jkn_problems(no_jkn: str | None, jenis_kepesertaan: str | None) -> list[str]:
    """The JKN card rules: a typed number is exactly 13 digits (separators ignored); a JKN member (a chosen
    membership other than ``non_jkn``) has one. No membership chosen (not known yet) asks for no number."""
    problems = []
    digits = clean_number(no_jkn)
    if no_jkn and not (len(digits) == 13 and digits.isdigit()):
        problems.append(JKN_DIGITS_MESSAGE)
    if jenis_kepesertaan and jenis_kepesertaan != "non_jkn" and not no_jkn:
        problems.append(JKN_REQUIRED_MESSAGE)
    return problems


#: SIDILAN's JKN membership (sidilan values.KEPESERTAAN_JKN) as this module's ``lists.KEPESERTAAN``; PBI-JK is
#: the central government's (APBN) contribution, "mandiri" a self-paying member (PBPU).
SIDILAN_KEPESERTAAN = {"PBI-JK": "pbi_apbn", "mandiri": "pbpu", "PPU": "ppu", "tidak_ada": "non_jkn"}


def sidilan_values(person) -> dict:
    """The patient form's fields SIDILAN's PersonSummary fills (field name -> value; only what it knows)."""
    values = {"name": person.name, "sex": person.sex, "birth_date": person.birth_date}
    if person.phone:
        values["phone"] = person.phone[:30]
    if person.address:
        values["address"] = person.address[:200]
    if person.jkn_status in SIDILAN_KEPESERTAAN:
        values["jenis_kepesertaan"] = SIDILAN_KEPESERTAAN[person.jkn_status]
    return values


def accessibility_text(person) -> str | None:
    """Only the summary the receiving facility needs, from SIDILAN's PersonSummary."""
    items = [a for a in person.accessibility if a]
    return "; ".join(items)[:300] or None


# ---- lookups ----------------------------------------------------------------------------------------------


def patient_with_nik(
    organisation_id: int, nik: str | None, other_than: Patient | None = None
) -> Patient | None:
    """The facility's patient registered with this (valid, 16-digit) NIK, if any: one person, one record per
    facility. Another facility may register the same NIK."""
    if not is_full_nik(nik):
        return None
    stmt = select(Patient).where(Patient.organisation_id == organisation_id, Patient.nik == nik)
    if other_than is not None and other_than.id is not None:
        stmt = stmt.where(Patient.id != other_than.id)
    return db.session.scalars(stmt.order_by(Patient.id).limit(1)).first()


def sidilan_lookup(nik: str, user):
    """SIDILAN person with this NIK in the user's regency or a border jorong; the lookup is audited."""
    person = links.find_person(nik, {user.regency_id}, border_jorong_ids())
    if person is not None:
        audit.record(
            "view",
            "sidilan_person",
            person.person_id,
            f"prefill rujukan dari SIDILAN orang #{person.person_id}",
        )
    return person


def home_regency(code, user, choices: list[Regency] | None = None) -> Regency:
    """The chosen home regency, one of the offered ones (``choices``, default every regency; never raw input),
    else the user's own."""
    choices = regencies() if choices is None else choices
    return next((r for r in choices if isinstance(code, str) and r.code == code), None) or user.regency


def stored_place(patient) -> dict:
    """The kecamatan / nagari / jorong of a stored patient (or a SIDILAN person) as cascade values."""
    return {
        "kecamatan": patient.kecamatan_code or "",
        "nagari": patient.nagari_code or "",
        "jorong": str(patient.jorong_id or ""),
    }


def place_text(cascade: Cascade) -> str:
    """'Kecamatan / Nagari / Jorong' of a place cascade, for the conflict page."""
    names = [
        next((w.name for w in cascade.kecamatan_options if w.code == cascade.kecamatan), ""),
        next((w.name for w in cascade.nagari_options if w.code == cascade.nagari), ""),
        next((j.name for j in cascade.jorong_options if str(j.id) == cascade.jorong), ""),
    ]
    return " / ".join(n for n in names if n)


# ---- search and prefill -----------------------------------------------------------------------------------


@dataclass
class Search:
    page: object
    digits: str
    sidilan: object = None  # SIDILAN PersonSummary when a full NIK found no patient here


def search_patients(q: str, page_arg, user) -> Search:
    """The facility's patients by NIK, No. JKN, name or No. RM; a full NIK that finds nobody is looked up in
    SIDILAN (audited, committed)."""
    digits = clean_number(q)
    stmt = scoped(Patient).order_by(Patient.name, Patient.id)
    if q:
        # the No. RM is the facility's own: compared among its patients only
        no_rm = and_(Patient.organisation_id == user.organisation_id, func.lower(Patient.no_rm) == q.lower())
        found = patient_ids(q, extra=[no_rm])
        stmt = stmt.where(Patient.id.in_(found))
    out = Search(page=paginate(stmt, page_arg, filters=("q",)), digits=digits)
    if is_full_nik(digits) and out.page.total == 0:
        out.sidilan = sidilan_lookup(digits, user)
        db.session.commit()
    return out


@dataclass
class Prefill:
    """What a new patient form starts with: ``known`` (this facility already has the NIK: open it instead), or
    the typed NIK with what SIDILAN knows of that person."""

    known: Patient | None = None
    nik: str = ""
    person: object = None
    regency_code: str | None = None
    place: dict = field(default_factory=dict)


def registration_prefill(nik_arg: str | None, user) -> Prefill:
    nik = clean_number(nik_arg)[:16]
    if (known := patient_with_nik(user.organisation_id, nik)) is not None:
        return Prefill(known=known)
    out = Prefill(nik=nik, regency_code=user.regency.code)
    if is_full_nik(nik):
        out.person = sidilan_lookup(nik, user)
        if out.person is not None:
            out.regency_code = db.session.get(Regency, out.person.regency_id).code
            out.place = stored_place(out.person)
            db.session.commit()
    return out


def form_prefill(patient: Patient | None, nik_arg: str | None, user) -> Prefill:
    """What the patient form starts with: an edit shows the stored patient's home regency and place; a new
    patient the NIK a search passed on (``registration_prefill``)."""
    if patient is not None:
        return Prefill(regency_code=patient.home_regency.code, place=stored_place(patient))
    return registration_prefill(nik_arg, user)


def patient_page(patient_id: int):
    """The patient, the last 20 letters and the NIK check; the view is audited (the caller commits after
    rendering)."""
    p = get_scoped_or_404(Patient, patient_id)
    refs = list(
        db.session.scalars(
            select(Referral)
            .where(Referral.patient_id == p.id)
            .options(joinedload(Referral.destination))
            .order_by(Referral.created_at.desc(), Referral.id.desc())
            .limit(20)
        )
    )
    nik_check = (
        check_nik(p.nik, sex=p.sex, birth_date=p.birth_date, regency_code=p.home_regency.code)
        if p.nik
        else None
    )
    audit.record("view", "rujukan_patient", p.id, f"melihat pasien rujukan #{p.id}")
    return p, refs, nik_check


# ---- save -------------------------------------------------------------------------------------------------


def _add_errors(field_, messages) -> None:
    field_.errors = list(field_.errors) + list(messages)


def _patient_errors(form, cascade, patient: Patient | None, user):
    """Every rule of the patient form; the messages go onto the form's fields. Returns (place errors,
    NIK check)."""
    form.validate()
    place_errors = cascade.errors()
    nik_check = None
    if form.nik.data:
        nik_check = check_nik(
            form.nik.data,
            sex=form.sex.data or None,
            birth_date=form.birth_date.data,
            regency_code=form.home_regency.data or None,
        )
        _add_errors(form.nik, nik_check.errors)
    elif message := missing_nik_reason(form.nik.data, form.no_nik_reason.data):
        _add_errors(form.nik, [message])
    if (
        patient is not None
        and nik_check
        and nik_check.ok
        and patient_with_nik(user.organisation_id, nik_check.value, patient) is not None
    ):
        _add_errors(form.nik, [NIK_TAKEN_MESSAGE])
    _add_errors(form.no_jkn, jkn_problems(form.no_jkn.data, form.jenis_kepesertaan.data))
    return place_errors, nik_check


def _copy_onto(patient: Patient, form, cascade, nik_check, user) -> None:
    patient.name = form.name.data
    patient.nik = nik_check.value if nik_check else None
    patient.no_nik_reason = None if patient.nik else form.no_nik_reason.data
    patient.no_jkn = clean_number(form.no_jkn.data) or None
    patient.status_peserta = form.status_peserta.data or None
    patient.jenis_kepesertaan = form.jenis_kepesertaan.data or None
    patient.birth_date = form.birth_date.data
    patient.sex = form.sex.data
    patient.home_regency_id = cascade.regency.id
    patient.kecamatan_code, patient.nagari_code, patient.jorong_id = (
        cascade.kecamatan,
        cascade.nagari,
        cascade.jorong_id,
    )
    patient.address, patient.phone, patient.no_rm = form.address.data, form.phone.data, form.no_rm.data
    if patient.nik:
        person = sidilan_lookup(patient.nik, user)
        patient.sidilan_person_id = person.person_id if person else None
        patient.accessibility = accessibility_text(person) if person else None


def save_patient(form, cascade, patient: Patient | None, user) -> Outcome:
    """Register a patient (``patient`` None) or save an edit. Registering a NIK this facility already has
    opens that patient instead (``related``), also when the rest of the form is not valid yet."""
    created = patient is None
    if not created and is_stale(patient, form.version.data):
        return Outcome(stale=True)
    place_errors, nik_check = _patient_errors(form, cascade, patient, user)
    invalid = bool(form.errors or place_errors)
    if created:
        if not invalid and (replay := submission.claim(form.submission_key.data)):
            return Outcome(replay=replay)
        # after the claim, so a replay of this submit is told apart from a second registration
        known = (
            patient_with_nik(user.organisation_id, nik_check.value) if nik_check and nik_check.ok else None
        )
        if known is not None:
            db.session.rollback()
            return Outcome(related=[known])
    if invalid:
        return Outcome(errors=place_errors, data={"nik_check": nik_check})
    if created:
        patient = Patient(organisation_id=user.organisation_id)
        db.session.add(patient)
    _copy_onto(patient, form, cascade, nik_check, user)
    db.session.flush()
    audit.record(
        "create" if created else "update",
        "rujukan_patient",
        patient.id,
        f"{'mendaftarkan' if created else 'mengubah'} pasien rujukan #{patient.id}",
    )
    if created:
        submission.remember(form.submission_key.data, url_for("rujukan.patient", patient_id=patient.id))
    db.session.commit()
    return Outcome(record=patient, warnings=list(nik_check.warnings) if nik_check else [])
