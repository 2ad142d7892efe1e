"""Rapat: attendees, decisions and action items, linked to the agreements discussed."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from . import bp
from .forms import UNKNOWN_FORM, ActionForm, AttendeeForm, DecisionForm, LetterForm, LinkAgreementForm, MeetingForm
from .models import Agreement
from .models_work import ActionItem, Attendee, Decision, Letter, Meeting, MeetingDocument


def _regencies(with_blank=True):
    from .routes import _regency_choices
    return ([(0, "—")] if with_blank else []) + _regency_choices()


@bp.route("/<int:agreement_id>/rapat/baru", methods=["GET", "POST"])
def meeting_new(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    form = MeetingForm()
    form.host_regency_id.choices = _regencies()
    if request.method == "GET":
        form.host_regency_id.data = current_user.regency_id
    if form.validate_on_submit():
        m = Meeting(tanggal=form.tanggal.data, jam=form.jam.data, tempat=(form.tempat.data or "").strip(),
                    tautan=(form.tautan.data or "").strip(), host_regency_id=form.host_regency_id.data or None,
                    agenda=(form.agenda.data or "").strip(), undangan_nomor=(form.undangan_nomor.data or "").strip())
        m.agreements = [a]
        db.session.add(m)
        db.session.commit()
        flash("Rapat dicatat. Tambahkan peserta, keputusan dan tindak lanjut.", "ok")
        return redirect(url_for("pks.meeting", meeting_id=m.id))
    return render("pks/form.html", form=form, a=a, title="Rapat baru",
                  action=url_for("pks.meeting_new", agreement_id=a.id),
                  status=422 if request.method == "POST" else 200)


def _forms():
    att = AttendeeForm(prefix="h")
    att.regency_id.choices = _regencies()
    act = ActionForm(prefix="l")
    act.owner_regency_id.choices = _regencies()
    return att, DecisionForm(prefix="k"), act


def _link_form(m) -> LinkAgreementForm:
    """Offers only agreements the user can see that the meeting does not list yet."""
    from blueprints.core.scope import scoped
    form = LinkAgreementForm()
    form.agreement_id.choices = [(x.id, f"{x.jenis} #{x.id}: {x.judul[:70]}") for x in db.session.scalars(
        scoped(Agreement).where(Agreement.tahap != "dibatalkan").order_by(Agreement.id)) if x not in m.agreements]
    return form


def _page(m, att, dec, act, link_form=None, status=200):
    from .routes import can_write
    links = list(db.session.scalars(select(MeetingDocument).where(MeetingDocument.meeting_id == m.id)))
    return render("pks/meeting.html", m=m, att_form=att, dec_form=dec, act_form=act, links=links,
                  link_form=link_form or _link_form(m), today=today_local(), can_write=can_write(), status=status)


@bp.route("/rapat/<int:meeting_id>", methods=["GET", "POST"])
def meeting(meeting_id):
    m = get_scoped_or_404(Meeting, meeting_id)
    att, dec, act = _forms()
    if request.method == "POST":
        which = request.form.get("bagian")
        if which == "hadir" and att.validate_on_submit():
            db.session.add(Attendee(meeting_id=m.id, nama=att.nama.data.strip(), jabatan=(att.jabatan.data or "").strip(),
                                    opd=(att.opd.data or "").strip(), regency_id=att.regency_id.data or None,
                                    keterangan=(att.keterangan.data or "").strip()))
        elif which == "keputusan" and dec.validate_on_submit():
            db.session.add(Decision(meeting_id=m.id, text=dec.text.data.strip()))
        elif which == "tindak" and act.validate_on_submit():
            db.session.add(ActionItem(meeting_id=m.id, text=act.text.data.strip(),
                                      owner_regency_id=act.owner_regency_id.data or None,
                                      owner=(act.owner.data or "").strip(), due=act.due.data))
        else:
            if which not in ("hadir", "keputusan", "tindak"):
                flash(UNKNOWN_FORM, "error")
            return _page(m, att, dec, act, status=422)
        db.session.commit()
        flash("Disimpan.", "ok")
        return redirect(url_for("pks.meeting", meeting_id=m.id))
    return _page(m, att, dec, act)


@bp.route("/rapat/<int:meeting_id>/tindak-lanjut/<int:item_id>", methods=["POST"])
def action_done(meeting_id, item_id):
    m = get_scoped_or_404(Meeting, meeting_id)
    item = db.session.scalar(select(ActionItem).where(ActionItem.id == item_id, ActionItem.meeting_id == m.id))
    if item is None:
        abort(404)
    item.done = request.form.get("done") == "1"
    item.done_on = today_local() if item.done else None
    db.session.commit()
    flash("Status tindak lanjut disimpan.", "ok")
    return redirect(url_for("pks.meeting", meeting_id=m.id))


@bp.route("/rapat/<int:meeting_id>/kesepakatan", methods=["POST"])
def meeting_link(meeting_id):
    """Add another agreement discussed in the same meeting (only one the user can see)."""
    m = get_scoped_or_404(Meeting, meeting_id)
    form = _link_form(m)
    if not form.validate_on_submit():
        if not form.agreement_id.choices:  # the page then shows no such form to put the message on
            flash("Tidak ada kesepakatan lain yang dapat ditambahkan ke rapat ini.", "error")
        return _page(m, *_forms(), link_form=form, status=422)
    m.agreements.append(db.session.get(Agreement, form.agreement_id.data))
    db.session.commit()
    flash("Kesepakatan ditambahkan ke rapat.", "ok")
    return redirect(url_for("pks.meeting", meeting_id=m.id))


# ---- correspondence -----------------------------------------------------------------------------

@bp.route("/<int:agreement_id>/surat", methods=["GET", "POST"])
def letters(agreement_id):
    from .routes import can_write
    a = get_scoped_or_404(Agreement, agreement_id)
    form = LetterForm()
    if form.validate_on_submit():
        db.session.add(Letter(agreement_id=a.id, arah=form.arah.data, nomor=form.nomor.data.strip(),
                              tanggal=form.tanggal.data, perihal=form.perihal.data.strip(),
                              pengirim=(form.pengirim.data or "").strip(), penerima=(form.penerima.data or "").strip(),
                              tembusan=(form.tembusan.data or "").strip(), tahap=a.tahap,
                              created_by_id=current_user.id))
        db.session.commit()
        flash("Surat dicatat.", "ok")
        return redirect(url_for("pks.letters", agreement_id=a.id))
    rows = list(db.session.scalars(select(Letter).where(Letter.agreement_id == a.id)
                                   .order_by(Letter.tanggal.desc(), Letter.id.desc())))
    return render("pks/letters.html", a=a, form=form, rows=rows, can_write=can_write(),
                  status=422 if request.method == "POST" else 200)


# ---- service area (read by Rujukan through public.covering_agreements) -------------------------

@bp.route("/<int:agreement_id>/wilayah", methods=["GET", "POST"])
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
    errors = {}
    if request.method == "POST" and not is_cascade_refresh(request.form):
        if not can_write():
            abort(404)
        errors = cascade.errors()
        if a.is_locked:
            errors["wnagari"] = "Naskah terkunci; perubahan wilayah melalui adendum."
        if not errors:
            exists = db.session.scalar(select(ServiceArea.id).where(
                ServiceArea.agreement_id == a.id, ServiceArea.nagari_code == cascade.nagari,
                ServiceArea.jorong_id.is_(None) if cascade.jorong_id is None else ServiceArea.jorong_id == cascade.jorong_id))
            if exists is None:
                db.session.add(ServiceArea(agreement_id=a.id, nagari_code=cascade.nagari, jorong_id=cascade.jorong_id))
                db.session.commit()
            flash("Wilayah layanan disimpan.", "ok")
            return redirect(url_for("pks.service_area", agreement_id=a.id))
    areas = list(db.session.scalars(select(ServiceArea).where(ServiceArea.agreement_id == a.id).order_by(ServiceArea.id)))
    return render("pks/area.html", a=a, areas=areas, cascade=cascade, errors=errors, regency=regency,
                  regencies=list(regencies.values()), can_write=can_write(),
                  status=422 if errors else 200)
