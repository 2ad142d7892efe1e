"""Patients: search, register / edit, the patient page, the place cascade."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import regencies
from blueprints.core import audit, recovery
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.outcome import Outcome
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import bp
from .. import lists as L
from .. import patients as pt
from ..access import require_facility
from ..forms import EditPatientForm, NewPatientForm, search_text
from ..models import Patient


@bp.route("/pasien")
@audit.reads("rujukan_patient", "daftar pasien")
def patients():
    require_facility()
    q = search_text(request.args.get("q"))
    found = pt.search_patients(q, request.args.get("hal"), current_user)
    return render(
        "rujukan/patients.html",
        "rujukan/_patients.html",
        page=found.page,
        q=q,
        digits=found.digits,
        sidilan=found.sidilan,
    )


def _patient_cascade(form, values, choices=None) -> Cascade:
    home = pt.home_regency(form.home_regency.data, current_user, choices)
    return Cascade.build(home, values, required=True)


def _patient_form_ctx(form, patient, cascade, errors, nik_check=None, person=None):
    return dict(
        form=form, patient=patient, cascade=cascade, errors=errors, nik_check=nik_check, person=person
    )


@bp.route("/pasien/wilayah")
@audit.not_sensitive
def patient_cascade():
    return render(
        "wilayah/cascade_page.html",
        "wilayah/_cascade.html",
        cascade=Cascade.build(
            pt.home_regency(request.args.get("home_regency"), current_user), request.args, required=True
        ),
    )


def _open_known_patient(known: Patient):
    flash("Pasien dengan NIK ini sudah terdaftar; data yang ada dibuka.", "warn")
    return redirect(url_for("rujukan.patient", patient_id=known.id))


def _patient_conflict(form, patient: Patient, typed_place: Cascade):
    stored_place = Cascade.build(patient.home_regency, pt.stored_place(patient), required=True)
    form.wilayah.data = pt.place_text(typed_place)
    return conflict_response(
        form,
        patient,
        back_url=url_for("rujukan.patient_edit", patient_id=patient.id),
        current={"home_regency": patient.home_regency.code, "wilayah": pt.place_text(stored_place)},
    )


def _form_page(form, patient: Patient | None, choices):
    """The form as a GET shows it: filled from the stored patient (an edit, ``form`` holds its fields), or from
    the NIK a search passed on and what SIDILAN knows of that person; a NIK this facility has opens its patient."""
    if recovery.is_restored(form):  # given back after a timeout: what was typed, place selects included
        cascade = _patient_cascade(form, recovery.restored_fields(), choices)
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}))
    prefill = pt.form_prefill(patient, request.args.get("nik"), current_user)
    if prefill.known is not None:
        return _open_known_patient(prefill.known)
    form.home_regency.data = prefill.regency_code
    if patient is None:
        form.nik.data = prefill.nik or None
    if (person := prefill.person) is not None:
        for name, value in pt.sidilan_values(person).items():
            getattr(form, name).data = value
    cascade = _patient_cascade(form, prefill.place, choices)
    return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}, None, person))


def _saved_answer(result: Outcome, form, patient: Patient | None, cascade: Cascade):
    """The response to ``save_patient``: the first result of a replay, the conflict page, the patient this
    facility already has under the NIK, the form again with its messages, or the saved patient (PRG)."""
    if result.replay:
        return result.replay.response()
    if result.stale:
        return _patient_conflict(form, patient, cascade)
    if result.related:  # the NIK is already a patient of this facility
        return _open_known_patient(result.related[0])
    if result.record is None:
        return render(
            "rujukan/patient_form.html",
            status=FORM_INVALID,
            **_patient_form_ctx(form, patient, cascade, result.errors, result.data.get("nik_check")),
        )
    for w in result.warnings:
        flash(w, "warn")
    flash("Data pasien disimpan.", "ok")
    return redirect(url_for("rujukan.patient", patient_id=result.record.id))


@bp.route("/pasien/baru", methods=["GET", "POST"])
@bp.route("/pasien/<int:patient_id>/ubah", methods=["GET", "POST"], endpoint="patient_edit")
@audit.reads("rujukan_patient", "formulir pasien")
def patient_new(patient_id: int | None = None):
    require_facility()
    patient = get_scoped_or_404(Patient, patient_id) if patient_id else None
    # one query for the select and the chosen regency; read first, so the form filled from the patient finds
    # its home regency among them instead of loading it on its own
    choices = regencies()
    form = EditPatientForm(obj=patient) if patient is not None else NewPatientForm()
    form.home_regency.choices = L.C([("", "— pilih —")] + [(r.code, r.name) for r in choices])
    if request.method == "GET":
        return _form_page(form, patient, choices)
    cascade = _patient_cascade(form, request.form, choices)
    if is_cascade_refresh(request.form):
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}))
    return _saved_answer(pt.save_patient(form, cascade, patient, current_user), form, patient, cascade)


@bp.route("/pasien/<int:patient_id>")
@audit.reads("rujukan_patient", "pasien")
def patient(patient_id: int):
    require_facility()
    p, refs, nik_check = pt.patient_page(patient_id)
    response = render("rujukan/patient.html", p=p, refs=refs, nik_check=nik_check)
    db.session.commit()
    return response
