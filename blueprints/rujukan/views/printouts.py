"""The one-page letter and its tear-off reply (docs/rujukan.md §9.1, §9.2): DRAFT, SALINAN marks."""

import io
import re

import segno
from flask import abort, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from blueprints.auth.models import Organisation
from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.pdf import EmbeddedFile, pdf_response, render_pdf
from blueprints.core.scope import scoped
from blueprints.core.timeutil import today_local

from .. import bp, fhir
from ..access import require_sender, side_of
from ..facilities import profile_of
from ..lists import dasar_label
from ..models import FacilityProfile, Patient, Referral
from ..printouts import (
    age_text,
    answered,
    letter_fit,
    letter_texts,
    mark_for,
    paper_for,
    record_print,
    reply_texts,
)
from ..verification import verify_code

_LONG_WORD = re.compile(r"(\S{28})(?=\S)")


@bp.app_template_filter("breakable")
def breakable(value) -> str:
    """User text for a printout, whole, with a break opportunity (U+200B) in very long words: cheaper for
    WeasyPrint than CSS overflow-wrap, and a 'word' of 200 letters cannot push the page wider."""
    return _LONG_WORD.sub("\\1\u200b", "" if value is None else str(value))


@bp.app_template_filter("clip")
def clip(value, length: int | None = None) -> str:
    """``breakable``, cut to ``length`` characters. Only for fixed one-page forms (the consent form); the
    letter prints every text whole (docs/rujukan.md §9.1)."""
    text = "" if value is None else str(value)
    if length is not None and len(text) > length:
        text = text[: max(length - 3, 0)].rsplit(" ", 1)[0] + "..."
    return breakable(text)


def qr_svg(url: str) -> Markup:
    """Vector QR (stays sharp on cheap printers); segno output holds no user text."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(
        buf, kind="svg", xmldecl=False, svgns=True, nl=False, scale=2, border=1, svgclass=None, lineclass=None
    )
    return Markup(buf.getvalue().decode())


def letter_context(
    ref: Referral, mark: str | None, profile: FacilityProfile | None = None, paper: str = "A4"
) -> dict:
    """``profile``: the issuing facility's directory entry (letterhead contacts), looked up when not given.
    ``fit``: the body size and page count the letter's texts need on ``paper`` (printouts.letter_fit)."""
    profile = profile or profile_of(ref.origin_id)
    code = verify_code(ref.id) if ref.number else None
    verify_url = url_for("rujukan_verify.verify", code=code, _external=True) if code else None
    on = ref.issued_on or today_local()
    return dict(
        ref=ref,
        p=ref.patient,
        origin=ref.origin,
        profile=profile,
        mark=mark,
        code=code,
        verify_url=verify_url,
        qr=qr_svg(verify_url) if verify_url else None,
        age=age_text(ref.patient.birth_date, on),
        dasar=dasar_label(ref.dasar),
        answered=answered(ref),
        fit=letter_fit(letter_texts(ref) + reply_texts(ref), paper),
    )


def _printable_or_404(ref_id: int) -> Referral:
    ref = db.session.scalars(
        scoped(Referral)
        .where(Referral.id == ref_id)
        .options(
            joinedload(Referral.patient).joinedload(Patient.jorong),
            joinedload(Referral.origin).joinedload(Organisation.regency),
            joinedload(Referral.destination),
            joinedload(Referral.nakes),
            joinedload(Referral.poli),
        )
    ).first()
    if ref is None:
        abort(404)
    return ref


def _machine_readable(ref: Referral, code: str | None) -> dict:
    """An issued letter's PDF is PDF/A-3b carrying the referral as FHIR-shaped JSON (fhir.py); a draft's is not."""
    if not ref.number:
        return {}
    data = fhir.service_request_json(ref, code, ref.effective_status(today_local()))
    return dict(
        variant="pdf/a-3b",
        embedded=(EmbeddedFile(fhir.FILENAME, data, "Rujukan (FHIR R4 ServiceRequest, JSON)", "Data"),),
    )


@bp.route("/<int:ref_id>/cetak")
@audit.reads("rujukan", "cetak rujukan")
def letter_pdf(ref_id: int):
    ref = _printable_or_404(ref_id)
    sender = side_of(ref, current_user) == "sender"
    if ref.status == "draf" and ref.refused:  # no letter for a patient who refused: the refusal form instead
        return redirect(url_for("rujukan.consent_pdf", ref_id=ref.id))
    mark = mark_for(ref, sender, today_local())
    profile = profile_of(ref.origin_id)
    paper = paper_for(request.args.get("kertas", ""), profile)
    context = letter_context(ref, mark, profile, paper)
    data = render_pdf(
        "rujukan/pdf/letter.html", paper=paper, **context, **_machine_readable(ref, context["code"])
    )
    record_print(ref, current_user, mark, paper, sender)
    response = pdf_response(data, f"surat-rujukan-{(ref.number or f'draf-{ref.id}').replace('/', '-')}.pdf")
    db.session.commit()  # after the last read of ref: the commit expires it
    return response


@bp.route("/<int:ref_id>/persetujuan")
@audit.reads("rujukan", "cetak persetujuan rujukan")
def consent_pdf(ref_id: int):
    """Persetujuan / penolakan rujukan (docs/rujukan.md §9.3): signed by patient/family, printed by sender."""
    ref = _printable_or_404(ref_id)
    require_sender(ref, current_user)
    profile = profile_of(ref.origin_id)
    paper = paper_for(request.args.get("kertas", ""), profile)
    data = render_pdf("rujukan/pdf/consent.html", paper=paper, **letter_context(ref, None, profile))
    audit.record("print", "rujukan", ref.id, f"mencetak formulir persetujuan rujukan #{ref.id}")
    response = pdf_response(data, f"persetujuan-rujukan-{ref.id}.pdf")
    db.session.commit()
    return response
