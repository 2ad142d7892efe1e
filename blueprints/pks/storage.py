"""Uploaded drafts, signed scans and meeting files (docs/pks.md §4.3): checked by content, hashed, stored
outside static/ under a random name in the module's upload area. The app numbers the versions (v1, v2, ... per
agreement and kind), one draft may be marked final, and a document is withdrawn with a reason, never deleted:
its file and hash stay, listed struck through, and it no longer counts as the current text."""

import hashlib
import io
import secrets
import zipfile
from pathlib import Path

from flask import url_for
from sqlalchemy import func, select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import utcnow
from blueprints.core.uploads import pdf_problem, upload_area, write_private

from .events import log
from .models import Agreement, Document, MeetingDocument
from .outcome import Locked
from .saving import creates_once, refused, refused_as_one, saved, stale_action
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


#: The kinds whose versions are versions of the text itself: one of them may be marked final.
TEXT_KINDS = frozenset({"draf"})


def _current():
    """The documents that still count (not withdrawn)."""
    return Document.withdrawn_at.is_(None)


def _has_scan(a: Agreement) -> bool:
    return (
        db.session.scalar(
            select(Document.id)
            .where(Document.agreement_id == a.id, Document.kind == "ttd", _current())
            .limit(1)
        )
        is not None
    )


def next_version(a: Agreement, kind: str) -> int:
    """The number the next document of ``kind`` gets: one more than any of that kind so far (withdrawn ones
    included, so a number is never given twice)."""
    top = db.session.scalar(
        select(func.max(Document.versi)).where(Document.agreement_id == a.id, Document.kind == kind)
    )
    return (top or 0) + 1


def label(doc: Document) -> str:
    """How the history names a document: kind, version and file name."""
    return (
        f"{doc.kind_label} v{doc.versi} ({doc.filename})"
        if doc.versi
        else f"{doc.kind_label} ({doc.filename})"
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
    doc = add_document(
        a,
        kind,
        data,
        ext,
        storage.filename,
        user,
        ringkasan=form.ringkasan.data,
        meeting_id=form.meeting_id.data,
        meeting_role=form.meeting_role.data,
    )
    message = f"Berkas diunggah sebagai v{doc.versi}. SHA-256: {doc.sha256}"
    return back or url_for("pks.documents", agreement_id=a.id), message


def add_document(
    a: Agreement,
    kind: str,
    data: bytes,
    ext: str,
    filename: str,
    user,
    *,
    ringkasan: str | None = "",
    meeting_id: int | None = None,
    meeting_role: str = "berkas",
) -> Document:
    """Record checked bytes (``check_file``) as the next version of ``kind`` of ``a``: hashed, audited, and
    written under a random name once everything but the commit has gone through. Called by a create use case
    after its submission key is claimed (``creates_once``), so a replay writes no second copy."""
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{secrets.token_hex(16)}.{ext}"
    doc = Document(
        agreement_id=a.id,
        kind=kind,
        versi=next_version(a, kind),
        ringkasan=(ringkasan or "").strip(),
        drafting_regency_id=user.regency_id,
        filename=filename[:200],
        stored_name=stored,
        mime=TYPES[ext][0],
        size=len(data),
        sha256=digest,
        uploaded_by_id=user.id,
    )
    db.session.add(doc)
    db.session.flush()
    if meeting_id:
        db.session.add(MeetingDocument(meeting_id=meeting_id, document_id=doc.id, role=meeting_role))
    audit.record("create", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{a.id}")
    db.session.flush()  # everything but the commit has gone through before the file is written
    write_private(upload_dir() / stored, data)
    return doc


def document_of(a: Agreement, document_id: int) -> Document | None:
    return db.session.scalar(
        select(Document).where(Document.id == document_id, Document.agreement_id == a.id)
    )


DRAFT_OF_LOCKED = (
    "Versi draf naskah yang sudah ditandatangani tidak dapat ditarik; perubahan melalui adendum."
)
FINAL_ONLY_TEXT = "Hanya versi draf yang dapat ditandai final."
FINAL_WITHDRAWN = "Dokumen yang sudah ditarik tidak dapat ditandai final."


def withdraw(a: Agreement, doc: Document, form, user) -> Outcome:
    """Withdraw ``doc`` with a reason: it stays listed (struck through) with its file and hash, leaves the
    current text and loses a final mark; the history keeps its name, hash and the reason. A draft of a signed
    (locked) text stays: its versions are the record of how the text came about."""
    url = url_for("pks.documents", agreement_id=a.id)
    if doc.is_withdrawn:
        return Outcome(repeated=True, data={"url": url})
    if stale := stale_action(form, doc, url=url):
        return stale
    if a.is_locked and doc.kind in TEXT_KINDS:
        return refused(None, DRAFT_OF_LOCKED)
    if not form.validate():
        return refused(form)
    reason = " ".join(form.alasan.data.split())
    doc.withdrawn_at, doc.withdrawn_by_id, doc.withdrawn_reason = utcnow(), user.id, reason
    doc.is_final = False
    # the short hash: the document's own row in the timeline keeps the full one, and a 64-character word would
    # push a printed table off the page
    log(a, "dokumen", user, reason=f"{label(doc)} ditarik (SHA-256 {doc.sha256[:12]}…): {reason}"[:2000])
    audit.record("update", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{a.id} ditarik: {reason}")
    return saved(doc, url, "Dokumen ditarik; berkas dan hash-nya tetap tersimpan.")


def mark_final(a: Agreement, doc: Document, form, user) -> Outcome:
    """Mark ``doc`` as the final version of the text; the mark moves off any other version of the agreement."""
    url = url_for("pks.documents", agreement_id=a.id)
    if doc.is_final:
        return Outcome(repeated=True, data={"url": url})
    if stale := stale_action(form, doc, url=url):
        return stale
    if not form.validate():
        return refused_as_one(form)
    if a.is_locked:
        return refused(None, Locked.message)
    if doc.kind not in TEXT_KINDS:
        return refused(None, FINAL_ONLY_TEXT)
    if doc.is_withdrawn:
        return refused(None, FINAL_WITHDRAWN)
    previous = db.session.scalars(
        select(Document).where(Document.agreement_id == a.id, Document.is_final.is_(True))
    ).all()
    for other in previous:
        other.is_final = False
    doc.is_final = True
    moved = f" (sebelumnya {', '.join(label(o) for o in previous)})" if previous else ""
    log(a, "dokumen", user, reason=f"{label(doc)} ditandai final{moved}"[:2000])
    audit.record("update", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{a.id} ditandai final")
    return saved(doc, url, f"{label(doc)} ditandai final.")


def documents_of(a: Agreement) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.agreement_id == a.id)
            .order_by(Document.withdrawn_at.is_not(None), Document.uploaded_at.desc(), Document.id.desc())
        )
    )


def signed_scans(a: Agreement) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.agreement_id == a.id, Document.kind == "ttd", _current())
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
