from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from blueprints.auth.models import Organisation, Regency, User, regencies
from blueprints.auth.passwords import hash_password
from blueprints.core import audit, submission
from blueprints.core import session as user_sessions
from blueprints.core.audit import ACTIONS, AuditEvent
from blueprints.core.extensions import db
from blueprints.core.forms import FORM_INVALID
from blueprints.core.pagination import paginate
from blueprints.core.render import render
from blueprints.core.roles import NO_REGENCY_ROLES, ROLE_LABELS, grantable_roles, may_manage
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.timeutil import WIB
from blueprints.core.versioning import conflict_response, is_stale
from blueprints.wilayah.models import Jorong, Wilayah
from blueprints.wilayah.service import Cascade, is_cascade_refresh, regency_by_code

from . import bp
from .forms import AuditFilterForm, EditUserForm, JorongForm, NewUserForm, ResetPasswordForm, UserForm


@bp.route("/")
@audit.not_sensitive
def index():
    return render("admin/index.html")


# ---- users -------------------------------------------------------------------------------------
# Who may touch which account: the query scope (same regency; the superadmin belongs to none, so a regency admin
# never finds it) and the rank rule (core.roles): nobody sees, edits, resets or ends the sessions of an account
# ranked above them, grants a role above their own, or changes their own role. Outside the rule: 404.


def _manageable_or_404(user_id: int) -> User:
    user = get_scoped_or_404(User, user_id)
    if not may_manage(current_user, user):
        abort(404)
    return user


def _fill_user_choices(form: UserForm) -> None:
    orgs = db.session.scalars(scoped(Organisation).order_by(Organisation.regency_id, Organisation.name))
    form.organisation_id.choices = [(0, "— pilih —")] + [(o.id, o.name) for o in orgs]
    form.role.choices = [("", "— pilih —")] + [(r, ROLE_LABELS[r]) for r in grantable_roles(current_user)]


@bp.route("/pengguna")
@audit.reads("user", "daftar pengguna")
def users():
    q = (request.args.get("q") or "").strip()[:50]
    stmt = scoped(User).where(User.role.in_(grantable_roles(current_user))).order_by(User.username)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(User.username).like(like) | func.lower(User.name).like(like))
    page = paginate(stmt, request.args.get("hal"), per_page=50, filters=("q",))
    return render("admin/users.html", "admin/_users.html", page=page, q=q)


def _save_user(form: UserForm, user: User | None):
    """Shared by create and edit: validates the rank rule, uniqueness and scope, returns the user or None."""
    role = form.role.data
    if role not in grantable_roles(current_user):  # the select refuses it as well; this is the rule itself
        form.role.errors.append("Anda tidak dapat memberikan peran ini.")
        return None
    if role in NO_REGENCY_ROLES:
        org = None  # the superadmin belongs to no organisation and no regency
    elif not form.organisation_id.data:
        form.organisation_id.errors.append("Pilih organisasi.")
        return None
    else:
        org = get_scoped_or_404(Organisation, form.organisation_id.data)
    clash = db.session.scalar(select(User.id).where(func.lower(User.username) == form.username.data.lower()))
    if clash is not None and (user is None or clash != user.id):
        form.username.errors.append("Nama pengguna ini sudah dipakai.")
        return None
    if user is None:
        if not form.password.data:
            form.password.errors.append("Kata sandi awal wajib diisi untuk pengguna baru.")
            return None
        user = User(password_hash=hash_password(form.password.data))
        db.session.add(user)
    elif user.id == current_user.id and (not form.active.data or role != user.role):
        form.active.errors.append("Anda tidak dapat menonaktifkan atau mengubah peran akun Anda sendiri.")
        return None
    ends_sessions = user.id is not None and (not form.active.data or role != user.role)
    user.username = form.username.data.lower()
    user.name = form.name.data.strip()
    user.organisation_id = org.id if org else None
    user.regency_id = org.regency_id if org else None
    user.role = role
    user.active = form.active.data
    if ends_sessions:  # a deactivated or re-roled account starts again from the login page
        user_sessions.end_all(user.id)
    return user


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@audit.not_sensitive
def user_new():
    form = NewUserForm()
    _fill_user_choices(form)
    if form.validate_on_submit():
        if replay := submission.claim(form.submission_key.data):
            return replay.response()
        user = _save_user(form, None)
        if user is not None:
            db.session.flush()
            audit.record(
                "create", "user", user.id, f"membuat pengguna {user.username}", regency_id=user.regency_id
            )
            submission.remember(form.submission_key.data, url_for("admin.user_edit", user_id=user.id))
            db.session.commit()
            flash(f"Pengguna {user.username} dibuat.", "ok")
            return redirect(url_for("admin.users"))
        db.session.rollback()
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
@audit.reads("user", "pengguna")
def user_edit(user_id: int):
    user = _manageable_or_404(user_id)
    form = EditUserForm(obj=user, user=user)
    _fill_user_choices(form)
    reset_form = ResetPasswordForm(prefix="reset", user=user)
    if request.method == "POST" and is_stale(user, form.version.data):
        return conflict_response(form, user, back_url=url_for("admin.user_edit", user_id=user.id))
    if form.validate_on_submit() and _save_user(form, user) is not None:
        audit.record(
            "update", "user", user.id, f"mengubah pengguna {user.username}", regency_id=user.regency_id
        )
        db.session.commit()
        flash("Perubahan disimpan.", "ok")
        return redirect(url_for("admin.users"))
    return _user_page(form, user, reset_form, FORM_INVALID if form.errors else 200)


