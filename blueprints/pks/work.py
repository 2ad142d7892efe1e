"""Implementation: activities, obligations per party, periodic reports, evaluations; and the kanban."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.roles import is_htmx
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.submission import REPLAY_NOTE
from blueprints.core.timeutil import today_local

from . import bp, service
from .forms import UNKNOWN_FORM, ActivityForm, EvaluationForm, ObligationForm, ObligationStatusForm, ReportForm
from .models import TAHAP, Agreement
from .models_work import (ACTIVITY_STATUS, OBLIGATION_STATUS, REKOMENDASI, REPORT_TO, Activity, Evaluation,
                          Obligation, Report)
from .saving import create_once, stale_answer


def _forms(a):
    ob = ObligationForm(prefix="o")
    ob.party_id.choices = [(0, "—")] + [(p.id, f"{p.short_label} ({p.regency.short_name})") for p in a.parties]
    return ActivityForm(prefix="k"), ob, ReportForm(prefix="r"), EvaluationForm(prefix="e")


def _rows(model, a):
    return list(db.session.scalars(select(model).where(model.agreement_id == a.id).order_by(model.id)))


def _page(a, forms, status=200, error=None):
    from .routes import can_write
    act, ob, rep, ev = forms
    return render("pks/work.html", a=a, act_form=act, ob_form=ob, rep_form=rep, ev_form=ev, error=error,
                  activities=_rows(Activity, a), obligations=_rows(Obligation, a), reports=_rows(Report, a),
                  evaluations=_rows(Evaluation, a), today=today_local(), OBLIGATION_STATUS=OBLIGATION_STATUS,
                  ACTIVITY_STATUS=ACTIVITY_STATUS, REKOMENDASI=REKOMENDASI, REPORT_TO=REPORT_TO,
                  can_write=can_write(), status=status)


def _text(field):
    return (field.data or "").strip()


def _record(a: Agreement, which: str, form):
    """The implementation record of section ``which`` made from its form."""
    if which == "kegiatan":
        row = Activity(agreement_id=a.id, tanggal=form.tanggal.data, jenis=_text(form.jenis),
                       peserta=form.peserta.data, pic_solok=_text(form.pic_solok),
                       pic_sijunjung=_text(form.pic_sijunjung), status=form.status.data)
    elif which == "kewajiban":
        row = Obligation(agreement_id=a.id, party_id=form.party_id.data or None, text=_text(form.text),
                         due=form.due.data, status=form.status.data, bukti=_text(form.bukti))
    elif which == "laporan":
        row = Report(agreement_id=a.id, periode=_text(form.periode), jatuh_tempo=form.jatuh_tempo.data,
                     disampaikan_pada=form.disampaikan_pada.data, kepada=form.kepada.data,
                     penyusun=_text(form.penyusun), sipgwpp=form.sipgwpp.data)
    else:
        row = Evaluation(agreement_id=a.id, tanggal=form.tanggal.data, temuan=_text(form.temuan),
                         rekomendasi=form.rekomendasi.data)
    db.session.add(row)
    db.session.flush()
    audit.record("create", row.__tablename__, row.id, f"{which} #{row.id} kesepakatan #{a.id}")
    return url_for("pks.work", agreement_id=a.id), "Disimpan."


@bp.route("/<int:agreement_id>/pelaksanaan", methods=["GET", "POST"])
@audit.not_sensitive
def work(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    forms = _forms(a)
    if request.method == "POST":
        which = request.form.get("bagian")
        by_section = dict(zip(("kegiatan", "kewajiban", "laporan", "evaluasi"), forms))
        if not a.is_signed:
            return _page(a, forms, FORM_INVALID, "Pelaksanaan dicatat setelah naskah ditandatangani.")
        if which not in by_section:
            return _page(a, forms, FORM_INVALID, UNKNOWN_FORM)
        form = by_section[which]
        if form.validate_on_submit():
            done = create_once(form.submission_key.data, lambda: _record(a, which, form))
            if done:
                return done
        return _page(a, forms, FORM_INVALID)
    return _page(a, forms)


@bp.route("/<int:agreement_id>/kewajiban/<int:obligation_id>", methods=["POST"])
def obligation_status(agreement_id, obligation_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    ob = db.session.scalar(select(Obligation).where(Obligation.id == obligation_id, Obligation.agreement_id == a.id))
    if ob is None:
        abort(404)
    form = ObligationStatusForm()
    stale = stale_answer(form, ob, back_url=url_for("pks.work", agreement_id=a.id))
    if stale:
        return stale
    if not form.validate_on_submit():
        return _page(a, _forms(a), FORM_INVALID, " ".join(e for errs in form.errors.values() for e in errs))
    ob.status = form.status.data
    audit.record("update", "pks_obligation", ob.id, f"status kewajiban #{ob.id} kesepakatan #{a.id}: {ob.status}")
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


def _render_board(jenis, error=None, status=200, note=None):
    from .routes import can_write
    jenis, columns = _board(jenis)
    names = service.regency_names()
    return render("pks/kanban.html", "pks/_kanban.html", jenis=jenis, columns=columns, error=error, note=note,
                  menunggu_of=lambda a: service.menunggu_label(a, names), next_stages=service.next_stages,
                  TAHAP=TAHAP, can_write=can_write(), status=status)


@bp.route("/papan")
@audit.not_sensitive
def kanban():
    return _render_board(request.args.get("jenis", "PKS"))


@bp.route("/papan/<int:agreement_id>/pindah", methods=["POST"])
def kanban_move(agreement_id):
    """Plain form per card (Post/Redirect/Get), or htmx: answers with the refreshed board fragment."""
    a = get_scoped_or_404(Agreement, agreement_id)
    jenis = "KSB" if a.jenis == "KSB" else "PKS"
    to = request.form.get("to", "")
    out = service.move(a, request.form.get("dari", ""), to, request.form.get("reason", ""), current_user,
                       today_local())
    if out.ok:
        db.session.commit()
    elif not out.repeated:  # the board again, with the reason next to it: plain page or htmx fragment alike
        return _render_board(jenis, error=" ".join(out.messages()), status=409 if out.stale else FORM_INVALID)
    note = REPLAY_NOTE if out.repeated else f"{a.judul[:60]}: tahap sekarang {TAHAP[to]}."
    if is_htmx():
        return _render_board(jenis, note=note, status=200)
    flash(note, "ok")
    return redirect(url_for("pks.kanban", jenis=jenis), 303 if out.repeated else 302)
