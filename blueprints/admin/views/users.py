from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from blueprints.core import audit, recovery
from blueprints.core import session as user_sessions
from blueprints.core.forms import FORM_INVALID
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.versioning import conflict_response

from .. import accounts, bp
from ..forms import EditUserForm, NewUserForm, ResetPasswordForm


@bp.route("/")
@audit.not_sensitive
def index():
    return render("admin/index.html")


@bp.route("/pengguna")
@audit.reads("user", "daftar pengguna")
def users():
    q = (request.args.get("q") or "").strip()[:50]
    page = paginate(accounts.list_stmt(current_user, q), request.args.get("hal"), per_page=50, filters=("q",))
    return render("admin/users.html", "admin/_users.html", page=page, q=q)


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@recovery.kept_without("password")
@audit.not_sensitive
def user_new():
    form = NewUserForm()
    accounts.fill_choices(form, current_user)
    if form.validate_on_submit():
        out = accounts.create_user(form, current_user)
        if out.replay:
            return out.replay.response()
        if out.record is not None:
            flash(f"Pengguna {out.record.username} dibuat.", "ok")
            return redirect(url_for("admin.users"))
    return render("admin/user_form.html", form=form, user=None, status=FORM_INVALID if form.errors else 200)


def _user_page(form, user, reset_form, status=200):
    return render(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=reset_form,
        sessions=user_sessions.of_user(user.id),
        status=status,
    )


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@recovery.kept_without("password", "reset-password")
@audit.reads("user", "pengguna")
def user_edit(user_id: int):
    user = accounts.manageable_or_404(current_user, user_id)
    form = EditUserForm(obj=user, user=user)
    accounts.fill_choices(form, current_user)
    reset_form = ResetPasswordForm(prefix="reset", user=user)
    if request.method == "GET":
        accounts.fill_nagari(form, user)
    if request.method == "POST":
        out = accounts.save_user(form, user, current_user)
        if out.stale:
            return conflict_response(form, user, back_url=url_for("admin.user_edit", user_id=user.id))
        if out.record is not None:
            flash("Perubahan disimpan.", "ok")
            return redirect(url_for("admin.users"))
    return _user_page(form, user, reset_form, FORM_INVALID if form.errors else 200)


@bp.route("/pengguna/<int:user_id>/reset", methods=["POST"])
@recovery.kept_without()
def user_reset(user_id: int):
    user = accounts.manageable_or_404(current_user, user_id)
    reset_form = ResetPasswordForm(prefix="reset", user=user)
    if not reset_form.validate_on_submit():
        form = EditUserForm(obj=user, user=user)
        accounts.fill_choices(form, current_user)
        accounts.fill_nagari(form, user)
        return _user_page(form, user, reset_form, FORM_INVALID)
    accounts.reset_password(reset_form, user)
    if user.id == current_user.id:
        logout_user()
        session.clear()
        flash(
            "Kata sandi Anda diatur ulang dan semua sesi diakhiri. Silakan masuk dengan kata sandi baru.",
            "info",
        )
        return redirect(url_for("auth.login"))
    flash(
        f"Kata sandi {user.username} diatur ulang. Sampaikan kepada yang bersangkutan secara langsung.", "ok"
    )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/sesi/akhiri", methods=["POST"])
def user_sessions_end(user_id: int):
    """End every session of this account (for one's own account: every other one)."""
    user = accounts.manageable_or_404(current_user, user_id)
    ended = accounts.end_sessions(user, current_user)
    flash(f"{ended} sesi {user.username} diakhiri.", "ok")
    return redirect(url_for("admin.user_edit", user_id=user.id))
