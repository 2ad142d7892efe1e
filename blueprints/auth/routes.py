from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select, update

from blueprints.core import audit, recovery, throttle
from blueprints.core import session as user_sessions
from blueprints.core.auth_gate import login_redirect, public
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.render import render
from blueprints.core.timeutil import utcnow

from . import bp
from .forms import LoginForm, PasswordChangeForm
from .models import User
from .passwords import dummy_verify, hash_password, verify_password


def _address() -> str:
    return (request.remote_addr or "-")[:45]


def _is_safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


@bp.route("/masuk", methods=["GET", "POST"])
@audit.not_sensitive
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        refusal = throttle.login_refusal(username, _address())
        if refusal is not None:  # not evaluated, not counted
            response = render("auth/login.html", form=form, error=refusal.message, status=429)
            response.headers["Retry-After"] = str(refusal.seconds)
            return response
        user = db.session.scalar(select(User).where(func.lower(User.username) == username))
        # The same work whatever the outcome: one argon2 verification for an unknown name, an inactive account
        # and a wrong password alike, so the answer's timing tells nothing about which it was.
        if user is None:
            dummy_verify(form.password.data)
            ok = False
        else:
            ok = verify_password(user.password_hash, form.password.data) and user.active
        if ok:
            next_url = request.args.get("next")
            throttle.login_succeeded(username, _address())
            session.clear()  # nothing from the anonymous session survives; the store gives the login a new id
            login_user(user, remember=False)
            generate_csrf()  # stored with the new session, so the next pages do not have to write it
            # bookkeeping, not an edit: it must not change the version an admin's open edit form holds
            db.session.execute(update(User).where(User.id == user.id).values(last_login=utcnow()))
            audit.record("login", "user", user.id, "masuk", user=user)
            db.session.commit()
            pending = recovery.resume(user.id)  # a form this user posted after their session timed out
            if pending:
                return redirect(pending)
            return redirect(next_url if _is_safe_next(next_url) else url_for("home.index"))
        throttle.login_failed(username, _address())
        audit.record(
            "login_failed",
            "user",
            user.id if user else None,
            f"gagal masuk sebagai '{username[:40]}'",
            user=None,
            regency_id=user.regency_id if user else None,
        )
        db.session.commit()
        error = "Nama pengguna atau kata sandi salah, atau akun tidak aktif."
    return render("auth/login.html", form=form, error=error, status=200)


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
@recovery.kept_without()
@audit.not_sensitive
@login_required
def password():
    form = PasswordChangeForm(subject=current_user._get_current_object())
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("Kata sandi sekarang salah.")
        elif form.new.data == form.current.data:
            form.new.errors.append("Kata sandi baru harus berbeda dari yang sekarang.")
        else:
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.new.data)
            ended = user_sessions.end_all(user.id, keep_current=True)  # keep this session, end the others
            audit.record(
                "update",
                "user",
                user.id,
                "mengganti kata sandi sendiri" + (f"; {ended} sesi lain diakhiri" if ended else ""),
            )
            db.session.commit()
            flash("Kata sandi berhasil diganti." + (f" {ended} sesi lain diakhiri." if ended else ""), "ok")
            return redirect(url_for("home.index"))
    return render("auth/password.html", form=form, status=FORM_INVALID if form.errors else 200)


# ---- own sessions ("Sesi aktif") -----------------------------------------------------------------------


@bp.route("/akun/sesi")
@audit.not_sensitive
@login_required
def sessions():
    return render(
        "auth/sessions.html",
        sessions=user_sessions.of_user(current_user.id),
        current=user_sessions.current_id(),
    )


@bp.route("/akun/sesi/akhiri", methods=["POST"])
@login_required
def sessions_end():
    """One form for the whole list: each row's button posts its session id, the last one 'lain' (all others)."""
    wanted = (request.form.get("sesi") or "").strip()
    if wanted == "lain":
        ended = user_sessions.end_all(current_user.id, keep_current=True)
        message = f"{ended} sesi lain diakhiri." if ended else "Tidak ada sesi lain."
    elif wanted.isdigit() and len(wanted) < 12 and user_sessions.end_one(current_user.id, int(wanted)):
        ended, message = 1, "Sesi diakhiri."
    else:
        flash("Sesi itu tidak ditemukan (mungkin sudah berakhir).", "error")
        return redirect(url_for("auth.sessions"))
    audit.record("update", "user", current_user.id, f"mengakhiri {ended} sesi sendiri")
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for("auth.sessions"))
