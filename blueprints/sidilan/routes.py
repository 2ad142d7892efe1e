"""SIDILAN registry views: search and list, person record, disability, elderly assessments, assistance,
verification workflow, duplicate review, programs. Dashboard, import/export and printouts are in reports.py."""
from datetime import date

import click
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.nik import check_kk, check_nik, clean_number
from blueprints.core.pagination import paginate
from blueprints.core.render import render, wants_fragment
from blueprints.core.roles import OPERATOR_DINSOS, VERIFIKATOR_DINSOS, roles_required
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from . import bp, models  # noqa: F401  (tables registered before create_all)
from . import service as S
from . import values as V
from .forms import (AssistanceForm, AssistanceStatusForm, DisabilityForm, DuplicateDecisionForm, HouseholdForm,
                    PersonForm,
                    ProgramForm, WorkflowForm, add_barthel_fields)
from .models import (Assistance, ChangeLog, Disability, DuplicateCandidate, ElderlyAssessment, Household, Person,
                     Program, VerificationEvent)
from .exporter import may_see_nik
from .public import accessibility_summary

ENTRY_ROLES = (OPERATOR_DINSOS,)
STAFF_ROLES = (OPERATOR_DINSOS, VERIFIKATOR_DINSOS)




@bp.app_template_global("sidilan_label")
def _label(list_name: str, code) -> str:
    return V.label(getattr(V, list_name), code)


def _has_errors(form, extra: dict | None = None) -> bool:
    return any(f.errors for f in form) or bool(extra)


# ---- search and list ------------------------------------------------------------------------------

@bp.route("/")
def index():
    filters = S.Filters.from_args(request.args)
    stmt = S.search_stmt(filters, current_user, today_local()).options(
        joinedload(Person.nagari), joinedload(Person.disability))
    page = paginate(stmt, request.args.get("hal"))
    ctx = dict(page=page, f=filters, today=today_local())
    if wants_fragment():
        # the fragment needs no filter choices
        return render("sidilan/index.html", "sidilan/_list.html", **ctx, cascade=None, programs=[])
    cascade = Cascade.build(current_user.regency, request.args)
    return render("sidilan/index.html", **ctx, cascade=cascade, programs=S.programs_for(current_user, False))


@bp.route("/cek-nik")
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
        existing = db.session.scalar(scoped(Person, current_user, Person.id).where(
            Person.nik == chk.value, Person.active.is_(True), Person.merged_into_id.is_(None)).limit(1))
    return render("sidilan/nik_page.html", "sidilan/_nik.html", chk=chk, nik=nik, existing=existing)


# ---- person ------------------------------------------------------------------------------------

def _place_values(row) -> dict:
    """A person's or household's stored place as the cascade's field values."""
    return {"kecamatan": row.kecamatan_code or "", "nagari": row.nagari_code or "", "jorong": str(row.jorong_id or "")}


def _check_numbers(form: PersonForm, regency_code: str) -> tuple[str | None, str | None, list[str]]:
    """NIK and No. KK levels (sidilan.md §7.1-7.2): errors go onto the fields, warnings are returned."""
    warnings: list[str] = []
    nik = clean_number(form.nik.data)
    if nik:
        chk = check_nik(nik, sex=form.jenis_kelamin.data, regency_code=regency_code,
                        birth_date=form.tanggal_lahir.data if not form.tanggal_lahir.errors else None)
        form.nik.errors = list(form.nik.errors) + chk.errors
        warnings += chk.warnings
    elif not form.alasan_tanpa_nik.data:
        form.alasan_tanpa_nik.errors = list(form.alasan_tanpa_nik.errors) + [
            "NIK kosong: pilih alasan tanpa NIK."]
    kk = clean_number(form.no_kk.data)
    if kk:
        kchk = check_kk(kk)
        form.no_kk.errors = list(form.no_kk.errors) + kchk.errors
        warnings += kchk.warnings
    return nik or None, kk or None, warnings


