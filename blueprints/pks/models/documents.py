"""Uploaded files of an agreement, the files of a meeting, and correspondence (surat)."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import Regency, User
from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

from .values import DOC_KINDS, MEETING_DOC_ROLES


class Document(Versioned, db.Model):
    """An uploaded file. Stored outside static/ under a random name; fetched only through a scoped route.
    Its version number (``versi``) is assigned by the app, per agreement and kind; one version of the text may be
    marked final. A withdrawn document keeps its file and hash and stays listed, but is no longer the current
    text."""

    __tablename__ = "pks_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    versi: Mapped[int | None] = mapped_column(Integer)
    drafting_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    ringkasan: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    # shown wherever a document is listed: joined into the document's own query
    uploaded_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[uploaded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[withdrawn_by_id])
    drafting_regency: Mapped[Regency | None] = relationship(lazy="joined")

    @property
    def kind_label(self) -> str:
        return DOC_KINDS.get(self.kind, self.kind)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class MeetingDocument(db.Model):
    """A file of a meeting: the draft it discussed, the draft it produced, or its notulen / daftar hadir."""

    __tablename__ = "pks_meeting_document"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("pks_document.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), default="berkas")

    document = relationship("Document", lazy="joined")

    @property
    def role_label(self) -> str:
        return MEETING_DOC_ROLES.get(self.role, self.role)


class Letter(db.Model):
    """Surat: offer letters, replies, invitations; tembusan kept as text, one recipient per line."""

    __tablename__ = "pks_letter"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    arah: Mapped[str] = mapped_column(String(6))
    nomor: Mapped[str] = mapped_column(String(120))
    tanggal: Mapped[date] = mapped_column(Date)
    perihal: Mapped[str] = mapped_column(String(250))
    pengirim: Mapped[str] = mapped_column(String(200), default="")
    penerima: Mapped[str] = mapped_column(String(200), default="")
    tembusan: Mapped[str] = mapped_column(Text, default="")
    tahap: Mapped[str] = mapped_column(String(20), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
