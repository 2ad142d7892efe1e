"""The receiving doctor's reply to a referral: the form (ICD-10 search as on the referral form, the doctor from
the answering facility's staff) and its printout, the Surat Rujukan Balik."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.pdf import pdf_response, render_pdf
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404

from .. import bp, icd
from ..access import side_of
from ..facilities import profile_of
from ..forms import ReplyForm
from ..lifecycle import allowed_actions
from ..models import Referral
from ..printouts import age_text, paper_for
from ..replies import answering_staff, doctor_choices, record_reply, reply_defaults
from .icd import REPLY_SLOT
from .printouts import _printable_or_404

PICK = f"diag{REPLY_SLOT}_pick"
QUERY = f"diag_q{REPLY_SLOT}"


def _form(ref: Referral, side: str | None, staff) -> ReplyForm:
    form = ReplyForm()
    if side == "sender":
        form.channel.choices = [c for c in form.channel.choices if c.value != "web"]
    if staff:  # the doctor is chosen from the answering facility's staff; free text only when it lists none
        form.reply_doctor_id.choices = doctor_choices(staff)
        del form.reply_doctor
    else:
        del form.reply_doctor_id
    return form


def _render_form(ref, form, staff, status=200, error=None, icd_results=None):
    icd_results = icd_results or {}
    picked = request.method == "POST" and request.form.get(PICK) and REPLY_SLOT not in icd_results
    query = "" if picked or request.method != "POST" else request.form.get(QUERY, "")
    return render(
        "rujukan/reply_form.html",
        status=status,
        ref=ref,
        form=form,
        error=error,
        staff=staff,
        i=REPLY_SLOT,
        icd_results=icd_results,
        queries={REPLY_SLOT: query},
        diag_names={REPLY_SLOT: (icd.lookup(form.reply_diag.data) or ("", ""))[1]},
    )


@bp.route("/<int:ref_id>/jawab", methods=["GET", "POST"])
@audit.reads("rujukan", "formulir jawaban rujukan")
def referral_reply(ref_id: int):
    """The receiving doctor's answer (docs/rujukan.md §4.4); the sender may type it from slip or call."""
    ref = get_scoped_or_404(Referral, ref_id)
    side = side_of(ref, current_user)
    staff = answering_staff(ref)
    form = _form(ref, side, staff)
    if request.method == "GET":
        if "answer" not in allowed_actions(ref, current_user):
            abort(404)
        for name, value in reply_defaults(ref, side).items():
            if name in form:
                form[name].data = value
        return _render_form(ref, form, staff)
    if pick := request.form.get(PICK, "").strip():  # no-JS search: a picked result replaces the typed code
        form.reply_diag.data, form.reply_diag.raw_data = pick, [pick]
    if request.form.get("_icd") in ("enter", REPLY_SLOT):  # no-JS search: show the results, save nothing
        typed = request.form.get(QUERY, "").strip()[:60]
        searched = request.form.get("_icd") == REPLY_SLOT or (typed and not pick)
        return _render_form(ref, form, staff, icd_results={REPLY_SLOT: icd.search(typed)} if searched else {})
    result = record_reply(ref, form, current_user, staff)
    if result.replay:
        return result.replay.response()
    if result.record is not None:
        flash("Jawaban rujukan disimpan; faskes asal dapat melihatnya.", "ok")
        return redirect(url_for("rujukan.detail", ref_id=ref.id))
    for name, message in result.errors.items():
        if message not in getattr(form, name).errors:
            getattr(form, name).errors = list(getattr(form, name).errors) + [message]
    return _render_form(ref, form, staff, status=409 if result.error else FORM_INVALID, error=result.error)


@bp.route("/<int:ref_id>/jawaban/cetak")
@audit.reads("rujukan", "cetak jawaban rujukan")
def reply_pdf(ref_id: int):
    """Surat Rujukan Balik / Jawaban Rujukan: the recorded answer on the answering facility's letterhead,
    printed by that facility or by the sender; audited as a print."""
    ref = _printable_or_404(ref_id)
    if ref.replied_at is None:  # nothing to print yet
        abort(404)
    answering = ref.destination  # None for a letter to a facility outside the directory (destination_text)
    profile = profile_of(answering.id) if answering else None
    paper = paper_for(request.args.get("kertas", ""), profile_of(current_user.organisation_id))
    data = render_pdf(
        "rujukan/pdf/reply.html",
        paper=paper,
        ref=ref,
        p=ref.patient,
        origin=ref.origin,
        answering=answering,
        profile=profile,
        letterhead=answering,
        age=age_text(ref.patient.birth_date, ref.issued_on or ref.replied_at.date()),
    )
    audit.record("print", "rujukan", ref.id, f"mencetak jawaban rujukan #{ref.id} ({paper})")
    response = pdf_response(data, f"jawaban-rujukan-{(ref.number or str(ref.id)).replace('/', '-')}.pdf")
    db.session.commit()
    return response
