"""Agreements: list, record page, edits, parties and numbers, stages, signing, targets, notes, rules."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from blueprints.auth.models import Regency
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import CONTROL_CHARS, FORM_INVALID, date_range_message, out_of_range
from blueprints.core.pagination import paginate, paginate_list
from blueprints.core.render import render
from blueprints.core.roles import ADMIN, PIMPINAN, SUPERADMIN
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.submission import REPLAY_NOTE
from blueprints.core.timeutil import today_local

from . import bp, service, timeline
from .forms import (UNKNOWN_FORM, AgreementForm, ChildForm, EditAgreementForm, NewAgreementForm, NoteForm,
                    NumberForm, PartyForm, RuleForm, ScopeItemForm, SignatoryForm, SignForm, StageForm, TargetForm,
                    WaitingForm)
from .models import (FINAL_STAGES, JENIS, STATUS_BERLAKU, TAHAP, URUSAN, Agreement, DocNumber, Note, Party, ScopeItem,
                     ScopeLink, Signatory)
from .home import attention, reminders_of
from .rules import RULES, blocking_codes, rule_setting, set_blocking
from .saving import create_once, stale_answer
from .target import format_target, parse_target

READ_ONLY_ROLES = {PIMPINAN}
# Pages that are nothing but a form: a read-only role has nothing to read there (what they show is on the
# record page), so they do not exist for it.
FORM_PAGES = {"pks.new", "pks.edit", "pks.child", "pks.scope_item", "pks.meeting_new", "pks.stage"}


@bp.before_request
def _role_limits():
    """Pimpinan reads; admins only reach the rule switches; everything else is for Bagian Kerjasama."""
    if current_user.role == ADMIN and request.endpoint not in ("pks.index", "pks.rules"):
        abort(404)
    if current_user.role in READ_ONLY_ROLES and (request.method != "GET" or request.endpoint in FORM_PAGES):
        abort(404)


def can_write() -> bool:
    return current_user.role not in READ_ONLY_ROLES


def get_agreement(agreement_id: int) -> Agreement:
    return get_scoped_or_404(Agreement, agreement_id)


def _finish(out: service.Outcome, a: Agreement, form, message: str):
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


def _regency_choices():
    return [(r.id, r.name) for r in db.session.scalars(select(Regency).order_by(Regency.code))]


# ---- dashboard and lists ------------------------------------------------------------------------

@bp.route("/")
@audit.not_sensitive
def index():
    if current_user.role == ADMIN:
        return rules()
    today = today_local()
    items = attention(current_user, today)
    return render("pks/index.html", items=items, today=today)


def _filtered(args, user):
    q = CONTROL_CHARS.sub("", args.get("q") or "").strip()[:100]
    stmt = scoped(Agreement, user)
    jenis, tahap, daerah, urusan = (args.get(k, "") for k in ("jenis", "tahap", "daerah", "urusan"))
    if jenis in JENIS:
        stmt = stmt.where(Agreement.jenis == jenis)
    if tahap in TAHAP:
        stmt = stmt.where(Agreement.tahap == tahap)
    if urusan in URUSAN:
        stmt = stmt.where(Agreement.urusan_codes.like(f"%,{urusan},%"))
    if daerah.isascii() and daerah.isdigit() and len(daerah) <= 9:  # a regency id, never past an INTEGER
        stmt = stmt.where(Agreement.id.in_(select(Party.agreement_id).where(Party.regency_id == int(daerah))))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Agreement.judul).like(like),
                              Agreement.id.in_(select(DocNumber.agreement_id)
                                               .where(func.lower(DocNumber.nomor).like(like)))))
    return stmt.options(*service.list_options()).order_by(Agreement.id.desc()), q


@bp.route("/daftar")
@audit.not_sensitive
def agreements():
    stmt, q = _filtered(request.args, current_user)
    status = request.args.get("status", "")
    today = today_local()
    if status in STATUS_BERLAKU:
        # Derived, so filtered in Python over the (small) scoped set; paging stays at 20 rows.
        rows = [a for a in db.session.scalars(stmt) if service.status_berlaku(a, today) == status]
        page = paginate_list(rows, request.args.get("hal"))
    else:
        page = paginate(stmt, request.args.get("hal"))
    return render("pks/list.html", "pks/_list.html", page=page, q=q, args=request.args, today=today,
                  regencies=_regency_choices(), JENIS=JENIS, TAHAP=TAHAP, STATUS_BERLAKU=STATUS_BERLAKU,
                  URUSAN=URUSAN, status_of=lambda a: service.status_berlaku(a, today))


# ---- create and edit ----------------------------------------------------------------------------

def _fill_agreement_form(form: AgreementForm) -> None:
    parents = db.session.scalars(scoped(Agreement).where(Agreement.tahap != "dibatalkan").order_by(Agreement.id))
    form.parent_id.choices = [(0, "— tanpa induk —")] + [(a.id, f"{a.jenis} #{a.id}: {a.judul[:80]}")
                                                        for a in parents]
    items = db.session.scalars(select(ScopeItem).where(ScopeItem.ksb_id.in_(
        scoped(Agreement, None, Agreement.id).where(Agreement.jenis == "KSB"))).order_by(ScopeItem.id))
    form.scope_item_id.choices = [(0, "—")] + [(s.id, s.nama[:80]) for s in items]


def _validate_parent(form: AgreementForm) -> Agreement | None:
    """A PKS needs its KSB by FK; an adendum or perpanjangan needs the original (§7, error)."""
    parent = None
    if form.parent_id.data:
        parent = db.session.scalar(scoped(Agreement).where(Agreement.id == form.parent_id.data))
        if parent is None:
            form.parent_id.errors.append("Induk tidak ditemukan.")
            return None
    jenis = form.jenis.data
    if jenis == "PKS" and (parent is None or parent.jenis != "KSB"):
        form.parent_id.errors.append("PKS wajib merujuk Kesepakatan Bersama induknya.")
    elif jenis in ("ADENDUM", "PERPANJANGAN") and parent is None:
        form.parent_id.errors.append("Adendum dan perpanjangan wajib merujuk naskah asalnya.")
    elif jenis == "KSB" and parent is not None:
        form.parent_id.errors.append("Kesepakatan Bersama tidak memiliki induk.")
    if form.scope_item_id.data and (parent is None or form.scope_item_id.data not in
                                    {s.id for s in parent.scope_items}):
        form.scope_item_id.errors.append("Ruang lingkup harus milik KSB induk.")
    return parent


def _apply(form: AgreementForm, a: Agreement) -> None:
    a.judul = form.judul.data.strip()
    a.objek = (form.objek.data or "").strip()
    a.urusan = [u for u in form.urusan.data or [] if u in URUSAN]
    a.kategori = form.kategori.data or None
    a.rujukan_rpjmd = (form.rujukan_rpjmd.data or "").strip()
    a.pemrakarsa_opd = (form.pemrakarsa_opd.data or "").strip()
    a.klausul = form.klausul.data or []
    a.tgl_keputusan_perpanjangan = form.tgl_keputusan_perpanjangan.data
    a.dprd_perlu = {"ya": True, "tidak": False}.get(form.dprd_perlu.data)
    a.dprd_alasan = (form.dprd_alasan.data or "").strip()
    a.dprd_nomor = (form.dprd_nomor.data or "").strip()
    a.dprd_tanggal = form.dprd_tanggal.data


def _create_agreement(form: NewAgreementForm):
    parent = _validate_parent(form)
    if form.parent_id.errors or form.scope_item_id.errors:
        return None
    a = Agreement(jenis=form.jenis.data, parent_id=parent.id if parent else None,
                  tahap=service.FIRST_STAGE[form.jenis.data], tahap_sejak=today_local(),
                  pemrakarsa_regency_id=current_user.regency_id)
    _apply(form, a)
    db.session.add(a)
    db.session.flush()
    if form.scope_item_id.data:
        db.session.add(ScopeLink(agreement_id=a.id, scope_item_id=form.scope_item_id.data))
    db.session.add(Party(agreement_id=a.id, regency_id=current_user.regency_id, urutan=1,
                         organisation_id=current_user.organisation_id))
    service.log(a, "dibuat", current_user, "", a.tahap, f"{a.jenis_label} dicatat")
    audit.record("create", "pks_agreement", a.id, f"kesepakatan #{a.id}")
    return (url_for("pks.detail", agreement_id=a.id),
            "Kesepakatan dicatat. Tambahkan pihak lain agar daerah mitra dapat melihatnya.")


@bp.route("/baru", methods=["GET", "POST"])
@audit.not_sensitive
def new():
    form = NewAgreementForm()
    _fill_agreement_form(form)
    if request.method == "GET":
        form.jenis.data = request.args.get("jenis", "PKS") if request.args.get("jenis") in JENIS else "PKS"
        form.parent_id.data = request.args.get("induk", 0, type=int)
    if form.validate_on_submit():
        done = create_once(form.submission_key.data, lambda: _create_agreement(form))
        if done:
            return done
    return render("pks/agreement_form.html", form=form, a=None, status=_form_status())


def _agreement_now(a: Agreement) -> dict:
    """What the edit form shows of ``a`` where a field is not an attribute of the same name."""
    return {"scope_item_id": a.scope_item.id if a.scope_item else 0,
            "dprd_perlu": {True: "ya", False: "tidak"}.get(a.dprd_perlu, "")}


def _save_agreement(form: EditAgreementForm, a: Agreement) -> bool:
    if form.scope_item_id.data and form.scope_item_id.data not in {
            s.id for s in (a.parent.scope_items if a.parent else [])}:
        form.scope_item_id.errors.append("Ruang lingkup harus milik KSB induk.")
        return False
    _apply(form, a)
    link = db.session.get(ScopeLink, a.id)
    if form.scope_item_id.data and link is None:
        db.session.add(ScopeLink(agreement_id=a.id, scope_item_id=form.scope_item_id.data))
    elif link is not None:
        if form.scope_item_id.data:
            link.scope_item_id = form.scope_item_id.data
        else:
            db.session.delete(link)
    service.log(a, "ubah", current_user, reason="Data kesepakatan diubah")
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}")
    return True


@bp.route("/<int:agreement_id>/ubah", methods=["GET", "POST"])
@audit.not_sensitive
def edit(agreement_id):
    a = get_agreement(agreement_id)
    if a.is_locked:
        flash(service.Locked.message, "error")
        if request.method == "POST":
            return redirect(url_for("pks.detail", agreement_id=a.id), 303)
        return redirect(url_for("pks.detail", agreement_id=a.id))
    form = EditAgreementForm(obj=a if request.method == "GET" else None)
    _fill_agreement_form(form)
    del form.jenis, form.parent_id  # the type and parent of a record never change
    if request.method == "GET":
        form.urusan.data, form.klausul.data = a.urusan, a.klausul
        form.scope_item_id.data, form.dprd_perlu.data = _agreement_now(a).values()
    else:
        stale = stale_answer(form, a, back_url=url_for("pks.detail", agreement_id=a.id), current=_agreement_now(a))
        if stale:
            return stale
    if form.validate_on_submit() and _save_agreement(form, a):
        db.session.commit()
        flash("Perubahan disimpan.", "ok")
        return redirect(url_for("pks.detail", agreement_id=a.id))
    return render("pks/agreement_form.html", form=form, a=a, status=_form_status())


# ---- the record page ----------------------------------------------------------------------------

def visible_notes(a: Agreement, user):
    stmt = scoped(Note, user).where(Note.agreement_id == a.id)
    return list(db.session.scalars(stmt.order_by(Note.created_at.desc(), Note.id.desc()).limit(30)))


@bp.route("/<int:agreement_id>")
@audit.not_sensitive
def detail(agreement_id):
    a = get_agreement(agreement_id)
    today = today_local()
    slips = service.slips_of(a)
    meetings = service.meetings_of(a)
    children = list(db.session.scalars(scoped(Agreement).where(Agreement.parent_id == a.id).order_by(Agreement.id)))
    return render("pks/detail.html", a=a, today=today, slips=slips, summary=service.slip_summary(a, slips),
                  berlaku=service.status_berlaku(a, today), banner=service.show_banner(a, today),
                  end=service.effective_end(a), reminders=reminders_of(a, today),
                  notes=visible_notes(a, current_user), note_form=NoteForm(), meetings=meetings,
                  children=children, timeline=timeline.build(a, meetings, slips),
                  menunggu=service.menunggu_label(a, service.regency_names()), waited=service.waiting_days(a, today),
                  can_write=can_write())


@bp.route("/<int:agreement_id>/catatan", methods=["POST"])
def add_note(agreement_id):
    a = get_agreement(agreement_id)
    form = NoteForm()

    def make():
        # disposisi and telaahan are the regency's own paperwork: always internal
        internal = form.internal.data or form.kind.data in ("disposisi", "telaahan")
        note = Note(agreement_id=a.id, kind=form.kind.data, text=form.text.data.strip(),
                    regency_id=current_user.regency_id if internal else None, author_id=current_user.id)
        db.session.add(note)
        db.session.flush()
        audit.record("create", "pks_note", note.id, f"catatan {note.kind} #{note.id} kesepakatan #{a.id}")
        return url_for("pks.detail", agreement_id=a.id) + "#catatan", "Catatan disimpan."

    if form.validate_on_submit():
        done = create_once(form.submission_key.data, make)
        if done:
            return done
    return render("pks/form.html", form=form, title="Catatan", a=a,
                  action=url_for("pks.add_note", agreement_id=a.id), status=422)


# ---- parties, signatories, numbers --------------------------------------------------------------

def _party_forms(a: Agreement, prefix_data: bool = False):
    party_form = PartyForm(prefix="p")
    party_form.regency_id.choices = _regency_choices()
    sig_form = SignatoryForm(prefix="s")
    num_form = NumberForm(prefix="n")
    choices = [(p.id, f"{p.urutan_label}: {p.short_label} ({p.regency.short_name})") for p in a.parties]
    sig_form.party_id.choices = num_form.party_id.choices = choices
    return party_form, sig_form, num_form


def _parties_page(a, party_form, sig_form, num_form, status=200, error=None):
    numbers = {n.party_id: n for n in a.numbers}
    return render("pks/parties.html", a=a, party_form=party_form, sig_form=sig_form, num_form=num_form,
                  numbers=numbers, can_write=can_write(), status=status, error=error)


def _add_party(a: Agreement, form: PartyForm):
    party = Party(agreement_id=a.id, regency_id=form.regency_id.data, urutan=form.urutan.data,
                  opd=form.opd.data.strip(), peran=(form.peran.data or "").strip(),
                  pic_nama=(form.pic_nama.data or "").strip(),
                  pic_jabatan=(form.pic_jabatan.data or "").strip(), alamat=(form.alamat.data or "").strip(),
                  dasar_hukum=(form.dasar_hukum.data or "").strip(), menandatangani=form.menandatangani.data)
    db.session.add(party)
    service.log(a, "pihak", current_user, reason=f"Pihak ditambahkan: {form.opd.data.strip()[:120]}")
    db.session.flush()
    audit.record("create", "pks_party", party.id, f"pihak #{party.id} kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Pihak ditambahkan."


def _add_signatory(a: Agreement, form: SignatoryForm):
    if not form.is_bupati.data and not form.kuasa_nomor.data:
        flash("Peringatan: penandatangan selain Bupati memerlukan surat kuasa sebelum penandatanganan.", "warn")
    row = Signatory(party_id=form.party_id.data, nama=form.nama.data.strip(), jabatan=form.jabatan.data.strip(),
                    is_bupati=form.is_bupati.data, kuasa_nomor=(form.kuasa_nomor.data or "").strip(),
                    kuasa_tanggal=form.kuasa_tanggal.data)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_signatory", row.id, f"penandatangan #{row.id} kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Penandatangan dicatat."


def _record_number(a: Agreement, form: NumberForm):
    number = service.find_number(a.id, form.party_id.data)
    if number is None:
        number = DocNumber(agreement_id=a.id, party_id=form.party_id.data)
        db.session.add(number)
    number.nomor = form.nomor.data.strip()
    number.tanggal = form.tanggal.data
    number.register = (form.register.data or "").strip()
    service.log(a, "nomor", current_user, reason=f"Nomor dicatat: {number.nomor[:100]}")
    db.session.flush()
    audit.record("update", "pks_doc_number", number.id, f"nomor naskah kesepakatan #{a.id}")
    return url_for("pks.parties", agreement_id=a.id), "Nomor dicatat."


@bp.route("/<int:agreement_id>/pihak", methods=["GET", "POST"])
@audit.not_sensitive
def parties(agreement_id):
    a = get_agreement(agreement_id)
    party_form, sig_form, num_form = _party_forms(a)
    if request.method == "POST":
        if a.is_locked:
            flash(service.Locked.message, "error")
            return redirect(url_for("pks.parties", agreement_id=a.id))
        which = request.form.get("bagian")
        forms = {"pihak": (party_form, _add_party), "penandatangan": (sig_form, _add_signatory),
                 "nomor": (num_form, _record_number)}
        error = None
        if which in forms:
            form, make = forms[which]
            if form.validate_on_submit():
                done = create_once(form.submission_key.data, lambda: make(a, form))
                if done:
                    return done
        else:
            error = UNKNOWN_FORM
        return _parties_page(a, party_form, sig_form, num_form, status=FORM_INVALID, error=error)
    return _parties_page(a, party_form, sig_form, num_form)


# ---- stages, signing, target, whose court -------------------------------------------------------

def _stage_form(a: Agreement, submitted: bool = False) -> StageForm:
    form = StageForm(prefix="t")
    form.to.choices = [(s, TAHAP[s]) for s in service.next_stages(a) if s != "ditandatangani"]
    if not submitted:
        form.dari.data = a.tahap
    return form


def _target_form(a: Agreement) -> TargetForm:
    form = TargetForm(prefix="g")
    form.meeting_id.choices = service.meeting_choices(a)
    return form


def _waiting_form(a: Agreement, names, submitted: bool = False) -> WaitingForm:
    form = WaitingForm(prefix="w")
    form.menunggu.choices = service.menunggu_choices(names)
    if not submitted:  # shows what is stored, on the version it was read at
        form.version.data = a.version
        form.menunggu.data, form.opd.data = service.waiting_parts(a)
    return form


def _stage_page(a, stage_form=None, sign_form=None, target_form=None, waiting_form=None, status=200):
    names = service.regency_names()
    slips = service.slips_of(a)
    return render("pks/stage.html", a=a, stage_form=stage_form or _stage_form(a),
                  sign_form=sign_form or SignForm(prefix="ttd"), target_form=target_form or _target_form(a),
                  waiting_form=waiting_form or _waiting_form(a, names), slips=slips,
                  summary=service.slip_summary(a, slips), names=names, can_write=can_write(),
                  gaps=service.signing_gaps(a) if a.tahap == "siap_ttd" else [], status=status)


@bp.route("/<int:agreement_id>/tahap", methods=["GET", "POST"])
@audit.not_sensitive
def stage(agreement_id):
    a = get_agreement(agreement_id)
    if request.method == "GET":
        return _stage_page(a)
    form = _stage_form(a, submitted=True)
    status = FORM_INVALID
    if form.validate_on_submit() or form.dari.data != a.tahap:  # a stale page is said first, whatever it chose
        out = service.move(a, form.dari.data, form.to.data, form.reason.data or "", current_user, today_local())
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
        if service.signed_already(a, form.tgl_ttd.data):
            flash(REPLAY_NOTE, "ok")
            return redirect(url_for("pks.detail", agreement_id=a.id), 303)
        flash(service.NOT_READY_TO_SIGN, "error")
        return redirect(url_for("pks.stage", agreement_id=a.id))
    if form.validate_on_submit():
        out = service.sign(a, form.tgl_ttd.data, form.tempat.data or "", form.tgl_mulai.data, form.tgl_berakhir.data,
                           form.jangka_bulan.data, current_user, today_local())
        if out.ok:
            audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id} ditandatangani")
        done = _finish(out, a, form, "Penandatanganan dicatat; naskah kini terkunci.")
        if done:
            return done
    return _stage_page(a, sign_form=form, status=FORM_INVALID)


def _set_target(a: Agreement, form: TargetForm):
    """A postponement appends a slip: once per submit, whatever the link does with it."""
    try:
        parsed = parse_target(form.target.data)
    except ValueError as e:
        form.target.errors.append(str(e))
        return None
    if out_of_range(parsed.mulai) or out_of_range(parsed.selesai):  # typed as text, so checked here
        form.target.errors.append(date_range_message())
        return None
    out = service.set_target(a, parsed, form.alasan.data or "", form.diputuskan_oleh.data or "", current_user,
                             meeting_id=form.meeting_id.data or None, tempat=(form.tempat.data or "").strip())
    if not out.ok:
        form.alasan.errors.extend(out.errors)
        return None
    return url_for("pks.stage", agreement_id=a.id), f"Target tanda tangan: {parsed.label()}."


@bp.route("/<int:agreement_id>/target", methods=["POST"])
def target(agreement_id):
    a = get_agreement(agreement_id)
    form = _target_form(a)
    if form.validate_on_submit():
        done = create_once(form.submission_key.data, lambda: _set_target(a, form))
        if done:
            return done
    return _stage_page(a, target_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/menunggu", methods=["POST"])
def waiting(agreement_id):
    a = get_agreement(agreement_id)
    names = service.regency_names()
    form = _waiting_form(a, names, submitted=True)
    stale = stale_answer(form, a, back_url=url_for("pks.detail", agreement_id=a.id),
                         current=dict(zip((form.menunggu.name, form.opd.name), service.waiting_parts(a))))
    if stale:
        return stale
    if form.validate_on_submit():
        service.set_waiting(a, form.menunggu.data, form.opd.data, current_user, today_local(), names)
        db.session.commit()
        flash("Status 'menunggu siapa' disimpan.", "ok")
        return redirect(url_for("pks.detail", agreement_id=a.id))
    return _stage_page(a, waiting_form=form, status=FORM_INVALID)


def _create_child(a: Agreement, form: ChildForm):
    if not a.is_signed:
        form.form_errors.append("Adendum atau perpanjangan hanya untuk naskah yang sudah ditandatangani.")
        return None
    c = service.create_child(a, form.jenis.data, form.judul.data.strip(), current_user, today_local())
    audit.record("create", "pks_agreement", c.id, f"kesepakatan #{c.id} ({c.jenis}) atas #{a.id}")
    return (url_for("pks.detail", agreement_id=c.id),
            f"{c.jenis_label} dibuat dengan pihak yang sama; lengkapi nomor dan penandatangannya.")


@bp.route("/<int:agreement_id>/turunan", methods=["GET", "POST"])
@audit.not_sensitive
def child(agreement_id):
    a = get_agreement(agreement_id)
    form = ChildForm()
    if form.validate_on_submit():
        done = create_once(form.submission_key.data, lambda: _create_child(a, form))
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

    def make():
        row = ScopeItem(ksb_id=a.id, nama=form.nama.data.strip(), urusan_code=form.urusan_code.data,
                        dicatat_pada=today_local())
        db.session.add(row)
        db.session.flush()
        audit.record("create", "pks_scope_item", row.id, f"ruang lingkup #{row.id} KSB #{a.id}")
        return url_for("pks.coverage"), "Ruang lingkup ditambahkan."

    if form.validate_on_submit():
        done = create_once(form.submission_key.data, make)
        if done:
            return done
    return render("pks/form.html", form=form, a=a, title="Ruang lingkup baru",
                  action=url_for("pks.scope_item", agreement_id=a.id), status=_form_status())


# ---- views over all agreements ------------------------------------------------------------------

@bp.route("/menunggu")
@audit.not_sensitive
def waiting_view():
    today = today_local()
    names = service.regency_names()
    rows = list(db.session.scalars(scoped(Agreement).where(
        Agreement.menunggu != "", Agreement.tahap.notin_(FINAL_STAGES)).order_by(Agreement.menunggu_sejak, Agreement.id)))
    return render("pks/waiting.html", rows=rows, today=today, label_of=lambda a: service.menunggu_label(a, names))


@bp.route("/cakupan")
@audit.not_sensitive
def coverage():
    today = today_local()
    ksbs = list(db.session.scalars(scoped(Agreement).where(Agreement.jenis == "KSB").options(
        selectinload(Agreement.scope_items).selectinload(ScopeItem.agreements)).order_by(Agreement.id)))
    visible = set(db.session.scalars(scoped(Agreement, None, Agreement.id)))
    return render("pks/coverage.html", ksbs=ksbs, today=today, visible=visible)


# ---- rules (admin) ------------------------------------------------------------------------------

def _rules_page(is_admin: bool, error: str | None = None, status: int = 200):
    settings = {code: rule_setting(code) for code in RULES}
    return render("pks/rules.html", rules=RULES.values(), blocking=blocking_codes(), is_admin=is_admin,
                  versions={code: row.version for code, row in settings.items()}, error=error, status=status)


@bp.route("/aturan", methods=["GET", "POST"])
@audit.not_sensitive
def rules():
    is_admin = current_user.role in (ADMIN, SUPERADMIN)
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
    blocking = form.blocking.data == "1"
    try:
        set_blocking(form.code.data, blocking, current_user.id)
    except IntegrityError:  # another admin switched this rule for the first time at the same moment
        db.session.rollback()
        abort(409)
    audit.record("update", "pks_rule", form.code.data,
                 f"aturan {form.code.data}: {'memblokir' if blocking else 'peringatan'}")
    db.session.commit()
    flash("Aturan disimpan.", "ok")
    return redirect(url_for("pks.rules"))


from . import documents, meetings, outputs, work  # noqa: E402,F401


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
