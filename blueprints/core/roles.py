"""Roles, their labels and ranks. Which module a role may open is declared by the module (core.modules)."""

from functools import wraps

from flask import abort
from flask_login import current_user

SUPERADMIN = "superadmin"
ADMIN = "admin"
OPERATOR_DINSOS = "operator_dinsos"
VERIFIKATOR_DINSOS = "verifikator_dinsos"
VERIFIKATOR_NAGARI = (
    "verifikator_nagari"  # the first verification step, for the nagari assigned to the account
)
PETUGAS_FASKES = "petugas_faskes"
KERJASAMA = "kerjasama"
PIMPINAN = "pimpinan"

ROLE_LABELS = {
    SUPERADMIN: "Superadmin",
    ADMIN: "Admin kabupaten",
    OPERATOR_DINSOS: "Operator Dinas Sosial",
    VERIFIKATOR_DINSOS: "Verifikator Dinas Sosial",
    VERIFIKATOR_NAGARI: "Verifikator Nagari",
    PETUGAS_FASKES: "Petugas fasilitas kesehatan",
    KERJASAMA: "Bagian Kerjasama",
    PIMPINAN: "Pimpinan",
}
ROLES = tuple(ROLE_LABELS)

# Privilege order for managing accounts: nobody grants a role above their own or acts on a user ranked above them.
RANK = {SUPERADMIN: 3, ADMIN: 2}
NO_REGENCY_ROLES = {SUPERADMIN}  # accounts that belong to no regency (and so to no regency's organisation)


def rank(role: str | None) -> int:
    return RANK.get(role or "", 1)


def grantable_roles(actor) -> list[str]:
    """The roles ``actor`` may give to an account (their own rank or lower), in display order."""
    return [r for r in ROLES if rank(r) <= rank(actor.role)]


def may_manage(actor, target) -> bool:
    """Whether ``actor`` may see and change the account ``target``. Scope (same regency) is checked by the query;
    this is the rank rule on top of it."""
    return rank(target.role) <= rank(actor.role)


def roles_required(*roles):
    """Narrower gate for single views (e.g. only the verifikator may approve). 404 outside."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator
