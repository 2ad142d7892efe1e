"""The stage page of an agreement: moving its stage, signing, the target date and whose court it is in (the
use cases: ``stages.py``, ``signing.py``, ``slips.py``, ``waiting.py``)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp, minutes, proposals, signing, stages
from .. import slips as slip_cases
from .. import waiting as waiting_cases
from ..access import can_write
from ..checks import signing_gaps
from ..forms import ReviewForm, SignForm, StageForm, TargetForm, WaitingForm
from ..models import TAHAP, Agreement
from ..queries import party_options
from ..saving import REPLAY_NOTE
from ._common import _finish, answer, get_agreement

# ---- stages, signing, target, whose court -------------------------------------------------------


def _stage_form(a: Agreement, submitted: bool = False) -> StageForm:
    form = StageForm(prefix="t")
    form.to.choices = [(s, TAHAP[s]) for s in stages.next_stages(a) if s != "ditandatangani"]
    if not submitted:
        form.dari.data = a.tahap
    return form


def _review_form(a: Agreement, submitted: bool = False) -> ReviewForm:
    form = ReviewForm(prefix="r", obj=None if submitted else a)
    if not submitted:
        form.version.data = a.version
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
        form.apa.data = a.menunggu_apa
    return form


def _stage_page(
    a,
    stage_form=None,
    sign_form=None,
    target_form=None,
    waiting_form=None,
    status=200,
    void_errors=None,
    proposal_error=None,
    review_form=None,
    withdraw_error=None,
):
    names = waiting_cases.regency_names()
    proposal = proposals.open_proposal(a)
    slips = slip_cases.slips_of(a)
    return render(
        "pks/stage.html",
        a=a,
        stage_form=stage_form or _stage_form(a),
        sign_form=sign_form or SignForm(prefix="ttd"),
        target_form=target_form or _target_form(a),
        waiting_form=waiting_form or _waiting_form(a, names),
        slips=slips,
        summary=slip_cases.slip_summary(a, slips),
        names=names,
        can_write=can_write(),
        gaps=signing_gaps(a) if a.tahap == "siap_ttd" else [],
        void_errors=void_errors or {},
        proposal=proposal,
        proposal_label=TAHAP[proposal.tahap].lower() if proposal else "",
        waiting_for=proposals.other_side(a, proposal.regency_id) if proposal else "",
        proposal_error=proposal_error,
        withdraw_error=withdraw_error,
        review_form=review_form or _review_form(a),
        status=status,
    )


@bp.route("/<int:agreement_id>/tahap", methods=["GET", "POST"])
@audit.not_sensitive
def stage(agreement_id):
    a = get_agreement(agreement_id, party_options(with_signatories=True))
    if request.method == "GET":
        return _stage_page(a)
    form = _stage_form(a, submitted=True)
    status = FORM_INVALID
    if (
        form.validate_on_submit() or form.dari.data != a.tahap
    ):  # a stale page is said first, whatever it chose
        out = stages.move(
            a,
            form.dari.data,
            form.to.data,
            form.reason.data or "",
            current_user,
            today_local(),
            form.tanggal.data,
        )
        if "tanggal" in out.errors:  # at its field; the rest above the form
            form.tanggal.errors = [*form.tanggal.errors, out.errors.pop("tanggal")]
            if out.ok:
                return _stage_page(a, stage_form=form, status=FORM_INVALID)
        done = _finish(out, a, form, f"Tahap sekarang: {a.tahap_label}.")
        if done:
            return done
        if out.stale:  # shown again on the stored stage, with what was typed
            form = _stage_form(a)
            form.form_errors.extend(out.refusals)
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
        out = signing.sign(
            a,
            form.tgl_ttd.data,
            form.tempat.data or "",
            form.tgl_mulai.data,
            form.tgl_berakhir.data,
            form.jangka_bulan.data,
            current_user,
            today_local(),
        )
        done = _finish(out, a, form, "Penandatanganan dicatat; naskah kini terkunci.")
        if done:
            return done
    return _stage_page(a, sign_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/target", methods=["POST"])
def target(agreement_id):
    a = get_agreement(agreement_id)
    form = _target_form(a)
    if form.validate_on_submit() and (
        done := answer(slip_cases.set_target_from_form(a, form, current_user, today_local()))
    ):
        return done
    return _stage_page(a, target_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/penundaan/<int:slip_id>/batal", methods=["POST"])
def void_slip(agreement_id, slip_id):
    """Void a mistaken postponement entry with a reason (plain form, Post/Redirect/Get); after signing a
    koreksi."""
    a = get_agreement(agreement_id)
    out = slip_cases.void_slip(a, slip_id, request.form.get("alasan", "")[:2000], current_user)
    if out.errors:
        return _stage_page(a, status=FORM_INVALID, void_errors={slip_id: out.errors["alasan"]})
    if out.repeated:
        flash(out.repeated, "ok")
    elif out.refusals:
        flash(" ".join(out.refusals), "error")
    else:
        flash(out.data["message"], "ok")
    return redirect(url_for("pks.stage", agreement_id=a.id), 303)


@bp.route("/<int:agreement_id>/usulan/<int:proposal_id>", methods=["POST"])
def decide_proposal(agreement_id, proposal_id):
    """The other side confirms or rejects a proposed cancel, postponement or end (plain form, PRG)."""
    a = get_agreement(agreement_id, party_options())
    p = proposals.proposal_of(a, proposal_id, current_user)
    out = proposals.decide(
        a,
        p,
        request.form.get("keputusan", ""),
        request.form.get("alasan", "")[:2000],
        current_user,
        today_local(),
    )
    if out.errors:
        return _stage_page(a, status=FORM_INVALID, proposal_error=" ".join(out.errors.values()))
    if out.repeated or not out.ok:
        db.session.rollback()
        flash(out.repeated if out.repeated else " ".join(out.messages()), "ok" if out.repeated else "error")
        return redirect(url_for("pks.stage", agreement_id=a.id), 303)
    db.session.commit()
    flash(out.data["message"], "ok")
    return redirect(url_for("pks.detail", agreement_id=a.id))


@bp.route("/<int:agreement_id>/usulan/<int:proposal_id>/tarik", methods=["POST"])
def withdraw_proposal(agreement_id, proposal_id):
    """The proposing side withdraws its own open proposal, with a reason (plain form, PRG). Another side's
    proposal: 404."""
    a = get_agreement(agreement_id, party_options())
    p = proposals.own_proposal_of(a, proposal_id, current_user)
    out = proposals.withdraw(a, p, request.form.get("alasan", "")[:2000], current_user)
    if out.errors:
        return _stage_page(a, status=FORM_INVALID, withdraw_error=" ".join(out.errors.values()))
    if out.repeated:
        db.session.rollback()
        flash(out.repeated, "ok")
        return redirect(url_for("pks.stage", agreement_id=a.id), 303)
    db.session.commit()
    flash(out.data["message"], "ok")
    return redirect(url_for("pks.detail", agreement_id=a.id))


@bp.route("/<int:agreement_id>/review-hukum", methods=["POST"])
def review(agreement_id):
    a = get_agreement(agreement_id)
    form = _review_form(a, submitted=True)
    out = stages.record_review(a, form, current_user, today_local())
    if done := answer(out, form):
        return done
    if a.tahap != "review_hukum":  # the page shows no review form then: say why on the stage page
        flash(" ".join(out.messages()), "error")
        return redirect(url_for("pks.stage", agreement_id=a.id), 303)
    return _stage_page(a, review_form=form, status=FORM_INVALID)


@bp.route("/<int:agreement_id>/menunggu", methods=["POST"])
def waiting(agreement_id):
    a = get_agreement(agreement_id)
    names = waiting_cases.regency_names()
    form = _waiting_form(a, names, submitted=True)
    out = waiting_cases.save_waiting(a, form, current_user, today_local(), names)
    if done := answer(out, form):
        return done
    return _stage_page(a, waiting_form=form, status=FORM_INVALID)
