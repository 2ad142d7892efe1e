"""Pages of uploaded drafts, signed scans and meeting files (the checks and the storage: ``storage.py``)."""

import io

from flask import abort, request, send_file
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404

from .. import bp
from ..access import can_write
from ..forms import FinalVersionForm, UploadForm, WithdrawDocumentForm
from ..minutes import meeting_choices
from ..models import Agreement, Document
from ..settings import upload_limit
from ..storage import TEXT_KINDS, document_of, documents_of, mark_final, read_stored, store_upload, withdraw
from ._common import answer


def _form(a: Agreement) -> UploadForm:
    form = UploadForm()
    form.meeting_id.choices = meeting_choices(a)
    return form


def _page(a, form, status=200, error=None):
    return render(
        "pks/documents.html",
        a=a,
        form=form,
        docs=documents_of(a),
        limit_mb=upload_limit() / (1024 * 1024),
        can_write=can_write(),
        TEXT_KINDS=TEXT_KINDS,
        error=error,
        status=status,
    )


@bp.route("/<int:agreement_id>/dokumen", methods=["GET", "POST"])
@audit.not_sensitive
def documents(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    form = _form(a)
    if (
        request.method == "POST"
        and form.validate_on_submit()
        and (done := answer(store_upload(a, form, request.files.get(form.berkas.name), current_user)))
    ):
        return done
    return _page(a, form, 200 if request.method == "GET" else FORM_INVALID)


def _document_or_404(agreement_id: int, document_id: int):
    a = get_scoped_or_404(Agreement, agreement_id)
    doc = document_of(a, document_id)
    if doc is None:
        abort(404)
    return a, doc


@bp.route("/<int:agreement_id>/dokumen/<int:document_id>/tarik", methods=["POST"])
def document_withdraw(agreement_id, document_id):
    """Withdraw a document with a reason (kept listed, struck through, with its file and hash)."""
    a, doc = _document_or_404(agreement_id, document_id)
    form = WithdrawDocumentForm()
    out = withdraw(a, doc, form, current_user)
    return answer(out, form) or _page(a, _form(a), FORM_INVALID, " ".join(out.messages()))


@bp.route("/<int:agreement_id>/dokumen/<int:document_id>/final", methods=["POST"])
def document_final(agreement_id, document_id):
    """Mark a version of the text final (the mark moves off the version that had it)."""
    a, doc = _document_or_404(agreement_id, document_id)
    form = FinalVersionForm()
    out = mark_final(a, doc, form, current_user)
    return answer(out, form) or _page(a, _form(a), FORM_INVALID, " ".join(out.messages()))


@bp.route("/dokumen/<int:document_id>/unduh")
@audit.reads("pks_document", "unduh dokumen")
def download(document_id):
    doc = db.session.get(Document, document_id)
    if doc is None:
        abort(404)
    get_scoped_or_404(Agreement, doc.agreement_id)
    data = read_stored(doc)
    if data is None:
        abort(404)
    db.session.commit()
    return send_file(
        io.BytesIO(data),
        mimetype=doc.mime,
        as_attachment=True,
        download_name=doc.filename,
        max_age=0,
        etag=False,
    )