@bp.route("/pengguna/<int:user_id>/reset", methods=["POST"])
def user_reset(user_id: int):
    user = _manageable_or_404(user_id)
    reset_form = ResetPasswordForm(prefix="reset", user=user)
    if reset_form.validate_on_submit():
        user.password_hash = hash_password(reset_form.password.data)
        user_sessions.end_all(user.id)  # every session, the resetting admin's own included when it is theirs
        audit.record(
            "update",
            "user",
            user.id,
            f"mengatur ulang kata sandi {user.username}",
            regency_id=user.regency_id,
        )
        db.session.commit()
        if user.id == current_user.id:
            logout_user()
            session.clear()
            flash(
                "Kata sandi Anda diatur ulang dan semua sesi diakhiri. Silakan masuk dengan kata sandi baru.",
                "info",
            )
            return redirect(url_for("auth.login"))
        flash(
            f"Kata sandi {user.username} diatur ulang. Sampaikan kepada yang bersangkutan secara langsung.",
            "ok",
        )
        return redirect(url_for("admin.user_edit", user_id=user.id))
    form = EditUserForm(obj=user, user=user)
    _fill_user_choices(form)
    return _user_page(form, user, reset_form, FORM_INVALID)


@bp.route("/pengguna/<int:user_id>/sesi/akhiri", methods=["POST"])
def user_sessions_end(user_id: int):
    """End every session of this account (for one's own account: every other one)."""
    user = _manageable_or_404(user_id)
    ended = user_sessions.end_all(user.id, keep_current=user.id == current_user.id)
    audit.record(
        "update", "user", user.id, f"mengakhiri {ended} sesi {user.username}", regency_id=user.regency_id
    )
    db.session.commit()
    flash(f"{ended} sesi {user.username} diakhiri.", "ok")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# ---- jorong ------------------------------------------------------------------------------------


def _jorong_regency(source) -> Regency:
    """The admin's own regency; the superadmin (no regency) picks one, the first by code unless asked."""
    if current_user.regency is not None:
        return current_user.regency
    return regency_by_code(source.get("_cascade_regency")) or regencies()[0]


