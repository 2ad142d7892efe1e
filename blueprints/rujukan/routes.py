"""Patients, referral letters, lifecycle actions, ICD-10 search and the printed letter."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation, Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID, CreateForm, new_submission_key
from blueprints.core.nik import check_nik, clean_number
from blueprints.core.pagination import paginate
from blueprints.core.render import render, wants_fragment
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local, utcnow
from blueprints.core.versioning import conflict_response
from blueprints.wilayah.service import Cascade, is_cascade_refresh, regency_by_code

from . import bp, directory, icd, service, usecases
from . import lists as L
from .access import require_facility
from .forms import (ActionForm, EditPatientForm, EditReferralForm, NewPatientForm, NewReferralForm, ReferralForm,
                    ReplyForm, search_text)
from .models import STATUS_LABELS, STATUS_TONE, HealthWorker, Patient, Poli, Referral, ReferralEvent, is_dinkes
from .settings import setting


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


def _filtered(stmt, status: str, q: str):
    today = today_local()
    if status == "kedaluwarsa":
        stmt = stmt.where(service.expired_clause(today))
    elif status in service.EXPIRABLE:
        stmt = stmt.where(Referral.status == status, ~service.expired_clause(today))
    elif status in STATUS_LABELS:
        stmt = stmt.where(Referral.status == status)
    code_id = service.parse_code(q) if q else None
    if code_id is not None:  # the verification code typed from a returned paper slip
        return stmt.where(Referral.id == code_id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.join(Patient, Patient.id == Referral.patient_id).where(or_(
            func.lower(Referral.number).like(like), func.lower(Patient.name).like(like),
            Patient.nik == clean_number(q), Patient.no_jkn == clean_number(q)))
    return stmt


def _list_page(stmt, order, template: str, inbox: bool):
    """Outgoing and incoming lists: the same status filter, search, paging and fragment."""
    status = request.args.get("status", "")[:12]
    q = search_text(request.args.get("q"))
    page = paginate(_filtered(stmt, status, q).order_by(order, Referral.id.desc()), request.args.get("hal"))
    return render(template, "rujukan/_list.html", page=page, st=status, q=q, statuses=STATUS_FILTERS, inbox=inbox)


@bp.route("/")
@audit.reads("rujukan", "daftar rujukan keluar")
def index():
    if is_dinkes(current_user):
        return redirect(url_for("rujukan.recap"))
    require_facility()
    stmt = (scoped(Referral).where(Referral.origin_id == current_user.organisation_id)
            .options(joinedload(Referral.patient), joinedload(Referral.destination)))
    return _list_page(stmt, Referral.created_at.desc(), "rujukan/index.html", inbox=False)


@bp.route("/masuk")
@audit.reads("rujukan", "daftar rujukan masuk")
def inbox():
    """Incoming referrals addressed to this facility (never drafts)."""
    require_facility()
    stmt = (scoped(Referral).where(Referral.destination_id == current_user.organisation_id,
                                   Referral.status != "draf")
            .options(joinedload(Referral.patient), joinedload(Referral.origin)))
    return _list_page(stmt, Referral.issued_at.desc(), "rujukan/inbox.html", inbox=True)


# ---- patients ----------------------------------------------------------------------------------

@bp.route("/pasien")
@audit.reads("rujukan_patient", "daftar pasien")
def patients():
    require_facility()
    q = search_text(request.args.get("q"))
    digits = clean_number(q)
    stmt = scoped(Patient).order_by(Patient.name, Patient.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(Patient.nik == digits, Patient.no_jkn == digits, func.lower(Patient.name).like(like),
                              func.lower(Patient.no_rm) == q.lower()))
    page = paginate(stmt, request.args.get("hal"))
    sidilan = None
    if len(digits) == 16 and digits.isdigit() and page.total == 0:
        sidilan = usecases.sidilan_lookup(digits, current_user)
        db.session.commit()
    return render("rujukan/patients.html", "rujukan/_patients.html", page=page, q=q, digits=digits,
                  sidilan=sidilan)


def _regency_choices():
    return [(r.code, r.name) for r in db.session.scalars(select(Regency).order_by(Regency.code))]


def _home_regency(code) -> Regency:
    """The chosen home regency, looked up only when it is one of the offered codes (never raw input)."""
    known = code if isinstance(code, str) and code in {c for c, _ in _regency_choices()} else None
    return regency_by_code(known) or current_user.regency


def _patient_cascade(form, values) -> Cascade:
    return Cascade.build(_home_regency(form.home_regency.data), values, required=True)


def _patient_form_ctx(form, patient, cascade, errors, nik_check=None, person=None):
    return dict(form=form, patient=patient, cascade=cascade, errors=errors, nik_check=nik_check, person=person)


@bp.route("/pasien/wilayah")
@audit.not_sensitive
def patient_cascade():
    return render("wilayah/cascade_page.html", "wilayah/_cascade.html",
                  cascade=Cascade.build(_home_regency(request.args.get("home_regency")), request.args, required=True))


def _open_known_patient(known: Patient):
    flash("Pasien dengan NIK ini sudah terdaftar; data yang ada dibuka.", "warn")
    return redirect(url_for("rujukan.patient", patient_id=known.id))


def _place_text(cascade: Cascade) -> str:
    """'Kecamatan / Nagari / Jorong' of a place cascade, for the conflict page."""
    names = [next((w.name for w in cascade.kecamatan_options if w.code == cascade.kecamatan), ""),
             next((w.name for w in cascade.nagari_options if w.code == cascade.nagari), ""),
             next((j.name for j in cascade.jorong_options if str(j.id) == cascade.jorong), "")]
    return " / ".join(n for n in names if n)


def _stored_place(patient: Patient) -> dict:
    return {"kecamatan": patient.kecamatan_code or "", "nagari": patient.nagari_code or "",
            "jorong": str(patient.jorong_id or "")}


def _patient_conflict(form, patient: Patient, typed_place: Cascade):
    stored_place = Cascade.build(patient.home_regency, _stored_place(patient), required=True)
    form.wilayah.data = _place_text(typed_place)
    return conflict_response(form, patient, back_url=url_for("rujukan.patient_edit", patient_id=patient.id),
                             current={"home_regency": patient.home_regency.code,
                                      "wilayah": _place_text(stored_place)})


@bp.route("/pasien/baru", methods=["GET", "POST"])
@bp.route("/pasien/<int:patient_id>/ubah", methods=["GET", "POST"], endpoint="patient_edit")
@audit.reads("rujukan_patient", "formulir pasien")
def patient_new(patient_id: int | None = None):
    require_facility()
    patient = get_scoped_or_404(Patient, patient_id) if patient_id else None
    form = EditPatientForm(obj=patient) if patient is not None else NewPatientForm()
    form.home_regency.choices = L.C([("", "— pilih —")] + _regency_choices())
    person = None
    if request.method == "GET":
        if patient is not None:
            form.home_regency.data = patient.home_regency.code
            values = _stored_place(patient)
        else:
            form.home_regency.data = current_user.regency.code
            nik = clean_number(request.args.get("nik"))[:16]
            values = {}
            if (known := service.patient_with_nik(current_user.organisation_id, nik)) is not None:
                return _open_known_patient(known)
            if nik:
                form.nik.data = nik
            if len(nik) == 16 and nik.isdigit():
                person = usecases.sidilan_lookup(nik, current_user)
                if person is not None:
                    form.name.data, form.sex.data, form.birth_date.data = person.name, person.sex, person.birth_date
                    form.home_regency.data = db.session.get(Regency, person.regency_id).code
                    values = {"kecamatan": person.kecamatan_code or "", "nagari": person.nagari_code or "",
                              "jorong": str(person.jorong_id or "")}
                    db.session.commit()
        cascade = _patient_cascade(form, values)
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}, None, person))

    cascade = _patient_cascade(form, request.form)
    if is_cascade_refresh(request.form):
        return render("rujukan/patient_form.html", **_patient_form_ctx(form, patient, cascade, {}))
    result = usecases.save_patient(form, cascade, patient, current_user)
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
    p = get_scoped_or_404(Patient, patient_id)
    refs = list(db.session.scalars(select(Referral).where(Referral.patient_id == p.id)
                                   .options(joinedload(Referral.destination))
                                   .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(20)))
    nik_check = check_nik(p.nik, sex=p.sex, birth_date=p.birth_date,
                          regency_code=p.home_regency.code) if p.nik else None
    audit.record("view", "rujukan_patient", p.id, f"melihat pasien rujukan #{p.id}")
    response = render("rujukan/patient.html", p=p, refs=refs, nik_check=nik_check)
    db.session.commit()
    return response


# ---- referral form -----------------------------------------------------------------------------

def _fill_choices(form: ReferralForm) -> None:
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.facility_level.is_not(None),
                                                              Organisation.id != current_user.organisation_id)
                                   .options(joinedload(Organisation.regency))
                                   .order_by(Organisation.regency_id, Organisation.facility_level, Organisation.name)))
    form.destination_id.choices = L.C([(0, "— pilih dari direktori —")] + [
        (o.id, f"{o.name} · {o.facility_level} · {o.regency.short_name}") for o in orgs])
    stmt = (select(Poli.id, Poli.name, Poli.schedule, Organisation.name)
            .join(Organisation, Organisation.id == Poli.organisation_id).where(Poli.active.is_(True))
            .order_by(Organisation.name, Poli.name, Poli.id))
    dest_id = _chosen(form.destination_id)
    if dest_id:  # only the chosen facility's poli, with their schedule
        polis = db.session.execute(stmt.where(Poli.organisation_id == dest_id))
        form.poli_id.choices = L.C([(0, "— pilih —")] + [(pid, f"{pname} ({sched})" if sched else pname)
                                                          for pid, pname, sched, _ in polis])
    else:
        polis = db.session.execute(stmt)
        form.poli_id.choices = L.C([(0, "— pilih —")] + [(pid, f"{oname} — {pname}")
                                                          for pid, pname, _, oname in polis])
    nakes = db.session.scalars(select(HealthWorker).where(
        HealthWorker.organisation_id == current_user.organisation_id, HealthWorker.active.is_(True))
        .order_by(HealthWorker.name))
    form.nakes_id.choices = L.C([(0, "— pilih —")] + [(n.id, f"{n.name} ({n.profession_label})") for n in nakes])


def _take_picks(form: ReferralForm) -> None:
    """A result picked in the no-JS ICD-10 search (diagN_pick) replaces the typed code, before validation."""
    for i in (1, 2, 3):
        pick = request.form.get(f"diag{i}_pick")
        if pick:
            field = getattr(form, f"diag{i}")
            field.data, field.raw_data = pick.strip(), [pick]


def _stored_values(ref: Referral) -> dict:
    """The referral's values under the form's field names where the two differ (selects, diagnosis codes)."""
    values = {"destination_id": ref.destination_id or 0, "poli_id": ref.poli_id or 0, "nakes_id": ref.nakes_id or 0,
              "igd_call_accepted": {True: "ya", False: "tidak"}.get(ref.igd_call_accepted, "")}
    values.update({f"diag{i}": getattr(ref, f"diag{i}_code") or "" for i in (1, 2, 3)})
    return values


def _form_from(ref: Referral, from_request: bool) -> EditReferralForm:
    if from_request:
        return EditReferralForm()
    form = EditReferralForm(formdata=None, obj=ref)
    for name, value in _stored_values(ref).items():
        getattr(form, name).data = value
    return form


def _chosen(field) -> int | None:
    """The id picked in a select of ids when it is one of the offered choices, else None."""
    offered = {choice.value for choice in field.choices or []}
    return field.data if field.data and field.data in offered else None


def _destination_ctx(form) -> dict:
    """Contacts, capacity and travel note of the chosen destination, shown beside the choice."""
    dest_id = _chosen(form.destination_id)
    dest = db.session.get(Organisation, dest_id) if dest_id else None
    if dest is None or dest.facility_level is None:
        return {"dest": None, "dest_profile": None}
    return {"dest": dest, "dest_profile": directory.profile_of(dest.id)}


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
    result = usecases.save_referral(ref, form, current_user, created=created, issue=issue)
    if result.replay:
        return result.replay.response()
    if result.stale:
        return conflict_response(form, ref, back_url=url_for("rujukan.referral_edit", ref_id=ref.id),
                                 current=_stored_values(ref))
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
    patient = db.session.scalars(scoped(Patient).where(Patient.id == patient_id)
                                 .options(joinedload(Patient.jorong))).first()
    if patient is None:
        abort(404)
    ref = Referral(origin_id=current_user.organisation_id, patient_id=patient.id, patient=patient,
                   created_by_id=current_user.id, status="draf")
    form = NewReferralForm()
    _fill_choices(form)
    if request.method == "POST":
        return _save(ref, patient, form, created=True)
    form.jenis.data, form.kategori.data, form.tipe.data = "rj", "rj", "penuh"
    form.arah.data = "vertikal"
    form.payer.data = "pasien" if patient.jenis_kepesertaan == "non_jkn" else "bpjs"
    form.referred_at.data = utcnow().replace(second=0, microsecond=0)
    form.consent_date.data = today_local()
    border = {tuple(pair) for pair in setting("RUJUKAN_BORDER_JORONG")}
    if patient.jorong is not None and (patient.jorong.nagari_code, patient.jorong.name) in border:
        form.dasar.data = setting("RUJUKAN_BORDER_BASIS")  # the PKS link itself is checked at save
    return _render_form(form, None, patient)


def _own_draft(ref_id: int) -> Referral:
    ref = get_scoped_or_404(Referral, ref_id)
    if ref.origin_id != current_user.organisation_id:
        abort(404)
    return ref


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
    result = usecases.issue_draft(ref, form, current_user)
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
    if ref.effective_status(today_local()) not in service.COPYABLE:
        abort(404)
    form = CreateForm()
    result = usecases.copy_referral(ref, form, current_user)
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
    ref = db.session.scalars(scoped(Referral).where(Referral.id == ref_id).options(
        joinedload(Referral.patient).joinedload(Patient.home_regency),
        joinedload(Referral.patient).joinedload(Patient.jorong), joinedload(Referral.origin),
        joinedload(Referral.destination), joinedload(Referral.nakes), joinedload(Referral.redirect_to))).first()
    if ref is None:
        abort(404)
    events = list(db.session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == ref.id)
                                     .options(joinedload(ReferralEvent.organisation))
                                     .order_by(ReferralEvent.at, ReferralEvent.id)))
    side = service.side_of(ref, current_user)
    warnings = service.check(ref, for_issue=False)[1] if ref.status == "draf" and side == "sender" else []
    actions = service.allowed_actions(ref, current_user)
    form = ActionForm(formdata=None)
    if side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"] + L.C([("web", "Web")])
    facilities = db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.facility_level.is_not(None), Organisation.id.not_in([ref.origin_id, ref.destination_id or 0]))
        .order_by(Organisation.name)).all() if "redirect" in actions else []
    # each form on the page is its own submission; a form shown again keeps the key it was sent with
    keys = {name: new_submission_key() for name in (*actions, "issue", "copy")}
    if failed and failed.get("key"):
        keys[failed["action"]] = failed["key"]
    audit.record("view", "rujukan", ref.id, f"melihat rujukan #{ref.id}")
    response = render("rujukan/detail.html", status=status, ref=ref, events=events, side=side, actions=actions,
                      form=form, keys=keys, warnings=warnings, transitions=service.TRANSITIONS, facilities=facilities,
                      can_copy=side == "sender" and ref.effective_status(today_local()) in service.COPYABLE,
                      times=service.response_times(ref), duration=service.duration_text,
                      code=service.verify_code(ref.id) if ref.number else None, failed=failed)
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
    if action not in service.TRANSITIONS or action == "answer":
        abort(404)
    form = ActionForm()
    form.redirect_to_id.choices = []
    result = usecases.record_action(ref, action, form, current_user)
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
    """The receiving doctor's answer (§4.4); the sender may type it from the paper slip or a phone call."""
    ref = get_scoped_or_404(Referral, ref_id)
    form = ReplyForm()
    side = service.side_of(ref, current_user)
    if side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"]
    if request.method == "GET":
        if "answer" not in service.allowed_actions(ref, current_user):
            abort(404)
        form.channel.data = "web" if side == "receiver" else "kertas"
        form.reply_diag.data = ref.diag1_code
        return render("rujukan/reply_form.html", ref=ref, form=form)
    result = usecases.record_reply(ref, form, current_user)
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


from . import printing, reports  # noqa: E402,F401
