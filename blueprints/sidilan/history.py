"""A person's change history (ChangeLog) and the trail every new record starts with. Add, never commit."""

from flask_login import current_user

from blueprints.core import audit
from blueprints.core.extensions import db

from .models import ChangeLog, Person, VerificationEvent


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


def current_user_id() -> int | None:
    return current_user.id if getattr(current_user, "is_authenticated", False) else None


def apply_changes(obj, data: dict, person_id: int | None, entity: str, log: bool = True) -> list[str]:
    """Set attributes and write one ChangeLog row per changed field (not on creation). Returns changed names."""
    changed = []
    for key, new in data.items():
        old = getattr(obj, key)
        if _text(old) != _text(new):
            changed.append(key)
            if log and person_id is not None:
                db.session.add(
                    ChangeLog(
                        person_id=person_id,
                        entity=entity,
                        field=key,
                        old_value=_text(old),
                        new_value=_text(new),
                        user_id=current_user_id(),
                    )
                )
            setattr(obj, key, new)
    return changed


def _created_text(how: str) -> tuple[str, str]:
    """(history text, audit summary tail) of a new record."""
    return f"data baru{f' ({how})' if how else ''}", f"{f' ({how})' if how else ''}"


def record_creation(person: Person, user, how: str = "") -> None:
    """The trail every new record starts with, typed or imported: history row, workflow start, audit."""
    text, tail = _created_text(how)
    db.session.add(
        ChangeLog(person_id=person.id, entity="person", field="dibuat", new_value=text, user_id=user.id)
    )
    db.session.add(
        VerificationEvent(person_id=person.id, from_status=None, to_status="draf", user_id=user.id)
    )
    audit.record("create", "sidilan_person", person.id, f"mendaftarkan orang #{person.id}{tail}", user=user)


def record_creations(person_ids: list[int], user, how: str) -> None:
    """``record_creation`` for many new records at once (an import chunk): the same three rows each, written
    in bulk INSERTs."""
    text, tail = _created_text(how)
    db.session.connection().execute(
        ChangeLog.__table__.insert(),
        [
            dict(person_id=i, entity="person", field="dibuat", new_value=text, user_id=user.id)
            for i in person_ids
        ],
    )
    db.session.connection().execute(
        VerificationEvent.__table__.insert(),
        [dict(person_id=i, from_status=None, to_status="draf", user_id=user.id) for i in person_ids],
    )
    audit.record_many(
        "create", "sidilan_person", [(i, f"mendaftarkan orang #{i}{tail}") for i in person_ids], user
    )
