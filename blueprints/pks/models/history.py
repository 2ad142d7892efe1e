"""What happened to an agreement: the append-only event log and slip ledger, notes, sent reminders."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import Regency, User
from blueprints.core.audit import append_only
from blueprints.core.extensions import db, partial
from blueprints.core.timeutil import UTCDateTime, to_local, utcnow


class Event(db.Model):
    """Append-only log of state changes and recorded facts; feeds the timeline."""

    __tablename__ = "pks_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    on_date: Mapped[date | None] = mapped_column(Date)  # the day the fact happened, when not today
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))  # tahap / ttd / target / catatan / ...
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(lazy="joined")  # the timeline names every actor


class Slip(db.Model):
    """Penundaan: every move of the signing target. Append-only."""

    __tablename__ = "pks_slip"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    old_mulai: Mapped[date | None] = mapped_column(Date)
    old_selesai: Mapped[date | None] = mapped_column(Date)
    old_presisi: Mapped[str] = mapped_column(String(8), default="")
    new_mulai: Mapped[date] = mapped_column(Date)
    new_selesai: Mapped[date] = mapped_column(Date)
    new_presisi: Mapped[str] = mapped_column(String(8))
    alasan: Mapped[str] = mapped_column(Text)
    diputuskan_oleh: Mapped[str] = mapped_column(String(200), default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("pks_meeting.id"))
    diputuskan_pada: Mapped[date | None] = mapped_column(Date)  # the day it was decided, when recorded later
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting = relationship("Meeting", lazy="joined")  # a slip is dated by its meeting (or its own day)
    void: Mapped["SlipVoid | None"] = relationship(lazy="joined", viewonly=True, uselist=False)

    @property
    def decided_on(self) -> date | None:
        """The day the postponement was decided: its own, else its meeting's (None: the day it was recorded)."""
        return self.diputuskan_pada or (self.meeting.tanggal if self.meeting else None)

    @property
    def day(self) -> date:
        """The day the slip happened, as the stage page, the timeline, the report and the decision-day check
        all read it: the day it was decided (its own, else its meeting's), else the day it was recorded."""
        return self.decided_on or to_local(self.recorded_at or utcnow()).date()

    @property
    def days(self) -> int:
        if self.old_selesai is None:
            return 0
        return (self.new_selesai - self.old_selesai).days


class SlipVoid(db.Model):
    """A slip voided with a reason (a mistaken entry such as "uji format"): the slip stays in the ledger, shown
    struck through, and leaves the counts. Append-only, one per slip."""

    __tablename__ = "pks_slip_void"
    id: Mapped[int] = mapped_column(primary_key=True)
    slip_id: Mapped[int] = mapped_column(ForeignKey("pks_slip.id"), unique=True)
    alasan: Mapped[str] = mapped_column(Text)
    voided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Note(db.Model):
    """Shared note (regency_id NULL) or a regency's internal note, disposisi or telaahan."""

    __tablename__ = "pks_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="catatan")
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")  # every note shows its author
    regency: Mapped[Regency | None] = relationship()

    @classmethod
    def scope_clause(cls, user):
        """Shared notes for all who see the agreement; internal ones only to their own regency."""
        return (cls.regency_id.is_(None)) | (cls.regency_id == user.regency_id)


class ReminderLog(db.Model):
    """Pengingat sent by the daily job, so each rung goes out once."""

    __tablename__ = "pks_reminder_log"
    __table_args__ = (UniqueConstraint("agreement_id", "key", name="uq_pks_reminder_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(String(300))
    sent_on: Mapped[date] = mapped_column(Date)


append_only(Event)
append_only(Slip)
append_only(SlipVoid)


OPEN_PROPOSAL = "keputusan = ''"


class StageProposal(db.Model):
    """A cancel, postponement or end of an agreement shared by two regencies, proposed by one side; the other
    side's Bagian Kerjasama confirms it (the stage then moves) or rejects it. Until then nothing changes.
    ``keputusan``: "" while open, "setuju" or "tolak"; "ditarik" when the proposing side withdrew it. One open
    proposal per agreement, held by the database too (two clerks proposing at once)."""

    __tablename__ = "pks_stage_proposal"
    __table_args__ = (
        Index(
            "uq_pks_stage_proposal_open",
            "agreement_id",
            unique=True,
            **partial(OPEN_PROPOSAL),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    tahap: Mapped[str] = mapped_column(String(20))
    dari_tahap: Mapped[str] = mapped_column(String(20))
    alasan: Mapped[str] = mapped_column(Text)
    on_date: Mapped[date | None] = mapped_column(Date)  # the day it happened, when not the confirmation day
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    keputusan: Mapped[str] = mapped_column(String(10), default="")
    keputusan_alasan: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    regency: Mapped[Regency] = relationship(lazy="joined")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id], lazy="joined")
