"""Uploaded drafts, signed scans and meeting files: checked by content, hashed, stored outside static/."""
import hashlib
import io
import secrets
import zipfile
from pathlib import Path

from flask import abort, current_app, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404

from . import bp, service
from .forms import UploadForm
from .models import Agreement
from .models_work import Document, MeetingDocument
from .saving import create_once

TYPES = {  # extension -> (mime, label)
    "pdf": ("application/pdf", "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    "jpg": ("image/jpeg", "JPG"),
    "jpeg": ("image/jpeg", "JPG"),
    "png": ("image/png", "PNG"),
}


def sniff(data: bytes) -> str | None:
    """The real type from the bytes, whatever the name says."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
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


def max_bytes() -> int:
    """PKS_MAX_UPLOAD_BYTES, else MAX_UPLOAD_MB, else what MAX_CONTENT_LENGTH leaves after the form fields."""
    config = current_app.config
    if config.get("PKS_MAX_UPLOAD_BYTES"):
        return int(config["PKS_MAX_UPLOAD_BYTES"])
    if config.get("MAX_UPLOAD_MB"):
        return int(float(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    return int(config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024 + 64 * 1024) - 64 * 1024


def upload_dir() -> Path:
    root = current_app.config.get("UPLOAD_DIR") or str(Path(current_app.instance_path) / "uploads")
    path = Path(root) / "pks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_file(storage) -> tuple[str | None, bytes, str]:
    """Returns (error, data, extension)."""
    name = (storage.filename or "") if storage else ""
    if not name:
        return "Pilih berkas yang akan diunggah.", b"", ""
    if "/" in name or "\\" in name or ".." in name or "\x00" in name or len(name) > 150:
        return "Nama berkas tidak sah (tidak boleh berisi garis miring atau '..').", b"", ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        return "Jenis berkas tidak diizinkan; gunakan PDF, DOCX, ODT, JPG atau PNG.", b"", ""
    limit = max_bytes()
    data = storage.stream.read(limit + 1)
    if not data:
        return "Berkas kosong.", b"", ""
    if len(data) > limit:
        return f"Berkas melebihi batas {limit // (1024 * 1024) or 1} MB.", b"", ""
    real = sniff(data)
    if real is None or TYPES[real][0] != TYPES[ext][0]:
        return (f"Isi berkas tidak sesuai dengan ekstensi .{ext}"
                + (f" (isinya {TYPES[real][1]})." if real else " (isi tidak dikenali).")), b"", ""
    return None, data, ext


def _form(a: Agreement) -> UploadForm:
    form = UploadForm()
    form.meeting_id.choices = service.meeting_choices(a)
    return form


def _page(a, form, status=200):
    docs = list(db.session.scalars(select(Document).where(Document.agreement_id == a.id)
                                   .order_by(Document.uploaded_at.desc(), Document.id.desc())))
    from .routes import can_write
    return render("pks/documents.html", a=a, form=form, docs=docs, limit_mb=max_bytes() / (1024 * 1024),
                  can_write=can_write(), status=status)


def _store(a: Agreement, form: UploadForm):
    """Check the upload and record it; the file is written only once the submission key is claimed, so a replayed
    upload stores no second copy. Returns (result, message), or None with the reason on the form."""
    kind = form.kind.data
    has_scan = db.session.scalar(select(Document.id).where(
        Document.agreement_id == a.id, Document.kind == "ttd").limit(1)) is not None
    if a.is_locked and (kind == "draf" or (kind == "ttd" and has_scan)):
        form.kind.errors.append(service.Locked.message)
        return None
    storage = request.files.get(form.berkas.name)
    error, data, ext = check_file(storage)
    if error:
        form.berkas.errors.append(error)
        return None
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{secrets.token_hex(16)}.{ext}"
    doc = Document(agreement_id=a.id, kind=kind, versi=form.versi.data, ringkasan=(form.ringkasan.data or "").strip(),
                   drafting_regency_id=current_user.regency_id, filename=storage.filename[:200], stored_name=stored,
                   mime=TYPES[ext][0], size=len(data), sha256=digest, uploaded_by_id=current_user.id)
    db.session.add(doc)
    db.session.flush()
    if form.meeting_id.data:
        db.session.add(MeetingDocument(meeting_id=form.meeting_id.data, document_id=doc.id,
                                       role=form.meeting_role.data))
    audit.record("create", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{a.id}")
    db.session.flush()  # everything but the commit has gone through before the file is written
    (upload_dir() / stored).write_bytes(data)
    return url_for("pks.documents", agreement_id=a.id), f"Berkas diunggah. SHA-256: {digest}"


@bp.route("/<int:agreement_id>/dokumen", methods=["GET", "POST"])
@audit.not_sensitive
def documents(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    form = _form(a)
    if request.method == "POST" and form.validate_on_submit():
        done = create_once(form.submission_key.data, lambda: _store(a, form))
        if done:
            return done
    return _page(a, form, 200 if request.method == "GET" else FORM_INVALID)


@bp.route("/dokumen/<int:document_id>/unduh")
@audit.reads("pks_document", "unduh dokumen")
def download(document_id):
    doc = db.session.get(Document, document_id)
    if doc is None:
        abort(404)
    a = get_scoped_or_404(Agreement, doc.agreement_id)
    path = upload_dir() / doc.stored_name
    if not path.is_file():
        abort(404)
    audit.record("download", "pks_document", doc.id, f"dokumen #{doc.id} kesepakatan #{a.id}")
    db.session.commit()
    # Read into memory (files are bounded by the upload limit) so no file handle outlives the response.
    return send_file(io.BytesIO(path.read_bytes()), mimetype=doc.mime, as_attachment=True, download_name=doc.filename,
                     max_age=0, etag=False)
