"""Patients: search, register / edit, the patient page, the place cascade."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import regency_choices
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
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


def _patient_cascade(form, values) -> Cascade:
    return Cascade.build(pt.home_regency(form.home_regency.data, current_user), values, required=True)


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


@bp.route("/pasien/baru", methods=["GET", "POST"])
@bp.route("/pasien/<int:patient_id>/ubah", methods=["GET", "POST"], endpoint="patient_edit")
@audit.reads("rujukan_patient", "formulir pasien")
def patient_new(patient_id: int | None = None):
    require_facility()
    patient = get_scoped_or_404(Patient, patient_id) if patient_id else None
    form = EditPatientForm(obj=patient) if patient is not None else NewPatientForm()
    form.home_regency.choices = L.C([("", "— pilih —")] + regency_choices("code"))
    person = None
    if request.method == "GET":
        if patient is not None:
            form.home_regency.data = patient.home_regency.code
            values = pt.stored_place(patient)
        else:
            prefill = pt.registration_prefill(request.args.get("nik"), current_user)
            if prefill.known is not None:
                return _open_known_patient(prefill.known)
            form.nik.data, form.home_regency.data, values = (
                prefill.nik or None,
                prefill.regency_code,
                prefill.place,
            )
            if (person := prefill.person) is not None:
                form.name.data, form.sex.data, form.birth_date.data = (
                    person.name,
                    person.sex,
                    person.birth_date,
                )
        cascade = _patient_cascade(form, values)
        return render(
            "rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}, None, person)
        )

    cascade = _patient_cascade(form, request.form)
    if is_cascade_refresh(request.form):
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}))
    result = pt.save_patient(form, cascade, patient, current_user)
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


@bp.route("/pasien/<int:patient_id>")
@audit.reads("rujukan_patient", "pasien")
def patient(patient_id: int):
    require_facility()
    p, refs, nik_check = pt.patient_page(patient_id)
    response = render("rujukan/patient.html", p=p, refs=refs, nik_check=nik_check)
    db.session.commit()
    return response
