"""Attachments of a referral letter (docs/rujukan.md §4.9): photos and PDFs such as an EKG or a lab result.

- An upload is a PDF (checked by a PDF parser, ``core.uploads.pdf_problem``) or an image, kept only as
  ``core.images.clean_image`` makes it (upright, at most ``RUJUKAN_PHOTO_MAX_EDGE`` px, a fresh JPEG without
  EXIF or GPS). Files go to the private rujukan upload area (``core.uploads``) under random names, never static/.
- Only the sender facility attaches, until the letter is cancelled or closed; the sender and the receiver see
  them (the letter's scope, else 404). Every upload, view and removal is audited.
- Removal: a draft's attachment goes (row and file); after issue the row and file stay, marked removed, and the
  reason is written into the letter's history (``ReferralEvent``).
"""

import hashlib
import secrets
from pathlib import Path

from flask import abort, current_app, url_for

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.images import placeholder, prepare_upload
from blueprints.core.outcome import Outcome, field_errors
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import utcnow
from blueprints.core.uploads import upload_area, write_private

from . import lifecycle
from .access import side_of
from .lists import LAMPIRAN as ATTACHMENT_LABELS
from .models import Referral, ReferralAttachment

FORM_ALLOWANCE = 64 * 1024  # what MAX_CONTENT_LENGTH (app.py) adds to the file limit for the other fields
ACCEPT = "image/*,application/pdf"
NO_FILE = "Pilih foto atau berkas PDF yang akan dilampirkan."
WRONG_TYPE = "Jenis berkas tidak diizinkan: lampirkan foto (JPG, PNG) atau PDF."
REASON_REQUIRED = "Surat sudah terbit: tulis alasan menghapus lampiran (tercatat di riwayat)."
CLOSED = ("dibatalkan", "selesai")


def upload_limit() -> int:
    """What MAX_CONTENT_LENGTH leaves for the file."""
    return (
        int(current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024 + FORM_ALLOWANCE)
        - FORM_ALLOWANCE
    )


def max_edge() -> int:
    return int(current_app.config.get("RUJUKAN_PHOTO_MAX_EDGE") or 1600)


def upload_dir() -> Path:
    return upload_area("rujukan")


def may_attach(ref: Referral, user) -> bool:
    """The sender attaches, until the letter is cancelled or closed."""
    return side_of(ref, user) == "sender" and ref.status not in CLOSED


def letter_line(attachments) -> str:
    """'EKG (foto), Hasil lab (PDF)': what the letter prints after 'Lampiran:'."""
    return ", ".join(f"{a.kind_label} ({a.type_label})" for a in attachments)


def _describe(att: ReferralAttachment) -> str:
    return f"lampiran #{att.id} rujukan #{att.referral_id}"


# ---- upload ------------------------------------------------------------------------------------------------


def prepare(data: bytes, limit: int) -> tuple[str | None, dict]:
    """What is wrong with the uploaded bytes, or their stored form (``core.images.prepare_upload``)."""
    return prepare_upload(data, limit, f"{limit // (1024 * 1024)} MB", max_edge(), WRONG_TYPE)


def store_attachment(ref: Referral, form, storage, user) -> Outcome:
    """Check and keep one uploaded file of the letter. The file is written only once the submission key is
    claimed and the row flushed, so a replayed upload stores no second copy."""
    valid = form.validate()
    name = (storage.filename or "") if storage else ""
    problem = (
        NO_FILE if not name else ("Nama berkas tidak sah." if "\x00" in name or len(name) > 200 else None)
    )
    prepared: dict = {}
    if problem is None:
        limit = upload_limit()
        problem, prepared = prepare(storage.stream.read(limit + 1), limit)
    if problem:
        form.berkas.errors = [*form.berkas.errors, problem]
    if not valid or problem:
        return Outcome(errors=field_errors(form))
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    filename = name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "lampiran"
    att = _new_attachment(ref, form.kind.data, filename, prepared, user, utcnow())
    db.session.flush()
    audit.record("create", "rujukan_lampiran", att.id, f"melampirkan {att.kind_label} pada rujukan #{ref.id}")
    submission.remember(form.submission_key.data, url_for("rujukan.detail", ref_id=ref.id))
    write_private(upload_dir() / att.stored_name, prepared["data"])
    db.session.commit()
    return Outcome(record=att)


