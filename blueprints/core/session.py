"""Server-side sessions: the cookie carries only a random session id; everything else lives in ``user_session``.

A session row holds the session's data (login, CSRF token, flash messages), who it belongs to, when it started
and was last seen, and from which address and browser. So:

- logout deletes the row: a copy of the cookie taken before opens nothing afterwards;
- the idle clock is the row's ``last_seen_at``, kept on the server: a stolen cookie kept busy still dies when
  its owner's session does, and one left alone dies after ``SESSION_IDLE_MINUTES``;
- a password change, a reset, a deactivation, a role change or "Akhiri sesi" delete rows (``end_all``);
- a change of identity (login, logout) always starts a new row under a new id (no session fixation).

The database stores only a SHA-256 of the id, so a copy of the table does not hold usable cookies.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import Flask, flash, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import ForeignKey, String, Text, bindparam, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, joinedload, mapped_column, undefer_group
from werkzeug.datastructures import CallbackDict

from . import recovery
from .auth_gate import login_redirect
from .extensions import db, login_manager
from .timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)
TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most this often when nothing else changed
PURGE_EVERY = timedelta(minutes=5)  # how often one worker sweeps rows past their lifetime
ANONYMOUS_LIFETIME = timedelta(hours=12)  # a login form left open this long still posts
IDLE_MESSAGE = "Sesi Anda berakhir karena tidak aktif. Silakan masuk kembali."


class UserSession(db.Model):
    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    @property
    def browser(self) -> str:
        """A short, readable name for the user agent ('Firefox di Android')."""
        ua = self.user_agent or ""
        name = next((label for key, label in _BROWSERS if key in ua), "Peramban lain")
        system = next((label for key, label in _SYSTEMS if key in ua), "")
        return f"{name} di {system}" if system else name


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]
_SERIALIZER = TaggedJSONSerializer()


def idle_limit(app: Flask) -> timedelta:
    return timedelta(minutes=int(app.config["SESSION_IDLE_MINUTES"]))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    """The session dict of one request, with what the store needs to know about its row."""

    def __init__(
        self,
        initial=None,
        token=None,
        row_id=None,
        user_id=None,
        last_seen=None,
        ended=None,
        expired_user_id=None,
    ):
        def on_update(self):
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)
        self.token = token  # the cookie's value, when the browser sent one
        self.row_id = row_id
        self.loaded_user_id = user_id
        self.last_seen = last_seen
        self.ended = ended  # "idle" when the cookie named a session that timed out
        self.expired_user_id = expired_user_id  # whose session it was (core.recovery keeps their posted form)
        self.modified = False
        self.skip = False  # static files: no lookup, nothing saved
        self.user = None  # the account the row belongs to, loaded with it

    @property
    def user_id(self) -> int | None:
        value = self.get("_user_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, req) -> ServerSession:
        try:
            return self._open(app, req)
        except SQLAlchemyError:
            # the database is away: the request goes on without a session (login pages say so, /healthz answers)
            log.exception("session store unavailable")
            db.session.rollback()
            return ServerSession()

    def save_session(self, app: Flask, session: ServerSession, response) -> None:
        try:
            self._save(app, session, response)
        except SQLAlchemyError:
            log.exception("session not saved")
            db.session.rollback()

    def _open(self, app: Flask, req) -> ServerSession:
        if req.path.startswith("/static/"):
            session = ServerSession()
            session.skip = True
            return session
        token = req.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return ServerSession()
        row = db.session.execute(app.extensions[LOOKUP], {"token_hash": _hash(token)}).first()
        if row is None:
            return ServerSession(token=token)
        now = utcnow()
        lifetime = idle_limit(app) if row.user_id else ANONYMOUS_LIFETIME
        if now - row.last_seen_at > lifetime:
            db.session.execute(delete(UserSession).where(UserSession.id == row.id))
            db.session.commit()
            return ServerSession(
                token=token, ended="idle" if row.user_id else None, expired_user_id=row.user_id
            )
        try:
            data = _SERIALIZER.loads(row.data)
        except (ValueError, TypeError):
            data = {}
        session = ServerSession(
            data if isinstance(data, dict) else {},
            token=token,
            row_id=row.id,
            user_id=row.user_id,
            last_seen=row.last_seen_at,
        )
        session.user = row.User  # a strong reference: the ORM's identity map alone would let it go
        return session

    def _save(self, app: Flask, session: ServerSession, response) -> None:
        if session.skip:
            return
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        if session.accessed:
            response.vary.add("Cookie")
        now = utcnow()
        identity_changed = session.row_id is not None and session.user_id != session.loaded_user_id
        if not session and (session.row_id is None or identity_changed or session.modified):
            # emptied (logout) or never used: no row, no cookie
            if session.row_id is not None or session.token:
                self._write(
                    delete(UserSession).where(UserSession.id == session.row_id)
                    if session.row_id is not None
                    else None
                )
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=self.get_cookie_secure(app),
                    httponly=self.get_cookie_httponly(app),
                    samesite=self.get_cookie_samesite(app),
                )
            return
        if session.row_id is None or identity_changed:
            token = secrets.token_urlsafe(32)
            statements = [
                insert(UserSession).values(
                    token_hash=_hash(token),
                    user_id=session.user_id,
                    data=_SERIALIZER.dumps(dict(session)),
                    created_at=now,
                    last_seen_at=now,
                    **_client(),
                )
            ]
            if identity_changed:
                statements.insert(0, delete(UserSession).where(UserSession.id == session.row_id))
            self._write(*statements, *_due_purge(app, now))
            response.set_cookie(
                name,
                token,
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                httponly=self.get_cookie_httponly(app),
                samesite=self.get_cookie_samesite(app),
            )
            return
        if session.modified:
            self._write(
                update(UserSession)
                .where(UserSession.id == session.row_id)
                .values(data=_SERIALIZER.dumps(dict(session)), last_seen_at=now, **_client())
            )
        elif session.last_seen is None or now - session.last_seen >= TOUCH_EVERY:
            self._write(
                update(UserSession)
                .where(UserSession.id == session.row_id)
                .values(last_seen_at=now, **_client())
            )

    @staticmethod
    def _write(*statements) -> None:
        """Run the store's statements in a transaction of their own. Whatever the view left uncommitted would be
        rolled back when the request ends anyway: it is rolled back first, so it is never committed here."""
        statements = [s for s in statements if s is not None]
        if not statements:
            return
        if db.session().in_transaction():
            db.session.rollback()
        for statement in statements:
            db.session.execute(statement)
        db.session.commit()


def _client() -> dict:
    return {
        "ip": (request.remote_addr or "")[:45] or None,
        "user_agent": (request.user_agent.string or "")[:200] or None,
    }


USER_MODEL = "sinergi.user_model"
SESSION_GROUP = "session"
"""Deferred user columns a module adds for every page (a count in the top bar) name this group: they are
loaded with the logged-in user and nowhere else."""
LOOKUP = "sinergi.session_lookup"


def _lookup_statement(User):
    """One query for the session and its user (with the regency and organisation every page shows): the user
    loader below then finds the user in the session's identity map. Built once per app, the token hash a bound
    parameter: every request runs it, and building and keying a statement costs more than running this one."""
    return (
        select(UserSession.id, UserSession.user_id, UserSession.data, UserSession.last_seen_at, User)
        .outerjoin(User, User.id == UserSession.user_id)
        .options(joinedload(User.regency), joinedload(User.organisation), undefer_group(SESSION_GROUP))
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


# ---- who is logged in -------------------------------------------------------------------------------------


@login_manager.user_loader
def _load_user(user_id: str):
    from flask import current_app, session

    User = current_app.extensions[USER_MODEL]
    try:
        ident = int(user_id)
    except (TypeError, ValueError):
        return None
    loaded = getattr(session, "user", None)
    if loaded is not None and loaded.id == ident and loaded in db.session:
        user = loaded  # loaded with the session row: no query of its own
    else:  # with the regency and organisation every page shows, in one query
        user = db.session.get(
            User,
            ident,
            options=[joinedload(User.regency), joinedload(User.organisation), undefer_group(SESSION_GROUP)],
        )
    if user is None or not user.active:
        return None
    return user


# ---- use cases: list and end sessions -------------------------------------------------------------------


def current_id() -> int | None:
    from flask import session

    return getattr(session, "row_id", None)


def of_user(user_id: int) -> list[UserSession]:
    """The user's live sessions, most recently used first (timed-out rows are not shown)."""
    from flask import current_app

    cutoff = utcnow() - idle_limit(current_app)
    return list(db.session.scalars(_OF_USER, {"user_id": user_id, "cutoff": cutoff}))


