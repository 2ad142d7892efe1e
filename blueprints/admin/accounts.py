"""Accounts: who may touch which account, and creating, editing, resetting and ending the sessions of one.

The rule: the query scope (same regency; the superadmin belongs to none, so a regency admin never finds it) and
the rank rule (``core.roles``): nobody sees, edits, resets or ends the sessions of an account ranked above them,
grants a role above their own, or changes their own role. Outside the rule: 404.
"""

from flask import abort, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.auth.models import Organisation, User, UserNagari
from blueprints.auth.passwords import hash_password
from blueprints.core import audit, submission
from blueprints.core import session as user_sessions
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome, field_errors
from blueprints.core.roles import (
    NO_REGENCY_ROLES,
    ROLE_LABELS,
    VERIFIKATOR_NAGARI,
    grantable_roles,
    may_manage,
)
from blueprints.core.scope import get_scoped_or_404, scoped
from blueprints.core.versioning import is_stale
from blueprints.wilayah.models import LEVEL_NAGARI, Wilayah


def manageable_or_404(actor, user_id: int) -> User:
    user = get_scoped_or_404(User, user_id)
    if not may_manage(actor, user):
        abort(404)
    return user


def fill_choices(form, actor) -> None:
    orgs = db.session.scalars(scoped(Organisation).order_by(Organisation.regency_id, Organisation.name))
    form.organisation_id.choices = [(0, "— pilih —")] + [(o.id, o.name) for o in orgs]
    form.role.choices = [("", "— pilih —")] + [(r, ROLE_LABELS[r]) for r in grantable_roles(actor)]
    nagari = select(Wilayah.code, Wilayah.name).where(Wilayah.level == LEVEL_NAGARI)
    if actor.regency_id is not None:  # the superadmin (no regency) picks from every regency
        nagari = nagari.where(Wilayah.regency_id == actor.regency_id)
    form.nagari.choices = [(c, f"{n} ({c})") for c, n in db.session.execute(nagari.order_by(Wilayah.name))]


def fill_nagari(form, user: User) -> None:
    """The edit form's nagari as stored (on the GET; a POST keeps what was sent)."""
    form.nagari.data = list(db.session.scalars(UserNagari.codes_of(user.id)))


def _save_nagari(form, user: User) -> bool:
    """A Verifikator Nagari's nagari: those of its organisation's regency (none yet: it sees no record until
    some are chosen); other roles: none."""
    codes = set(form.nagari.data or []) if user.role == VERIFIKATOR_NAGARI else set()
    if codes:
        own = set(
            db.session.scalars(
                select(Wilayah.code).where(
                    Wilayah.code.in_(codes),
                    Wilayah.regency_id == user.regency_id,
                    Wilayah.level == LEVEL_NAGARI,
                )
            )
        )
        if own != codes:
            form.nagari.errors.append("Nagari harus berada di kabupaten organisasi pengguna.")
            return False
    db.session.flush()  # a new user's id
    have = set(db.session.scalars(UserNagari.codes_of(user.id)))
    if have - codes:
        db.session.execute(
            UserNagari.__table__.delete().where(
                UserNagari.user_id == user.id, UserNagari.nagari_code.in_(have - codes)
            )
        )
    db.session.add_all(UserNagari(user_id=user.id, nagari_code=c) for c in sorted(codes - have))
    return True


def list_stmt(actor, q: str):
    stmt = (
        scoped(User)
        .options(selectinload(User.organisation))  # the list names each user's organisation
        .where(User.role.in_(grantable_roles(actor)))
        .order_by(User.username)
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(User.username).like(like) | func.lower(User.name).like(like))
    return stmt


def _apply(form, user: User | None, actor) -> User | None:
    """Shared by create and edit: the rank rule, uniqueness and scope; the messages go on the form's fields."""
    role = form.role.data
    if role not in grantable_roles(actor):  # the select refuses it as well; this is the rule itself
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
    elif user.id == actor.id and (not form.active.data or role != user.role):
        form.active.errors.append("Anda tidak dapat menonaktifkan atau mengubah peran akun Anda sendiri.")
        return None
    ends_sessions = user.id is not None and (not form.active.data or role != user.role)
    user.username = form.username.data.lower()
    user.name = form.name.data.strip()
    user.organisation_id = org.id if org else None
    user.regency_id = org.regency_id if org else None
    user.role = role
    user.active = form.active.data
    if not _save_nagari(form, user):
        return None
    if ends_sessions:  # a deactivated or re-roled account starts again from the login page
        user_sessions.end_all(user.id)
    return user


def create_user(form, actor) -> Outcome:
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    user = _apply(form, None, actor)
    if user is None:
        db.session.rollback()
        return Outcome(errors=field_errors(form))
    db.session.flush()
    audit.record("create", "user", user.id, f"membuat pengguna {user.username}", regency_id=user.regency_id)
    submission.remember(form.submission_key.data, url_for("admin.user_edit", user_id=user.id))
    db.session.commit()
    return Outcome(record=user)


def save_user(form, user: User, actor) -> Outcome:
    """An edit of a posted form: the version first (a stale save gets the conflict page even when the form has
    errors), then the form, then the rules."""
    if is_stale(user, form.version.data):
        return Outcome(stale=user)
    if not form.validate() or _apply(form, user, actor) is None:
        return Outcome(errors=field_errors(form))
    audit.record("update", "user", user.id, f"mengubah pengguna {user.username}", regency_id=user.regency_id)
    db.session.commit()
    return Outcome(record=user)


def reset_password(form, user: User) -> Outcome:
    user.password_hash = hash_password(form.password.data)
    user_sessions.end_all(user.id)  # every session, the resetting admin's own included when it is theirs
    audit.record(
        "update", "user", user.id, f"mengatur ulang kata sandi {user.username}", regency_id=user.regency_id
    )
    db.session.commit()
    return Outcome(record=user)


def end_sessions(user: User, actor) -> int:
    """End every session of this account (for one's own account: every other one); how many ended."""
    ended = user_sessions.end_all(user.id, keep_current=user.id == actor.id)
    audit.record(
        "update", "user", user.id, f"mengakhiri {ended} sesi {user.username}", regency_id=user.regency_id
    )
    db.session.commit()
    return ended
