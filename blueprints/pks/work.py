"""Implementation: activities, obligations per party, periodic reports, evaluations; and the kanban."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.render import render
from blueprints.core.roles import is_htmx
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import today_local

from . import bp, service
from .forms import UNKNOWN_FORM, ActivityForm, EvaluationForm, ObligationForm, ReportForm
from .models import TAHAP, Agreement
from .models_work import (ACTIVITY_STATUS, OBLIGATION_STATUS, REKOMENDASI, REPORT_TO, Activity, Evaluation,
                          Obligation, Report)


def _forms(a):
    ob = ObligationForm(prefix="o")
    ob.party_id.choices = [(0, "—")] + [(p.id, f"{p.short_label} ({p.regency.short_name})") for p in a.parties]
    return ActivityForm(prefix="k"), ob, ReportForm(prefix="r"), EvaluationForm(prefix="e")


def _rows(model, a):
    return list(db.session.scalars(select(model).where(model.agreement_id == a.id).order_by(model.id)))


def _page(a, forms, status=200):
    from .routes import can_write
    act, ob, rep, ev = forms
    return render("pks/work.html", a=a, act_form=act, ob_form=ob, rep_form=rep, ev_form=ev,
                  activities=_rows(Activity, a), obligations=_rows(Obligation, a), reports=_rows(Report, a),
                  evaluations=_rows(Evaluation, a), today=today_local(), OBLIGATION_STATUS=OBLIGATION_STATUS,
                  ACTIVITY_STATUS=ACTIVITY_STATUS, REKOMENDASI=REKOMENDASI, REPORT_TO=REPORT_TO,
                  can_write=can_write(), status=status)


def _text(field):
    return (field.data or "").strip()


@bp.route("/<int:agreement_id>/pelaksanaan", methods=["GET", "POST"])
def work(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    forms = _forms(a)
    if request.method == "POST":
        act, ob, rep, ev = forms
        which = request.form.get("bagian")
        if not a.is_signed:
            flash("Pelaksanaan dicatat setelah naskah ditandatangani.", "error")
            return _page(a, forms, 422)
        if which == "kegiatan" and act.validate_on_submit():
            db.session.add(Activity(agreement_id=a.id, tanggal=act.tanggal.data, jenis=_text(act.jenis),
                                    peserta=act.peserta.data, pic_solok=_text(act.pic_solok),
                                    pic_sijunjung=_text(act.pic_sijunjung), status=act.status.data))
        elif which == "kewajiban" and ob.validate_on_submit():
            db.session.add(Obligation(agreement_id=a.id, party_id=ob.party_id.data or None, text=_text(ob.text),
                                      due=ob.due.data, status=ob.status.data, bukti=_text(ob.bukti)))
        elif which == "laporan" and rep.validate_on_submit():
            db.session.add(Report(agreement_id=a.id, periode=_text(rep.periode), jatuh_tempo=rep.jatuh_tempo.data,
                                  disampaikan_pada=rep.disampaikan_pada.data, kepada=rep.kepada.data,
                                  penyusun=_text(rep.penyusun), sipgwpp=rep.sipgwpp.data))
        elif which == "evaluasi" and ev.validate_on_submit():
            db.session.add(Evaluation(agreement_id=a.id, tanggal=ev.tanggal.data, temuan=_text(ev.temuan),
                                      rekomendasi=ev.rekomendasi.data))
        else:
            if which not in ("kegiatan", "kewajiban", "laporan", "evaluasi"):
                flash(UNKNOWN_FORM, "error")
            return _page(a, forms, 422)
        db.session.commit()
        flash("Disimpan.", "ok")
        return redirect(url_for("pks.work", agreement_id=a.id))
    return _page(a, forms)


@bp.route("/<int:agreement_id>/kewajiban/<int:obligation_id>", methods=["POST"])
def obligation_status(agreement_id, obligation_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    ob = db.session.scalar(select(Obligation).where(Obligation.id == obligation_id, Obligation.agreement_id == a.id))
    status = request.form.get("status", "")
    if ob is None:
        abort(404)
    if status not in OBLIGATION_STATUS or status == "lewat":
        flash("Status kewajiban tidak sah; pilih salah satu dari daftar.", "error")
        return _page(a, _forms(a), 422)
    ob.status = status
    db.session.commit()
    flash("Status kewajiban disimpan.", "ok")
    return redirect(url_for("pks.work", agreement_id=a.id))


# ---- kanban -------------------------------------------------------------------------------------

def _board(jenis: str):
    jenis = jenis if jenis in ("KSB", "PKS") else "PKS"
    kinds = ("KSB",) if jenis == "KSB" else ("PKS", "ADENDUM", "PERPANJANGAN")
    rows = list(db.session.scalars(scoped(Agreement).where(Agreement.jenis.in_(kinds)).options(*service.list_options())
                                   .order_by(Agreement.id)))
    columns = [(s, TAHAP[s], [a for a in rows if a.tahap == s]) for s in service.stage_order(jenis)]
    return jenis, columns


def _render_board(jenis, error=None, status=200):
    from .routes import can_write
    jenis, columns = _board(jenis)
    names = service.regency_names()
    return render("pks/kanban.html", "pks/_kanban.html", jenis=jenis, columns=columns, error=error,
                  menunggu_of=lambda a: service.menunggu_label(a, names), next_stages=service.next_stages,
                  TAHAP=TAHAP, can_write=can_write(), status=status)


@bp.route("/papan")
def kanban():
    return _render_board(request.args.get("jenis", "PKS"))


@bp.route("/papan/<int:agreement_id>/pindah", methods=["POST"])
def kanban_move(agreement_id):
    """Plain form per card (Post/Redirect/Get), or htmx: answers with the refreshed board fragment."""
    a = get_scoped_or_404(Agreement, agreement_id)
    jenis = "KSB" if a.jenis == "KSB" else "PKS"
    to = request.form.get("to", "")
    out = service.transition(a, to, request.form.get("reason", ""), current_user, today_local())
    message = None if out.ok else " ".join(out.messages())  # a refused move changed nothing
    if out.ok:
        db.session.commit()
    if message:  # the board again, with the reason next to it: plain page or htmx fragment alike
        return _render_board(jenis, error=message, status=422)
    if is_htmx():
        return _render_board(jenis, status=200)
    flash(f"{a.judul[:60]}: tahap sekarang {TAHAP[to]}.", "ok")
    return redirect(url_for("pks.kanban", jenis=jenis))
