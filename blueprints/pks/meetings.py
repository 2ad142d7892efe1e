"""Rapat: attendees, decisions and action items, linked to the agreements discussed."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.submission import REPLAY_NOTE
from blueprints.core.timeutil import today_local

from . import bp
from .forms import (UNKNOWN_FORM, ActionDoneForm, ActionForm, AttendeeForm, DecisionForm, LetterForm,
                    LinkAgreementForm, MeetingForm)
from .models import Agreement
from .models_work import ActionItem, Attendee, Decision, Letter, Meeting, MeetingDocument
from .saving import create_once, posted_key


def _regencies(with_blank=True):
    from .routes import _regency_choices
    return ([(0, "—")] if with_blank else []) + _regency_choices()


@bp.route("/<int:agreement_id>/rapat/baru", methods=["GET", "POST"])
@audit.not_sensitive
def meeting_new(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    form = MeetingForm()
    form.host_regency_id.choices = _regencies()
    if request.method == "GET":
        form.host_regency_id.data = current_user.regency_id

    def make():
        m = Meeting(tanggal=form.tanggal.data, jam=form.jam.data, tempat=(form.tempat.data or "").strip(),
                    tautan=(form.tautan.data or "").strip(), host_regency_id=form.host_regency_id.data or None,
                    agenda=(form.agenda.data or "").strip(), undangan_nomor=(form.undangan_nomor.data or "").strip())
        m.agreements = [a]
        db.session.add(m)
        db.session.flush()
        audit.record("create", "pks_meeting", m.id, f"rapat #{m.id} kesepakatan #{a.id}")
        return url_for("pks.meeting", meeting_id=m.id), "Rapat dicatat. Tambahkan peserta, keputusan dan tindak lanjut."

    if form.validate_on_submit():
        done = create_once(form.submission_key.data, make)
        if done:
            return done
    return render("pks/form.html", form=form, a=a, title="Rapat baru",
                  action=url_for("pks.meeting_new", agreement_id=a.id),
                  status=FORM_INVALID if request.method == "POST" else 200)


def _forms():
    att = AttendeeForm(prefix="h")
    att.regency_id.choices = _regencies()
    act = ActionForm(prefix="l")
    act.owner_regency_id.choices = _regencies()
    return att, DecisionForm(prefix="k"), act


def _linkable(m) -> list[Agreement]:
    from blueprints.core.scope import scoped
    return list(db.session.scalars(scoped(Agreement).where(Agreement.tahap != "dibatalkan").order_by(Agreement.id)))


def _link_form(m, posting: bool = False) -> LinkAgreementForm:
    """Offers only agreements the user can see that the meeting does not list yet; a submit may also name one it
    already lists (a replay of the same link, which then changes nothing)."""
    form = LinkAgreementForm()
    form.agreement_id.choices = [(x.id, f"{x.jenis} #{x.id}: {x.judul[:70]}") for x in _linkable(m)
                                 if posting or x not in m.agreements]
    return form


def _page(m, att, dec, act, link_form=None, status=200, error=None):
    from .routes import can_write
    links = list(db.session.scalars(select(MeetingDocument).where(MeetingDocument.meeting_id == m.id)))
    return render("pks/meeting.html", m=m, att_form=att, dec_form=dec, act_form=act, links=links,
                  link_form=link_form or _link_form(m), today=today_local(), can_write=can_write(), status=status,
                  error=error)


def _add_attendee(m: Meeting, form: AttendeeForm):
    row = Attendee(meeting_id=m.id, nama=form.nama.data.strip(), jabatan=(form.jabatan.data or "").strip(),
                   opd=(form.opd.data or "").strip(), regency_id=form.regency_id.data or None,
                   keterangan=(form.keterangan.data or "").strip())
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_attendee", row.id, f"peserta #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Peserta disimpan."


def _add_decision(m: Meeting, form: DecisionForm):
    row = Decision(meeting_id=m.id, text=form.text.data.strip())
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_decision", row.id, f"keputusan #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Keputusan disimpan."


def _add_action(m: Meeting, form: ActionForm):
    row = ActionItem(meeting_id=m.id, text=form.text.data.strip(), owner_regency_id=form.owner_regency_id.data or None,
                     owner=(form.owner.data or "").strip(), due=form.due.data)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "pks_action_item", row.id, f"tindak lanjut #{row.id} rapat #{m.id}")
    return url_for("pks.meeting", meeting_id=m.id), "Tindak lanjut disimpan."


@bp.route("/rapat/<int:meeting_id>", methods=["GET", "POST"])
@audit.not_sensitive
def meeting(meeting_id):
    m = get_scoped_or_404(Meeting, meeting_id)
    att, dec, act = _forms()
    if request.method == "POST":
        which = request.form.get("bagian")
        forms = {"hadir": (att, _add_attendee), "keputusan": (dec, _add_decision), "tindak": (act, _add_action)}
        if which not in forms:
            return _page(m, att, dec, act, status=FORM_INVALID, error=UNKNOWN_FORM)
        form, make = forms[which]
        if form.validate_on_submit():
            done = create_once(form.submission_key.data, lambda: make(m, form))
            if done:
                return done
        return _page(m, att, dec, act, status=FORM_INVALID)
    return _page(m, att, dec, act)


@bp.route("/rapat/<int:meeting_id>/tindak-lanjut/<int:item_id>", methods=["POST"])
def action_done(meeting_id, item_id):
    """Posts the wanted state, so a double tap does not reopen what it closed."""
    m = get_scoped_or_404(Meeting, meeting_id)
    item = db.session.scalar(select(ActionItem).where(ActionItem.id == item_id, ActionItem.meeting_id == m.id))
    if item is None:
        abort(404)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return _page(m, *_forms(), status=FORM_INVALID, error=errors)
    done = form.done.data == "1"
    if item.done == done:
        flash(REPLAY_NOTE, "ok")
        return redirect(url_for("pks.meeting", meeting_id=m.id), 303)
    item.done, item.done_on = done, today_local() if done else None
    audit.record("update", "pks_action_item", item.id,
                 f"tindak lanjut #{item.id} rapat #{m.id} {'selesai' if done else 'dibuka lagi'}")
    db.session.commit()
    flash("Status tindak lanjut disimpan.", "ok")
    return redirect(url_for("pks.meeting", meeting_id=m.id))


@bp.route("/rapat/<int:meeting_id>/kesepakatan", methods=["POST"])
def meeting_link(meeting_id):
    """Add another agreement discussed in the same meeting (only one the user can see)."""
    m = get_scoped_or_404(Meeting, meeting_id)
    form = _link_form(m, posting=True)

    def make():
        linked = db.session.get(Agreement, form.agreement_id.data)
        if linked not in m.agreements:
            m.agreements.append(linked)
            db.session.flush()
            audit.record("update", "pks_meeting", m.id, f"rapat #{m.id} ditautkan ke kesepakatan #{linked.id}")
        return url_for("pks.meeting", meeting_id=m.id), "Kesepakatan ditambahkan ke rapat."

    if form.validate_on_submit():
        return create_once(form.submission_key.data, make)
    form.agreement_id.choices = _link_form(m).agreement_id.choices  # shown again: only what it does not list yet
    error = None if form.agreement_id.choices else "Tidak ada kesepakatan lain yang dapat ditambahkan ke rapat ini."
    return _page(m, *_forms(), link_form=form, status=FORM_INVALID, error=error)


# ---- correspondence -----------------------------------------------------------------------------

@bp.route("/<int:agreement_id>/surat", methods=["GET", "POST"])
@audit.not_sensitive
def letters(agreement_id):
    from .routes import can_write
    a = get_scoped_or_404(Agreement, agreement_id)
    form = LetterForm()

    def make():
        row = Letter(agreement_id=a.id, arah=form.arah.data, nomor=form.nomor.data.strip(),
                     tanggal=form.tanggal.data, perihal=form.perihal.data.strip(),
                     pengirim=(form.pengirim.data or "").strip(), penerima=(form.penerima.data or "").strip(),
                     tembusan=(form.tembusan.data or "").strip(), tahap=a.tahap, created_by_id=current_user.id)
        db.session.add(row)
        db.session.flush()
        audit.record("create", "pks_letter", row.id, f"surat #{row.id} kesepakatan #{a.id}")
        return url_for("pks.letters", agreement_id=a.id), "Surat dicatat."

    if form.validate_on_submit():
        done = create_once(form.submission_key.data, make)
        if done:
            return done
    rows = list(db.session.scalars(select(Letter).where(Letter.agreement_id == a.id)
                                   .order_by(Letter.tanggal.desc(), Letter.id.desc())))
    return render("pks/letters.html", a=a, form=form, rows=rows, can_write=can_write(),
                  status=FORM_INVALID if request.method == "POST" else 200)


# ---- service area (read by Rujukan through public.covering_agreements) -------------------------

@bp.route("/<int:agreement_id>/wilayah", methods=["GET", "POST"])
@audit.not_sensitive
def service_area(agreement_id):
    from blueprints.auth.models import Regency
    from blueprints.wilayah.service import Cascade, is_cascade_refresh

    from .models import ServiceArea
    from .routes import can_write
    a = get_scoped_or_404(Agreement, agreement_id)
    regencies = {p.regency_id: p.regency for p in a.parties}
    wanted = request.values.get("daerah", type=int)
    regency = regencies.get(wanted) or regencies.get(current_user.regency_id) or db.session.get(
        Regency, current_user.regency_id)
    cascade = Cascade.build(regency, request.form if request.method == "POST" else request.args, prefix="w",
                            required=True)
    errors, key_error = {}, None
    key, missing = posted_key(request.form) if request.method == "POST" else posted_key({})
    if request.method == "POST" and not is_cascade_refresh(request.form):
        if not can_write():
            abort(404)
        errors = cascade.errors()
        if a.is_locked:
            errors["wnagari"] = "Naskah terkunci; perubahan wilayah melalui adendum."
        key_error = missing

        def make():
            exists = db.session.scalar(select(ServiceArea.id).where(
                ServiceArea.agreement_id == a.id, ServiceArea.nagari_code == cascade.nagari,
                ServiceArea.jorong_id.is_(None) if cascade.jorong_id is None else ServiceArea.jorong_id == cascade.jorong_id))
            if exists is None:
                row = ServiceArea(agreement_id=a.id, nagari_code=cascade.nagari, jorong_id=cascade.jorong_id)
                db.session.add(row)
                db.session.flush()
                audit.record("create", "pks_service_area", row.id, f"wilayah layanan #{row.id} kesepakatan #{a.id}")
            return url_for("pks.service_area", agreement_id=a.id), "Wilayah layanan disimpan."

        if not errors and not key_error:
            return create_once(key, make)
    areas = list(db.session.scalars(select(ServiceArea).where(ServiceArea.agreement_id == a.id).order_by(ServiceArea.id)))
    return render("pks/area.html", a=a, areas=areas, cascade=cascade, errors=errors, regency=regency,
                  regencies=list(regencies.values()), can_write=can_write(), submission_key=key, key_error=key_error,
                  status=FORM_INVALID if errors or key_error else 200)
