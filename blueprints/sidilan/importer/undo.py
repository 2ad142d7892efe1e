"""Undoing an import batch as a unit (docs/sidilan.md §7.4): the persons it created leave the registry (kept,
inactive, with the reason in their history), their disability rows, undecided duplicate cases and the households
the batch created go. Refused, with the records named, when any of them was worked on since the import: an
edit, a workflow step, an assessment or WG-SS visit, an assistance row, a document, a verval outcome, a cleared
data-quality flag, a duplicate decision or merge, a new household member."""

from sqlalchemy import delete, func, or_, select, union, update

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome
from blueprints.core.timeutil import utcnow

from ..document_models import SidilanDocument
from ..models import (
    Assistance,
    ChangeLog,
    Disability,
    DuplicateCandidate,
    ElderlyAssessment,
    Household,
    Person,
    QualityFlag,
    WgssVisit,
)
from ..report_models import DIBATALKAN, GAGAL, SELESAI, ImportBatch
from ..verval_models import VervalOutcome
from .apply import stopped

SHOWN = 20  # edited records named in the refusal
RUNNING = "Impor ini masih berjalan; tunggu sampai selesai atau terhenti."
ALREADY = "Impor ini sudah dibatalkan."
CHANGED_MEANWHILE = "Data impor ini berubah saat dibatalkan; tidak ada yang dibatalkan. Coba lagi."


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def edited_since(batch: ImportBatch) -> list[int]:
    """Ids of the batch's persons that someone worked on after the import (a household's members count for
    a household the batch created), in a few set-based queries per 500 records."""
    found: set[int] = set()
    for ids in _chunks(batch.created_ids):
        found.update(
            db.session.scalars(
                select(Person.id).where(
                    Person.id.in_(ids),
                    or_(
                        Person.version > 1,
                        Person.status_verifikasi != "draf",
                        Person.active.is_(False),
                        Person.merged_into_id.is_not(None),
                    ),
                )
            )
        )
        found.update(db.session.scalars(select(Person.merged_into_id).where(Person.merged_into_id.in_(ids))))
        found.update(
            db.session.scalars(
                select(Disability.person_id).where(Disability.person_id.in_(ids), Disability.version > 1)
            )
        )
        for model in (ElderlyAssessment, Assistance, WgssVisit, SidilanDocument, VervalOutcome):
            found.update(db.session.scalars(select(model.person_id).where(model.person_id.in_(ids))))
        found.update(
            db.session.scalars(
                select(QualityFlag.person_id).where(
                    QualityFlag.person_id.in_(ids), QualityFlag.cleared_at.is_not(None)
                )
            )
        )
        for side in (DuplicateCandidate.person_a_id, DuplicateCandidate.person_b_id):
            found.update(
                db.session.scalars(
                    select(side).where(side.in_(ids), DuplicateCandidate.keputusan.is_not(None))
                )
            )
    mine = set(batch.created_ids)
    for hh in _chunks(batch.household_ids):
        changed = set(
            db.session.scalars(
                union(
                    select(Household.id).where(Household.id.in_(hh), Household.version > 1),
                    select(Assistance.household_id).where(Assistance.household_id.in_(hh)),
                    select(SidilanDocument.household_id).where(SidilanDocument.household_id.in_(hh)),
                )
            )
        )
        for hid, pid in db.session.execute(
            select(Person.household_id, Person.id).where(Person.household_id.in_(hh))
        ):
            if pid not in mine:
                changed.add(hid)
        if changed:
            found.update(
                db.session.scalars(
                    select(Person.id).where(Person.household_id.in_(changed), Person.id.in_(ids))
                )
            )
    return sorted(i for i in found if i in mine)


def refusal(edited: list[int]) -> str:
    shown = ", ".join(f"#{i}" for i in edited[:SHOWN]) + (" …" if len(edited) > SHOWN else "")
    return (
        f"Impor tidak dapat dibatalkan: {len(edited)} data dari impor ini sudah diolah sejak diimpor ({shown}). "
        "Pembatalan hanya untuk impor yang seluruh datanya belum disentuh; perbaiki data itu satu per satu."
    )


def undo_batch(batch: ImportBatch, form, user) -> Outcome:
    """Take back a batch as a unit (reason required), in one transaction."""
    if batch.status == DIBATALKAN:
        return Outcome(repeated=True, refusals=[ALREADY])
    if not form.validate():
        return Outcome()
    if batch.status not in (SELESAI, GAGAL) and not stopped(batch):
        return Outcome(refusals=[RUNNING])
    if edited := edited_since(batch):
        return Outcome(refusals=[refusal(edited)])
    reason = form.alasan.data.strip()
    ids = batch.created_ids
    done = 0
    for chunk in _chunks(ids):
        done += db.session.execute(
            update(Person)
            .where(Person.id.in_(chunk), Person.version == 1, Person.active.is_(True))
            .values(active=False, household_id=None, version=Person.version + 1, updated_by_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.execute(delete(Disability).where(Disability.person_id.in_(chunk)))
        db.session.execute(
            delete(DuplicateCandidate).where(
                DuplicateCandidate.keputusan.is_(None),
                or_(DuplicateCandidate.person_a_id.in_(chunk), DuplicateCandidate.person_b_id.in_(chunk)),
            )
        )
    if done != len(ids):
        db.session.rollback()
        return Outcome(refusals=[CHANGED_MEANWHILE])
    for hh in _chunks(batch.household_ids):
        if db.session.scalar(select(func.count()).select_from(Person).where(Person.household_id.in_(hh))):
            db.session.rollback()
            return Outcome(refusals=[CHANGED_MEANWHILE])
        db.session.execute(delete(Household).where(Household.id.in_(hh), Household.version == 1))
    if ids:
        db.session.connection().execute(
            ChangeLog.__table__.insert(),
            [
                dict(
                    person_id=i,
                    entity="person",
                    field="impor dibatalkan",
                    old_value=None,
                    new_value=f"impor #{batch.id}: {reason}",
                    user_id=user.id,
                    at=utcnow(),
                )
                for i in ids
            ],
        )
    audit.record_many(
        "update", "sidilan_person", [(i, f"pembatalan impor #{batch.id}: orang #{i}") for i in ids], user
    )
    batch.status, batch.undone_at, batch.undone_by_id, batch.undo_reason = (
        DIBATALKAN,
        utcnow(),
        user.id,
        reason,
    )
    audit.record(
        "delete", "sidilan_import", batch.id, f"membatalkan impor #{batch.id} ({len(ids)} orang)", user=user
    )
    db.session.commit()
    return Outcome(record=batch)
