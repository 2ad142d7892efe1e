"""Append-only audit trail of who read, wrote, printed or exported what.

``record()`` adds an event to the session and never commits: it rides in the caller's transaction,
so an audited write and its audit row land together or not at all. It is the one writer of audit rows.

Two mechanisms make forgetting it hard: every GET view is marked ``@reads(...)`` (one "view" row on a 2xx
answer) or ``@not_sensitive`` (tests/test_audit_walk.py fails on an unmarked one), and a session guard refuses
(``AUDIT_STRICT``, on under TESTING) or patches with a generic row any request transaction that writes domain
rows without an audit event.
"""

import functools
import logging
from datetime import datetime

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .extensions import db
from .scope import RegencyScoped
from .timeutil import UTCDateTime, utcnow

_log = logging.getLogger(__name__)

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


def _event_values(action: str, object_type, object_id, summary: str, user, regency_id) -> dict:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    authenticated = getattr(user, "is_authenticated", False)
    return dict(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:200],
        user_id=user.id if authenticated else None,
        organisation_id=user.organisation_id if authenticated else None,
        regency_id=regency_id if regency_id is not None else (user.regency_id if authenticated else None),
        ip=request.remote_addr if has_request_context() else None,
    )


def _counted(n: int) -> None:
    if has_request_context():
        g._audit_events = g.get("_audit_events", 0) + n


def record(
    action: str,
    object_type: str | None = None,
    object_id=None,
    summary: str = "",
    user=None,
    regency_id: int | None = None,
) -> None:
    """Add an audit event for the current (or given) user. The summary must not hold a NIK,
    a registered person's name or a diagnosis: say "profil orang #12", not who they are.

    With nothing else pending in the session (an audited read: every list and record page) the row is one Core
    INSERT at once, in the caller's transaction: a unit-of-work flush of one new object costs several times
    more. Otherwise the event joins the session's pending rows and is flushed with them, after the rows it may
    name."""
    user = user if user is not None else (current_user if has_request_context() else None)
    values = _event_values(action, object_type, object_id, summary, user, regency_id)
    session = db.session()
    if session.new or session.deleted or session.dirty:
        session.add(AuditEvent(**values))
    else:
        session.connection().execute(_INSERT, values)
        session.info[_INFO_AUDITED] = True  # a Core INSERT: the session's flush hook does not see it
    _counted(1)


_INSERT = AuditEvent.__table__.insert()


def record_many(action: str, object_type: str, events: list[tuple[object, str]], user) -> None:
    """``record`` for many objects at once (an import chunk): one bulk INSERT of (object id, summary) events
    for the given user, in the caller's transaction. The same rules as ``record`` hold for every summary."""
    rows = [_event_values(action, object_type, oid, summary, user, None) for oid, summary in events]
    if rows:
        db.session.connection().execute(_INSERT, rows)
        db.session.info[_INFO_AUDITED] = True  # a Core INSERT: the session's statement hook does not see it
        _counted(len(rows))


# ---- reads: every GET view is marked, either audited or declared free of personal data -----------------------

# Query parameters that only page or order a list: their presence says nothing about a search.
_PAGING_ARGS = {"hal", "urut", "sort", "per"}
# Parameters that carry what a user typed to find someone (the rest are filters: status, wilayah, program...).
_SEARCH_ARGS = {"q", "cari", "nik", "nama", "jkn", "no_kk", "tanggal_lahir"}


def _request_audited() -> bool:
    return bool(g.get("_audit_events")) or bool(g.get("_audit_nothing_shown"))


def nothing_shown() -> None:
    """This answer of a ``reads`` view shows no personal data (the page offering a background job, which only
    names the file and counts its rows): the decorator records no view for it."""
    g._audit_nothing_shown = True


def _query_note() -> str:
    """What the summary may say about the query: that there was one, never its values."""
    keys = {k for k, v in request.args.items(multi=True) if v.strip()} - _PAGING_ARGS
    if keys & _SEARCH_ARGS:
        return " dengan pencarian"
    return " dengan filter" if keys else ""


