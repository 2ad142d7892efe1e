"""Uploaded drafts, signed scans and meeting files (docs/pks.md §4.3): checked by content, hashed, stored
outside static/ under a random name in the module's upload area."""

import hashlib
import io
import secrets
import zipfile
from pathlib import Path

from flask import url_for
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.uploads import pdf_problem, upload_area, write_private

from .models import Agreement, Document, MeetingDocument
from .outcome import Locked
from .saving import creates_once
from .settings import upload_limit

TYPES = {  # extension -> (mime, label)
    "pdf": ("application/pdf", "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    "jpg": ("image/jpeg", "JPG"),
    "jpeg": ("image/jpeg", "JPG"),
    "png": ("image/png", "PNG"),
}


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "mimetype" in names and z.read("mimetype").strip() == TYPES["odt"][0].encode():
                return "odt"
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return "docx"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def sniff(data: bytes) -> str | None:
    """The real type from the bytes, whatever the name says."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def upload_dir() -> Path:
    return upload_area("pks")


def name_problem(name: str) -> str | None:
    """What is wrong with an uploaded file's name (empty, a path, or a type not allowed)."""
    if not name:
        return "Pilih berkas yang akan diunggah."
    if "/" in name or "\\" in name or ".." in name or "\x00" in name or len(name) > 150:
        return "Nama berkas tidak sah (tidak boleh berisi garis miring atau '..')."
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        return "Jenis berkas tidak diizinkan; gunakan PDF, DOCX, ODT, JPG atau PNG."
    return None


def content_problem(data: bytes, ext: str, limit: int) -> str | None:
    """What is wrong with the bytes: empty, over ``limit``, or not what the extension says."""
    if not data:
        return "Berkas kosong."
    if len(data) > limit:
        return f"Berkas melebihi batas {limit // (1024 * 1024) or 1} MB."
    real = sniff(data)
    if real is None or TYPES[real][0] != TYPES[ext][0]:
        return f"Isi berkas tidak sesuai dengan ekstensi .{ext}" + (
            f" (isinya {TYPES[real][1]})." if real else " (isi tidak dikenali)."
        )
    if real == "pdf":  # starting with %PDF- does not make a file a PDF: it must parse as one
        return pdf_problem(data)
    return None


def check_file(storage) -> tuple[str | None, bytes, str]:
    """Returns (error, data, extension)."""
    name = (storage.filename or "") if storage else ""
    error = name_problem(name)
    if error:
        return error, b"", ""
    ext = name.rsplit(".", 1)[-1].lower()
    limit = upload_limit()
    data = storage.stream.read(limit + 1)
    error = content_problem(data, ext, limit)
    return (error, b"", "") if error else (None, data, ext)


def _has_scan(a: Agreement) -> bool:
    return (
        db.session.scalar(
            select(Document.id).where(Document.agreement_id == a.id, Document.kind == "ttd").limit(1)
        )
        is not None
    )


@creates_once
def store_upload(a: Agreement, form, storage, user, back: str | None = None):
    """Check the upload and record it; the file is written only once the submission key is claimed, so a replayed
    upload stores no second copy. A locked agreement takes no new draft and one signed scan at most.
    Answers the ``Outcome`` of ``creates_once`` (a refusal has its reason on the form); the clerk lands on
    ``back`` (the page the upload came from) or the agreement's documents."""
    kind = form.kind.data
    if a.is_locked and (kind == "draf" or (kind == "ttd" and _has_scan(a))):
        form.kind.errors.append(Locked.message)
        return None
    error, data, ext = check_file(storage)
    if error:
        form.berkas.errors.append(error)
        return None
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{secrets.token_hex(16)}.{ext}"
    doc = Document(
        agreement_id=a.id,
        kind=kind,
        versi=form.versi.data,
        ringkasan=(form.ringkasan.data or "").strip(),
        drafting_regency_id=user.regency_id,
        filename=storage.filename[:200],
        stored_name=stored,
        mime=TYPES[ext][0],
        size=len(data),
        sha256=digest,
        uploaded_by_id=user.id,
    )
    db.session.add(doc)
    db.session.flush()
    if form.meeting_id.data:
        db.session.add(
            MeetingDocument(meeting_id=form.meeting_id.data, document_id=doc.id, role=form.meeting_role.data)
        )
    audit.record("create", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{a.id}")
    db.session.flush()  # everything but the commit has gone through before the file is written
    write_private(upload_dir() / stored, data)
    return back or url_for("pks.documents", agreement_id=a.id), f"Berkas diunggah. SHA-256: {digest}"


def documents_of(a: Agreement) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.agreement_id == a.id)
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    )


def signed_scans(a: Agreement) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.agreement_id == a.id, Document.kind == "ttd")
            .order_by(Document.id)
        )
    )


def read_stored(doc: Document) -> bytes | None:
    """The stored bytes of ``doc`` (audited as a download), or None when the file is gone. Read into memory
    (files are bounded by the upload limit) so no file handle outlives the response."""
    path = upload_dir() / doc.stored_name
    if not path.is_file():
        return None
    audit.record("download", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{doc.agreement_id}")
    return path.read_bytes()
