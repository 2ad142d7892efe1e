"""SIDILAN list export (item 8)."""

from flask import abort, request
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.timeutil import today_local

from .. import bp, exporter
from ..nagari_scope import nagari_open
from ..search import Filters
from ._common import FORMATS


@bp.route("/ekspor.<fmt>", methods=["GET", "POST"])
@audit.reads("sidilan_person", "ekspor daftar orang")
@nagari_open
def export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    return exporter.export_or_queue(
        fmt, Filters.from_args(request.args), current_user, today_local()
    ).response()
