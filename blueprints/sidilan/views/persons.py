"""SIDILAN person views: search and list, NIK decode, new and edit form, person record."""

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, load_only

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.nik import check_kk, check_nik
from blueprints.core.outcome import Outcome, has_errors
from blueprints.core.render import render, wants_fragment
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local
from blueprints.core.versioning import conflict_response
from blueprints.wilayah.service import Cascade, is_cascade_refresh

from .. import bp
from ..access import ENTRY_ROLES, may_see_nik, may_staff, may_write
from ..assistance import ASSISTANCE_TRANSITIONS
from ..disability import wgss_cutoff, wgss_flag
from ..documents import page_context as documents_context
from ..fast_entry import apply_fill, household_values, nik_fill, place_after_fill
from ..forms import EditPersonForm, NewPersonForm, WorkflowForm
from ..models import Disability, Household, Person
from ..nagari_scope import nagari_open
from ..person import existing_with_nik, load_record, record_context, save_person
from ..programs import programs_for
from ..public import accessibility_summary
from ..search import Filters, list_page
from ..workflow import ACTION_LABELS, allowed_actions, editable
from ._common import _not_editable, _place_values, recorded

# ---- search and list ------------------------------------------------------------------------------

# the columns the list shows (sidilan/_list.html) and its sort key, not the whole wide rows
LIST_SHOWS = (
    load_only(
        Person.nik,
        Person.nama_lengkap,
        Person.merged_into_id,
        Person.jenis_kelamin,
        Person.tanggal_lahir,
        Person.nagari_code,
        Person.status_verifikasi,
        Person.name_search,
    ),
    joinedload(Person.nagari),
    joinedload(Person.disability).load_only(
        Disability.ragam_fisik,
        Disability.ragam_intelektual,
        Disability.ragam_mental,
        Disability.ragam_sensorik,
        Disability.ganda,
    ),
)


@bp.route("/")
@audit.reads("sidilan_person", "daftar orang")
@nagari_open
def index():
    filters = Filters.from_args(request.args)
    page = list_page(
        filters,
        current_user,
        today_local(),
        request.args,
        options=LIST_SHOWS,
    )
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
    chk = (
        check_nik(nik, sex=sex, birth_date=birth, regency_code=current_user.regency.code)
        if nik.strip()
        else None
    )
    existing = None
    if chk is not None and chk.ok:
        existing = existing_with_nik(chk.value, current_user)
    fill = fill_form = cascade = None
    if request.args.get("isi") and wants_fragment():
        # the person form asks: the boxes the NIK fills while they are empty (sidilan/_nik_fill.html)
        fill = nik_fill(
            chk,
            current_user.regency,
            sex=sex or "",
            birth=request.args.get("tanggal_lahir") or "",
            kecamatan=request.args.get("kecamatan") or "",
            nagari=request.args.get("nagari") or "",
        )
        fill_form = NewPersonForm(data={"jenis_kelamin": fill.sex, "tanggal_lahir": fill.birth_date})
        if fill.kecamatan:
            cascade = Cascade.build(current_user.regency, place_after_fill(request.args, fill), required=True)
    return render(
        "sidilan/nik_page.html",
        "sidilan/_nik_fill.html",
        chk=chk,
        nik=nik,
        existing=existing,
        fill=fill,
        fill_form=fill_form,
        cascade=cascade,
    )


# ---- person ------------------------------------------------------------------------------------


def _decode_for(form):
    """The NIK decode shown next to the field after a submit (the no-JS path)."""
    if not (form.nik.data or "").strip():
        return None
    birth = form.tanggal_lahir.data if not form.tanggal_lahir.errors else None
    chk = check_nik(
        form.nik.data, sex=form.jenis_kelamin.data, birth_date=birth, regency_code=current_user.regency.code
    )
    return chk if chk.ok else None  # errors already show at the field


