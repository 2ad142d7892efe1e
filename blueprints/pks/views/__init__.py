"""The pages of Kerja Sama, one file per resource (URL -> ``views/<resource>.py`` -> the use case it calls).

Importing this package registers every route on ``bp``; the role limits of the module (``access.allowed``)
apply to all of them.
"""

from flask import abort, request
from flask_login import current_user

from .. import bp
from ..access import allowed


@bp.before_request
def _role_limits():
    """Pimpinan reads; admins only reach the rule switches; everything else is for Bagian Kerjasama
    (``access.allowed``)."""
    if not allowed(current_user.role, request.endpoint, request.method):
        abort(404)


from . import (  # noqa: E402,F401
    _common,
    agreements,
    areas,
    board,
    coverage,
    dashboard,
    documents,
    letters,
    meetings,
    outputs,
    parties,
    rules,
    stages,
    waiting,
    work,
)
