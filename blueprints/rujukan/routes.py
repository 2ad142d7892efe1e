"""Patients, referral letters, lifecycle actions, ICD-10 search and the printed letter."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation, Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.nik import check_nik, clean_number
from blueprints.core.pagination import paginate
from blueprints.core.render import render, wants_fragment
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local, utcnow
from blueprints.wilayah.models import Jorong
from blueprints.wilayah.service import Cascade, is_cascade_refresh, regency_by_code

from . import bp, directory, icd, links, service
from . import lists as L
from .access import require_facility
from .forms import ActionForm, PatientForm, ReferralForm, ReplyForm, search_text
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
def index():
    if is_dinkes(current_user):
        return redirect(url_for("rujukan.recap"))
    require_facility()
    stmt = (scoped(Referral).where(Referral.origin_id == current_user.organisation_id)
            .options(joinedload(Referral.patient), joinedload(Referral.destination)))
    return _list_page(stmt, Referral.created_at.desc(), "rujukan/index.html", inbox=False)


@bp.route("/masuk")
def inbox():
    """Incoming referrals addressed to this facility (never drafts)."""
    require_facility()
    stmt = (scoped(Referral).where(Referral.destination_id == current_user.organisation_id,
                                   Referral.status != "draf")
            .options(joinedload(Referral.patient), joinedload(Referral.origin)))
    return _list_page(stmt, Referral.issued_at.desc(), "rujukan/inbox.html", inbox=True)


# ---- patients ----------------------------------------------------------------------------------

def _border_jorong_ids() -> set[int]:
    """Ids of the configured border jorong (RUJUKAN_BORDER_JORONG), in one query."""
    pairs = setting("RUJUKAN_BORDER_JORONG")
    if not pairs:
        return set()
    return set(db.session.scalars(select(Jorong.id).where(or_(
        *(and_(Jorong.nagari_code == nagari_code, Jorong.name == name) for nagari_code, name in pairs)))))


def _sidilan_lookup(nik: str):
    """SIDILAN person with this NIK in the user's regency or a border jorong; the lookup is audited."""
    person = links.find_person(nik, {current_user.regency_id}, _border_jorong_ids())
    if person is not None:
        audit.record("view", "sidilan_person", person.person_id,
                     f"prefill rujukan dari SIDILAN orang #{person.person_id}")
    return person


@bp.route("/pasien")
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
        sidilan = _sidilan_lookup(digits)
        db.session.commit()
    return render("rujukan/patients.html", "rujukan/_patients.html", page=page, q=q, digits=digits,
                  sidilan=sidilan)


def _regency_choices():
    return [(r.code, r.name) for r in db.session.scalars(select(Regency).order_by(Regency.code))]


def _home_regency(code) -> Regency:
    """The chosen home regency, looked up only when it is one of the offered codes (never raw input)."""
    known = code if isinstance(code, str) and code in {c for c, _ in _regency_choices()} else None
    return regency_by_code(known) or current_user.regency


def _patient_cascade(form: PatientForm, values) -> Cascade:
    return Cascade.build(_home_regency(form.home_regency.data), values, required=True)


def _patient_form_ctx(form, patient, cascade, errors, nik_check=None, person=None):
    return dict(form=form, patient=patient, cascade=cascade, errors=errors, nik_check=nik_check, person=person)


@bp.route("/pasien/wilayah")
def patient_cascade():
    return render("wilayah/cascade_page.html", "wilayah/_cascade.html",
                  cascade=Cascade.build(_home_regency(request.args.get("home_regency")), request.args, required=True))


def _open_known_patient(known: Patient):
    flash("Pasien dengan NIK ini sudah terdaftar; data yang ada dibuka.", "warn")
    return redirect(url_for("rujukan.patient", patient_id=known.id))


