"""SIDILAN registry views: search and list, person record, disability, elderly assessments, assistance,
verification workflow, duplicate review, programs. Dashboard, import/export and printouts are in reports.py."""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.nik import check_kk, check_nik
from blueprints.core.outcome import Outcome, has_errors
from blueprints.core.pagination import paginate
from blueprints.core.render import render, wants_fragment
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local
from blueprints.core.versioning import conflict_response
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from . import bp, models  # noqa: F401  (tables registered before create_all)
from . import values as V
from .access import (
    ENTRY_ROLES,
    PROGRAM_ROLES,
    STAFF_ROLES,
    may_edit_programs,
    may_see_nik,
    may_staff,
    may_write,
)
from .assessments import add_assessment, barthel_maxima, barthel_options
from .assistance import (
    ASSISTANCE_TRANSITIONS,
    add_assistance,
    double_program_details,
    double_program_stmt,
    household_assistance,
    set_assistance_status,
    unassisted_stmt,
)
from .disability import disability_values, save_disability, wgss_cutoff, wgss_flag
from .duplicates import REASON_LABELS, decide_duplicate, open_cases_stmt
from .forms import (
    AssistanceForm,
    AssistanceStatusForm,
    DisabilityForm,
    DuplicateDecisionForm,
    EditPersonForm,
    EditProgramForm,
    HouseholdForm,
    NewPersonForm,
    NewProgramForm,
    WorkflowForm,
    add_barthel_fields,
)
from .households import save_household
from .models import Assistance, DuplicateCandidate, Household, Person, Program
from .person import existing_with_nik, load_record, record_context, save_person
from .programs import program_choices, programs_for, save_program
from .public import accessibility_summary
from .search import Filters, search_stmt
from .workflow import ACTION_LABELS, allowed_actions, editable, step
from .workflow import worklist as worklist_of


@bp.app_template_global("sidilan_label")
def _label(list_name: str, code) -> str:
    return V.label(getattr(V, list_name), code)


# ---- search and list ------------------------------------------------------------------------------

@bp.route("/")
@audit.reads("sidilan_person", "daftar orang")
def index():
    filters = Filters.from_args(request.args)
    stmt = search_stmt(filters, current_user, today_local()).options(
        joinedload(Person.nagari), joinedload(Person.disability))
    page = paginate(stmt, request.args.get("hal"), filters=Filters.names())
    ctx = dict(page=page, f=filters, today=today_local())
    if wants_fragment():
        # the fragment needs no filter choices
        return render("sidilan/index.html", "sidilan/_list.html", **ctx, cascade=None, programs=[])
    cascade = Cascade.build(current_user.regency, request.args)
    return render("sidilan/index.html", **ctx, cascade=cascade, programs=programs_for(current_user, False))


@bp.route("/cek-nik")
@audit.reads("sidilan_person", "cek NIK")
def nik_decode():
    """Decode a NIK while typing (htmx) or as a small page without JS. Reads nothing sensitive."""
    nik = (request.args.get("nik") or "")[:40]
    sex = request.args.get("jenis_kelamin") or None
    try:
        birth = date.fromisoformat(request.args.get("tanggal_lahir") or "")
    except ValueError:
        birth = None
    chk = check_nik(nik, sex=sex, birth_date=birth, regency_code=current_user.regency.code) if nik.strip() else None
    existing = None
    if chk is not None and chk.ok:
        existing = existing_with_nik(chk.value, current_user)
    return render("sidilan/nik_page.html", "sidilan/_nik.html", chk=chk, nik=nik, existing=existing)


# ---- person ------------------------------------------------------------------------------------

def _place_values(row) -> dict:
    """A person's or household's stored place as the cascade's field values."""
    return {"kecamatan": row.kecamatan_code or "", "nagari": row.nagari_code or "", "jorong": str(row.jorong_id or "")}


def _decode_for(form):
    """The NIK decode shown next to the field after a submit (the no-JS path)."""
    if not (form.nik.data or "").strip():
        return None
    birth = form.tanggal_lahir.data if not form.tanggal_lahir.errors else None
    chk = check_nik(form.nik.data, sex=form.jenis_kelamin.data, birth_date=birth,
                    regency_code=current_user.regency.code)
    return chk if chk.ok else None  # errors already show at the field


@bp.route("/orang/baru", methods=["GET", "POST"])
@audit.not_sensitive
@roles_required(*ENTRY_ROLES)
def person_new():
    form = NewPersonForm()
    source = request.form if request.method == "POST" else request.args
    return _person_form(None, form, Cascade.build(current_user.regency, source, required=True))


