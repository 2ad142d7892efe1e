"""Referral letters: the form (new, edit), issue, copy, the detail page and its lifecycle actions."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit, recovery
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID, CreateForm, new_submission_key
from blueprints.core.render import render, wants_fragment
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response

from .. import bp, emergency, icd
from .. import lists as L
from .. import referrals as rf
from ..access import require_facility
from ..actions import record_action
from ..facilities import profile_of
from ..forms import ActionForm, EditReferralForm, NewReferralForm, ReferralForm
from ..lifecycle import TRANSITIONS, duration_text
from ..models import STATUS_LABELS, Patient, Referral
from ..printouts import LETTER_FIELDS, draft_texts, fit_note, letter_fit, letter_texts, paper_for


def _fill_choices(form: ReferralForm) -> None:
    form.destination_id.choices = L.C(
        [(0, "— pilih dari direktori —")] + rf.destination_choices(current_user)
    )
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
        return redirect(
            url_for("rujukan.facility", org_id=dest_id) if dest_id else url_for("rujukan.facilities")
        )
    _fill_choices(form)
    return render(
        "rujukan/icd.html",
        "rujukan/_tujuan.html",
        form=form,
        q="",
        results=[],
        slot=None,
        **_destination_ctx(form),
    )


def _queries(searched) -> dict:
    """The search boxes as typed, except a slot whose result was just picked and not searched again: its box
    empties, so a later Enter elsewhere does not repeat that search."""
    return {
        i: request.form.get(f"diag_q{i}", "")
        for i in (1, 2, 3)
        if i in searched or not request.form.get(f"diag{i}_pick")
    }


def _letter_fit(texts):
    """How the letter prints with these texts (printouts.letter_fit), for the "second page" hint. A4 first:
    only a letter too long for one A4 page looks up the facility's paper (one more query)."""
    fit = letter_fit(texts)
    if fit.continued and (paper := paper_for(None, profile_of(current_user.organisation_id))) != "A4":
        fit = letter_fit(texts, paper)
    return fit


def _form_texts(form, patient, diag_names: dict) -> list:
    values = {name: getattr(form, name).data for name in LETTER_FIELDS}
    codes = {i: getattr(form, f"diag{i}").data for i in (1, 2, 3)}
    return draft_texts(values, patient, [(codes[i], diag_names[i]) for i in (1, 2, 3) if codes[i]])


@bp.route("/perkiraan-surat", methods=["POST"])
def letter_estimate():
    """htmx: the form's "second page" hint again after a field changed (the estimate of the no-JS round trip,
    without the patient's address). Reads no record and writes nothing; without htmx there is nothing to show."""
    require_facility()
    if not wants_fragment():
        return redirect(url_for("rujukan.index"))
    values = {name: request.form.get(name, "")[:3000] for name in LETTER_FIELDS}
    codes = [request.form.get(f"diag{i}", "")[:10] for i in (1, 2, 3)]
    diagnoses = [(code, (icd.lookup(code) or ("", ""))[1]) for code in codes if code]
    note = fit_note(_letter_fit(draft_texts(values, None, diagnoses)))
    return render("rujukan/_letter_fit.html", "rujukan/_letter_fit.html", letter_note=note, live=True)


def _render_form(form, ref, patient, status=200, errors=None, warnings=None, icd_results=None):
    for name, message in (errors or {}).items():
        getattr(form, name).errors = list(getattr(form, name).errors) + [message]
    icd_results = icd_results or {}
    diag_names = {i: (icd.lookup(getattr(form, f"diag{i}").data) or ("", ""))[1] for i in (1, 2, 3)}
    return render(
        "rujukan/referral_form.html",
        status=status,
        form=form,
        ref=ref,
        patient=patient,
        **_destination_ctx(form),
        warnings=warnings or [],
        icd_results=icd_results,
        queries=_queries(icd_results),
        diag_names=diag_names,
        letter_note=fit_note(_letter_fit(_form_texts(form, patient, diag_names))),
    )


def _icd_refresh(form):
    """No-JS ICD-10 search: a slot's 'Cari' button re-shows the form with that slot's results, nothing saved.
    Enter in a search box sends the form's first button (``_icd=enter``, HTML implicit submission): it runs
    the searches typed in slots without a just-picked result, and never saves or throws a diagnosis away."""
    slot = request.form.get("_icd", "")
    if slot == "enter":
        typed = {i: request.form.get(f"diag_q{i}", "").strip() for i in (1, 2, 3)}
        return {i: icd.search(q) for i, q in typed.items() if q and not request.form.get(f"diag{i}_pick")}
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
        return conflict_response(
            form, ref, back_url=url_for("rujukan.referral_edit", ref_id=ref.id), current=rf.stored_values(ref)
        )
    if result.error:
        flash(result.error, "error")
        return redirect(url_for("rujukan.patient", patient_id=patient.id))
    if result.record is None:
        return _render_form(
            form,
            None if created else ref,
            patient,
            status=FORM_INVALID,
            errors=result.errors,
            warnings=result.warnings,
        )
    for w in result.warnings:
        flash(w, "warn")
    if note := fit_note(_letter_fit(letter_texts(ref))):
        flash(note, "warn")
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
    if not recovery.is_restored(form):  # a form given back after a timeout keeps what was typed
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
    if result.error:
        flash(result.error, "error")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    if result.record is None:
        form = _form_from(ref, from_request=False)
        _fill_choices(form)
        return _render_form(
            form, ref, ref.patient, status=FORM_INVALID, errors=result.errors, warnings=result.warnings
        )
    for w in result.warnings:
        flash(w, "warn")
    if note := fit_note(_letter_fit(letter_texts(ref))):
        flash(note, "warn")
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
    keys = {name: new_submission_key() for name in (*d.actions, "issue", "copy", "attach")}
    if failed and failed.get("key"):
        keys[failed["action"]] = failed["key"]
    response = render(
        "rujukan/detail.html",
        status=status,
        ref=d.ref,
        events=d.events,
        side=d.side,
        actions=d.actions,
        form=form,
        keys=keys,
        warnings=d.warnings,
        transitions=TRANSITIONS,
        facilities=d.redirect_choices,
        can_copy=d.can_copy,
        times=d.times,
        duration=duration_text,
        code=d.code,
        failed=failed,
        timeline=emergency.timeline(d.ref, d.events) if d.ref.jenis == "igd" else [],
    )
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
    if result.error:  # the letter's state no longer allows this step
        return _detail_page(ref.id, 409, failed=_failed(action, {"": result.error}, form))
    if result.record is None:
        return _detail_page(ref.id, FORM_INVALID, failed=_failed(action, result.errors, form))
    flash(f"Status rujukan: {STATUS_LABELS[ref.status]}.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))
