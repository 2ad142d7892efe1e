"""Patients, referral letters, lifecycle actions, ICD-10 search and the printed letter."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import regency_choices
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID, CreateForm, new_submission_key
from blueprints.core.render import render, wants_fragment
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local
from blueprints.core.versioning import conflict_response
from blueprints.core import audit
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from . import bp, icd, patients as pt, referrals as rf
from . import lists as L
from .access import is_dinkes, require_facility, side_of
from .actions import record_action
from .forms import (ActionForm, EditPatientForm, EditReferralForm, NewPatientForm, NewReferralForm, ReferralForm,
                    ReplyForm, search_text)
from .lifecycle import TRANSITIONS, allowed_actions, duration_text
from .models import STATUS_LABELS, STATUS_TONE, Patient, Referral
from .replies import record_reply, reply_defaults


@bp.app_template_global("rj_status")
def rj_status(ref: Referral) -> tuple[str, str]:
    status = ref.effective_status(today_local())
    return STATUS_LABELS[status], STATUS_TONE.get(status, "")


@bp.context_processor
def _lists():
    return {"L": L}


@bp.app_template_filter("rjnum")
def rjnum(value) -> str:
    """36.8 -> '36,8', 58.0 -> '58', None -> '–' (vital signs on screen and paper)."""
    if value is None:
        return "–"
    return f"{value:g}".replace(".", ",")


# ---- lists -------------------------------------------------------------------------------------

STATUS_FILTERS = {"": "Semua status", **STATUS_LABELS}


def _list_page(template: str, inbox: bool):
    """Outgoing and incoming lists: the same status filter, search, paging and fragment."""
    status = request.args.get("status", "")[:12]
    q = search_text(request.args.get("q"))
    page = rf.letter_list(inbox, current_user, status, q, request.args.get("hal"))
    return render(template, "rujukan/_list.html", page=page, st=status, q=q, statuses=STATUS_FILTERS, inbox=inbox)


@bp.route("/")
@audit.reads("rujukan", "daftar rujukan keluar")
def index():
    if is_dinkes(current_user):
        return redirect(url_for("rujukan.recap"))
    require_facility()
    return _list_page("rujukan/index.html", inbox=False)


@bp.route("/masuk")
@audit.reads("rujukan", "daftar rujukan masuk")
def inbox():
    """Incoming referrals addressed to this facility (never drafts)."""
    require_facility()
    return _list_page("rujukan/inbox.html", inbox=True)


# ---- patients ----------------------------------------------------------------------------------

@bp.route("/pasien")
@audit.reads("rujukan_patient", "daftar pasien")
def patients():
    require_facility()
    q = search_text(request.args.get("q"))
    found = pt.search_patients(q, request.args.get("hal"), current_user)
    return render("rujukan/patients.html", "rujukan/_patients.html", page=found.page, q=q, digits=found.digits,
                  sidilan=found.sidilan)


def _patient_cascade(form, values) -> Cascade:
    return Cascade.build(pt.home_regency(form.home_regency.data, current_user), values, required=True)


def _patient_form_ctx(form, patient, cascade, errors, nik_check=None, person=None):
    return dict(form=form, patient=patient, cascade=cascade, errors=errors, nik_check=nik_check, person=person)


@bp.route("/pasien/wilayah")
@audit.not_sensitive
def patient_cascade():
    return render("wilayah/cascade_page.html", "wilayah/_cascade.html",
                  cascade=Cascade.build(pt.home_regency(request.args.get("home_regency"), current_user), request.args,
                                        required=True))


def _open_known_patient(known: Patient):
    flash("Pasien dengan NIK ini sudah terdaftar; data yang ada dibuka.", "warn")
    return redirect(url_for("rujukan.patient", patient_id=known.id))


def _patient_conflict(form, patient: Patient, typed_place: Cascade):
    stored_place = Cascade.build(patient.home_regency, pt.stored_place(patient), required=True)
    form.wilayah.data = pt.place_text(typed_place)
    return conflict_response(form, patient, back_url=url_for("rujukan.patient_edit", patient_id=patient.id),
                             current={"home_regency": patient.home_regency.code,
                                      "wilayah": pt.place_text(stored_place)})


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
            form.nik.data, form.home_regency.data, values = prefill.nik or None, prefill.regency_code, prefill.place
            if (person := prefill.person) is not None:
                form.name.data, form.sex.data, form.birth_date.data = person.name, person.sex, person.birth_date
        cascade = _patient_cascade(form, values)
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}, None, person))

    cascade = _patient_cascade(form, request.form)
    if is_cascade_refresh(request.form):
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}))
    result = pt.save_patient(form, cascade, patient, current_user)
    if result.replay:
        return result.replay.response()
    if result.stale:
        return _patient_conflict(form, patient, cascade)
    if result.known:
        return _open_known_patient(result.known)
    if result.record is None:
        return render("rujukan/patient_form.html", status=FORM_INVALID,
                      **_patient_form_ctx(form, patient, cascade, result.errors, result.nik_check))
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


# ---- referral form -----------------------------------------------------------------------------

def _fill_choices(form: ReferralForm) -> None:
    form.destination_id.choices = L.C([(0, "— pilih dari direktori —")] + rf.destination_choices(current_user))
    # once a facility is chosen, only its poli, with their schedule
    form.poli_id.choices = L.C([(0, "— pilih —")] + rf.poli_choices(_chosen(form.destination_id)))
    form.nakes_id.choices = L.C([(0, "— pilih —")] + rf.nakes_choices(current_user.organisation_id))


def _take_picks(form: ReferralForm) -> None:
    """A result picked in the no-JS ICD-10 search (diagN_pick) replaces the typed code, before validation."""
    for i in (1, 2, 3):
        pick = request.form.get(f"diag{i}_pick")
        if pick:
            field = getattr(form, f"diag{i}")
            field.data, field.raw_data = pick.strip(), [pick]


def _form_from(ref: Referral, from_request: bool) -> EditReferralForm:
    if from_request:
        return EditReferralForm()
    form = EditReferralForm(formdata=None, obj=ref)
    for name, value in rf.stored_values(ref).items():
        getattr(form, name).data = value
    return form


def _chosen(field) -> int | None:
    """The id picked in a select of ids when it is one of the offered choices, else None."""
    offered = {choice.value for choice in field.choices or []}
    return field.data if field.data and field.data in offered else None


def _destination_ctx(form) -> dict:
    """Contacts, capacity and travel note of the chosen destination, shown beside the choice."""
    return rf.destination_info(_chosen(form.destination_id))


@bp.route("/tujuan")
@audit.not_sensitive
def destination_info():
    """htmx: the destination block refreshed when the facility changes (its poli, capacity, contacts)."""
    require_facility()
    form = ReferralForm(formdata=request.args, meta={"csrf": False})
    if not wants_fragment():
        dest_id = form.destination_id.data
        return redirect(url_for("rujukan.facility", org_id=dest_id) if dest_id else url_for("rujukan.facilities"))
    _fill_choices(form)
    return render("rujukan/icd.html", "rujukan/_tujuan.html", form=form, q="", results=[], slot=None,
                  **_destination_ctx(form))


def _render_form(form, ref, patient, status=200, errors=None, warnings=None, icd_results=None):
    for name, message in (errors or {}).items():
        getattr(form, name).errors = list(getattr(form, name).errors) + [message]
    return render("rujukan/referral_form.html", status=status, form=form, ref=ref, patient=patient,
                  **_destination_ctx(form),
                  warnings=warnings or [], icd_results=icd_results or {},
                  diag_names={i: (icd.lookup(getattr(form, f"diag{i}").data) or ("", ""))[1] for i in (1, 2, 3)})


def _icd_refresh(form):
    """No-JS ICD-10 search: the 'Cari' button re-shows the form with results, nothing saved."""
    slot = request.form.get("_icd", "")
    if slot not in ("1", "2", "3"):
        return None
    return {int(slot): icd.search(request.form.get(f"diag_q{slot}", ""))}


def _save(ref: Referral, patient: Patient, form, created: bool):
    """Save the referral form: refreshes of the no-JS form save nothing; a refusal re-shows the form (422) with
    the typed values; a stale edit gets the conflict page."""
    _take_picks(form)
    if request.form.get("_tujuan"):  # no-JS: show the chosen facility's poli and contacts, save nothing
        return _render_form(form, ref if not created else None, patient)
    icd_results = _icd_refresh(form)
    if icd_results is not None:
        return _render_form(form, ref if not created else None, patient, icd_results=icd_results)
    issue = request.form.get("terbitkan") == "1"
    result = rf.save_referral(ref, form, current_user, created=created, issue=issue)
    if result.replay:
        return result.replay.response()
    if result.stale:
        return conflict_response(form, ref, back_url=url_for("rujukan.referral_edit", ref_id=ref.id),
                                 current=rf.stored_values(ref))
    if result.refused:
        flash(result.refused, "error")
        return redirect(url_for("rujukan.patient", patient_id=patient.id))
    if result.record is None:
        return _render_form(form, None if created else ref, patient, status=FORM_INVALID, errors=result.errors,
                            warnings=result.warnings)
    for w in result.warnings:
        flash(w, "warn")
    flash(f"Rujukan diterbitkan dengan nomor {ref.number}." if issue else "Draf rujukan disimpan.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))


@bp.route("/pasien/<int:patient_id>/rujukan/baru", methods=["GET", "POST"])
@audit.reads("rujukan_patient", "formulir rujukan baru pasien")
def referral_new(patient_id: int):
    require_facility()
    patient = rf.patient_for_referral(patient_id)
    ref = rf.new_draft(patient, current_user)
    form = NewReferralForm()
    _fill_choices(form)
    if request.method == "POST":
        return _save(ref, patient, form, created=True)
    for name, value in rf.draft_defaults(patient).items():
        getattr(form, name).data = value
    return _render_form(form, None, patient)


def _own_draft(ref_id: int) -> Referral:
    return rf.own_referral(ref_id, current_user)


@bp.route("/<int:ref_id>/ubah", methods=["GET", "POST"])
@audit.reads("rujukan", "formulir ubah rujukan")
def referral_edit(ref_id: int):
    ref = _own_draft(ref_id)
    if ref.status != "draf":
        flash("Rujukan yang sudah terbit tidak dapat diubah; batalkan lalu buat rujukan baru.", "error")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    form = _form_from(ref, from_request=request.method == "POST")
    _fill_choices(form)
    if request.method == "POST":
        return _save(ref, ref.patient, form, created=False)
    return _render_form(form, ref, ref.patient)


@bp.route("/<int:ref_id>/terbitkan", methods=["POST"])
def referral_issue(ref_id: int):
    """Issue from the detail page; when a rule fails, the form comes back with the errors at the fields."""
    ref = _own_draft(ref_id)
    form = CreateForm()
    result = rf.issue_draft(ref, form, current_user)
    if result.replay:
        return result.replay.response()
    if form.errors:
        return _detail_page(ref.id, FORM_INVALID, failed=_failed("issue", result.errors, form))
    if result.refused:
        flash(result.refused, "error")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    if result.record is None:
        form = _form_from(ref, from_request=False)
        _fill_choices(form)
        return _render_form(form, ref, ref.patient, status=FORM_INVALID, errors=result.errors,
                            warnings=result.warnings)
    for w in result.warnings:
        flash(w, "warn")
    flash(f"Rujukan diterbitkan dengan nomor {ref.number}.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))


@bp.route("/<int:ref_id>/salin", methods=["POST"])
def referral_copy(ref_id: int):
    """A rejected, redirected, expired or cancelled letter is not reused: a new draft starts from its content."""
    ref = _own_draft(ref_id)
    if not rf.copyable(ref):
        abort(404)
    form = CreateForm()
    result = rf.copy_referral(ref, form, current_user)
    if result.replay:
        return result.replay.response()
    if result.record is None:
        return _detail_page(ref.id, FORM_INVALID, failed=_failed("copy", result.errors, form))
    flash("Draf baru dibuat dari rujukan sebelumnya. Periksa tujuan dan catat persetujuan pasien.", "ok")
    return redirect(url_for("rujukan.referral_edit", ref_id=result.record.id))


# ---- detail and actions -------------------------------------------------------------------------

@bp.route("/<int:ref_id>")
@audit.reads("rujukan", "rujukan")
def detail(ref_id: int):
    return _detail_page(ref_id)


def _detail_page(ref_id: int, status: int = 200, failed: dict | None = None):
    """The letter with its actions. ``failed``: the refused action form shown again (action, errors by field,
    typed values), answered with ``status``."""
    d = rf.detail(ref_id, current_user)
    form = ActionForm(formdata=None)
    if d.side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"] + L.C([("web", "Web")])
    # each form on the page is its own submission; a form shown again keeps the key it was sent with
    keys = {name: new_submission_key() for name in (*d.actions, "issue", "copy")}
    if failed and failed.get("key"):
        keys[failed["action"]] = failed["key"]
    response = render("rujukan/detail.html", status=status, ref=d.ref, events=d.events, side=d.side,
                      actions=d.actions, form=form, keys=keys, warnings=d.warnings, transitions=TRANSITIONS,
                      facilities=d.redirect_choices, can_copy=d.can_copy, times=d.times, duration=duration_text,
                      code=d.code, failed=failed)
    db.session.commit()  # after rendering, so the page does not reload what the commit expired
    return response


def _failed(action: str, errors: dict[str, str], form) -> dict:
    """A refused form of the detail page: its errors, what was typed, and its submission key (a fresh one when
    the post carried none)."""
    typed = {name: request.form.get(name, "")[:300] for name in ("channel", "note", "redirect_to_id")}
    return {"action": action, "errors": errors, "values": typed, "key": form.submission_key.data}


@bp.route("/<int:ref_id>/aksi/<action>", methods=["POST"])
def referral_action(ref_id: int, action: str):
    ref = get_scoped_or_404(Referral, ref_id)
    if action not in TRANSITIONS or action == "answer":
        abort(404)
    form = ActionForm()
    form.redirect_to_id.choices = []
    result = record_action(ref, action, form, current_user)
    if result.replay:
        return result.replay.response()
    if result.refused:  # the letter's state no longer allows this step
        return _detail_page(ref.id, 409, failed=_failed(action, {"": result.refused}, form))
    if result.record is None:
        return _detail_page(ref.id, FORM_INVALID, failed=_failed(action, result.errors, form))
    flash(f"Status rujukan: {STATUS_LABELS[ref.status]}.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))


@bp.route("/<int:ref_id>/jawab", methods=["GET", "POST"])
@audit.reads("rujukan", "formulir jawaban rujukan")
def referral_reply(ref_id: int):
    """The receiving doctor's answer (docs/rujukan.md §4.4); the sender may type it from slip or call."""
    ref = get_scoped_or_404(Referral, ref_id)
    form = ReplyForm()
    side = side_of(ref, current_user)
    if side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"]
    if request.method == "GET":
        if "answer" not in allowed_actions(ref, current_user):
            abort(404)
        for name, value in reply_defaults(ref, side).items():
            getattr(form, name).data = value
        return render("rujukan/reply_form.html", ref=ref, form=form)
    result = record_reply(ref, form, current_user)
    if result.replay:
        return result.replay.response()
    if result.record is not None:
        flash("Jawaban rujukan disimpan; faskes asal dapat melihatnya.", "ok")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    for name, message in result.errors.items():
        if message not in getattr(form, name).errors:
            getattr(form, name).errors = list(getattr(form, name).errors) + [message]
    return render("rujukan/reply_form.html", status=409 if result.refused else FORM_INVALID, ref=ref, form=form,
                  error=result.refused)


# ---- ICD-10 search ------------------------------------------------------------------------------

@bp.route("/icd")
@audit.not_sensitive
def icd_search():
    slot = request.args.get("slot", "")
    slot = int(slot) if slot in ("1", "2", "3") else None
    q = (request.args.get(f"diag_q{slot}") if slot else None) or request.args.get("q") or ""
    q = q.strip()[:60]
    return render("rujukan/icd.html", "rujukan/_icd_results.html", q=q, results=icd.search(q), slot=slot)


@bp.route("/icd/pilih")
@audit.not_sensitive
def icd_pick():
    """htmx: a picked result fills its diagnosis slot."""
    slot = request.args.get("slot", "")
    if slot not in ("1", "2", "3"):
        abort(404)
    found = icd.lookup(request.args.get("code"))
    form = ReferralForm(formdata=None)
    getattr(form, f"diag{slot}").data = found[0] if found else ""
    return render("rujukan/icd.html", "rujukan/_diag.html", form=form, i=int(slot),
                  diag_names={int(slot): found[1] if found else ""}, icd_results={}, q="", results=[], slot=None)