@bp.route("/pasien/baru", methods=["GET", "POST"])
@bp.route("/pasien/<int:patient_id>/ubah", methods=["GET", "POST"], endpoint="patient_edit")
def patient_new(patient_id: int | None = None):
    require_facility()
    patient = get_scoped_or_404(Patient, patient_id) if patient_id else None
    form = PatientForm(obj=patient)
    form.home_regency.choices = L.C([("", "— pilih —")] + _regency_choices())
    person = None
    if request.method == "GET":
        if patient is not None:
            form.home_regency.data = patient.home_regency.code
            values = {"kecamatan": patient.kecamatan_code or "", "nagari": patient.nagari_code or "",
                      "jorong": str(patient.jorong_id or "")}
        else:
            form.home_regency.data = current_user.regency.code
            nik = clean_number(request.args.get("nik"))[:16]
            values = {}
            if (known := service.patient_with_nik(current_user.organisation_id, nik)) is not None:
                return _open_known_patient(known)
            if nik:
                form.nik.data = nik
            if len(nik) == 16 and nik.isdigit():
                person = _sidilan_lookup(nik)
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
    errors = cascade.errors()
    ok = form.validate_on_submit()
    nik_check = None
    if form.nik.data:
        nik_check = check_nik(form.nik.data, sex=form.sex.data or None, birth_date=form.birth_date.data,
                              regency_code=form.home_regency.data or None)
        form.nik.errors = list(form.nik.errors) + nik_check.errors
    elif not form.no_nik_reason.data:
        form.nik.errors = list(form.nik.errors) + ["Isi NIK, atau tulis alasan tanpa NIK (mis. bayi baru lahir)."]
    known = (service.patient_with_nik(current_user.organisation_id, nik_check.value, patient)
             if nik_check and nik_check.ok else None)
    if known is not None and patient is None:  # registering someone this facility already has
        return _open_known_patient(known)
    if known is not None:
        form.nik.errors = list(form.nik.errors) + ["NIK ini sudah terdaftar untuk pasien lain di faskes ini."]
    jkn = clean_number(form.no_jkn.data)
    if form.no_jkn.data and not (len(jkn) == 13 and jkn.isdigit()):
        form.no_jkn.errors = list(form.no_jkn.errors) + ["No. Kartu JKN harus tepat 13 digit angka."]
    if form.jenis_kepesertaan.data != "non_jkn" and not form.no_jkn.data:
        form.no_jkn.errors = list(form.no_jkn.errors) + ["Peserta JKN: isi No. Kartu JKN (13 digit)."]
    if not ok or errors or form.nik.errors or form.no_jkn.errors:
        return render("rujukan/patient_form.html", status=422,
                      **_patient_form_ctx(form, patient, cascade, errors, nik_check))
    created = patient is None
    if created:
        patient = Patient(organisation_id=current_user.organisation_id)
        db.session.add(patient)
    patient.name = form.name.data
    patient.nik = nik_check.value if nik_check else None
    patient.no_nik_reason = None if patient.nik else form.no_nik_reason.data
    patient.no_jkn = jkn or None
    patient.status_peserta = form.status_peserta.data or None
    patient.jenis_kepesertaan = form.jenis_kepesertaan.data
    patient.birth_date = form.birth_date.data
    patient.sex = form.sex.data
    patient.home_regency_id = cascade.regency.id
    patient.kecamatan_code, patient.nagari_code, patient.jorong_id = (cascade.kecamatan, cascade.nagari,
                                                                      cascade.jorong_id)
    patient.address, patient.phone, patient.no_rm = form.address.data, form.phone.data, form.no_rm.data
    if patient.nik:
        person = _sidilan_lookup(patient.nik)
        patient.sidilan_person_id = person.person_id if person else None
        patient.accessibility = service.accessibility_text(person) if person else None
    db.session.flush()
    audit.record("create" if created else "update", "rujukan_patient", patient.id,
                 f"{'mendaftarkan' if created else 'mengubah'} pasien rujukan #{patient.id}")
    db.session.commit()
    for w in (nik_check.warnings if nik_check else []):
        flash(w, "warn")
    flash("Data pasien disimpan.", "ok")
    return redirect(url_for("rujukan.patient", patient_id=patient.id))


