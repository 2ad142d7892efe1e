"""Roles and which blueprints each may use. The nav and the gates read the same table."""
from functools import wraps

from flask import abort, request
from flask_login import current_user

SUPERADMIN = "superadmin"
ADMIN = "admin"
OPERATOR_DINSOS = "operator_dinsos"
VERIFIKATOR_DINSOS = "verifikator_dinsos"
PETUGAS_FASKES = "petugas_faskes"
KERJASAMA = "kerjasama"
PIMPINAN = "pimpinan"

ROLE_LABELS = {
    SUPERADMIN: "Superadmin",
    ADMIN: "Admin kabupaten",
    OPERATOR_DINSOS: "Operator Dinas Sosial",
    VERIFIKATOR_DINSOS: "Verifikator Dinas Sosial",
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

# Module blueprint -> (nav label, roles allowed). Order is the nav order.
MODULES = {
    "sidilan": ("SIDILAN", {OPERATOR_DINSOS, VERIFIKATOR_DINSOS, PIMPINAN}),
    "rujukan": ("Rujukan", {PETUGAS_FASKES}),
    # The superadmin belongs to no regency, so it does no regency's cooperation work.
    "pks": ("Kerja Sama", {KERJASAMA, PIMPINAN, ADMIN}),
    "admin": ("Admin", {ADMIN, SUPERADMIN}),
}


def may_use(blueprint: str, user=None) -> bool:
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in MODULES[blueprint][1]


def nav_modules(user=None):
    """(endpoint, label) pairs for the modules this user may open."""
    return [(f"{bp}.index", label) for bp, (label, _) in MODULES.items() if may_use(bp, user)]


def gate_blueprint(bp, name: str | None = None):
    """Login + role check for every view of a blueprint. A role without access gets 404, not 403."""
    module = name or bp.name

    @bp.before_request
    def _gate():
        from .auth_gate import require_login

        response = require_login()
        if response is not None:
            return response
        if not may_use(module):
            abort(404)

    return bp


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


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"