@bp.route("/orang/<int:person_id>/ubah", methods=["GET", "POST"])
@audit.reads("sidilan_person", "formulir ubah orang")
@roles_required(*ENTRY_ROLES)
def person_edit(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if not editable(person):
        return _not_editable(person)
    if request.method == "POST":
        form = EditPersonForm()
        cascade = Cascade.build(current_user.regency, request.form, required=True)
    else:
        form = EditPersonForm(obj=person)
        form.tags.data = person.tag_list
        cascade = Cascade.build(current_user.regency, _place_values(person), required=True)
        # the edit form shows the full NIK and mother's name too
        audit.record("view", "sidilan_person", person.id, f"membuka formulir ubah orang #{person.id}")
        db.session.commit()
    return _person_form(person, form, cascade)


def _person_form(person: Person | None, form, cascade: Cascade):
    """What the new and the edit form share: save on a real POST, else (re)show the form with what was typed."""
    out = Outcome()
    if request.method == "POST" and not is_cascade_refresh(request.form):
        out = save_person(person, form, cascade, current_user)
        if out.stale:
            return conflict_response(form, out.stale, back_url=url_for("sidilan.person_edit", person_id=person.id),
                                     current={"tags": out.stale.tag_list})
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            return _after_save(out)
    return render("sidilan/person_form.html", form=form, cascade=cascade, errors=out.field_errors, person=person,
                  decode=_decode_for(form), status=FORM_INVALID if has_errors(form, out.field_errors) else 200)


def _after_save(out: Outcome):
    for w in out.warnings:
        flash("Peringatan: " + w, "warn")
    if out.related:
        flash("Data tersimpan. Ada data lain yang mungkin orang yang sama; periksa berdampingan.", "warn")
        return redirect(url_for("sidilan.duplicate_review", cand_id=out.related[0].id))
    flash("Data tersimpan.", "ok")
    return redirect(url_for("sidilan.person_view", person_id=out.record.id))


def _not_editable(person: Person):
    flash("Data ini sedang dalam verifikasi atau sudah disetujui/digabung, sehingga tidak dapat diubah.", "warn")
    return redirect(url_for("sidilan.person_view", person_id=person.id))


@bp.route("/orang/<int:person_id>")
@audit.reads("sidilan_person", "profil orang")
def person_view(person_id: int):
    person = load_record(person_id, current_user)
    if person is None:
        abort(404)
    audit.record("view", "sidilan_person", person.id, f"membuka profil orang #{person.id}")
    db.session.commit()
    chk = check_nik(person.nik, sex=person.jenis_kelamin, birth_date=person.tanggal_lahir,
                    regency_code=current_user.regency.code) if person.nik else None
    kk_chk = check_kk(person.no_kk) if person.no_kk else None
    age = person.age_on(today_local())
    return render("sidilan/person.html", p=person, chk=chk, kk_chk=kk_chk, **record_context(person, current_user),
                  age=age, editable=editable(person),
                  actions=allowed_actions(person, current_user), action_labels=ACTION_LABELS,
                  wg_flag=wgss_flag(person.disability.wg_answers) if person.disability else False,
                  wg_cutoff=wgss_cutoff(), access=accessibility_summary(person),
                  workflow_form=WorkflowForm(), assistance_transitions=ASSISTANCE_TRANSITIONS,
                  may_write=may_write(current_user), may_staff=may_staff(current_user),
                  show_nik=may_see_nik(current_user))


# ---- household (docs/sidilan.md §5.2) ---------------------------------------------------------

@bp.route("/keluarga/<int:household_id>", methods=["GET", "POST"])
@audit.reads("sidilan_household", "keluarga")
def household(household_id: int):
    hh = get_scoped_or_404(Household, household_id)
    if request.method == "POST" and not may_write(current_user):
        abort(404)
    if request.method == "POST":
        form = HouseholdForm()
        cascade = Cascade.build(current_user.regency, request.form)
        if not is_cascade_refresh(request.form):
            out = save_household(hh, form, cascade, current_user)
            if out.stale:
                return conflict_response(form, out.stale, back_url=url_for("sidilan.household", household_id=hh.id))
            if out.record is not None:
                flash("Data keluarga tersimpan.", "ok")
                return redirect(url_for("sidilan.household", household_id=hh.id))
    else:
        form = HouseholdForm(obj=hh)
        cascade = Cascade.build(current_user.regency, _place_values(hh))
    audit.record("view", "sidilan_household", hh.id, f"membuka keluarga #{hh.id}")
    db.session.commit()
    assistance = list(db.session.scalars(household_assistance(hh, current_user)))
    return render("sidilan/household.html", hh=hh, form=form, cascade=cascade, assistance=assistance,
                  may_write=may_write(current_user), show_nik=may_see_nik(current_user),
                  status=FORM_INVALID if has_errors(form) else 200)


# ---- disability --------------------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/disabilitas", methods=["GET", "POST"])
@audit.reads("sidilan_disability", "formulir disabilitas orang")
@roles_required(*ENTRY_ROLES)
def disability_edit(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if not editable(person):
        return _not_editable(person)
    if request.method == "POST":
        form = DisabilityForm()
        out = save_disability(person, form, current_user)
        if out.stale:
            return conflict_response(form, out.stale, back_url=url_for("sidilan.disability_edit", person_id=person.id),
                                     current=disability_values(out.stale))
        if out.record is not None:
            flash("Data disabilitas tersimpan.", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    else:
        d = person.disability
        form = DisabilityForm(obj=d)
        if d is not None:
            for name, value in disability_values(d).items():
                form[name].data = value
    return render("sidilan/disability_form.html", form=form, p=person,
                  status=FORM_INVALID if has_errors(form) else 200)


# ---- elderly assessments -----------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/asesmen", methods=["GET", "POST"])
@audit.reads("sidilan_assessment", "formulir asesmen orang")
@roles_required(*ENTRY_ROLES)
def assessment_new(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id or not person.active:
        abort(404)
    form = add_barthel_fields(barthel_options(barthel_maxima()))()
    if request.method == "POST":
        out = add_assessment(person, form, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            row = out.record
            flash(f"Asesmen tersimpan: skor Barthel {row.barthel_total} "
                  f"({V.label(V.BARTHEL_KATEGORI, row.barthel_kategori)}).", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    return render("sidilan/assessment_form.html", form=form, p=person, today=today_local(),
                  status=FORM_INVALID if has_errors(form) else 200)


# ---- assistance --------------------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/bantuan", methods=["GET", "POST"])
@audit.reads("sidilan_assistance", "formulir bantuan orang")
@roles_required(*ENTRY_ROLES)
def assistance_new(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id or not person.active:
        abort(404)
    form = AssistanceForm()
    programs = programs_for(current_user)
    form.program_id.choices = program_choices(programs)
    if request.method == "GET":
        form.tahun.data = today_local().year
    else:
        out = add_assistance(person, form, programs, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            flash("Bantuan dicatat dengan status diusulkan.", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    return render("sidilan/assistance_form.html", form=form, p=person,
                  status=FORM_INVALID if has_errors(form) else 200)


@bp.route("/bantuan/<int:aid>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def assistance_status(aid: int):
    """Status flow of docs/sidilan.md §9.3; the form says which record page to return to."""
    row = get_scoped_or_404(Assistance, aid)
    form = AssistanceStatusForm()
    nxt = request.form.get("next_person") or ""
    person_id = int(nxt) if nxt.isascii() and nxt.isdigit() and len(nxt) < 10 else row.person_id
    back = url_for("sidilan.person_view", person_id=person_id) if person_id else url_for("sidilan.index")
    out = set_assistance_status(row, form, current_user)
    if out.stale:
        return conflict_response(form, out.stale, back_url=back)
    if out.record is not None:
        flash("Status bantuan diperbarui.", "ok")
    elif out.already:
        flash(out.already, "ok")
    else:
        flash(out.error, "error")
    return redirect(back)


@bp.route("/tanpa-bantuan")
@audit.reads("sidilan_person", "daftar tanpa bantuan")
def unassisted():
    """People with a severe disability or Barthel <= 8 who receive no assistance."""
    stmt = unassisted_stmt(current_user).options(joinedload(Person.nagari), joinedload(Person.disability))
    page = paginate(stmt, request.args.get("hal"))
    return render("sidilan/unassisted.html", "sidilan/_list.html", page=page, today=today_local(),
                  f=Filters())


@bp.route("/bantuan-ganda")
@audit.reads("sidilan_household", "daftar bantuan ganda")
def double_program():
    """Households that receive the same program more than once in a year."""
    page = paginate(double_program_stmt(current_user), request.args.get("hal"), rows=True)
    households, programs = double_program_details(page.items)
    return render("sidilan/double.html", page=page, households=households, programs=programs)


# ---- verification workflow ---------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def person_transition(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    back = redirect(url_for("sidilan.person_view", person_id=person.id))
    form = WorkflowForm()
    if not form.validate_on_submit():
        flash("Tindakan tidak sah atau catatan terlalu panjang (maksimal 500 karakter).", "error")
        return back
    out = step(person, form.action.data, form.note.data, current_user)
    if out.related:
        links = Markup(" ").join(Markup('<a href="{}">Buka kasus duplikat #{}</a>').format(
            url_for("sidilan.duplicate_review", cand_id=c.id), c.id) for c in out.related)
        flash(escape(out.error) + Markup(" ") + links, "error")
    elif out.error:
        flash(out.error, "error")
    elif out.already:
        flash(out.already, "ok")
    else:
        flash(f"Status data: {V.label(V.STATUS_VERIFIKASI, person.status_verifikasi)}.", "ok")
    return back


@bp.route("/verifikasi")
@audit.reads("sidilan_person", "daftar kerja verifikasi")
def worklist():
    counts, sections = worklist_of(current_user)
    return render("sidilan/worklist.html", counts=counts, sections=sections)


# ---- duplicates --------------------------------------------------------------------------------

@bp.route("/duplikat")
@audit.reads("sidilan_duplicate", "daftar kemungkinan duplikat")
def duplicates():
    page = paginate(open_cases_stmt(current_user), request.args.get("hal"))
    return render("sidilan/duplicates.html", page=page, reasons=REASON_LABELS)


COMPARE_FIELDS = [("NIK", "nik"), ("No. KK", "no_kk"), ("Nama lengkap", "nama_lengkap"),
                  ("Jenis kelamin", "jenis_kelamin"), ("Tempat lahir", "tempat_lahir"),
                  ("Tanggal lahir", "tanggal_lahir"), ("Alamat", "alamat"), ("Status verifikasi", "status_verifikasi"),
                  ("Sumber data", "sumber_data")]


@bp.route("/duplikat/<int:cand_id>", methods=["GET", "POST"])
@audit.reads("sidilan_duplicate", "perbandingan duplikat")
def duplicate_review(cand_id: int):
    cand = get_scoped_or_404(DuplicateCandidate, cand_id)
    form = DuplicateDecisionForm()
    form.keep.choices = [(cand.person_a_id, f"#{cand.person_a_id}"), (cand.person_b_id, f"#{cand.person_b_id}")]
    if request.method == "POST":
        if not may_staff(current_user):
            abort(404)
        out = decide_duplicate(cand, form, current_user)
        if out.replay:
            return out.replay.response()
        if out.error:
            flash(out.error, "error")
            return redirect(url_for("sidilan.duplicate_review", cand_id=cand.id))
        if out.record is not None:
            if cand.keputusan == "duplikat":
                flash(f"Data digabung ke #{form.keep.data}.", "ok")
            else:
                flash("Dicatat: bukan duplikat. Pasangan ini tidak akan ditanyakan lagi.", "ok")
            return redirect(out.redirect)
    audit.record("view", "sidilan_duplicate", cand.id,
                 f"membandingkan orang #{cand.person_a_id} dan #{cand.person_b_id}")
    db.session.commit()
    return render("sidilan/duplicate.html", cand=cand, a=cand.person_a, b=cand.person_b, form=form,
                  fields=COMPARE_FIELDS, reasons=REASON_LABELS, may_decide=may_staff(current_user),
                  show_nik=may_see_nik(current_user), status=FORM_INVALID if has_errors(form) else 200)


# ---- programs (reference data; managed by the verifikator of the regency) ---------------------

@bp.route("/program")
@audit.not_sensitive
def programs():
    rows = programs_for(current_user, active_only=False)
    return render("sidilan/programs.html", rows=rows, may_edit=may_edit_programs(current_user))


@bp.route("/program/baru", methods=["GET", "POST"])
@bp.route("/program/<int:program_id>", methods=["GET", "POST"])
@audit.not_sensitive
@roles_required(*PROGRAM_ROLES)
def program_edit(program_id: int | None = None):
    row = get_scoped_or_404(Program, program_id) if program_id else None
    if row is None:
        form = NewProgramForm()
    else:
        form = EditProgramForm(obj=row) if request.method == "GET" else EditProgramForm()
    if request.method == "POST":
        out = save_program(row, form, current_user)
        if out.stale:
            return conflict_response(form, out.stale, back_url=url_for("sidilan.program_edit", program_id=row.id))
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            flash("Program tersimpan.", "ok")
            return redirect(url_for("sidilan.programs"))
    return render("sidilan/program_form.html", form=form, row=row,
                  status=FORM_INVALID if has_errors(form) else 200)



@bp.app_template_global("sidilan_values")
def _values():
    return V
