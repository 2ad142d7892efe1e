"""Session policy: idle timeout, and user ids that carry a version so a password reset ends old sessions."""
import time

from flask import Flask, flash, session
from flask_login import current_user, logout_user
from sqlalchemy.orm import joinedload

from .auth_gate import login_redirect
from .extensions import db, login_manager


@login_manager.user_loader
def _load_user(token: str):
    from blueprints.auth.models import User

    try:
        user_id, version = (int(x) for x in token.split(":"))
    except ValueError:
        return None
    # regency and organisation are on every page (nav, name line): load them with the user, in one query
    user = db.session.get(User, user_id, options=[joinedload(User.regency), joinedload(User.organisation)])
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def touch() -> None:
    """Start or refresh the idle clock (at login and on activity)."""
    session["_seen"] = int(time.time())


def register_session_policy(app: Flask) -> None:
    @app.before_request
    def _idle_timeout():
        if not current_user.is_authenticated:
            return None
        now = int(time.time())
        seen = session.get("_seen", now)
        if now - seen > app.config["SESSION_IDLE_MINUTES"] * 60:
            logout_user()
            session.clear()
            flash("Sesi Anda berakhir karena tidak aktif. Silakan masuk kembali.", "info")
            return login_redirect()
        if now - seen >= 30 or "_seen" not in session:  # avoid a new cookie on every request
            touch()
        return None
