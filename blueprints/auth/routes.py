from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select, update

from blueprints.core import audit
from blueprints.core.auth_gate import login_redirect, public
from blueprints.core.extensions import db, limiter
from blueprints.core.render import render
from blueprints.core.session import touch
from blueprints.core.timeutil import utcnow

from . import bp
from .forms import LoginForm, PasswordChangeForm
from .models import User
from .passwords import dummy_verify, hash_password, verify_password

THROTTLE_MESSAGE = ("Terlalu banyak percobaan masuk yang gagal. Demi keamanan, tunggu 15 menit "
                    "sebelum mencoba lagi.")


def _account_key() -> str:
    return "akun:" + (request.form.get("username") or "").strip().lower()[:50]


def _failed(response) -> bool:
    """Only failed attempts count towards the limit; a successful login redirects."""
    return response.status_code != 302


def _is_safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


@bp.route("/masuk", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_account_key, methods=["POST"],
               deduct_when=_failed, error_message=THROTTLE_MESSAGE)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"],
               deduct_when=_failed, error_message=THROTTLE_MESSAGE)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.username) == username))
        if user is None:
            dummy_verify(form.password.data)
        if user is not None and user.active and verify_password(user.password_hash, form.password.data):
            next_url = request.args.get("next")
            session.clear()  # rotate: nothing from the anonymous session survives
            login_user(user, remember=False)
            session.permanent = True
            touch()
            # bookkeeping, not an edit: it must not change the version an admin's open edit form holds
            db.session.execute(update(User).where(User.id == user.id).values(last_login=utcnow()))
            audit.record("login", "user", user.id, "masuk", user=user)
            db.session.commit()
            return redirect(next_url if _is_safe_next(next_url) else url_for("home.index"))
        audit.record("login_failed", "user", user.id if user else None,
                     f"gagal masuk sebagai '{username[:40]}'",
                     user=None, regency_id=user.regency_id if user else None)
        db.session.commit()
        error = "Nama pengguna atau kata sandi salah, atau akun tidak aktif."
    return render("auth/login.html", form=form, error=error)


@bp.route("/keluar", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        audit.record("logout", "user", current_user.id, "keluar")
        db.session.commit()
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return login_redirect()


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("Kata sandi sekarang salah.")
        elif form.new.data == form.current.data:
            form.new.errors.append("Kata sandi baru harus berbeda dari yang sekarang.")
        else:
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.new.data)
            user.session_version += 1
            audit.record("update", "user", user.id, "mengganti kata sandi sendiri")
            db.session.commit()
            login_user(user)  # keep this session, end the others
            flash("Kata sandi berhasil diganti.", "ok")
            return redirect(url_for("home.index"))
    return render("auth/password.html", form=form)
