"""The emergency short form (docs/rujukan.md §4.5): one page, saved and issued in one step."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render

from .. import bp
from .. import emergency as em
from .. import lists as L
from .. import referrals as rf
from ..access import require_facility
from ..forms import EmergencyForm


def _render(form, patient, status=200, errors=None, warnings=None):
    general = []
    for name, message in (errors or {}).items():
        if name in form._fields:
            form[name].errors = list(form[name].errors) + [message]
        else:
            general.append(message)
    return render(
        "rujukan/emergency_form.html",
        status=status,
        form=form,
        patient=patient,
        general=general,
        warnings=warnings or [],
        **rf.destination_info(form.destination_id.data if not form.destination_id.errors else None),
    )


@bp.route("/pasien/<int:patient_id>/rujukan/gawat-darurat", methods=["GET", "POST"])
@audit.reads("rujukan_patient", "formulir rujukan gawat darurat pasien")
def emergency_new(patient_id: int):
    require_facility()
    patient = rf.patient_for_referral(patient_id)
    form = EmergencyForm()
    form.destination_id.choices = L.C(
        [(0, "— pilih dari direktori —")] + rf.destination_choices(current_user)
    )
    form.nakes_id.choices = L.C([(0, "— pilih —")] + rf.nakes_choices(current_user.organisation_id))
    if request.method != "POST":
        for name, value in em.form_defaults(patient).items():
            form[name].data = value
        return _render(form, patient)
    result = em.save_emergency(patient, form, current_user)
    if result.replay:
        return result.replay.response()
    if result.error:
        flash(result.error, "error")
        return redirect(url_for("rujukan.patient", patient_id=patient.id))
    if result.record is None:
        return _render(form, patient, FORM_INVALID, result.errors, result.warnings)
    for w in result.warnings:
        flash(w, "warn")
    flash(f"Rujukan gawat darurat diterbitkan dengan nomor {result.record.number}.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=result.record.id))
