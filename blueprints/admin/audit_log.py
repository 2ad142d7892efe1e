"""The audit log as the admin filters it: by user, action and WIB date range, newest first."""

from datetime import datetime, time, timedelta

from sqlalchemy.orm import selectinload

from blueprints.auth.models import User
from blueprints.core.audit import ACTIONS, AuditEvent
from blueprints.core.extensions import db
from blueprints.core.forms import record_id
from blueprints.core.scope import scoped
from blueprints.core.timeutil import WIB


def fill_choices(form) -> None:
    users = db.session.scalars(scoped(User).order_by(User.username))
    form.user.choices = [("", "Semua pengguna")] + [(str(u.id), u.username) for u in users]
    form.action.choices = [("", "Semua tindakan")] + list(ACTIONS.items())


def events_stmt(form):
    stmt = (
        scoped(AuditEvent)
        .options(selectinload(AuditEvent.user))  # one query for the page's users, however many they are
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if (user_id := record_id(form.user.data)) is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if form.action.data in ACTIONS:
        stmt = stmt.where(AuditEvent.action == form.action.data)
    if form.date_from.data and not form.date_from.errors:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(form.date_from.data, time.min, WIB))
    if form.date_to.data and not form.date_to.errors:
        stmt = stmt.where(
            AuditEvent.at < datetime.combine(form.date_to.data + timedelta(days=1), time.min, WIB)
        )
    return stmt
