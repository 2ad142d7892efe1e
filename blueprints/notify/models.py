"""The notification tables: one row per message to a target organisation (facility), read marks per user."""

import json
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, utcnow

# e-mail delivery states (NULL: no e-mail for this notification)
MAIL_WAITING, MAIL_SENT, MAIL_FAILED = "menunggu", "terkirim", "gagal"


class Notification(db.Model):
    """A message for every user of ``organisation_id``. ``text`` is shown on screen (may name the patient, never
    a NIK or a diagnosis); ``mail_text`` is what leaves the app (e-mail, WhatsApp): the letter number only.
    The link is kept as endpoint + arguments and built when shown (a worker or a CLI has no request)."""

    __tablename__ = "notification"
    __table_args__ = (
        # the page (newest first) and the top bar's unread count: one facility's rows off this index
        Index("ix_notification_org_created", "organisation_id", "created_at", "id"),
        # the home panel: what still waits for the facility to act
        Index("ix_notification_org_open", "organisation_id", "sticky", "resolved_at"),
        Index("ix_notification_subject", "subject_type", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(300))
    mail_text: Mapped[str] = mapped_column(String(300))
    endpoint: Mapped[str | None] = mapped_column(String(80))
    args_json: Mapped[str] = mapped_column(String(200), default="{}")
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    # once per (kind, subject, target) when set: a job that runs daily adds nothing twice
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # stays in "Perlu perhatian" until the facility acts on it (resolved_at)
    sticky: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_to: Mapped[str | None] = mapped_column(String(120))
    email_status: Mapped[str | None] = mapped_column(String(10))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @classmethod
    def scope_clause(cls, user):
        return cls.organisation_id == user.organisation_id

    @property
    def args(self) -> dict:
        return json.loads(self.args_json or "{}")

    @property
    def open(self) -> bool:
        return self.sticky and self.resolved_at is None


class NotificationRead(db.Model):
    """That one user has read one notification (bookkeeping: core.audit.EXEMPT_TABLES)."""

    __tablename__ = "notification_read"
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _unread_of_user():
    """The top bar's count as a column of the logged-in user: read in the one statement that loads the session
    and its user (core.session), so no page runs a query more for it. Capped (UNREAD_CAP + 1) so it stays a
    short walk of ix_notification_org_created however many there are; 0 without an organisation."""
    from sqlalchemy import exists, func, select

    from blueprints.auth.models import User

    unread = (
        select(Notification.id)
        .where(
            Notification.organisation_id == User.organisation_id,
            ~exists()
            .where(NotificationRead.notification_id == Notification.id, NotificationRead.user_id == User.id)
            .correlate_except(NotificationRead),
        )
        .limit(UNREAD_CAP + 1)
        .correlate(User)
        .subquery()
    )
    return select(func.count()).select_from(unread).scalar_subquery()


UNREAD_CAP = 99  # the top bar says "99+" beyond: the count stops there


def install_unread_column() -> None:
    from sqlalchemy.orm import column_property

    from blueprints.auth.models import User

    if "notify_unread" not in User.__mapper__.all_orm_descriptors:
        # deferred: a list of users (or a letter's author) does not count anyone's unread notifications; the
        # session lookup loads the "session" group with the logged-in user (core.session.SESSION_GROUP)
        User.notify_unread = column_property(_unread_of_user(), deferred=True, group="session")