_OF_USER = (  # built once: the statement of every "Sesi aktif" page
    select(UserSession)
    .where(UserSession.user_id == bindparam("user_id"), UserSession.last_seen_at >= bindparam("cutoff"))
    .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
)


def end_all(user_id: int, keep_current: bool = False) -> int:
    """End every session of ``user_id`` (but the current one when ``keep_current``). Rides in the caller's
    transaction. Returns how many live sessions were ended."""
    from flask import current_app

    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    keep = current_id() if keep_current else None
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    # timed-out rows (kept a while for core.recovery, unusable) go too, but are not counted as ended sessions
    cutoff = utcnow() - idle_limit(current_app)
    stmt = stmt.returning(UserSession.last_seen_at)
    return sum(1 for (seen,) in db.session.execute(stmt) if seen >= cutoff)


def end_one(user_id: int, session_id: int) -> bool:
    """End one of the user's own sessions (never the current one: that is what logout is for)."""
    if session_id == current_id():
        return False
    result = db.session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id)
    )
    return bool(result.rowcount)


def _purge_statement(app: Flask, now: datetime):
    return delete(UserSession).where(
        (
            UserSession.user_id.is_not(None)
            & (UserSession.last_seen_at < now - idle_limit(app) - recovery.KEEP)
        )
        | (UserSession.user_id.is_(None) & (UserSession.last_seen_at < now - ANONYMOUS_LIFETIME))
    )


