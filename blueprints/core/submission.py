"""One-time submission keys: a double tap, a browser retry or a replay over a flaky link creates nothing new.

Every create form carries a key (``core.forms.CreateForm``). The use-case function calls ``claim(key)`` as its
first write, inside the transaction that creates the record, and ``remember(key, url)`` once it knows where the
result lives. A second submit with the same key, one after the other or at the same moment, finds the first
result instead: on PostgreSQL the second INSERT waits on the primary key until the first transaction ends, on
SQLite the write lock orders them, and in both cases the loser reads the winner's committed row.

    replay = submission.claim(form.submission_key.data)
    if replay:
        return replay                # the view redirects there with the note "Data ini sudah tersimpan"
    ... create, flush ...
    submission.remember(form.submission_key.data, url_for(...))
    db.session.commit()

A failed use case rolls back, which takes the key with it, so the clerk can correct the form and send it again.
Keys are kept for a day.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, flash, redirect
from flask_login import current_user
from sqlalchemy import ForeignKey, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import UTCDateTime, utcnow

KEEP = timedelta(days=1)
REPLAY_NOTE = "Data ini sudah tersimpan (formulir terkirim lebih dari sekali); yang tersimpan pertama dibuka."


class SubmissionKey(db.Model):
    __tablename__ = "submission_key"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    result_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


@dataclass(frozen=True)
class Replay:
    """The result of the first submit with this key."""

    url: str

    def response(self):
        flash(REPLAY_NOTE, "ok")
        return redirect(self.url, code=303)


def _user_id():
    return current_user.id if getattr(current_user, "is_authenticated", False) else None


def _existing(key: str) -> Replay | None:
    row = db.session.get(SubmissionKey, key, populate_existing=True)
    if row is None:
        return None
    if row.user_id != _user_id():  # another user's key is never a shortcut to their result
        abort(409, "Data formulir ini bukan milik Anda. Muat ulang halaman lalu kirim kembali.")
    return Replay(row.result_url)


def claim(key: str) -> Replay | None:
    """Reserve ``key`` in the current transaction, or return the first submit's result if it already ran.
    Must be the first write of the transaction (expired keys are purged by it)."""
    purge()
    found = _existing(key)
    if found is not None:
        return found
    db.session.add(SubmissionKey(key=key, user_id=_user_id(), created_at=utcnow()))
    try:
        db.session.flush()
    except IntegrityError:
        # another request with this key committed meanwhile (we waited on it): land on its result
        db.session.rollback()
        return _existing(key)
    return None


def remember(key: str, url: str) -> None:
    """Record where the created record lives, in the same transaction as the record."""
    row = db.session.get(SubmissionKey, key)
    if row is None:  # claim() not called: a programming error, not a user's
        raise RuntimeError("remember() without claim()")
    row.result_url = url[:300]


def purge(now: datetime | None = None) -> int:
    """Delete keys older than a day."""
    cutoff = (now or utcnow()) - KEEP
    result = db.session.execute(delete(SubmissionKey).where(SubmissionKey.created_at < cutoff))
    return result.rowcount or 0
