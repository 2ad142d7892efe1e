"""Append-only audit trail of who read, wrote, printed or exported what.

``record()`` adds an event to the session and never commits: it rides in the caller's transaction,
so an audited write and its audit row land together or not at all.
"""
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .scope import RegencyScoped
from .timeutil import UTCDateTime, utcnow

ACTIONS = {
    "login": "Masuk",
    "login_failed": "Gagal masuk",
    "logout": "Keluar",
    "view": "Melihat",
    "create": "Membuat",
    "update": "Mengubah",
    "delete": "Menghapus",
    "print": "Mencetak",
    "export": "Mengekspor",
    "download": "Mengunduh",
}


class AuditEvent(RegencyScoped, db.Model):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    action: Mapped[str] = mapped_column(String(20), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str | None] = mapped_column(String(45))

    user = relationship("User")

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def append_only(model):
    """Class decorator: rows of ``model`` may be inserted, never updated or deleted through the ORM.
    Used by every log that must keep its history (audit, stage events, print logs)."""
    def refuse(mapper, connection, target):
        raise RuntimeError(f"{model.__tablename__} is append-only")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)
    return model


append_only(AuditEvent)


def record(action: str, object_type: str | None = None, object_id=None, summary: str = "",
           user=None, regency_id: int | None = None) -> AuditEvent:
    """Add an audit event for the current (or given) user. The summary must not hold a NIK,
    a registered person's name or a diagnosis: say "profil orang #12", not who they are."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    user = user if user is not None else (current_user if has_request_context() else None)
    authenticated = getattr(user, "is_authenticated", False)
    ev = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:200],
        user_id=user.id if authenticated else None,
        organisation_id=user.organisation_id if authenticated else None,
        regency_id=regency_id if regency_id is not None else (user.regency_id if authenticated else None),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(ev)
    return ev
