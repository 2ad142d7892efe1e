"""The admins' switches of the unverified rules, one per regency (docs/pks.md §7; the rules are in ``pks/rules.py``),
and each regency's Kerja Sama contact for the reminders."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned


class RuleSetting(Versioned, db.Model):
    """A regency admin's switch of an (unverified) rule from warning to blocking, for that regency only."""

    __tablename__ = "pks_rule_setting"
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    blocking: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderContact(Versioned, db.Model):
    """Where a regency's Kerja Sama reminders are e-mailed (its Bagian Kerjasama's address), set by its admin."""

    __tablename__ = "pks_reminder_contact"
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(120), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ReminderContactOrg(Versioned, db.Model):
    """Where the Kerja Sama reminders of one OPD (an action item or a report it owns) are e-mailed, set by its
    regency's admin. The Kerja Sama module owns it; the foundation's Organisation stays as it is."""

    __tablename__ = "pks_reminder_contact_org"
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(120), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
