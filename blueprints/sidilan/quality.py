"""Data-quality flags ("perlu dicek"): the dry-run warnings of an import kept on the records it created (unknown
jorong, NIK from a number cell, NIK / birth-date mismatch...), shown on the record, filterable in the list, and
cleared one by one by a clerk (audited)."""

from sqlalchemy import exists, update

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import utcnow

from .models import Person, QualityFlag

MAX_MESSAGE = 300
CLEARED = "Tanda “perlu dicek” ditandai selesai."
ALREADY = "Tanda ini sudah ditandai selesai."


def flag_created(person_ids: list[int], messages: list, regency_id: int, batch_id: int | None) -> None:
    """One open flag per warning of each new person (one bulk INSERT; the caller commits)."""
    rows = [
        dict(
            person_id=pid,
            message=m[:MAX_MESSAGE],
            batch_id=batch_id,
            regency_id=regency_id,
            created_at=utcnow(),
        )
        for pid, msgs in zip(person_ids, messages, strict=True)
        for m in dict.fromkeys(msgs)  # the same warning once
    ]
    if rows:
        db.session.connection().execute(QualityFlag.__table__.insert(), rows)


def needs_check():
    """The list's "perlu dicek" filter: the person has an open flag (a probe of the (person, cleared_at) index)."""
    return exists().where(QualityFlag.person_id == Person.id, QualityFlag.cleared_at.is_(None))


def clear_flag(person: Person, flag_id: int, user) -> Outcome:
    """Mark one of the person's open flags as checked (who and when), audited."""
    done = db.session.execute(
        update(QualityFlag)
        .where(
            QualityFlag.id == flag_id,
            QualityFlag.person_id == person.id,
            QualityFlag.cleared_at.is_(None),
        )
        .values(cleared_at=utcnow(), cleared_by_id=user.id)
    ).rowcount
    if done != 1:
        db.session.rollback()
        return Outcome(repeated=ALREADY)
    audit.record(
        "update", "sidilan_person", person.id, f"menandai selesai dicek: tanda #{flag_id} orang #{person.id}"
    )
    db.session.commit()
    return Outcome(record=person)
