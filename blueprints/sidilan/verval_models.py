"""The re-verification (verval) outcomes (docs/sidilan.md §9.5, §12 "Daftar verval"): one row per visit of a
due record, never edited (``sidilan_verval``)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.audit import append_only
from blueprints.core.extensions import db
from blueprints.core.scope import RegencyScoped
from blueprints.core.timeutil import UTCDateTime, utcnow


class VervalOutcome(RegencyScoped, db.Model):
    __tablename__ = "sidilan_verval"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), index=True)
    tanggal: Mapped[date] = mapped_column(Date)
    hasil: Mapped[str] = mapped_column(String(20))  # values.HASIL_VERVAL
    catatan: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")


append_only(VervalOutcome)
