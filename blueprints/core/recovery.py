"""Work is never lost: a form posted after its session ended is kept, and given back to the same user.

When a clerk's session timed out (``core.session``: idle timeout) and the form they typed is posted, the post
cannot be acted on (the CSRF token died with the session, and nobody is logged in). Instead of an error page:

- ``keep(user_id)`` stores the posted fields (never files, never the CSRF token) in ``pending_submission``, under
  the form's own submission key (``core.forms.CreateForm``) or a fresh random key, together with the id of the
  user whose session it was (read from the expired session row, never from anything the browser sends) and the
  URL of the page the form lives on; the browser goes to the login page;
- after that user logs in again, ``resume(user)`` sends them to that page; the first create/edit form built
  there is filled from the kept fields (``restored_formdata``) and the note "Isian Anda dipulihkan, periksa lalu
  simpan" is shown. Nothing is saved: the clerk checks and presses Simpan, with a fresh CSRF token;
- another user logging in never gets it; rows are deleted once restored, and purged after ``KEEP``.

The rows hold personal data: they are never logged, and only their owner can read them.
"""

import json
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, g, request, session
from sqlalchemy import ForeignKey, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from .extensions import db
from .timeutil import UTCDateTime, utcnow

KEEP = timedelta(hours=24)
SESSION_KEY = "_recover"
RESTORED_NOTE = "Isian Anda dipulihkan, periksa lalu simpan."
KEPT_NOTE = "Isian formulir Anda disimpan sementara; setelah masuk kembali, isian itu ditampilkan lagi."
SKIP_FIELDS = frozenset({"csrf_token"})
MAX_FIELDS = 500
MAX_CHARS = 200_000  # all values together; a bigger post is not kept
MARKERS = ("submission_key", "version")  # a create form's key, an edit form's version


class PendingSubmission(db.Model):
    __tablename__ = "pending_submission"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(300))
    fields: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def _get_url(path: str) -> str | None:
    """``path`` when a GET of it reaches a view that needs login (a form page), else None."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    view = current_app.view_functions.get(endpoint)
    if view is None or getattr(view, "is_public", False):
        return None
    return path


def _form_page() -> str | None:
    """Where the posted form is shown: the URL it was posted to when that URL also answers GET (a form page),
    else the same-site page it was posted from (an action button's page)."""
    own = request.full_path.rstrip("?")
    if _get_url(own):
        return own
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc == request.host and referrer.path.startswith("/"):
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return _get_url(path)
    return None


def kept_without(*fields: str):
    """Decorator for a view whose form holds a secret: its ``fields`` (a password) are never kept; with no field
    named, nothing of that form is (a password change). Put it right under ``@bp.route``."""

    def mark(view):
        view.recovery_secret = frozenset(fields) or ALL_FIELDS
        return view

    return mark


ALL_FIELDS = frozenset({"*"})


def keep(user_id: int | None) -> bool:
    """Keep the current POST's fields for ``user_id`` (the owner of the session that just ended). In a
    transaction of its own; True when kept."""
    from .forms import SUBMISSION_KEY

    if user_id is None or request.method != "POST" or not request.form:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "is_public", False):
        return False  # the login form itself, a public page: nothing of a user's work
    secret = getattr(view, "recovery_secret", frozenset())
    if secret == ALL_FIELDS:
        return False  # a password change: nothing to keep
    url = _form_page()
    if url is None or len(url) > 300:
        return False
    skip = SKIP_FIELDS | secret
    pairs = [[k, v] for k, v in request.form.items(multi=True) if k not in skip]
    if not pairs or len(pairs) > MAX_FIELDS or sum(len(k) + len(v) for k, v in pairs) > MAX_CHARS:
        return False
    key = request.form.get("submission_key") or ""
    if db.session().in_transaction():
        db.session.rollback()  # nothing the request did so far is committed with it
    purge()
    existing = db.session.get(PendingSubmission, key) if SUBMISSION_KEY.match(key) else None
    if not SUBMISSION_KEY.match(key) or (existing is not None and existing.user_id != user_id):
        key, existing = secrets.token_urlsafe(18), None
    if existing is not None:  # the same form posted twice after expiry: the later post wins
        db.session.delete(existing)
        db.session.flush()
    db.session.add(
        PendingSubmission(key=key, user_id=user_id, url=url, fields=json.dumps(pairs), created_at=utcnow())
    )
    db.session.commit()
    return True


def resume(user_id: int) -> str | None:
    """At login: the page of the user's newest kept form, marked in the new session for restoring; None when
    there is none. Call after ``login_user`` (the key lives in the logged-in session)."""
    row = db.session.scalars(
        select(PendingSubmission)
        .where(PendingSubmission.user_id == user_id, PendingSubmission.created_at >= utcnow() - KEEP)
        .order_by(PendingSubmission.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    session[SESSION_KEY] = row.key
    return row.url


def _pending_here():
    """Before a GET: the kept fields meant for this page and this user, or None."""
    from flask_login import current_user

    key = session.get(SESSION_KEY)
    if not key or request.method != "GET" or not getattr(current_user, "is_authenticated", False):
        return None
    row = db.session.get(PendingSubmission, key)
    if row is None or row.user_id != current_user.id or row.created_at < utcnow() - KEEP:
        session.pop(SESSION_KEY, None)
        return None
    if urlsplit(row.url).path != request.path:
        return None
    try:
        pairs = json.loads(row.fields)
    except ValueError:
        return None
    return row.key, MultiDict([(str(k), str(v)) for k, v in pairs])


def restored_formdata(form):
    """The kept fields for ``form`` when it is the create/edit form they were posted from (same key or version
    field, and most of the posted names are its fields); each kept form is given to one form only."""
    pending = g.get("recovery_pending")
    if not pending or g.get("recovery_used"):
        return None
    key, data = pending
    names = {f.name for f in form}
    if not any(m in names and m in data for m in MARKERS):
        return None
    posted = set(data.keys()) - SKIP_FIELDS
    if len(posted & names) * 2 < len(posted):
        return None
    g.recovery_used = key
    form.restored = True  # a view that fills defaults on GET leaves this form alone (``is_restored``)
    flash(RESTORED_NOTE, "ok")
    return data


def is_restored(form) -> bool:
    """Whether ``form`` was filled from a kept post (its GET defaults must not overwrite what was typed)."""
    return bool(getattr(form, "restored", False))


def restored_fields() -> MultiDict:
    """All fields kept for the form restored in this request, also those that are not form fields (the place
    selects of a cascade); empty when nothing was restored."""
    pending = g.get("recovery_pending")
    return pending[1] if pending and g.get("recovery_used") == pending[0] else MultiDict()


def purge(now: datetime | None = None) -> int:
    """Delete kept forms older than ``KEEP``. Rides in the caller's transaction."""
    cutoff = (now or utcnow()) - KEEP
    result = db.session.execute(delete(PendingSubmission).where(PendingSubmission.created_at < cutoff))
    return result.rowcount or 0


def register_recovery(app) -> None:
    @app.before_request
    def _find_pending():
        if SESSION_KEY in session:
            g.recovery_pending = _pending_here()

    @app.after_request
    def _forget_restored(response):
        key = g.get("recovery_used")
        if key and response.status_code < 400:
            session.pop(SESSION_KEY, None)
            if db.session().in_transaction():
                db.session.rollback()  # as the session store does: a GET view's leftovers are not committed here
            db.session.execute(delete(PendingSubmission).where(PendingSubmission.key == key))
            db.session.commit()
        return response