@bp.route("/jorong", methods=["GET", "POST"])
@audit.not_sensitive
def jorong():
    source = request.form if request.method == "POST" else request.args
    regency = _jorong_regency(source)
    cascade = Cascade.build(regency, source, required=True)
    back = {"_cascade_regency": regency.code} if current_user.regency is None else {}
    form = JorongForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and not is_cascade_refresh(request.form):
        errors = cascade.errors()
        if form.validate_on_submit() and not errors:
            name = " ".join(form.name.data.split())
            dup = db.session.scalar(
                scoped(Jorong).where(
                    Jorong.nagari_code == cascade.nagari, func.lower(Jorong.name) == name.lower()
                )
            )
            if dup is not None:
                form.name.errors.append("Jorong dengan nama ini sudah ada di nagari tersebut.")
            else:
                if replay := submission.claim(form.submission_key.data):
                    return replay.response()
                nagari = db.session.get(Wilayah, cascade.nagari)
                row = Jorong(nagari_code=nagari.code, name=name, regency_id=nagari.regency_id)
                db.session.add(row)
                db.session.flush()
                audit.record("create", "jorong", row.id, f"menambah jorong {name} di {nagari.name}")
                target = url_for("admin.jorong", kecamatan=cascade.kecamatan, nagari=cascade.nagari, **back)
                submission.remember(form.submission_key.data, target)
                db.session.commit()
                flash(f"Jorong {name} ditambahkan.", "ok")
                return redirect(target)
    stmt = (
        scoped(Jorong)
        .join(Jorong.nagari)
        .where(Jorong.regency_id == regency.id)
        .order_by(Wilayah.name, Jorong.name)
    )
    if cascade.nagari:
        stmt = stmt.where(Jorong.nagari_code == cascade.nagari)
    elif cascade.kecamatan:
        stmt = stmt.where(Wilayah.parent_code == cascade.kecamatan)
    page = paginate(stmt, request.args.get("hal"), per_page=50, filters=("kecamatan", "nagari", *back))
    status = FORM_INVALID if (form.errors or errors) else 200
    choices = regencies() if back else []
    return render(
        "admin/jorong.html",
        form=form,
        cascade=cascade,
        errors=errors,
        page=page,
        status=status,
        regency=regency,
        regencies=choices,
    )


@bp.route("/jorong/<int:jorong_id>/aktif", methods=["POST"])
def jorong_toggle(jorong_id: int):
    row = get_scoped_or_404(Jorong, jorong_id)
    # the form says which state it wants, so a repeated submit does not flip it back
    wanted = request.form.get("active")
    row.active = (not row.active) if wanted not in ("0", "1") else wanted == "1"
    audit.record(
        "update", "jorong", row.id, f"jorong {row.name} {'diaktifkan' if row.active else 'dinonaktifkan'}"
    )
    db.session.commit()
    flash(f"Jorong {row.name} {'diaktifkan' if row.active else 'dinonaktifkan'}.", "ok")
    back = (
        {"_cascade_regency": db.session.get(Regency, row.regency_id).code}
        if current_user.regency is None
        else {}
    )
    return redirect(url_for("admin.jorong", kecamatan=row.nagari.parent_code, nagari=row.nagari_code, **back))


# ---- audit log ---------------------------------------------------------------------------------


@bp.route("/audit")
@audit.reads("audit_event", "log audit")
def audit_log():
    form = AuditFilterForm(request.args)
    users = db.session.scalars(scoped(User).order_by(User.username))
    form.user.choices = [("", "Semua pengguna")] + [(str(u.id), u.username) for u in users]
    form.action.choices = [("", "Semua tindakan")] + list(ACTIONS.items())
    stmt = scoped(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    form.validate()
    if form.user.data and form.user.data.isdigit():
        stmt = stmt.where(AuditEvent.user_id == int(form.user.data))
    if form.action.data in ACTIONS:
        stmt = stmt.where(AuditEvent.action == form.action.data)
    if form.date_from.data and not form.date_from.errors:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(form.date_from.data, time.min, WIB))
    if form.date_to.data and not form.date_to.errors:
        stmt = stmt.where(
            AuditEvent.at < datetime.combine(form.date_to.data + timedelta(days=1), time.min, WIB)
        )
    page = paginate(stmt, request.args.get("hal"), per_page=50, filters=[f.name for f in form])
    return render("admin/audit.html", "admin/_audit.html", form=form, page=page)
