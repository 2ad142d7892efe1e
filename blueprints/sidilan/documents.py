"""Documents and photos of a person or a household (docs/sidilan.md §5.3, §11): upload, list, read, withdraw.

- An upload is a PDF (checked by a PDF parser, ``core.uploads.pdf_problem``) or an image; an image is kept only
  as ``core.images.clean_image`` makes it (upright, at most ``SIDILAN_PHOTO_MAX_EDGE`` px, a fresh JPEG without
  EXIF or GPS) with a small thumbnail beside it. Files go to the SIDILAN upload area under random names.
- Documents show the full NIK (KTP, KK) and health data (surat keterangan): only the roles that see the full NIK
  (``access.may_see_nik``) see them; others are told how many there are. Every read of a file is audited.
- A withdrawn document keeps its row and its file, with who withdrew it, when and why.
"""

import hashlib
import secrets
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import FileField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.forms import CreateForm, EditForm
from blueprints.core.images import ImageProblem, placeholder, prepare_upload, thumbnail
from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import utcnow
from blueprints.core.uploads import upload_area, write_private
from blueprints.core.versioning import is_stale

from .access import may_see_nik, may_write
from .document_models import KINDS, SidilanDocument
from .models import Household, Person

FORM_ALLOWANCE = 64 * 1024  # what MAX_CONTENT_LENGTH (app.py) adds to the file limit for the other fields
ACCEPT = "image/*,application/pdf"
NO_FILE = "Pilih berkas atau ambil foto yang akan diunggah."
WRONG_TYPE = "Jenis berkas tidak diizinkan: unggah foto (JPG, PNG) atau PDF."


# ---- settings --------------------------------------------------------------------------------------------