def _object_id():
    """The record the URL names (its first id argument), if any."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and (name == "id" or name.endswith("_id")):
            return value
    return None


def reads(object_type: str, summary: str):
    """View decorator (place it right under the route): a 2xx answer (page or htmx fragment) records one
    "view" event for ``object_type``. A view that already recorded its own event in this request (a richer
    summary) gets nothing more."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            response = current_app.make_response(view(*args, **kwargs))
            if 200 <= response.status_code < 300 and not _request_audited():
                object_id = _object_id()
                text = summary + (f" #{object_id}" if object_id is not None else "") + _query_note()
                record("view", object_type, object_id, text)
                db.session.commit()
            return response

        wrapper.audit_mark = "reads"
        wrapper.audit_object_type = object_type
        return wrapper

    return decorate


def not_sensitive(view):
    """Marks a GET view that shows no personal data (counts, reference lists, help, lookups)."""
    view.audit_mark = "not_sensitive"
    return view


def mark_of(view) -> str | None:
    return getattr(view, "audit_mark", None)


# ---- writes: a transaction that changes domain rows inside a request must carry an audit event -------------

# Bookkeeping tables a request may write without an audit event of its own: the log itself, sessions, one-time
# submission keys and forms kept across a session timeout, throttle counters, background job rows (a job's file
# is audited when made and downloaded), notification read marks.
# Keep this the only list.
EXEMPT_TABLES = frozenset(
    {
        "audit_event",
        "user_session",
        "submission_key",
        "pending_submission",
        "rate_counter",
        "job",
        "notification_read",
    }
)
_INFO_TABLES = "audit_guard_tables"
_INFO_AUDITED = "audit_guard_audited"


class UnauditedWrite(RuntimeError):
    """Raised (under AUDIT_STRICT) when a request commits domain rows without an audit event."""


def _table_of(obj) -> str | None:
    table = getattr(sa_inspect(obj).mapper, "local_table", None)
    return getattr(table, "name", None)


def _note_pending(session) -> None:
    tables = session.info.setdefault(_INFO_TABLES, set())
    for obj in session.new:
        if isinstance(obj, AuditEvent):
            session.info[_INFO_AUDITED] = True
        else:
            tables.add(_table_of(obj))
    for obj in session.deleted:
        tables.add(_table_of(obj))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            tables.add(_table_of(obj))


def _note_statement(state) -> None:
    """Bulk INSERT/UPDATE/DELETE statements through the session count too."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name == AuditEvent.__tablename__:
            state.session.info[_INFO_AUDITED] = True
        elif name:
            state.session.info.setdefault(_INFO_TABLES, set()).add(name)


def _reset(session, *args) -> None:
    session.info.pop(_INFO_TABLES, None)
    session.info.pop(_INFO_AUDITED, None)


def _reset_root(session, transaction) -> None:
    if transaction.parent is None:
        _reset(session)


def _check_commit(session) -> None:
    _note_pending(session)
    if session.in_nested_transaction():  # a savepoint released: the outer commit is the one checked
        return
    tables = sorted(t for t in session.info.get(_INFO_TABLES, ()) if t and t not in EXEMPT_TABLES)
    if not tables or session.info.get(_INFO_AUDITED) or not has_request_context():
        return
    if not getattr(current_user, "is_authenticated", False):
        return
    if current_app.config.get("AUDIT_STRICT", current_app.testing):
        raise UnauditedWrite(f"{request.endpoint}: commit writes {', '.join(tables)} without an audit event")
    _log.warning(
        "unaudited write at %s to %s; a generic audit row was added", request.endpoint, ", ".join(tables)
    )
    for table in tables:
        record("update", table, summary=f"perubahan data {table} (tanpa catatan audit khusus)")


event.listen(Session, "before_flush", lambda session, ctx, instances: _note_pending(session))
event.listen(Session, "do_orm_execute", _note_statement)
event.listen(Session, "before_commit", _check_commit)
event.listen(Session, "after_soft_rollback", _reset)
event.listen(Session, "after_transaction_end", _reset_root)