def _person_data(form: PersonForm, nik, kk, cascade: Cascade) -> dict:
    def s(field):
        v = (field.data or "").strip() if isinstance(field.data, str) else field.data
        return v or None
    return dict(
        nik=nik, alasan_tanpa_nik=None if nik else form.alasan_tanpa_nik.data, no_kk=kk,
        hubungan_keluarga=s(form.hubungan_keluarga), nama_lengkap=" ".join(form.nama_lengkap.data.split()),
        nama_panggilan=s(form.nama_panggilan), jenis_kelamin=form.jenis_kelamin.data,
        tempat_lahir=s(form.tempat_lahir), tanggal_lahir=form.tanggal_lahir.data,
        tgl_lahir_perkiraan=bool(form.tgl_lahir_perkiraan.data), agama=s(form.agama),
        status_perkawinan=s(form.status_perkawinan), pendidikan_terakhir=s(form.pendidikan_terakhir),
        pekerjaan=s(form.pekerjaan), nama_ibu_kandung=s(form.nama_ibu_kandung), no_hp=s(form.no_hp),
        nama_pendamping=s(form.nama_pendamping), hubungan_pendamping=s(form.hubungan_pendamping),
        status_hidup=form.status_hidup.data,
        tgl_meninggal=form.tgl_meninggal.data if form.status_hidup.data == "meninggal" else None,
        status_domisili=form.status_domisili.data, kepesertaan_jkn=s(form.kepesertaan_jkn), no_kpd=s(form.no_kpd),
        alamat=s(form.alamat), rt=s(form.rt), rw=s(form.rw), kecamatan_code=cascade.kecamatan or None,
        nagari_code=cascade.nagari or None, jorong_id=cascade.jorong_id, sumber_data=form.sumber_data.data,
        tags=S.set_codes(V.TAGS, form.tags.data or []), persetujuan=bool(form.persetujuan.data),
        tgl_persetujuan=form.tgl_persetujuan.data if form.persetujuan.data else None,
        pemberi_persetujuan=s(form.pemberi_persetujuan) if form.persetujuan.data else None,
    )


def _save_person(person: Person | None, form: PersonForm, cascade: Cascade):
    """Validate everything, then create or update. Returns (person, warnings) or (None, warnings)."""
    valid = form.validate_on_submit()
    errors = cascade.errors()
    nik, kk, warnings = _check_numbers(form, current_user.regency.code)
    if not valid or _has_errors(form, errors):
        return None, warnings, errors
    data = _person_data(form, nik, kk, cascade)
    rule_errors = S.person_rule_errors(data, current_user.regency_id, person.id if person else None)
    for name, messages in rule_errors.items():
        form[name].errors = list(form[name].errors) + messages
    if rule_errors:
        return None, warnings, errors
    data["name_search"] = S.name_search(data["nama_lengkap"])
    data["name_key"] = S.name_key(data["nama_lengkap"])
    address = {k: data[k] for k in ("alamat", "kecamatan_code", "nagari_code", "jorong_id", "rt", "rw")}
    hh = S.household_for(current_user.regency_id, kk, address)
    data["household_id"] = hh.id if hh else None
    if person is None:
        person = Person(regency_id=current_user.regency_id, created_by_id=current_user.id,
                        updated_by_id=current_user.id, status_verifikasi="draf", **data)
        db.session.add(person)
        db.session.flush()
        S.record_creation(person, current_user)
    else:
        changed = S.apply_changes(person, data, person.id, "person")
        if changed:
            person.updated_by_id = current_user.id
        db.session.flush()
        audit.record("update", "sidilan_person", person.id, f"mengubah orang #{person.id} ({len(changed)} isian)")
    return person, warnings, {}


def _after_save(person: Person, warnings: list[str]):
    dups = S.record_duplicates(person)
    db.session.commit()
    for w in warnings:
        flash("Peringatan: " + w, "warn")
    if dups:
        flash("Data tersimpan. Ada data lain yang mungkin orang yang sama; periksa berdampingan.", "warn")
        return redirect(url_for("sidilan.duplicate_review", cand_id=dups[0].id))
    flash("Data tersimpan.", "ok")
    return redirect(url_for("sidilan.person_view", person_id=person.id))


