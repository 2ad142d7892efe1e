"""Agreements: the list, create and edit, the record page, notes, addenda/extensions and KSB scope items (the
use cases: ``agreements.py``)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import regency_choices
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pagination import paginate, paginate_list
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import agreements as drafting
from .. import bp, register, timeline, validity
from .. import slips as slip_cases
from .. import waiting as waiting_cases
from ..access import can_write
from ..forms import AgreementForm, ChildForm, EditAgreementForm, NewAgreementForm, NoteForm, ScopeItemForm
from ..models import JENIS, STATUS_BERLAKU, TAHAP, URUSAN
from ..outcome import Locked
from ..queries import load_record, party_options, record_options
from ..reminders import reminders_of
from ._common import _form_status, answer, get_agreement


@bp.route("/daftar")
@audit.not_sensitive
def agreements():
    stmt, q = drafting.search(request.args, current_user)
    status = request.args.get("status", "")
    today = today_local()
    if status in STATUS_BERLAKU:
        # Derived, so filtered in Python over the (small) scoped set; paging stays at 20 rows.
        rows = [a for a in db.session.scalars(stmt) if validity.status_berlaku(a, today) == status]
        page = paginate_list(rows, request.args.get("hal"), filters=drafting.LIST_FILTERS)
    else:
        page = paginate(stmt, request.args.get("hal"), filters=drafting.LIST_FILTERS)
    return render(
        "pks/list.html",
        "pks/_list.html",
        page=page,
        q=q,
        args=request.args,
        today=today,
        regencies=regency_choices(),
        JENIS=JENIS,
        TAHAP=TAHAP,
        STATUS_BERLAKU=STATUS_BERLAKU,
        URUSAN=URUSAN,
        status_of=lambda a: validity.status_berlaku(a, today),
    )


# ---- create and edit ----------------------------------------------------------------------------


def _fill_agreement_form(form: AgreementForm) -> None:
    if "parent_id" in form:  # not on the edit form: the parent never changes
        form.parent_id.choices = drafting.parent_choices()
    form.scope_item_id.choices = drafting.scope_item_choices()


@bp.route("/baru", methods=["GET", "POST"])
@audit.not_sensitive
def new():
    form = NewAgreementForm()
    _fill_agreement_form(form)
    form.pemrakarsa_regency_id.choices = [(0, "— daerah saya —"), *regency_choices()]
    form.pemrakarsa_organisation_id.choices = drafting.initiator_organisation_choices()
    if request.method == "GET":
        form.pemrakarsa_regency_id.data = current_user.regency_id or 0
        form.jenis.data = request.args.get("jenis", "PKS") if request.args.get("jenis") in JENIS else "PKS"
        form.parent_id.data = request.args.get("induk", 0, type=int)
    if request.method == "POST":
        scan = request.files.get(form.scan_ttd.name)
        if form.validate_on_submit() and (
            done := answer(drafting.create_agreement(form, current_user, today_local(), scan))
        ):
            return done
        drafting.ask_scan_again(form, scan)
    return render("pks/agreement_form.html", form=form, a=None, status=_form_status())


@bp.route("/<int:agreement_id>/ubah", methods=["GET", "POST"])
@audit.not_sensitive
def edit(agreement_id):
    a = get_agreement(agreement_id)
    if a.is_locked:
        flash(Locked.message, "error")
        if request.method == "POST":
            return redirect(url_for("pks.detail", agreement_id=a.id), 303)
        return redirect(url_for("pks.detail", agreement_id=a.id))
    form = EditAgreementForm(obj=a if request.method == "GET" else None)
    del form.jenis, form.parent_id  # the type and parent of a record never change
    initiator = drafting.initiator_editable(a)
    if not initiator:  # after signing the initiator is shown, not edited
        del form.pemrakarsa_regency_id, form.pemrakarsa_organisation_id
    _fill_agreement_form(form)
    if initiator:  # only a regency that is a party (or the current initiator), and its OPD
        regency_field, opd_field = form.pemrakarsa_regency_id, form.pemrakarsa_organisation_id
        regency_field.choices, opd_field.choices = drafting.edit_initiator_choices(a)
        regency_field.invalid_choice_message = drafting.INITIATOR_NOT_PARTY
    if request.method == "GET":
        form.urusan.data, form.klausul.data = a.urusan, a.klausul
        for name, value in drafting.agreement_now(a).items():
            if name in form:
                form[name].data = value
    elif done := answer(drafting.save_agreement(form, a, current_user), form):
        return done
    return render("pks/agreement_form.html", form=form, a=a, status=_form_status())


# ---- the record page ----------------------------------------------------------------------------


@bp.route("/<int:agreement_id>")
@audit.not_sensitive
def detail(agreement_id):
    a = get_agreement(agreement_id, record_options())
    children = load_record(a)  # first: validity reads the children it loads
    today = today_local()
    slips = slip_cases.slips_of(a)
    story, meetings, notes = timeline.story(a, slips, current_user)
    return render(
        "pks/detail.html",
        a=a,
        today=today,
        slips=slips,
        summary=slip_cases.slip_summary(a, slips),
        berlaku=validity.status_berlaku(a, today),
        banner=validity.show_banner(a, today),
        end=validity.effective_end(a),
        reminders=reminders_of(a, today),
        notes=notes,
        note_form=NoteForm(),
        meetings=meetings,
        children=children,
        timeline=story,
        menunggu=waiting_cases.waiting_label(a),
        waited=waiting_cases.waiting_days(a, today),
        can_write=can_write(),
    )


@bp.route("/<int:agreement_id>/selesai-dicatat", methods=["POST"])
def finish_registration(agreement_id):
    """ "Selesai dicatat": a signed agreement registered after the fact locks (plain form, PRG)."""
    a = get_agreement(agreement_id, party_options(with_signatories=True))
    out = register.finish(a, current_user)
    if done := answer(out):
        return done
    flash(" ".join(out.refusals), "error")
    return redirect(url_for("pks.detail", agreement_id=a.id), 303)


@bp.route("/<int:agreement_id>/catatan", methods=["POST"])
def add_note(agreement_id):
    a = get_agreement(agreement_id)
    form = NoteForm()
    if form.validate_on_submit() and (done := answer(drafting.add_note(a, form, current_user))):
        return done
    return render(
        "pks/form.html",
        form=form,
        title="Catatan",
        a=a,
        action=url_for("pks.add_note", agreement_id=a.id),
        status=422,
    )


@bp.route("/<int:agreement_id>/turunan", methods=["GET", "POST"])
@audit.not_sensitive
def child(agreement_id):
    a = get_agreement(agreement_id)
    form = ChildForm()
    if form.validate_on_submit() and (
        done := answer(drafting.add_child(a, form, current_user, today_local()))
    ):
        return done
    return render(
        "pks/form.html",
        form=form,
        a=a,
        title=f"Adendum / perpanjangan: {a.judul}",
        action=url_for("pks.child", agreement_id=a.id),
        status=_form_status(),
    )


@bp.route("/<int:agreement_id>/ruang-lingkup", methods=["GET", "POST"])
@audit.not_sensitive
def scope_item(agreement_id):
    a = get_agreement(agreement_id)
    if a.jenis != "KSB":
        abort(404)
    form = ScopeItemForm()
    if form.validate_on_submit() and (done := answer(drafting.add_scope_item(a, form, today_local()))):
        return done
    return render(
        "pks/form.html",
        form=form,
        a=a,
        title="Ruang lingkup baru",
        action=url_for("pks.scope_item", agreement_id=a.id),
        status=_form_status(),
    )