# ---- reading -----------------------------------------------------------------------------------------------


def visible_attachment(ref_id: int, att_id: int, user) -> ReferralAttachment:
    """The attachment of a letter in the user's scope (sender, or receiver once issued); else 404."""
    ref = get_scoped_or_404(Referral, ref_id)
    att = db.session.get(ReferralAttachment, att_id)
    if att is None or att.referral_id != ref.id or side_of(ref, user) is None:
        abort(404)
    return att


def read_file(att: ReferralAttachment) -> bytes | None:
    """The stored bytes, audited as a view (or a download for a PDF); None when the file is gone."""
    path = upload_dir() / att.stored_name
    if not path.is_file():
        return None
    audit.record("download" if not att.is_image else "view", "rujukan_lampiran", att.id, _describe(att))
    return path.read_bytes()


def download_name(att: ReferralAttachment) -> str:
    stem = att.filename.rsplit(".", 1)[0] if "." in att.filename else att.filename
    return f"{stem or 'lampiran'}.{'jpg' if att.is_image else 'pdf'}"


# ---- removal -----------------------------------------------------------------------------------------------


def remove_attachment(ref: Referral, att: ReferralAttachment | None, form, user) -> Outcome:
    """The sender removes an attachment: a draft's goes; an issued letter's is marked removed with a reason,
    which the letter's history shows. A repeat is a no-op."""
    if side_of(ref, user) != "sender":
        abort(404)
    if att is None or att.removed_at is not None:
        return Outcome(repeated="Lampiran ini sudah dihapus.")
    if not form.validate():
        return Outcome(errors=field_errors(form))
    reason = (form.reason.data or "").strip()
    label = att.kind_label
    if ref.status == "draf":
        path = upload_dir() / att.stored_name
        audit.record("delete", "rujukan_lampiran", att.id, "menghapus " + _describe(att))
        db.session.delete(att)
        db.session.commit()
        path.unlink(missing_ok=True)
        return Outcome(record=ref, data={"label": label})
    if len(reason) < 3:
        return Outcome(errors={"reason": REASON_REQUIRED})
    att.removed_at, att.removed_by_id, att.removed_reason = utcnow(), user.id, reason
    lifecycle.log_event(ref, user, ref.status, ref.status, note=f"Lampiran {label} dihapus: {reason}")
    audit.record("update", "rujukan_lampiran", att.id, "menghapus (tetap di riwayat) " + _describe(att))
    db.session.commit()
    return Outcome(record=ref, data={"label": label})


def _new_attachment(ref: Referral, kind: str, filename: str, prepared: dict, user, at) -> ReferralAttachment:
    """The row of a checked file (``prepare``'s output) under a random stored name, added to the session."""
    att = ReferralAttachment(
        referral_id=ref.id,
        kind=kind,
        filename=filename,
        stored_name=f"{secrets.token_hex(16)}.{prepared['ext']}",
        mime=prepared["mime"],
        size=len(prepared["data"]),
        width=prepared.get("width"),
        height=prepared.get("height"),
        sha256=hashlib.sha256(prepared["data"]).hexdigest(),
        uploaded_by_id=user.id,
        uploaded_at=at,
    )
    db.session.add(att)
    return att


def demo_attachment(ref: Referral, kind: str, user) -> None:
    """A generated placeholder photo (marked demo) on a demo letter, so the detail pages show an attachment."""
    data = placeholder([f"CONTOH {ATTACHMENT_LABELS[kind].upper()} (demo)", "Bukan hasil pemeriksaan asli."])
    problem, prepared = prepare(data, upload_limit())
    if problem is not None:
        return
    att = _new_attachment(ref, kind, f"contoh-{kind}-demo.jpg", prepared, user, ref.created_at)
    write_private(upload_dir() / att.stored_name, prepared["data"])