def _decode_for(form: PersonForm):
    """The NIK decode shown next to the field after a submit (the no-JS path)."""
    if not (form.nik.data or "").strip():
        return None
    birth = form.tanggal_lahir.data if not form.tanggal_lahir.errors else None
    chk = check_nik(form.nik.data, sex=form.jenis_kelamin.data, birth_date=birth,
                    regency_code=current_user.regency.code)
    return chk if chk.ok else None  # errors already show at the field


@bp.route("/orang/baru", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def person_new():
    form = PersonForm()
    source = request.form if request.method == "POST" else request.args
    return _person_form(None, form, Cascade.build(current_user.regency, source, required=True))


@bp.route("/orang/<int:person_id>/ubah", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def person_edit(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if not _editable(person):
        return _not_editable(person)
    if request.method == "POST":
        form = PersonForm()
        cascade = Cascade.build(current_user.regency, request.form, required=True)
    else:
        form = PersonForm(obj=person)
        form.tags.data = person.tag_list
        cascade = Cascade.build(current_user.regency, _place_values(person), required=True)
        # the edit form shows the full NIK and mother's name too
        audit.record("view", "sidilan_person", person.id, f"membuka formulir ubah orang #{person.id}")
        db.session.commit()
    return _person_form(person, form, cascade)


def _person_form(person: Person | None, form: PersonForm, cascade: Cascade):
    """What the new and the edit form share: save on a real POST, else (re)show the form with what was typed."""
    errors: dict = {}
    if request.method == "POST" and not is_cascade_refresh(request.form):
        saved, warnings, errors = _save_person(person, form, cascade)
        if saved is not None:
            return _after_save(saved, warnings)
    status = 422 if _has_errors(form, errors) else 200
    return render("sidilan/person_form.html", form=form, cascade=cascade, errors=errors, person=person,
                  decode=_decode_for(form), status=status)


def _editable(person: Person) -> bool:
    return person.active and person.merged_into_id is None and person.status_verifikasi in S.EDITABLE_STATUSES


def _not_editable(person: Person):
    flash("Data ini sedang dalam verifikasi atau sudah disetujui/digabung, sehingga tidak dapat diubah.", "warn")
    return redirect(url_for("sidilan.person_view", person_id=person.id))


@bp.route("/orang/<int:person_id>")
def person_view(person_id: int):
    person = db.session.scalars(
        scoped(Person).where(Person.id == person_id).options(
            joinedload(Person.disability), joinedload(Person.kecamatan), joinedload(Person.nagari),
            joinedload(Person.jorong), joinedload(Person.household), selectinload(Person.assessments))).first()
    if person is None:
        abort(404)
    audit.record("view", "sidilan_person", person.id, f"membuka profil orang #{person.id}")
    db.session.commit()
    chk = check_nik(person.nik, sex=person.jenis_kelamin, birth_date=person.tanggal_lahir,
                    regency_code=current_user.regency.code) if person.nik else None
    kk_chk = check_kk(person.no_kk) if person.no_kk else None
    members = []
    if person.household_id:
        members = list(db.session.scalars(select(Person).where(
            Person.household_id == person.household_id, Person.id != person.id, Person.active.is_(True))
            .order_by(Person.id)))
    assistance = list(db.session.scalars(S.assistance_for(person, current_user)))
    events = list(db.session.scalars(select(VerificationEvent).options(joinedload(VerificationEvent.user)).where(
        VerificationEvent.person_id == person.id).order_by(VerificationEvent.at, VerificationEvent.id)))
    changes = list(db.session.scalars(select(ChangeLog).options(joinedload(ChangeLog.user)).where(
        ChangeLog.person_id == person.id).order_by(ChangeLog.at.desc(), ChangeLog.id.desc()).limit(30)))
    dups = list(db.session.scalars(select(DuplicateCandidate).where(
        DuplicateCandidate.keputusan.is_(None),
        (DuplicateCandidate.person_a_id == person.id) | (DuplicateCandidate.person_b_id == person.id))))
    age = person.age_on(today_local())
    return render("sidilan/person.html", p=person, chk=chk, kk_chk=kk_chk, members=members, assistance=assistance,
                  events=events, changes=changes, dups=dups, age=age, editable=_editable(person),
                  actions=S.allowed_actions(person, current_user), action_labels=S.ACTION_LABELS,
                  wg_flag=S.wgss_flag(person.disability.wg_answers) if person.disability else False,
                  wg_cutoff=S.wgss_cutoff(), access=accessibility_summary(person),
                  workflow_form=WorkflowForm(), assistance_transitions=ASSISTANCE_TRANSITIONS,
                  may_write=current_user.role in ENTRY_ROLES, may_staff=current_user.role in STAFF_ROLES,
                  show_nik=may_see_nik(current_user))


# ---- household (§5.2) -------------------------------------------------------------------------

@bp.route("/keluarga/<int:household_id>", methods=["GET", "POST"])
def household(household_id: int):
    hh = get_scoped_or_404(Household, household_id)
    if request.method == "POST" and current_user.role not in ENTRY_ROLES:
        abort(404)
    if request.method == "POST":
        form = HouseholdForm()
        cascade = Cascade.build(current_user.regency, request.form)
    else:
        form = HouseholdForm(obj=hh)
        cascade = Cascade.build(current_user.regency, _place_values(hh))
    if request.method == "POST" and not is_cascade_refresh(request.form) and form.validate_on_submit():
        data = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in form.data.items()
                if k in ("alamat", "rt", "rw", "desil_dtsen", "tgl_cek_dtsen", "lintang", "bujur", "kondisi_rumah",
                         "sumber_penghasilan")}
        data.update(kecamatan_code=cascade.kecamatan or None, nagari_code=cascade.nagari or None,
                    jorong_id=cascade.jorong_id)
        head = next((m for m in hh.members if m.hubungan_keluarga == "Kepala Keluarga"), None) or (
            hh.members[0] if hh.members else None)
        S.apply_changes(hh, data, head.id if head else None, "household")
        audit.record("update", "sidilan_household", hh.id, f"mengubah keluarga #{hh.id}")
        db.session.commit()
        flash("Data keluarga tersimpan.", "ok")
        return redirect(url_for("sidilan.household", household_id=hh.id))
    audit.record("view", "sidilan_household", hh.id, f"membuka keluarga #{hh.id}")
    db.session.commit()
    assistance = list(db.session.scalars(scoped(Assistance).options(joinedload(Assistance.program)).where(
        Assistance.household_id == hh.id).order_by(Assistance.tahun.desc(), Assistance.id.desc())))
    return render("sidilan/household.html", hh=hh, form=form, cascade=cascade, assistance=assistance,
                  may_write=current_user.role in ENTRY_ROLES, show_nik=may_see_nik(current_user),
                  status=422 if _has_errors(form) else 200)


# ---- disability --------------------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/disabilitas", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def disability_edit(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if not _editable(person):
        return _not_editable(person)
    d = person.disability
    if request.method == "POST":
        form = DisabilityForm()
    else:
        form = DisabilityForm(obj=d)
        if d is not None:
            form.ragam.data = d.ragam_codes
            form.alat_bantu_dimiliki.data = d.devices_owned
            form.alat_bantu_dibutuhkan.data = d.devices_needed
            form.kebutuhan_layanan.data = d.needs
            for f in Disability.WG_FIELDS:
                getattr(form, f).data = str(getattr(d, f) or "")
    if form.validate_on_submit():
        ragam = set(form.ragam.data)
        data = {}
        for r, _ in V.RAGAM:
            data[f"ragam_{r}"] = r in ragam
            data[f"jenis_{r}"] = (getattr(form, f"jenis_{r}").data or None) if r in ragam else None
        for f in Disability.WG_FIELDS:
            raw = getattr(form, f).data
            data[f] = int(raw) if raw else None
        data.update(
            derajat=form.derajat.data or None, sejak=form.sejak.data or None, tahun_mulai=form.tahun_mulai.data,
            penyebab=(form.penyebab.data or "").strip() or None,
            alat_bantu_dimiliki=S.set_codes(V.ALAT_BANTU, form.alat_bantu_dimiliki.data),
            alat_bantu_dibutuhkan=S.set_codes(V.ALAT_BANTU, form.alat_bantu_dibutuhkan.data),
            surat_penerbit=(form.surat_penerbit.data or "").strip() or None, surat_tanggal=form.surat_tanggal.data,
            butuh_pendamping=bool(form.butuh_pendamping.data),
            kebutuhan_layanan=S.set_codes(V.KEBUTUHAN_LAYANAN, form.kebutuhan_layanan.data))
        if d is None:
            d = Disability(person_id=person.id, **data)
            db.session.add(d)
            db.session.add(ChangeLog(person_id=person.id, entity="disability", field="dibuat",
                                     new_value=",".join(sorted(ragam)), user_id=current_user.id))
        else:
            S.apply_changes(d, data, person.id, "disability")
        d.ganda = S.derive_ganda(d)
        audit.record("update", "sidilan_person", person.id, f"data disabilitas orang #{person.id}")
        db.session.commit()
        flash("Data disabilitas tersimpan.", "ok")
        return redirect(url_for("sidilan.person_view", person_id=person.id))
    return render("sidilan/disability_form.html", form=form, p=person,
                  status=422 if _has_errors(form) else 200)


# ---- elderly assessments -----------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/asesmen", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def assessment_new(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id or not person.active:
        abort(404)
    form = add_barthel_fields(S.barthel_options(S.barthel_maxima()))()
    if form.validate_on_submit():
        when = form.tgl_asesmen.data
        age = person.age_on(when)
        if age is None or age < S.LANSIA_AGE:
            shown = "tidak diketahui" if age is None else f"{age} tahun"
            form.tgl_asesmen.errors.append(f"Usia pada tanggal asesmen {shown}; asesmen lansia hanya untuk usia "
                                           f"{S.LANSIA_AGE} tahun ke atas.")
        else:
            items = {f: int(getattr(form, f).data) for f, _, _ in V.BARTHEL_ITEMS}
            total, kategori = S.barthel_result(items)
            row = ElderlyAssessment(
                regency_id=person.regency_id, person_id=person.id, tgl_asesmen=when, petugas_id=current_user.id,
                usia=age, kategori_potensi=form.kategori_potensi.data or None,
                tinggal_dengan=form.tinggal_dengan.data or None, terlantar=bool(form.terlantar.data),
                lawton_iadl=form.lawton_iadl.data, penyakit_kronis=(form.penyakit_kronis.data or "").strip() or None,
                kebutuhan=(form.kebutuhan.data or "").strip() or None, barthel_total=total, barthel_kategori=kategori,
                **items)
            db.session.add(row)
            db.session.flush()
            audit.record("create", "sidilan_assessment", row.id, f"asesmen lansia orang #{person.id}")
            db.session.commit()
            flash(f"Asesmen tersimpan: skor Barthel {total} ({V.label(V.BARTHEL_KATEGORI, kategori)}).", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    return render("sidilan/assessment_form.html", form=form, p=person, today=today_local(),
                  status=422 if _has_errors(form) else 200)


# ---- assistance --------------------------------------------------------------------------------

ASSISTANCE_TRANSITIONS = {"diusulkan": ("disetujui", "ditolak"), "disetujui": ("disalurkan", "dihentikan"),
                          "disalurkan": ("dihentikan",)}


@bp.route("/orang/<int:person_id>/bantuan", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def assistance_new(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    if person.merged_into_id or not person.active:
        abort(404)
    form = AssistanceForm()
    programs = S.programs_for(current_user)
    form.program_id.choices = [(0, "— pilih —")] + [(p.id, f"{p.kode} — {p.nama}") for p in programs]
    if request.method == "GET":
        form.tahun.data = today_local().year
    if form.validate_on_submit():
        program = next((p for p in programs if p.id == form.program_id.data), None)
        if form.untuk_keluarga.data and not person.household_id:
            form.untuk_keluarga.errors.append("Orang ini belum tercatat dalam keluarga (No. KK kosong).")
        if program is not None and not program.punya_komponen and form.komponen_atensi.data:
            form.komponen_atensi.errors.append("Komponen hanya untuk program ATENSI.")
        if program is not None and not _has_errors(form):
            row = Assistance(
                regency_id=person.regency_id, program_id=program.id,
                komponen_atensi=form.komponen_atensi.data or None,
                person_id=None if form.untuk_keluarga.data else person.id,
                household_id=person.household_id if form.untuk_keluarga.data else None,
                tahun=form.tahun.data, tahap=(form.tahap.data or "").strip() or None, tgl_salur=form.tgl_salur.data,
                nilai_rp=form.nilai_rp.data, uraian_barang=(form.uraian_barang.data or "").strip() or None,
                jumlah=form.jumlah.data, status="diusulkan", sumber_dana=form.sumber_dana.data or program.sumber_dana,
                penyalur=(form.penyalur.data or "").strip() or None,
                catatan=(form.catatan.data or "").strip() or None, created_by_id=current_user.id)
            db.session.add(row)
            db.session.flush()
            audit.record("create", "sidilan_assistance", row.id, f"bantuan {program.kode} untuk orang #{person.id}")
            db.session.commit()
            flash("Bantuan dicatat dengan status diusulkan.", "ok")
            return redirect(url_for("sidilan.person_view", person_id=person.id))
    return render("sidilan/assistance_form.html", form=form, p=person,
                  status=422 if _has_errors(form) else 200)


@bp.route("/bantuan/<int:aid>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def assistance_status(aid: int):
    """Status flow of sidilan.md §9.3; the form says which record page to return to."""
    row = get_scoped_or_404(Assistance, aid)
    form = AssistanceStatusForm()
    nxt = request.form.get("next_person") or ""
    person_id = int(nxt) if nxt.isdigit() else row.person_id
    back = url_for("sidilan.person_view", person_id=person_id) if person_id else url_for("sidilan.index")
    if not form.validate_on_submit() or form.status.data not in ASSISTANCE_TRANSITIONS.get(row.status, ()):
        flash("Perubahan status bantuan tidak sah untuk status saat ini.", "error")
        return redirect(back)
    old = row.status
    row.status = form.status.data
    audit.record("update", "sidilan_assistance", row.id, f"status bantuan #{row.id}: {old} -> {row.status}")
    db.session.commit()
    flash("Status bantuan diperbarui.", "ok")
    return redirect(back)


@bp.route("/tanpa-bantuan")
def unassisted():
    """People with a severe disability or Barthel <= 8 who receive no assistance."""
    stmt = S.unassisted_stmt(current_user).options(joinedload(Person.nagari), joinedload(Person.disability))
    page = paginate(stmt, request.args.get("hal"))
    return render("sidilan/unassisted.html", "sidilan/_list.html", page=page, today=today_local(),
                  f=S.Filters())


@bp.route("/bantuan-ganda")
def double_program():
    """Households that receive the same program more than once in a year."""
    page = paginate(S.double_program_stmt(current_user), request.args.get("hal"), rows=True)
    hh_ids = {r.household_id for r in page.items}
    prog_ids = {r.program_id for r in page.items}
    households = {h.id: h for h in db.session.scalars(select(Household).where(Household.id.in_(hh_ids)).options(
        selectinload(Household.members)))} if hh_ids else {}
    programs = {p.id: p for p in db.session.scalars(select(Program).where(Program.id.in_(prog_ids)))} \
        if prog_ids else {}
    return render("sidilan/double.html", page=page, households=households, programs=programs)


# ---- verification workflow ---------------------------------------------------------------------

@bp.route("/orang/<int:person_id>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def person_transition(person_id: int):
    person = get_scoped_or_404(Person, person_id)
    form = WorkflowForm()
    if not form.validate_on_submit():
        flash("Tindakan tidak sah atau catatan terlalu panjang (maksimal 500 karakter).", "error")
        return redirect(url_for("sidilan.person_view", person_id=person.id))
    try:
        S.transition(person, form.action.data, current_user, form.note.data)
    except S.DuplicateUndecided as e:
        db.session.commit()  # keeps a case the check opened, so the link below leads somewhere
        links = Markup(" ").join(Markup('<a href="{}">Buka kasus duplikat #{}</a>').format(
            url_for("sidilan.duplicate_review", cand_id=c.id), c.id) for c in e.cases)
        flash(escape(str(e)) + Markup(" ") + links, "error")
        return redirect(url_for("sidilan.person_view", person_id=person.id))
    except S.WorkflowError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("sidilan.person_view", person_id=person.id))
    db.session.commit()
    flash(f"Status data: {V.label(V.STATUS_VERIFIKASI, person.status_verifikasi)}.", "ok")
    return redirect(url_for("sidilan.person_view", person_id=person.id))


@bp.route("/verifikasi")
def worklist():
    counts = dict(db.session.execute(
        scoped(Person, current_user, Person.status_verifikasi, func.count(Person.id))
        .where(Person.active.is_(True), Person.merged_into_id.is_(None))
        .group_by(Person.status_verifikasi)).all())
    sections = []
    for status, title, _ in S.WORKLISTS.get(current_user.role, []):
        rows = list(db.session.scalars(S.in_status(current_user, status).options(joinedload(Person.nagari))
                                       .order_by(Person.updated_at, Person.id).limit(20)))
        sections.append((status, title, rows))
    return render("sidilan/worklist.html", counts=counts, sections=sections)


# ---- duplicates --------------------------------------------------------------------------------

@bp.route("/duplikat")
def duplicates():
    stmt = scoped(DuplicateCandidate).where(DuplicateCandidate.keputusan.is_(None)).options(
        joinedload(DuplicateCandidate.person_a), joinedload(DuplicateCandidate.person_b)).order_by(
        DuplicateCandidate.skor.desc(), DuplicateCandidate.id)
    page = paginate(stmt, request.args.get("hal"))
    return render("sidilan/duplicates.html", page=page, reasons=S.REASON_LABELS)


COMPARE_FIELDS = [("NIK", "nik"), ("No. KK", "no_kk"), ("Nama lengkap", "nama_lengkap"),
                  ("Jenis kelamin", "jenis_kelamin"), ("Tempat lahir", "tempat_lahir"),
                  ("Tanggal lahir", "tanggal_lahir"), ("Alamat", "alamat"), ("Status verifikasi", "status_verifikasi"),
                  ("Sumber data", "sumber_data")]


@bp.route("/duplikat/<int:cand_id>", methods=["GET", "POST"])
def duplicate_review(cand_id: int):
    cand = get_scoped_or_404(DuplicateCandidate, cand_id)
    form = DuplicateDecisionForm()
    form.keep.choices = [(cand.person_a_id, f"#{cand.person_a_id}"), (cand.person_b_id, f"#{cand.person_b_id}")]
    if request.method == "POST":
        if current_user.role not in STAFF_ROLES:
            abort(404)
        if cand.keputusan:
            flash("Pasangan ini sudah diputuskan.", "error")
            return redirect(url_for("sidilan.duplicate_review", cand_id=cand.id))
        if form.validate_on_submit():
            if form.keputusan.data == "duplikat" and form.keep.data not in (cand.person_a_id, cand.person_b_id):
                form.keep.errors = list(form.keep.errors) + ["Pilih data yang dipertahankan."]
            else:
                try:
                    S.decide_duplicate(cand, form.keputusan.data, current_user, form.keep.data)
                except S.WorkflowError as e:
                    db.session.rollback()
                    flash(str(e), "error")
                    return redirect(url_for("sidilan.duplicate_review", cand_id=cand.id))
                db.session.commit()
                if form.keputusan.data == "duplikat":
                    flash(f"Data digabung ke #{form.keep.data}.", "ok")
                    return redirect(url_for("sidilan.person_view", person_id=form.keep.data))
                flash("Dicatat: bukan duplikat. Pasangan ini tidak akan ditanyakan lagi.", "ok")
                return redirect(url_for("sidilan.duplicates"))
    audit.record("view", "sidilan_duplicate", cand.id,
                 f"membandingkan orang #{cand.person_a_id} dan #{cand.person_b_id}")
    db.session.commit()
    return render("sidilan/duplicate.html", cand=cand, a=cand.person_a, b=cand.person_b, form=form,
                  fields=COMPARE_FIELDS, reasons=S.REASON_LABELS, may_decide=current_user.role in STAFF_ROLES,
                  show_nik=may_see_nik(current_user), status=422 if _has_errors(form) else 200)


# ---- programs (reference data; managed by the verifikator of the regency) ---------------------

@bp.route("/program")
def programs():
    rows = S.programs_for(current_user, active_only=False)
    return render("sidilan/programs.html", rows=rows, may_edit=current_user.role == VERIFIKATOR_DINSOS)


@bp.route("/program/baru", methods=["GET", "POST"])
@bp.route("/program/<int:program_id>", methods=["GET", "POST"])
@roles_required(VERIFIKATOR_DINSOS)
def program_edit(program_id: int | None = None):
    row = get_scoped_or_404(Program, program_id) if program_id else None
    form = ProgramForm(obj=row) if request.method == "GET" else ProgramForm()
    if form.validate_on_submit():
        kode = form.kode.data.strip().upper()
        clash = db.session.scalar(scoped(Program, current_user, Program.id).where(Program.kode == kode))
        if clash is not None and (row is None or clash != row.id):
            form.kode.errors.append("Kode program ini sudah ada.")
        else:
            data = dict(kode=kode, nama=" ".join(form.nama.data.split()), sumber_dana=form.sumber_dana.data or None,
                        jenis=form.jenis.data or None, sasaran=form.sasaran.data,
                        punya_komponen=bool(form.punya_komponen.data), aktif=bool(form.aktif.data))
            if row is None:
                row = Program(regency_id=current_user.regency_id, **data)
                db.session.add(row)
                db.session.flush()
                audit.record("create", "sidilan_program", row.id, f"program bantuan {kode}")
            else:
                for k, v in data.items():
                    setattr(row, k, v)
                audit.record("update", "sidilan_program", row.id, f"program bantuan {kode}")
            db.session.commit()
            flash("Program tersimpan.", "ok")
            return redirect(url_for("sidilan.programs"))
    return render("sidilan/program_form.html", form=form, row=row, status=422 if _has_errors(form) else 200)



@bp.app_template_global("sidilan_values")
def _values():
    return V


@bp.cli.command("seed")
def seed_command():
    """`flask sidilan seed`: the assistance programs of sidilan.md §5.1 for every regency. Idempotent."""
    from blueprints.auth.models import Regency

    added = sum(S.seed_programs(r.id) for r in db.session.scalars(select(Regency).order_by(Regency.code)))
    db.session.commit()
    click.echo(f"Program bantuan ditambahkan: {added}")


@bp.cli.command("bulk")
@click.option("--persons", default=100_000, show_default=True, help="Jumlah orang sintetis.")
@click.option("--kabupaten", type=click.Choice(["solok", "sijunjung"]), default="solok", show_default=True)
def bulk_command(persons: int, kabupaten: str):
    """`flask sidilan bulk`: synthetic persons for benchmarks (never for a production database)."""
    from blueprints.auth.models import Regency

    from .demo import bulk

    regency = db.session.scalar(select(Regency).where(Regency.code == {"solok": "13.02", "sijunjung": "13.03"}[
        kabupaten]))
    if regency is None:
        raise click.ClickException("Wilayah belum ada; jalankan `flask seed` dahulu.")
    n = bulk(regency, max(0, min(persons, 1_000_000)))
    db.session.commit()
    click.echo(f"{n} orang sintetis ditambahkan ke {regency.name}.")
