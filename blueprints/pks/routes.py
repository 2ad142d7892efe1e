"""Agreements: list, record page, edits, parties and numbers, stages, signing, targets, notes, rules."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from blueprints.auth.models import regency_choices
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.pagination import paginate, paginate_list
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.submission import REPLAY_NOTE
from blueprints.core.timeutil import today_local
from blueprints.core import audit

from . import agreements as drafting
from . import bp, minutes, signing, stages, timeline, validity
from . import parties as party_cases
from . import rules as rule_cases
from . import slips as slip_cases
from . import waiting as waiting_cases
from .access import allowed, can_write, may_switch_rules, rules_only
from .checks import signing_gaps
from .forms import (UNKNOWN_FORM, AgreementForm, ChildForm, EditAgreementForm, NewAgreementForm, NoteForm,
                    NumberForm, PartyForm, RuleForm, ScopeItemForm, SignatoryForm, SignForm, StageForm, TargetForm,
                    WaitingForm)
from .home import attention
from .models import JENIS, STATUS_BERLAKU, TAHAP, URUSAN, Agreement
from .outcome import Locked, Outcome
from .queries import children_of
from .reminders import reminders_of
from .rules import RULES, blocking_codes, rule_setting
from .saving import create_once, stale_answer
from .target import format_target


@bp.before_request
def _role_limits():
    """Pimpinan reads; admins only reach the rule switches; everything else is for Bagian Kerjasama
    (``access.allowed``)."""
    if not allowed(current_user.role, request.endpoint, request.method):
        abort(404)


def get_agreement(agreement_id: int) -> Agreement:
    return get_scoped_or_404(Agreement, agreement_id)


def _finish(out: Outcome, a: Agreement, form, message: str):
    """When the outcome went through, commit, flash its warnings and go back to the record page (PRG); when it
    was refused, its messages go onto ``form`` (shown above its fields) and nothing was written.
    A repeat of what is already stored lands on the record page with the replay note."""
    if out.repeated:
        flash(REPLAY_NOTE, "ok")
        return redirect(url_for("pks.detail", agreement_id=a.id), 303)
    if not out.ok:
        form.form_errors.extend(out.messages())
        return None
    db.session.commit()
    for w in out.warnings:
        flash("Peringatan: " + w.text, "warn")
    flash(message, "ok")
    return redirect(url_for("pks.detail", agreement_id=a.id))


def _form_status() -> int:
    """A form shown again after a POST was refused: 422, the one status for an invalid form."""
    return FORM_INVALID if request.method == "POST" else 200


# ---- dashboard and lists ------------------------------------------------------------------------

@bp.route("/")
@audit.not_sensitive
def index():
    if rules_only():
        return rules()
    today = today_local()
    items = attention(current_user, today)
    return render("pks/index.html", items=items, today=today)


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
    return render("pks/list.html", "pks/_list.html", page=page, q=q, args=request.args, today=today,
                  regencies=regency_choices(), JENIS=JENIS, TAHAP=TAHAP, STATUS_BERLAKU=STATUS_BERLAKU,
                  URUSAN=URUSAN, status_of=lambda a: validity.status_berlaku(a, today))


# ---- create and edit ----------------------------------------------------------------------------

def _fill_agreement_form(form: AgreementForm) -> None:
    form.parent_id.choices = drafting.parent_choices()
    form.scope_item_id.choices = drafting.scope_item_choices()


@bp.route("/baru", methods=["GET", "POST"])
@audit.not_sensitive
def new():
    form = NewAgreementForm()
    _fill_agreement_form(form)
    if request.method == "GET":
        form.jenis.data = request.args.get("jenis", "PKS") if request.args.get("jenis") in JENIS else "PKS"
        form.parent_id.data = request.args.get("induk", 0, type=int)
    if form.validate_on_submit():
        done = create_once(form.submission_key.data,
                           lambda: drafting.create_agreement(form, current_user, today_local()))
        if done:
            return done
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
    _fill_agreement_form(form)
    del form.jenis, form.parent_id  # the type and parent of a record never change
    if request.method == "GET":
        form.urusan.data, form.klausul.data = a.urusan, a.klausul
        form.scope_item_id.data, form.dprd_perlu.data = drafting.agreement_now(a).values()
    else:
        stale = stale_answer(form, a, back_url=url_for("pks.detail", agreement_id=a.id),
                             current=drafting.agreement_now(a))
        if stale:
            return stale
    if form.validate_on_submit() and drafting.save_agreement(form, a, current_user):
        db.session.commit()
        flash("Perubahan disimpan.", "ok")
        return redirect(url_for("pks.detail", agreement_id=a.id))
    return render("pks/agreement_form.html", form=form, a=a, status=_form_status())


# ---- the record page ----------------------------------------------------------------------------

@bp.route("/<int:agreement_id>")
@audit.not_sensitive
def detail(agreement_id):
    a = get_agreement(agreement_id)
    today = today_local()
    slips = slip_cases.slips_of(a)
    meetings = minutes.meetings_of(a)
    return render("pks/detail.html", a=a, today=today, slips=slips, summary=slip_cases.slip_summary(a, slips),
                  berlaku=validity.status_berlaku(a, today), banner=validity.show_banner(a, today),
                  end=validity.effective_end(a), reminders=reminders_of(a, today),
                  notes=drafting.visible_notes(a, current_user), note_form=NoteForm(), meetings=meetings,
                  children=children_of(a), timeline=timeline.build(a, meetings, slips),
                  menunggu=waiting_cases.menunggu_label(a, waiting_cases.regency_names()),
                  waited=waiting_cases.waiting_days(a, today), can_write=can_write())


@bp.route("/<int:agreement_id>/catatan", methods=["POST"])
def add_note(agreement_id):
    a = get_agreement(agreement_id)
    form = NoteForm()
    if form.validate_on_submit():
        done = create_once(form.submission_key.data, lambda: drafting.add_note(a, form, current_user))
        if done:
            return done
    return render("pks/form.html", form=form, title="Catatan", a=a,
                  action=url_for("pks.add_note", agreement_id=a.id), status=422)


# ---- parties, signatories, numbers --------------------------------------------------------------

def _party_forms(a: Agreement, prefix_data: bool = False):
    party_form = PartyForm(prefix="p")
    party_form.regency_id.choices = regency_choices()
    sig_form = SignatoryForm(prefix="s")
    num_form = NumberForm(prefix="n")
    sig_form.party_id.choices = num_form.party_id.choices = party_cases.party_choices(a)
    return party_form, sig_form, num_form


def _parties_page(a, party_form, sig_form, num_form, status=200, error=None):
    numbers = {n.party_id: n for n in a.numbers}
    return render("pks/parties.html", a=a, party_form=party_form, sig_form=sig_form, num_form=num_form,
                  numbers=numbers, can_write=can_write(), status=status, error=error)


@bp.route("/<int:agreement_id>/pihak", methods=["GET", "POST"])
@audit.not_sensitive
def parties(agreement_id):
    a = get_agreement(agreement_id)
    party_form, sig_form, num_form = _party_forms(a)
    if request.method == "POST":
        if a.is_locked:
            flash(Locked.message, "error")
            return redirect(url_for("pks.parties", agreement_id=a.id))
        which = request.form.get("bagian")
        forms = {"pihak": (party_form, party_cases.add_party),
                 "penandatangan": (sig_form, party_cases.add_signatory),
                 "nomor": (num_form, party_cases.record_number)}
        error = None
        if which in forms:
            form, make = forms[which]
            if form.validate_on_submit():
                done = create_once(form.submission_key.data, lambda: make(a, form, current_user))
                if done:
                    return done
        else:
            error = UNKNOWN_FORM
        return _parties_page(a, party_form, sig_form, num_form, status=FORM_INVALID, error=error)
    return _parties_page(a, party_form, sig_form, num_form)


# ---- stages, signing, target, whose court -------------------------------------------------------

def _stage_form(a: Agreement, submitted: bool = False) -> StageForm:
    form = StageForm(prefix="t")
    form.to.choices = [(s, TAHAP[s]) for s in stages.next_stages(a) if s != "ditandatangani"]
    if not submitted:
        form.dari.data = a.tahap
    return form


def _target_form(a: Agreement) -> TargetForm:
    form = TargetForm(prefix="g")
    form.meeting_id.choices = minutes.meeting_choices(a)
    return form


def _waiting_form(a: Agreement, names, submitted: bool = False) -> WaitingForm:
    form = WaitingForm(prefix="w")
    form.menunggu.choices = waiting_cases.menunggu_choices(names)
    if not submitted:  # shows what is stored, on the version it was read at
        form.version.data = a.version
        form.menunggu.data, form.opd.data = waiting_cases.waiting_parts(a)
    return form


def _stage_page(a, stage_form=None, sign_form=None, target_form=None, waiting_form=None, status=200):
    names = waiting_cases.regency_names()
    slips = slip_cases.slips_of(a)
    return render("pks/stage.html", a=a, stage_form=stage_form or _stage_form(a),
                  sign_form=sign_form or SignForm(prefix="ttd"), target_form=target_form or _target_form(a),
                  waiting_form=waiting_form or _waiting_form(a, names), slips=slips,
                  summary=slip_cases.slip_summary(a, slips), names=names, can_write=can_write(),
                  gaps=signing_gaps(a) if a.tahap == "siap_ttd" else [], status=status)


@bp.route("/<int:agreement_id>/tahap", methods=["GET", "POST"])
@audit.not_sensitive
def stage(agreement_id):
    a = get_agreement(agreement_id)
    if request.method == "GET":
        return _stage_page(a)
    form = _stage_form(a, submitted=True)
    status = FORM_INVALID
    if form.validate_on_submit() or form.dari.data != a.tahap:  # a stale page is said first, whatever it chose
        out = stages.move(a, form.dari.data, form.to.data, form.reason.data or "", current_user, today_local())
        done = _finish(out, a, form, f"Tahap sekarang: {a.tahap_label}.")
        if done:
            return done
        if out.stale:  # shown again on the stored stage, with what was typed
            form = _stage_form(a)
            form.form_errors.extend(out.errors)
            status = 409
    return _stage_page(a, stage_form=form, status=status)


@bp.route("/<int:agreement_id>/tandatangan", methods=["POST"])
def sign(agreement_id):
    a = get_agreement(agreement_id)
    form = SignForm(prefix="ttd")
    if a.tahap != "siap_ttd":  # the page shows no signing form then, so say why here
        if signing.signed_already(a, form.tgl_ttd.data):
            flash(REPLAY_NOTE, "ok")
            return redirect(url_for("pks.detail", agreement_id=a.id), 303)
        flash(signing.NOT_READY_TO_SIGN, "error")
        return redirect(url_for("pks.stage", agreement_id=a.id))
    if form.validate_on_submit():
        out = signing.sign(a, form.tgl_ttd.data, form.tempat.data or "", form.tgl_mulai.data, form.tgl_berakhir.data,
                           form.jangka_bulan.data, current_user, today_local())
        done = _finish(out, a, form, "Penandatanganan dicatat; naskah kini terkunci.")
        if done:
            return done
    return _stage_page(a, sign_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/target", methods=["POST"])
def target(agreement_id):
    a = get_agreement(agreement_id)
    form = _target_form(a)
    if form.validate_on_submit():
        done = create_once(form.submission_key.data,
                           lambda: slip_cases.set_target_from_form(a, form, current_user))
        if done:
            return done
    return _stage_page(a, target_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/menunggu", methods=["POST"])
def waiting(agreement_id):
    a = get_agreement(agreement_id)
    names = waiting_cases.regency_names()
    form = _waiting_form(a, names, submitted=True)
    stale = stale_answer(form, a, back_url=url_for("pks.detail", agreement_id=a.id),
                         current=dict(zip((form.menunggu.name, form.opd.name), waiting_cases.waiting_parts(a),
                                          strict=True)))
    if stale:
        return stale
    if form.validate_on_submit():
        waiting_cases.set_waiting(a, form.menunggu.data, form.opd.data, current_user, today_local(), names)
        db.session.commit()
        flash("Status 'menunggu siapa' disimpan.", "ok")
        return redirect(url_for("pks.detail", agreement_id=a.id))
    return _stage_page(a, waiting_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/turunan", methods=["GET", "POST"])
@audit.not_sensitive
def child(agreement_id):
    a = get_agreement(agreement_id)
    form = ChildForm()
    if form.validate_on_submit():
        done = create_once(form.submission_key.data,
                           lambda: drafting.add_child(a, form, current_user, today_local()))
        if done:
            return done
    return render("pks/form.html", form=form, a=a, title=f"Adendum / perpanjangan: {a.judul}",
                  action=url_for("pks.child", agreement_id=a.id), status=_form_status())


@bp.route("/<int:agreement_id>/ruang-lingkup", methods=["GET", "POST"])
@audit.not_sensitive
def scope_item(agreement_id):
    a = get_agreement(agreement_id)
    if a.jenis != "KSB":
        abort(404)
    form = ScopeItemForm()
    if form.validate_on_submit():
        done = create_once(form.submission_key.data, lambda: drafting.add_scope_item(a, form, today_local()))
        if done:
            return done
    return render("pks/form.html", form=form, a=a, title="Ruang lingkup baru",
                  action=url_for("pks.scope_item", agreement_id=a.id), status=_form_status())


# ---- views over all agreements ------------------------------------------------------------------

@bp.route("/menunggu")
@audit.not_sensitive
def waiting_view():
    today = today_local()
    names = waiting_cases.regency_names()
    return render("pks/waiting.html", rows=waiting_cases.waiting_rows(), today=today,
                  label_of=lambda a: waiting_cases.menunggu_label(a, names))


@bp.route("/cakupan")
@audit.not_sensitive
def coverage():
    today = today_local()
    return render("pks/coverage.html", ksbs=drafting.coverage_ksbs(), today=today,
                  visible=drafting.visible_ids())


# ---- rules (admin) ------------------------------------------------------------------------------

def _rules_page(is_admin: bool, error: str | None = None, status: int = 200):
    settings = {code: rule_setting(code) for code in RULES}
    return render("pks/rules.html", rules=RULES.values(), blocking=blocking_codes(), is_admin=is_admin,
                  versions={code: row.version for code, row in settings.items()}, error=error, status=status)


@bp.route("/aturan", methods=["GET", "POST"])
@audit.not_sensitive
def rules():
    is_admin = may_switch_rules()
    if request.method == "GET":
        return _rules_page(is_admin)
    if not is_admin:
        abort(404)
    form = RuleForm()
    if form.code.data not in RULES:
        return _rules_page(is_admin, "Aturan tidak dikenali. Muat ulang halaman lalu coba lagi.", FORM_INVALID)
    row = rule_setting(form.code.data)
    stale = stale_answer(form, row, back_url=url_for("pks.rules"),
                         current={"blocking": "1" if row.blocking else "0"})
    if stale:
        return stale
    if not form.validate_on_submit():
        return _rules_page(is_admin, " ".join(e for errs in form.errors.values() for e in errs), FORM_INVALID)
    if not rule_cases.switch(form.code.data, form.blocking.data == "1", current_user):
        abort(409)  # another admin switched this rule for the first time at the same moment
    db.session.commit()
    flash("Aturan disimpan.", "ok")
    return redirect(url_for("pks.rules"))


# ---- template helpers (prefixed, registered by this blueprint) ----------------------------------

STATUS_TONE = {"aktif": "ok", "akan_berakhir": "warn", "kedaluwarsa": "danger", "diakhiri": "", "dibatalkan": "",
               "belum_berlaku": ""}


@bp.app_template_global("pks_target")
def _target_label(a) -> str:
    return format_target(a.target_mulai, a.target_selesai, a.target_presisi)


@bp.app_template_global("pks_status")
def _status_badge(code: str):
    return Markup(f'<span class="badge {STATUS_TONE.get(code, "")}">{escape(STATUS_BERLAKU.get(code, code))}</span>')


@bp.app_template_global("pks_fmt")
def _fmt_target(mulai, selesai, presisi) -> str:
    return format_target(mulai, selesai, presisi)
