"""What several SIDILAN view modules share: the template globals and small view-only helpers."""

from flask import flash, redirect, url_for

from blueprints.core import audit
from blueprints.core.extensions import db

from .. import bp, exporter, models  # noqa: F401  (tables registered before create_all)
from .. import values as V
from ..models import Person


@bp.app_template_global("sidilan_label")
def _label(list_name: str, code) -> str:
    return V.label(getattr(V, list_name), code)


@bp.app_template_global("sidilan_values")
def _values():
    return V


def _place_values(row) -> dict:
    """A person's or household's stored place as the cascade's field values."""
    return {
        "kecamatan": row.kecamatan_code or "",
        "nagari": row.nagari_code or "",
        "jorong": str(row.jorong_id or ""),
    }


def _not_editable(person: Person):
    flash(
        "Data ini sedang dalam verifikasi atau sudah disetujui/digabung, sehingga tidak dapat diubah.", "warn"
    )
    return redirect(url_for("sidilan.person_view", person_id=person.id))


FORMATS = exporter.FORMATS


def recorded(response, action: str, object_type: str, object_id: int, summary: str):
    """Record the page's audit event and commit it after ``response`` is built: committing first would expire
    every loaded row (the cascade's options, the record's collections), and the template would reload them one
    by one."""
    audit.record(action, object_type, object_id, summary)
    db.session.commit()
    return response