def upload_limit() -> int:
    """SIDILAN_MAX_UPLOAD_BYTES, else MAX_UPLOAD_MB, else what MAX_CONTENT_LENGTH leaves for the file."""
    config = current_app.config
    if config.get("SIDILAN_MAX_UPLOAD_BYTES"):
        return int(config["SIDILAN_MAX_UPLOAD_BYTES"])
    if config.get("MAX_UPLOAD_MB"):
        return int(float(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    return int(config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024 + FORM_ALLOWANCE) - FORM_ALLOWANCE


def max_edge() -> int:
    return int(current_app.config.get("SIDILAN_PHOTO_MAX_EDGE") or 1600)


def limit_label() -> str:
    mb = upload_limit() / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 1 else f"{upload_limit() // 1024} KB"


def upload_dir() -> Path:
    return upload_area("sidilan")


# ---- who ---------------------------------------------------------------------------------------------------


def may_see_documents(user) -> bool:
    """KTP and KK show the full NIK and the mother's name: the same roles as the full NIK."""
    return may_see_nik(user)


def may_upload(user) -> bool:
    return may_write(user)


def open_for_documents(owner) -> bool:
    """A merged or deactivated person takes no new document (its documents stay readable)."""
    return not isinstance(owner, Person) or (owner.merged_into_id is None and owner.active)


# ---- forms -------------------------------------------------------------------------------------------------


class DocumentForm(CreateForm):
    kind = SelectField(
        "Jenis dokumen",
        choices={"": "— pilih —", **dict(KINDS)},
        validators=[DataRequired("Pilih jenis dokumen.")],
    )
    berkas = FileField("Berkas atau foto (JPG, PNG, PDF)")
    note = TextAreaField(
        "Keterangan (boleh kosong)",
        validators=[Optional(), Length(max=300, message="Keterangan maksimal 300 karakter.")],
    )


class WithdrawForm(EditForm):
    reason = TextAreaField(
        "Alasan penarikan",
        validators=[
            DataRequired("Tulis alasan penarikan dokumen."),
            Length(min=3, max=300, message="Alasan 3–300 karakter."),
        ],
    )


def document_form() -> DocumentForm:
    """The upload form (prefixed: it sits on the person page beside other forms)."""
    return DocumentForm(prefix="dokumen")


# ---- reading ----------------------------------------------------------------------------------------------


def _owner_clause(owner):
    if isinstance(owner, Household):
        return SidilanDocument.household_id == owner.id
    return SidilanDocument.person_id == owner.id


def documents_of(owner, include_withdrawn: bool = False) -> list[SidilanDocument]:
    stmt = (
        select(SidilanDocument)
        .where(_owner_clause(owner))
        .options(joinedload(SidilanDocument.uploaded_by), joinedload(SidilanDocument.withdrawn_by))
        .order_by(
            SidilanDocument.withdrawn_at.is_not(None),
            SidilanDocument.uploaded_at.desc(),
            SidilanDocument.id.desc(),
        )
    )
    if not include_withdrawn:
        stmt = stmt.where(SidilanDocument.withdrawn_at.is_(None))
    return list(db.session.scalars(stmt))


def page_context(owner, user) -> dict:
    """What a person or household page shows of its documents: the list (or only the count for a role that
    may not see them) and the upload form."""
    visible = may_see_documents(user)
    if isinstance(owner, Household):
        docs_url = url_for("sidilan.household_documents", household_id=owner.id)
    else:
        docs_url = url_for("sidilan.person_documents", person_id=owner.id)
    current = owner.documents  # loaded with the page's record (document_models)
    return dict(
        docs_url=docs_url,
        upload_url=docs_url,
        documents=current if visible else [],
        documents_hidden=0 if visible else len(current),
        document_form=document_form() if may_upload(user) and open_for_documents(owner) else None,
        document_limit=limit_label(),
        document_accept=ACCEPT,
    )


def _describe(doc: SidilanDocument) -> str:
    owner = f"orang #{doc.person_id}" if doc.person_id else f"keluarga #{doc.household_id}"
    return f"dokumen #{doc.id} {owner}"


def read_file(doc: SidilanDocument, *, thumb: bool = False, download: bool = False) -> bytes | None:
    """The stored bytes of ``doc`` (or of its thumbnail), audited as a view or a download; None when the
    file is gone. Read into memory (files are bounded by the upload limit)."""
    name = doc.thumb_name if thumb else doc.stored_name
    if not name:
        return None
    path = upload_dir() / name
    if not path.is_file():
        return None
    what = "gambar kecil " if thumb else ""
    audit.record("download" if download else "view", "sidilan_document", doc.id, what + _describe(doc))
    return path.read_bytes()


def download_name(doc: SidilanDocument) -> str:
    stem = doc.filename.rsplit(".", 1)[0] if "." in doc.filename else doc.filename
    return f"{stem or 'dokumen'}.{'jpg' if doc.is_image else 'pdf'}"


# ---- upload ----------------------------------------------------------------------------------------------


def _name_problem(name: str) -> str | None:
    if not name:
        return NO_FILE
    if "\x00" in name or len(name) > 200:
        return "Nama berkas tidak sah."
    return None


def prepare(data: bytes, limit: int) -> tuple[str | None, dict]:
    """What is wrong with the uploaded bytes, or the stored form of them (``core.images.prepare_upload``): the
    PDF as it is, an image cleaned, with its thumbnail."""
    problem, prepared = prepare_upload(data, limit, limit_label(), max_edge(), WRONG_TYPE)
    if problem is None and prepared["mime"] == "image/jpeg":
        try:
            prepared["thumb"] = thumbnail(prepared["data"])
        except ImageProblem as error:
            return str(error), {}
    return problem, prepared


def store_document(owner, form: DocumentForm, storage, user) -> Outcome:
    """Check and keep one uploaded document of ``owner`` (a Person or a Household). The files are written only
    once the submission key is claimed, so a replayed upload stores no second copy."""
    valid = form.validate()
    name = (storage.filename or "") if storage else ""
    problem = _name_problem(name)
    prepared: dict = {}
    if problem is None:
        limit = upload_limit()
        problem, prepared = prepare(storage.stream.read(limit + 1), limit)
    if problem:
        form.berkas.errors = [*form.berkas.errors, problem]
    if not valid or problem:
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    doc = keep_document(owner, form.kind.data, prepared, name, user, note=form.note.data)
    audit.record("create", "sidilan_document", doc.id, _describe(doc), user=user)
    submission.remember(form.submission_key.data, owner_url(doc))
    db.session.flush()  # everything but the commit has gone through before the files are written
    write_files(doc, prepared)
    db.session.commit()
    return Outcome(record=doc)


def keep_document(owner, kind: str, prepared: dict, filename: str, user, note: str | None = None):
    """The row of a checked upload (``prepare``), flushed; its files are written by ``write_files``."""
    token = secrets.token_hex(16)
    doc = SidilanDocument(
        regency_id=owner.regency_id,
        person_id=owner.id if isinstance(owner, Person) else None,
        household_id=owner.id if isinstance(owner, Household) else None,
        kind=kind,
        note=(note or "").strip() or None,
        filename=filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "dokumen",
        stored_name=f"{token}.{prepared['ext']}",
        thumb_name=f"{token}-kecil.jpg" if prepared.get("thumb") else None,
        mime=prepared["mime"],
        size=len(prepared["data"]),
        sha256=hashlib.sha256(prepared["data"]).hexdigest(),
        width=prepared.get("width"),
        height=prepared.get("height"),
        uploaded_by_id=user.id if user else None,
        uploaded_at=utcnow(),
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def write_files(doc, prepared: dict) -> None:
    folder = upload_dir()
    write_private(folder / doc.stored_name, prepared["data"])
    if doc.thumb_name:
        write_private(folder / doc.thumb_name, prepared["thumb"])


def demo_document(owner, kind: str, user) -> None:
    """A generated placeholder photo (marked demo) for the demo registry, so the verification screen shows one."""
    db.session.flush()  # the owner's id
    data = placeholder([f"CONTOH {dict(KINDS)[kind].upper()} (demo)", "Bukan dokumen asli."])
    problem, prepared = prepare(data, upload_limit())
    if problem is None:
        doc = keep_document(owner, kind, prepared, f"contoh-{kind}-demo.jpg", user, note="Contoh (demo)")
        write_files(doc, prepared)


def owner_url(doc: SidilanDocument) -> str:
    if doc.person_id:
        return url_for("sidilan.person_documents", person_id=doc.person_id)
    return url_for("sidilan.household_documents", household_id=doc.household_id)


# ---- withdraw --------------------------------------------------------------------------------------------


def withdraw_document(doc: SidilanDocument, form: WithdrawForm, user) -> Outcome:
    """Mark ``doc`` withdrawn with a reason; the row and the file stay (history)."""
    if doc.withdrawn:
        return Outcome(repeated="Dokumen ini sudah ditarik sebelumnya.")
    if is_stale(doc, form.version.data):
        db.session.refresh(doc)
        return Outcome(stale=doc)
    if not form.validate():
        return Outcome(errors={"reason": form.reason.errors[0]} if form.reason.errors else {})
    doc.withdrawn_at = utcnow()
    doc.withdrawn_by_id = user.id
    doc.withdrawn_reason = form.reason.data.strip()
    db.session.flush()
    audit.record("update", "sidilan_document", doc.id, "menarik " + _describe(doc), user=user)
    db.session.commit()
    return Outcome(record=doc)