_LAST_PURGE: dict[str, datetime] = {}


def _due_purge(app: Flask, now: datetime) -> list:
    """Rows past their lifetime are never used again (open_session refuses them); one worker deletes them every
    few minutes, together with the next new session it writes. A timed-out login's row stays for
    ``recovery.KEEP`` more: it names whose form is posted under it after the timeout (core.recovery)."""
    key = app.import_name + str(id(app))
    if now - _LAST_PURGE.get(key, datetime.min.replace(tzinfo=now.tzinfo)) < PURGE_EVERY:
        return []
    _LAST_PURGE[key] = now
    return [_purge_statement(app, now)]


def purge(now: datetime | None = None) -> int:
    """Delete every row past its lifetime now."""
    from flask import current_app

    return db.session.execute(_purge_statement(current_app, now or utcnow())).rowcount or 0


def register_session_policy(app: Flask, user_model) -> None:
    """Server-side sessions for ``user_model`` (the account model, given by the app factory: core names no
    module)."""
    app.extensions[USER_MODEL] = user_model
    app.extensions[LOOKUP] = _lookup_statement(user_model)
    app.session_interface = ServerSessionInterface()

    @app.before_request
    def _idle_timeout():
        from flask import session

        if getattr(session, "ended", None) != "idle":
            return None
        session.ended = None
        view = app.view_functions.get(request.endpoint or "")
        flash(IDLE_MESSAGE, "info")
        if view is None or getattr(view, "is_public", False):
            return None  # the login page itself shows the note
        if recovery.keep(session.expired_user_id):  # a form posted after the timeout is not lost
            flash(recovery.KEPT_NOTE, "info")
        return login_redirect()
