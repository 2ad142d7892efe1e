"""Rapat: attendees, decisions and action items, linked to the agreements discussed."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from . import bp
from .forms import ActionForm, AttendeeForm, DecisionForm, MeetingForm
from .models import Agreement
from .models_work import ActionItem, Attendee, Decision, Meeting, MeetingDocument


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
        db.session.flush()
        db.session.commit()
        flash("Rapat dicatat. Tambahkan peserta, keputusan dan tindak lanjut.", "ok")
        return redirect(url_for("pks.meeting", meeting_id=m.id))
    return render("pks/form.html", form=form, a=a, title="Rapat baru",
                  action=url_for("pks.meeting_new", agreement_id=a.id))


def _forms():
    att = AttendeeForm(prefix="h")
    att.regency_id.choices = _regencies()
    act = ActionForm(prefix="l")
    act.owner_regency_id.choices = _regencies()
    return att, DecisionForm(prefix="k"), act


def _page(m, att, dec, act):
    from .routes import can_write
    links = list(db.session.scalars(select(MeetingDocument).where(MeetingDocument.meeting_id == m.id)))
    return render("pks/meeting.html", m=m, att_form=att, dec_form=dec, act_form=act, links=links,
                  today=today_local(), can_write=can_write())


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
            return _page(m, att, dec, act)
        db.session.commit()
        flash("Disimpan.", "ok")
        return redirect(url_for("pks.meeting", meeting_id=m.id))
    return _page(m, att, dec, act)


@bp.route("/rapat/<int:meeting_id>/tindak-lanjut/<int:item_id>", methods=["POST"])
def action_done(meeting_id, item_id):
    m = get_scoped_or_404(Meeting, meeting_id)
    item = db.session.scalar(select(ActionItem).where(ActionItem.id == item_id, ActionItem.meeting_id == m.id))
    if item is None:
        from flask import abort
        abort(404)
    item.done = request.form.get("done") == "1"
    item.done_on = today_local() if item.done else None
    db.session.commit()
    flash("Status tindak lanjut disimpan.", "ok")
    return redirect(url_for("pks.meeting", meeting_id=m.id))
