"""Who is who inside the module: a facility's staff, or a Dinas Kesehatan officer."""
from flask import abort
from flask_login import current_user

from .models import is_dinkes


def is_facility(user=None) -> bool:
    user = user or current_user
    return user.organisation is not None and user.organisation.facility_level is not None


def require_facility():
    if not is_facility():
        abort(404)


def require_dinkes():
    if not is_dinkes(current_user):
        abort(404)
