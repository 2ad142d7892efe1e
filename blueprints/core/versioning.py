"""No lost updates: every editable record carries a version, every edit form posts back the version it showed.

``Versioned`` makes the column SQLAlchemy's ``version_id_col``, so an UPDATE only lands on the version it read
(a race between two saves ends in ``StaleDataError``, answered 409 by the error handlers). Before that, the use
case compares the posted version (``is_stale``) and the view answers with ``conflict_response``: a 409 page that
shows, field by field, what is stored now and what this clerk typed, and offers to apply the typed values on
top of the current record (the page posts them again with the current version).
"""

from dataclasses import dataclass
from datetime import time

from flask import request
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from wtforms import BooleanField, DateField, DateTimeField, HiddenField, SelectFieldBase, SubmitField
from wtforms.csrf.core import CSRFTokenField

from .fmt import tanggal, tanggal_jam
from .render import render

SKIP_NAMES = {"csrf_token", "version", "submission_key"}


class Versioned:
    """Mixin: an integer ``version`` that SQLAlchemy checks and increments on every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


def is_stale(obj, posted) -> bool:
    """True when the form was filled on another version of ``obj`` than the stored one (or says none)."""
    return str(getattr(obj, "version", "")) != str(posted or "").strip()


@dataclass
class ConflictRow:
    label: str
    current: str
    typed: str


def _display(field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(field, BooleanField):
        return "Ya" if value else "Tidak"
    if isinstance(field, SelectFieldBase) and getattr(field, "choices", None) is not None:
        choices = field.choices.items() if isinstance(field.choices, dict) else field.choices
        labels = {}
        for choice in choices:
            if isinstance(choice, (tuple, list)) and len(choice) >= 2:
                labels[str(choice[0])] = str(choice[1])
        values = value if isinstance(value, (list, tuple, set)) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values) or "—"
    if isinstance(field, DateField) and hasattr(value, "year"):
        return tanggal(value)
    if isinstance(value, time):  # a TimeField is a DateTimeField holding a time of day
        return value.strftime("%H.%M")
    if isinstance(field, DateTimeField) and hasattr(value, "hour"):
        return tanggal_jam(value)
    if hasattr(value, "id") and not isinstance(value, (str, int, float)):
        return str(getattr(value, "name", None) or getattr(value, "nama", None) or value.id)
    return str(value)


def differences(form, obj, current: dict | None = None) -> list[ConflictRow]:
    """The fields whose stored value differs from what was typed. ``current`` overrides values read from
    ``obj`` where a field name is not an attribute (e.g. a place cascade)."""
    current = current or {}
    rows = []
    for field in form:
        name = field.short_name  # a prefixed form ("h-nama") still maps to the attribute "nama"
        if name in SKIP_NAMES or isinstance(field, (HiddenField, CSRFTokenField, SubmitField)):
            continue
        if field.name in current or name in current:
            stored = current.get(field.name, current.get(name))
        elif hasattr(obj, name):
            stored = getattr(obj, name)
        else:
            continue
        now, typed = _display(field, stored), _display(field, field.data)
        if now != typed:
            rows.append(ConflictRow(str(field.label.text), now, typed))
    return rows


def change_text(form, obj, current: dict | None = None) -> str:
    """What an edit changes, field by field ("Judul: lama → baru; ..."), for a record's history: the same
    comparison as ``differences``. Empty when nothing changes."""
    return "; ".join(f"{r.label}: {r.current} → {r.typed}" for r in differences(form, obj, current))


def conflict_response(form, obj, *, back_url: str, current: dict | None = None, action: str | None = None):
    """The 409 conflict page for a stale edit of ``obj`` (which must be freshly loaded)."""
    return conflict_page(
        differences(form, obj, current),
        back_url=back_url,
        version=obj.version,
        action=action,
        who=getattr(obj, "updated_by", None),
        when=getattr(obj, "updated_at", None),
    )


def conflict_page(
    rows, *, back_url: str, version="", versions: dict | None = None, action=None, who=None, when=None
):
    """The 409 conflict page: what is stored and what was typed (``rows``), and a button posting the typed values
    again on the current ``version`` (or, for a form of several records, on the current ``versions`` by field
    name)."""
    versions = versions or {}
    typed = [
        (name, value)
        for name, values in request.form.lists()
        if name not in ("csrf_token", "version") and name not in versions
        for value in values
    ] + list(versions.items())
    return render(
        "errors/conflict.html",
        "errors/_conflict.html",
        status=409,
        rows=rows,
        typed=typed,
        version=version,
        action=action or request.path,
        back_url=back_url,
        who=who,
        when=when,
    )
