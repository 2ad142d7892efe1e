"""Documents and photos of a person or a household (docs/sidilan.md §5.3 ``dokumen[]``): KTP, KK, surat
keterangan disabilitas, photo, other. The file lives in the SIDILAN upload area under a random name (images
already resized and stripped of metadata, ``core.images``); this row says whose it is, who uploaded it and, once
withdrawn, who withdrew it and why. A withdrawn document is never deleted: row and file stay as history."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.extensions import db
from blueprints.core.scope import RegencyScoped
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

from .models import Household, Person

KINDS = [
    ("ktp", "KTP"),
    ("kk", "Kartu Keluarga"),
    ("surat_disabilitas", "Surat keterangan disabilitas"),
    ("foto", "Foto"),
    ("lainnya", "Lainnya"),
]
KIND_LABELS = dict(KINDS)


class SidilanDocument(Versioned, RegencyScoped, db.Model):
    __tablename__ = "sidilan_document"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (household_id IS NULL)", name="one_owner"),
        Index("ix_sidilan_document_person", "person_id", "withdrawn_at"),
        Index("ix_sidilan_document_household", "household_id", "withdrawn_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_person.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_household.id"))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded (shown, and the download's name)
    stored_name: Mapped[str] = mapped_column(String(60))  # random, in the upload area
    thumb_name: Mapped[str | None] = mapped_column(String(60))  # images only
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    width: Mapped[int | None]  # images: pixels as stored
    height: Mapped[int | None]
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored bytes
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))

    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_image(self) -> bool:
        return self.mime == "image/jpeg"

    def thumb_size(self, edge: int = 120) -> tuple[int, int]:
        """Width and height of the thumbnail shown at ``edge`` px on its longer side (the img attributes)."""
        w, h = self.width or edge, self.height or edge
        scale = edge / max(w, h)
        return max(1, round(w * scale)), max(1, round(h * scale))

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


# The documents still in force, beside the record: loaded with the person or household page's own query
# (``person.load_record``, the household view), so the page runs no extra statement for them.
_ORDER = (SidilanDocument.uploaded_at.desc(), SidilanDocument.id.desc())
Person.documents = relationship(
    SidilanDocument,
    primaryjoin=and_(SidilanDocument.person_id == Person.id, SidilanDocument.withdrawn_at.is_(None)),
    order_by=_ORDER,
    viewonly=True,
)
Household.documents = relationship(
    SidilanDocument,
    primaryjoin=and_(SidilanDocument.household_id == Household.id, SidilanDocument.withdrawn_at.is_(None)),
    order_by=_ORDER,
    viewonly=True,
)