@bp.route("/orang/baru", methods=["GET", "POST"])
@audit.not_sensitive
@roles_required(*ENTRY_ROLES)
def person_new():
    source = request.form if request.method == "POST" else request.args
    if request.method == "GET" and request.args.get("keluarga", type=int):
        # "Tambah anggota" on a household page: the form starts with that household
        hh = get_scoped_or_404(Household, request.args.get("keluarga", type=int))
        form = NewPersonForm(data=household_values(hh))
        cascade = Cascade.build(current_user.regency, _place_values(hh), required=True)
        # the form shows the household's full No. KK and address
        return recorded(
            _person_form(None, form, cascade),
            "view",
            "sidilan_household",
            hh.id,
            f"tambah anggota keluarga #{hh.id}",
        )
    form = NewPersonForm()
    if request.method == "GET" and "usulan" in request.args:  # an accepted public report (views/beyond.py)
        from .beyond import prefill_from_usulan

        source = prefill_from_usulan(form, request.args["usulan"])
        page = _person_form(None, form, Cascade.build(current_user.regency, source, required=True))
        db.session.commit()
        return page
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
        return recorded(
            _person_form(person, form, cascade),
            "view",
            "sidilan_person",
            person.id,
            f"membuka formulir ubah orang #{person.id}",
        )
    return _person_form(person, form, cascade)


def _person_form(person: Person | None, form, cascade: Cascade):
    """What the new and the edit form share: save on a real POST, else (re)show the form with what was typed."""
    out = Outcome()
    if request.method == "POST" and FILL_BUTTON in request.form:
        cascade = fill_from_nik(form, cascade)
    elif request.method == "POST" and not is_cascade_refresh(request.form):
        out = save_person(person, form, cascade, current_user)
        if out.stale:
            return conflict_response(
                form,
                out.stale,
                back_url=url_for("sidilan.person_edit", person_id=person.id),
                current={"tags": out.stale.tag_list},
            )
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            return _after_save(out)
    return render(
        "sidilan/person_form.html",
        form=form,
        cascade=cascade,
        errors=out.errors,
        person=person,
        decode=_decode_for(form),
        status=FORM_INVALID if has_errors(form, out.errors) else 200,
    )


FILL_BUTTON = "_isi_nik"  # the no-JS "Isi dari NIK" button (sidilan/_identity.html)


def fill_from_nik(form, cascade: Cascade) -> Cascade:
    """The no-JS "Isi dari NIK" round trip: the empty sex, birth date and kecamatan/nagari get the NIK's values,
    everything typed stays; returns the cascade to show."""
    chk = (
        check_nik(form.nik.data, regency_code=current_user.regency.code)
        if (form.nik.data or "").strip()
        else None
    )
    fill = nik_fill(
        chk,
        current_user.regency,
        sex=form.jenis_kelamin.data or "",
        birth=" ".join(form.tanggal_lahir.raw_data or []),
        kecamatan=cascade.kecamatan,
        nagari=cascade.nagari,
    )
    apply_fill(form, fill)
    if not fill.kecamatan:
        return cascade
    return Cascade.build(
        current_user.regency, place_after_fill(request.form, fill), required=cascade.required
    )


def _after_save(out: Outcome):
    for w in out.warnings:
        flash("Peringatan: " + w, "warn")
    if out.related:
        flash("Data tersimpan. Ada data lain yang mungkin orang yang sama; periksa berdampingan.", "warn")
        return redirect(url_for("sidilan.duplicate_review", cand_id=out.related[0].id))
    flash("Data tersimpan.", "ok")
    return redirect(url_for("sidilan.person_view", person_id=out.record.id))


@bp.route("/orang/<int:person_id>")
@audit.reads("sidilan_person", "profil orang")
def person_view(person_id: int):
    person = load_record(person_id, current_user)
    if person is None:
        abort(404)
    chk = (
        check_nik(
            person.nik,
            sex=person.jenis_kelamin,
            birth_date=person.tanggal_lahir,
            regency_code=current_user.regency.code,
        )
        if person.nik
        else None
    )
    kk_chk = check_kk(person.no_kk) if person.no_kk else None
    age = person.age_on(today_local())
    page = render(
        "sidilan/person.html",
        p=person,
        chk=chk,
        kk_chk=kk_chk,
        **record_context(person, current_user),
        age=age,
        editable=editable(person),
        actions=allowed_actions(person, current_user),
        action_labels=ACTION_LABELS,
        wg_flag=wgss_flag(person.disability.wg_answers) if person.disability else False,
        wg_cutoff=wgss_cutoff(),
        access=accessibility_summary(person),
        workflow_form=WorkflowForm(),
        assistance_transitions=ASSISTANCE_TRANSITIONS,
        may_write=may_write(current_user),
        may_staff=may_staff(current_user),
        show_nik=may_see_nik(current_user),
        **documents_context(person, current_user),
    )
    return recorded(page, "view", "sidilan_person", person.id, f"membuka profil orang #{person.id}")
