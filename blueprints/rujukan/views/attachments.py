"""A letter's attachments (upload, the file, removal) and the receiver's SEP number, all on the detail page.
The rules and the storage: ``attachments.py`` and ``bridging.py``."""

import io

from flask import abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response

from .. import attachments as at
from .. import bp
from ..access import side_of
from ..bridging import record_sep
from ..forms import AttachmentForm, RemoveAttachmentForm, SepForm
from ..models import Referral, ReferralAttachment
from .referrals import _detail_page


def _failed(action: str, errors: dict, form) -> dict:
    typed = {name: request.form.get(name, "")[:300] for name in ("kind", "reason", "sep_number")}
    key = form.submission_key.data if hasattr(form, "submission_key") else None
    return {"action": action, "errors": errors, "values": typed, "key": key}


@bp.route("/<int:ref_id>/lampiran", methods=["POST"])
def attachment_upload(ref_id: int):
    ref = get_scoped_or_404(Referral, ref_id)
    if not at.may_attach(ref, current_user):
        abort(404)
    form = AttachmentForm()
    out = at.store_attachment(ref, form, request.files.get("berkas"), current_user)
    if out.replay:
        return out.replay.response()
    if out.record is None:
        db.session.rollback()
        return _detail_page(ref_id, FORM_INVALID, failed=_failed("attach", out.errors, form))
    flash(f"Lampiran {out.record.kind_label} tersimpan.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref_id), code=303)


@bp.route("/<int:ref_id>/lampiran/<int:att_id>")
@audit.reads("rujukan_lampiran", "lampiran rujukan")
def attachment_file(ref_id: int, att_id: int):
    """An image shown in the browser; a PDF is always a download (its viewer runs its own scripts)."""
    att = at.visible_attachment(ref_id, att_id, current_user)
    data = at.read_file(att)
    if data is None:
        abort(404)
    db.session.commit()  # the audit row of the read
    return send_file(
        io.BytesIO(data),
        mimetype=att.mime,
        as_attachment=not att.is_image,
        download_name=at.download_name(att),
        max_age=0,
        etag=False,
        last_modified=None,
    )


@bp.route("/<int:ref_id>/lampiran/<int:att_id>/hapus", methods=["POST"])
def attachment_remove(ref_id: int, att_id: int):
    ref = get_scoped_or_404(Referral, ref_id)
    if side_of(ref, current_user) != "sender":
        abort(404)
    att = db.session.get(ReferralAttachment, att_id)
    if att is not None and att.referral_id != ref.id:
        abort(404)
    form = RemoveAttachmentForm()
    out = at.remove_attachment(ref, att, form, current_user)
    if out.repeated:
        flash(out.repeated, "ok")
    elif out.record is None:
        failed = _failed(f"remove-{att_id}", out.errors, form)
        return _detail_page(ref_id, FORM_INVALID, failed=failed)
    else:
        flash(f"Lampiran {out.data['label']} dihapus.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref_id), code=303)


@bp.route("/<int:ref_id>/sep", methods=["POST"])
def sep_record(ref_id: int):
    """The receiving hospital's SEP number (after arrival); the sender or anyone else gets 404."""
    ref = get_scoped_or_404(Referral, ref_id)
    if side_of(ref, current_user) != "receiver":
        abort(404)
    form = SepForm()
    out = record_sep(ref, form, current_user)
    if out.stale:
        db.session.refresh(ref)
        return conflict_response(
            form,
            ref,
            back_url=url_for("rujukan.detail", ref_id=ref_id),
            current={"sep_number": ref.sep_number},
        )
    if out.refusals:
        return _detail_page(ref_id, 409, failed=_failed("sep", {"sep_number": out.error}, form))
    if out.errors:
        return _detail_page(ref_id, FORM_INVALID, failed=_failed("sep", out.errors, form))
    if out.repeated:
        flash(out.repeated, "ok")
    else:
        for w in out.warnings:
            flash(w, "warn")
        flash(f"No. SEP {ref.sep_number} tercatat.", "ok")
    return redirect(url_for("rujukan.detail", ref_id=ref_id), code=303)
