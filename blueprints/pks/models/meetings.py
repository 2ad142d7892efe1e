"""Rapat: the agreements it discussed, attendees, decisions and action items (tindak lanjut)."""

from datetime import date, datetime, time

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text, Time, exists, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import Organisation, Regency
from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

from .agreements import Agreement

meeting_agreement = Table(
    "pks_meeting_agreement",
    db.metadata,
    Column("meeting_id", ForeignKey("pks_meeting.id"), primary_key=True),
    Column("agreement_id", ForeignKey("pks_agreement.id"), primary_key=True),
    # the key leads with the meeting; this finds the meetings of agreements (their action items' reminders)
    Index("ix_pks_meeting_agreement_agreement", "agreement_id", "meeting_id"),
)


class Meeting(Versioned, db.Model):
    __tablename__ = "pks_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    tanggal: Mapped[date] = mapped_column(Date, index=True)
    jam: Mapped[time | None] = mapped_column(Time)
    tempat: Mapped[str] = mapped_column(String(200), default="")
    tautan: Mapped[str] = mapped_column(String(300), default="")
    host_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    agenda: Mapped[str] = mapped_column(Text, default="")
    undangan_nomor: Mapped[str] = mapped_column(String(120), default="")
    sumber: Mapped[str] = mapped_column(Text, default="")
    notulen: Mapped[str] = mapped_column(Text, default="", server_default="")  # the minutes as typed text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # a meeting recorded by mistake is deleted softly: the row stays (who, when, why), hidden everywhere
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deleted_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    host_regency: Mapped[Regency | None] = relationship()
    agreements = relationship("Agreement", secondary=meeting_agreement, order_by="Agreement.id")
    attendees: Mapped[list["Attendee"]] = relationship(back_populates="meeting", order_by="Attendee.id")
    decisions: Mapped[list["Decision"]] = relationship(back_populates="meeting", order_by="Decision.id")
    actions: Mapped[list["ActionItem"]] = relationship(back_populates="meeting", order_by="ActionItem.id")
    documents = relationship(
        "Document", secondary="pks_meeting_document", viewonly=True, order_by="Document.id"
    )

    @classmethod
    def scope_clause(cls, user):
        """A meeting is visible through any agreement the user can see, until it is deleted."""
        return cls.deleted_at.is_(None) & exists(
            select(meeting_agreement.c.meeting_id)
            .join(Agreement, Agreement.id == meeting_agreement.c.agreement_id)
            .where(meeting_agreement.c.meeting_id == cls.id, Agreement.scope_clause(user))
        )


class Attendee(Versioned, db.Model):
    __tablename__ = "pks_attendee"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), index=True)
    nama: Mapped[str] = mapped_column(String(150))
    jabatan: Mapped[str] = mapped_column(String(200), default="")
    opd: Mapped[str] = mapped_column(String(200), default="")
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    keterangan: Mapped[str] = mapped_column(String(200), default="")  # e.g. "memimpin rapat"

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    regency: Mapped[Regency | None] = relationship(lazy="joined")  # the daftar hadir names it


class Decision(Versioned, db.Model):
    __tablename__ = "pks_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")


class ActionItem(Versioned, db.Model):
    """Tindak lanjut of a meeting, owned by an organisation of the app's regencies (``organisation_id``), or named
    in free text (``owner``: someone outside the app's regencies; or a row recorded before the list)."""

    __tablename__ = "pks_action_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    owner_regency: Mapped[Regency | None] = relationship(lazy="joined")  # shown with the item
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def owner_name(self) -> str:
        """Who owns it, as shown: the organisation's name, else the typed owner."""
        return self.organisation.name if self.organisation is not None else self.owner