@bp.route("/pasien/<int:patient_id>")
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


def _typed(form: ReferralForm) -> dict:
    """The form's values by field name; a field that failed its own validation counts as not given, so no
    invalid value reaches a rule's query or the referral."""
    return {name: None if field.errors else field.data for name, field in form._fields.items()}


def _take_picks(form: ReferralForm) -> None:
    """A result picked in the no-JS ICD-10 search (diagN_pick) replaces the typed code, before validation."""
    for i in (1, 2, 3):
        pick = request.form.get(f"diag{i}_pick")
        if pick:
            field = getattr(form, f"diag{i}")
            field.data, field.raw_data = pick.strip(), [pick]


def _form_from(ref: Referral, from_request: bool) -> ReferralForm:
    if from_request:
        return ReferralForm()
    form = ReferralForm(formdata=None, obj=ref)
    form.destination_id.data = ref.destination_id or 0
    form.poli_id.data = ref.poli_id or 0
    form.nakes_id.data = ref.nakes_id or 0
    form.igd_call_accepted.data = {True: "ya", False: "tidak"}.get(ref.igd_call_accepted, "")
    for i in (1, 2, 3):
        getattr(form, f"diag{i}").data = getattr(ref, f"diag{i}_code") or ""
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


def _save(ref: Referral, patient: Patient, form: ReferralForm, created: bool):
    """Validate everything the clerk typed (field rules, then the referral rules on the typed values); only a
    fully valid form is copied onto the referral. A refusal re-shows the form (422) with the typed values."""
    _take_picks(form)
    if request.form.get("_tujuan"):  # no-JS: show the chosen facility's poli and contacts, save nothing
        return _render_form(form, ref if not created else None, patient)
    icd_results = _icd_refresh(form)
    if icd_results is not None:
        return _render_form(form, ref if not created else None, patient, icd_results=icd_results)
    valid = form.validate_on_submit()
    want_issue = request.form.get("terbitkan") == "1"
    errors, warnings = service.save_draft(ref, _typed(form), for_issue=want_issue, invalid=set(form.errors))
    if not valid or errors:
        return _render_form(form, None if created else ref, patient, status=422, errors=errors, warnings=warnings)
    if created:
        db.session.add(ref)
    _apply_border(ref, patient)
    db.session.flush()
    if created:
        service.log_event(ref, current_user, None, "draf")
    audit.record("create" if created else "update", "rujukan", ref.id,
                 f"{'membuat' if created else 'mengubah'} draf rujukan #{ref.id}")
    if ref.destination_id is None:
        audit.record("update", "rujukan", ref.id, f"rujukan #{ref.id}: tujuan teks bebas di luar direktori")
    if want_issue and (refused := _issue(ref, url_for("rujukan.patient", patient_id=patient.id))):
        return refused
    db.session.commit()
    for w in warnings:
        flash(w, "warn")
    flash(f"Rujukan diterbitkan dengan nomor {ref.number}." if want_issue else "Draf rujukan disimpan.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))


def _refused(step, back_url: str):
    """Run a lifecycle step; when the rules refuse it, roll back and return the redirect that says why."""
    try:
        step()
    except service.TransitionError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(back_url)
    return None


def _issue(ref: Referral, back_url: str):
    """Number the letter (audited); a redirect to back_url when refused, else None."""
    if refused := _refused(lambda: service.issue(ref, current_user), back_url):
        return refused
    audit.record("update", "rujukan", ref.id, f"menerbitkan rujukan #{ref.id}")
    return None


def _apply_border(ref: Referral, patient: Patient) -> None:
    origin = db.session.get(Organisation, ref.origin_id)
    destination = db.session.get(Organisation, ref.destination_id) if ref.destination_id else None
    border = service.border_for(patient, origin, destination, today_local())
    ref.border = border.covered
    ref.pks_agreement_id = border.coverage.agreement_id if border.covered else None
    ref.pks_snapshot = service.pks_snapshot(border.coverage) if border.covered else None
    ref.accessibility = patient.accessibility


@bp.route("/pasien/<int:patient_id>/rujukan/baru", methods=["GET", "POST"])
def referral_new(patient_id: int):
    require_facility()
    patient = db.session.scalars(scoped(Patient).where(Patient.id == patient_id)
                                 .options(joinedload(Patient.jorong))).first()
    if patient is None:
        abort(404)
    ref = Referral(origin_id=current_user.organisation_id, patient_id=patient.id, patient=patient,
                   created_by_id=current_user.id, status="draf")
    form = ReferralForm()
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
    if ref.status != "draf":
        flash("Rujukan ini sudah terbit.", "error")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    errors, warnings = service.check(ref, for_issue=True)
    if errors:
        form = _form_from(ref, from_request=False)
        _fill_choices(form)
        return _render_form(form, ref, ref.patient, status=422, errors=errors, warnings=warnings)
    _apply_border(ref, ref.patient)
    if refused := _issue(ref, url_for("rujukan.detail", ref_id=ref_id)):
        return refused
    db.session.commit()
    for w in warnings:
        flash(w, "warn")
    flash(f"Rujukan diterbitkan dengan nomor {ref.number}.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))


COPY_FIELDS = ("jenis", "kategori", "tipe", "arah", "payer", "poli_name", "dasar", "anamnesis", "physical_exam", "bp",
               "pulse", "rr", "temperature", "weight", "height", "consciousness", "gcs", "supporting", "diag1_code",
               "diag1_name", "diag2_code", "diag2_name", "diag3_code", "diag3_name", "therapy_drug", "therapy_other",
               "bmhp", "procedures", "reason", "tacc", "tacc_time", "tacc_reason", "condition", "ambulance", "escort",
               "allergy", "note", "nakes_id")


@bp.route("/<int:ref_id>/salin", methods=["POST"])
def referral_copy(ref_id: int):
    """A rejected, redirected, expired or cancelled letter is not reused: a new draft starts from its content,
    addressed to the facility the receiver redirected to (if any). Consent is asked again."""
    ref = _own_draft(ref_id)
    if ref.effective_status(today_local()) not in service.COPYABLE:
        abort(404)
    new = Referral(origin_id=ref.origin_id, patient_id=ref.patient_id, created_by_id=current_user.id, status="draf",
                   **{name: getattr(ref, name) for name in COPY_FIELDS})
    if ref.status == "dialihkan" and ref.redirect_to_id:
        new.destination_id, new.poli_id, new.poli_name = ref.redirect_to_id, None, None
    else:
        new.destination_id, new.poli_id, new.destination_text = ref.destination_id, ref.poli_id, ref.destination_text
    db.session.add(new)
    db.session.flush()
    service.log_event(new, current_user, None, "draf", note=f"salinan dari rujukan #{ref.id}")
    audit.record("create", "rujukan", new.id, f"membuat draf rujukan #{new.id} dari rujukan #{ref.id}")
    db.session.commit()
    flash("Draf baru dibuat dari rujukan sebelumnya. Periksa tujuan dan catat persetujuan pasien.", "ok")
    return redirect(url_for("rujukan.referral_edit", ref_id=new.id))


# ---- detail and actions -------------------------------------------------------------------------

@bp.route("/<int:ref_id>")
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
    audit.record("view", "rujukan", ref.id, f"melihat rujukan #{ref.id}")
    response = render("rujukan/detail.html", status=status, ref=ref, events=events, side=side, actions=actions,
                      form=form, warnings=warnings, transitions=service.TRANSITIONS, facilities=facilities,
                      can_copy=side == "sender" and ref.effective_status(today_local()) in service.COPYABLE,
                      times=service.response_times(ref), duration=service.duration_text,
                      code=service.verify_code(ref.id) if ref.number else None, failed=failed)
    db.session.commit()  # after rendering, so the page does not reload what the commit expired
    return response


def _action_refused(ref_id: int, action: str, errors: dict[str, str], status: int = 422):
    """The detail page again, with the action's form showing what was typed and why it was refused."""
    db.session.rollback()
    typed = {name: request.form.get(name, "")[:300] for name in ("channel", "note", "redirect_to_id")}
    return _detail_page(ref_id, status, failed={"action": action, "errors": errors, "values": typed})


@bp.route("/<int:ref_id>/aksi/<action>", methods=["POST"])
def referral_action(ref_id: int, action: str):
    ref = get_scoped_or_404(Referral, ref_id)
    if action not in service.TRANSITIONS or action == "answer":
        abort(404)
    form = ActionForm()
    form.redirect_to_id.choices = []
    if not form.validate_on_submit():
        return _action_refused(ref.id, action, {name: msgs[0] for name, msgs in form.errors.items()})
    try:
        target = service.redirect_target(ref, form.redirect_to_id.data) if action == "redirect" else None
        service.check_transition(ref, action, current_user, channel=form.channel.data, note=form.note.data)
    except service.TransitionError as e:
        return _action_refused(ref.id, action, {e.field or "": str(e)}, 422 if e.field else 409)
    if target is not None:
        ref.redirect_to_id = target.id
    service.transition(ref, action, current_user, channel=form.channel.data, note=form.note.data)
    audit.record("update", "rujukan", ref.id, f"rujukan #{ref.id}: {service.TRANSITIONS[action].label.lower()}")
    db.session.commit()
    flash(f"Status rujukan: {STATUS_LABELS[ref.status]}.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref.id))


@bp.route("/<int:ref_id>/jawab", methods=["GET", "POST"])
def referral_reply(ref_id: int):
    """The receiving doctor's answer (§4.4); the sender may type it from the paper slip or a phone call."""
    ref = get_scoped_or_404(Referral, ref_id)
    if "answer" not in service.allowed_actions(ref, current_user):
        abort(404)
    form = ReplyForm()
    side = service.side_of(ref, current_user)
    if side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"]
    if request.method == "GET":
        form.channel.data = "web" if side == "receiver" else "kertas"
        form.reply_diag.data = ref.diag1_code
        return render("rujukan/reply_form.html", ref=ref, form=form)
    status, error = 422, None
    if form.validate_on_submit():
        found = icd.lookup(form.reply_diag.data)
        if found is None:
            form.reply_diag.errors = list(form.reply_diag.errors) + ["Kode ICD-10 tidak dikenal."]
        else:
            try:
                service.check_transition(ref, "answer", current_user, channel=form.channel.data)
            except service.TransitionError as e:
                if e.field:
                    getattr(form, e.field).errors = [str(e)]
                else:
                    status, error = 409, str(e)
            else:
                ref.reply_diag_code, ref.reply_diag_name = found
                ref.reply_therapy, ref.reply_advice = form.reply_therapy.data, form.reply_advice.data
                ref.reply_control_date = form.reply_control_date.data
                ref.reply_inpatient, ref.reply_finished = form.reply_inpatient.data, form.reply_finished.data
                ref.reply_doctor = form.reply_doctor.data
                service.transition(ref, "answer", current_user, channel=form.channel.data)
                audit.record("update", "rujukan", ref.id, f"jawaban rujukan #{ref.id} dicatat")
                db.session.commit()
                flash("Jawaban rujukan disimpan; faskes asal dapat melihatnya.", "ok")
                return redirect(url_for("rujukan.detail", ref_id=ref.id))
    return render("rujukan/reply_form.html", status=status, ref=ref, form=form, error=error)


# ---- ICD-10 search ------------------------------------------------------------------------------

@bp.route("/icd")
def icd_search():
    slot = request.args.get("slot", "")
    slot = int(slot) if slot in ("1", "2", "3") else None
    q = (request.args.get(f"diag_q{slot}") if slot else None) or request.args.get("q") or ""
    q = q.strip()[:60]
    return render("rujukan/icd.html", "rujukan/_icd_results.html", q=q, results=icd.search(q), slot=slot)


@bp.route("/icd/pilih")
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
