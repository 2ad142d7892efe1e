"""Running an import: the rows of a dry run that passed become draft persons, built by the same
``person.build_person`` as a typed registration and starting the same trail; all in one transaction."""

import json
import logging

from flask import abort, url_for
from sqlalchemy.exc import SQLAlchemyError

from blueprints.core import audit, submission
from blueprints.core.extensions import db
from blueprints.core.forms import KEY_MISSING
from blueprints.core.outcome import Outcome

from .. import duplicates
from ..disability import new_disability
from ..history import record_creation
from ..models import ChangeLog
from ..person import build_person
from ..report_models import ImportBatch
from .pending import load_pending
from .plan import BARU, COCOK, DITOLAK, DryRun, dry_run

log = logging.getLogger(__name__)

# The values of an import row that are the person's own columns (the rest describe the disability or the
# place as read).
PERSON_KEYS = (
    "nik",
    "alasan_tanpa_nik",
    "no_kk",
    "hubungan_keluarga",
    "nama_lengkap",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "tgl_lahir_perkiraan",
    "no_hp",
    "alamat",
    "kecamatan_code",
    "nagari_code",
    "jorong_id",
    "rt",
    "rw",
)
IMPORT_FAILED = "Impor gagal dan dibatalkan seluruhnya; tidak ada data yang tersimpan. Coba lagi."


def person_values(values: dict, source: str) -> dict:
    """An import row's values as the data of a new person (what the form's ``person.person_data`` gives)."""
    data = {k: values.get(k) for k in PERSON_KEYS}
    data.update(tgl_lahir_perkiraan=bool(data["tgl_lahir_perkiraan"]), sumber_data=source)
    return data


def apply(run: DryRun, user, source: str = "impor_sidilan") -> list[int]:
    """Create the 'baru' rows (the caller commits, once). Duplicate review rows open as on a manual save.
    Rows are written in a few bulk flushes, not one per person, so a full file fits in one request."""
    todo = [r for r in run.rows if r.status == BARU]
    with db.session.no_autoflush:
        people = [build_person(person_values(r.values, source), user) for r in todo]
        db.session.add_all(people)
    db.session.flush()
    for r, person in zip(todo, people, strict=True):
        v = r.values
        record_creation(person, user, "impor spreadsheet")
        if v["ragam"]:
            db.session.add(new_disability(person.id, v["ragam"], derajat=v["derajat"]))
        if v["ragam_text"]:  # the original wording stays on the record's history (docs/sidilan.md §7.4)
            db.session.add(
                ChangeLog(
                    person_id=person.id,
                    entity="disability",
                    field="ragam (teks asli impor)",
                    old_value=None,
                    new_value=v["ragam_text"],
                    user_id=user.id,
                )
            )
    db.session.flush()
    with db.session.no_autoflush:  # everything is flushed; record_duplicates flushes what it adds
        for person in people:
            duplicates.record_duplicates(person)
    return [p.id for p in people]


def _batch(run: DryRun, pending, user) -> ImportBatch:
    counts = run.counts
    return ImportBatch(
        regency_id=user.regency_id,
        user_id=user.id,
        filename=pending.sheet.filename[:200],
        rows_total=len(run.rows),
        created_count=counts[BARU],
        matched_count=counts[COCOK],
        rejected_count=counts[DITOLAK],
        headers_json=json.dumps(pending.sheet.headers),
        rejected_json=json.dumps(
            [
                {"line": r.line, "cells": r.cells, "reasons": r.reasons}
                for r in run.rows
                if r.status == DITOLAK
            ]
        ),
    )


def run_import(token: str, form, user, today) -> Outcome:
    """Import the rows of a dry run that passed, all in one transaction. The upload's token is the run form's
    submission key: however often and from however many pages the run is sent, it imports once, and every
    later send lands on the batch report."""
    if not form.validate() or form.submission_key.data != token:
        if not form.submission_key.errors:
            form.submission_key.errors = [KEY_MISSING]
        form.submission_key.data = token
        return Outcome()
    if replay := submission.claim(token):
        return Outcome(replay=replay)
    pending = load_pending(token, user)
    if pending is None:
        db.session.rollback()
        abort(404)
    if not pending.mapped:
        db.session.rollback()
        return Outcome(redirect=url_for("sidilan.import_mapping", token=token))
    run = dry_run(pending, user, today)
    batch = _batch(run, pending, user)
    try:
        created = apply(run, user, pending.source)
        batch.created_ids_json = json.dumps(created)
        db.session.add(batch)
        db.session.flush()
        audit.record(
            "create",
            "sidilan_import",
            batch.id,
            f"impor #{batch.id}: {len(created)} baru, "
            f"{batch.matched_count} cocok, {batch.rejected_count} ditolak",
            user=user,
        )
        submission.remember(token, url_for("sidilan.import_batch", batch_id=batch.id))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        # no traceback: the driver's message quotes the row's values (names), which never go to a log
        log.error(
            "sidilan import failed and was rolled back (%s, %s rows)", type(exc).__name__, len(run.rows)
        )
        return Outcome(refusals=[IMPORT_FAILED], redirect=url_for("sidilan.import_preview", token=token))
    pending.discard()
    return Outcome(record=batch)
