"""SIDILAN documents and photos of a person or a household: the list with its upload form, the file (inline
image, thumbnail, download) and the withdrawal. The checks and the storage: ``sidilan/documents.py``."""

import io

from flask import abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.roles import roles_required
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.versioning import conflict_response

from .. import bp
from ..access import ENTRY_ROLES
from ..document_models import SidilanDocument
from ..documents import (
    ACCEPT,
    WithdrawForm,
    document_form,
    documents_of,
    download_name,
    limit_label,
    may_see_documents,
    may_upload,
    open_for_documents,
    owner_url,
    read_file,
    store_document,
    withdraw_document,
)
from ..models import Household, Person
from ..nagari_scope import nagari_open
from ._common import recorded


def _visible_document(doc_id: int) -> SidilanDocument:
    """The document in the user's scope whose person or household is in scope too; else 404."""
    if not may_see_documents(current_user):
        abort(404)
    doc = get_scoped_or_404(SidilanDocument, doc_id)
    if doc.person_id:
        get_scoped_or_404(Person, doc.person_id)
    else:
        get_scoped_or_404(Household, doc.household_id)
    return doc


def _owner_page(owner, form=None, withdraw=None, status=200):
    """The documents page of ``owner``: every document including the withdrawn ones, the upload form and a
    withdrawal form per document (``withdraw`` = (document id, the posted form) shown again with its error)."""
    is_person = isinstance(owner, Person)
    upload_url = (
        url_for("sidilan.person_documents", person_id=owner.id)
        if is_person
        else url_for("sidilan.household_documents", household_id=owner.id)
    )
    back_url = (
        url_for("sidilan.person_view", person_id=owner.id)
        if is_person
        else url_for("sidilan.household", household_id=owner.id)
    )
    writable = may_upload(current_user) and open_for_documents(owner)
    page = render(
        "sidilan/documents.html",
        owner=owner,
        is_person=is_person,
        back_url=back_url,
        upload_url=upload_url,
        documents=documents_of(owner, include_withdrawn=True),
        document_form=(form or document_form()) if writable else None,
        may_withdraw=may_upload(current_user),
        withdraw=withdraw,
        document_limit=limit_label(),
        document_accept=ACCEPT,
        status=status,
    )
    what = f"orang #{owner.id}" if is_person else f"keluarga #{owner.id}"
    kind = "sidilan_person" if is_person else "sidilan_household"  # the id is the owner's, not a document's
    return recorded(page, "view", kind, owner.id, f"daftar dokumen {what}")


def _documents(owner):
    if not may_see_documents(current_user):
        abort(404)
    if request.method != "POST":
        return _owner_page(owner)
    if not (may_upload(current_user) and open_for_documents(owner)):
        abort(404)
    form = document_form()
    out = store_document(owner, form, request.files.get(form.berkas.name), current_user)
    if out.replay:
        return out.replay.response()
    if out.record is not None:
        flash(f"Dokumen {out.record.kind_label} tersimpan.", "ok")
        return redirect(owner_url(out.record), code=303)
    db.session.rollback()
    return _owner_page(owner, form=form, status=FORM_INVALID)


@bp.route("/orang/<int:person_id>/dokumen", methods=["GET", "POST"])
@audit.reads("sidilan_document", "dokumen orang")
def person_documents(person_id: int):
    return _documents(get_scoped_or_404(Person, person_id))


@bp.route("/keluarga/<int:household_id>/dokumen", methods=["GET", "POST"])
@audit.reads("sidilan_document", "dokumen keluarga")
@nagari_open
def household_documents(household_id: int):
    return _documents(get_scoped_or_404(Household, household_id))


def _send(doc: SidilanDocument, data: bytes | None, *, attachment: bool, mime: str | None = None):
    if data is None:
        abort(404)
    db.session.commit()  # the audit row of the read
    return send_file(
        io.BytesIO(data),
        mimetype=mime or doc.mime,
        as_attachment=attachment,
        download_name=download_name(doc),
        max_age=0,
        etag=False,
        last_modified=None,
    )


@bp.route("/dokumen/<int:doc_id>")
@audit.reads("sidilan_document", "lihat dokumen")
@nagari_open
def document_file(doc_id: int):
    """An image shown in the browser; a PDF is always a download (its viewer runs its own scripts)."""
    doc = _visible_document(doc_id)
    data = read_file(doc, download=not doc.is_image)
    return _send(doc, data, attachment=not doc.is_image)


@bp.route("/dokumen/<int:doc_id>/kecil")
@audit.reads("sidilan_document", "gambar kecil dokumen")
@nagari_open
def document_thumb(doc_id: int):
    doc = _visible_document(doc_id)
    return _send(doc, read_file(doc, thumb=True), attachment=False, mime="image/jpeg")


@bp.route("/dokumen/<int:doc_id>/unduh")
@audit.reads("sidilan_document", "unduh dokumen")
@nagari_open
def document_download(doc_id: int):
    doc = _visible_document(doc_id)
    return _send(doc, read_file(doc, download=True), attachment=True)


@bp.route("/dokumen/<int:doc_id>/tarik", methods=["POST"])
@roles_required(*ENTRY_ROLES)
def document_withdraw(doc_id: int):
    doc = _visible_document(doc_id)
    owner = (
        db.session.get(Person, doc.person_id)
        if doc.person_id
        else db.session.get(Household, doc.household_id)
    )
    form = WithdrawForm()
    out = withdraw_document(doc, form, current_user)
    if out.stale:
        return conflict_response(
            form, out.stale, back_url=owner_url(doc), current={"reason": out.stale.withdrawn_reason}
        )
    if out.repeated:
        flash(out.repeated, "ok")
        return redirect(owner_url(doc), code=303)
    if out.record is None:
        return _owner_page(owner, withdraw=(doc.id, form), status=FORM_INVALID)
    flash(f"Dokumen {doc.kind_label} ditarik; tetap tersimpan dalam riwayat.", "ok")
    return redirect(owner_url(doc), code=303)
