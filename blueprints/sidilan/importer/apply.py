"""Running an import (docs/sidilan.md §7.4): the run button opens an import batch (``start_import``); the run
itself (``run_import(batch_id, progress)``, what the background job calls) plans the rows again, keeps that plan
next to the upload, and writes the 'baru' rows in chunks of ``CHUNK`` rows, each its own short transaction with
bulk INSERTs, so a clerk's write never waits long for the database. The batch row records how far it got: a run
that stopped (an error, a killed worker) is resumed from its last committed chunk, or undone as a unit
(``undo.py``)."""

import json
import logging
from datetime import date, timedelta

from flask import abort, current_app, url_for
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from blueprints.auth.models import User
from blueprints.core import audit, jobs, submission
from blueprints.core.extensions import db
from blueprints.core.forms import KEY_MISSING
from blueprints.core.outcome import Outcome
from blueprints.core.scope import scoped
from blueprints.core.timeutil import today_local, utcnow

from .. import duplicates, quality
from ..disability import new_disability, ragam_data
from ..history import record_creations
from ..households import ADDRESS_FIELDS
from ..models import ChangeLog, Disability, Household, Person
from ..person import derived_values, new_person_values
from ..report_models import BERJALAN, GAGAL, MENUNGGU, SELESAI, ImportBatch
from .pending import _area, load_pending
from .plan import BARU, COCOK, DITOLAK, USUL, dry_run

UNDECIDED = "Mungkin sama dengan orang yang sudah terdaftar; belum diputuskan saat impor dijalankan, jadi tidak dibuat."

log = logging.getLogger(__name__)

CHUNK = 250  # rows per transaction (setting SIDILAN_IMPORT_CHUNK): the write lock is held about 0.2 s
STALE = timedelta(minutes=2)  # a running batch without progress this long has stopped (its worker died)
HOW = "impor spreadsheet"
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
    "catatan",
)
IMPORT_FAILED = (
    "Impor terhenti karena kesalahan. Bagian yang sudah tersimpan tetap ada: lanjutkan impor, atau batalkan "
    "seluruh impor ini."
)
UPLOAD_GONE = "Berkas unggahan impor ini sudah tidak ada (lebih dari sehari); impor tidak dapat dilanjutkan."
NOT_RESUMABLE = "Impor ini sedang berjalan atau sudah selesai."


def person_values(values: dict, source: str) -> dict:
    """An import row's values as the data of a new person (what the form's ``person.person_data`` gives)."""
    data = {k: values.get(k) for k in PERSON_KEYS}
    data.update(tgl_lahir_perkiraan=bool(data["tgl_lahir_perkiraan"]), sumber_data=source)
    return data


def chunk_size() -> int:
    return int(current_app.config.get("SIDILAN_IMPORT_CHUNK") or CHUNK)


# ---- the run button ---------------------------------------------------------------------------------


def start_import(token: str, form, user) -> Outcome:
    """Open the batch of a dry run (status 'menunggu'); its run follows (``run_import``). The upload's token is
    the run form's submission key: however often and from however many pages the run is sent, it opens one
    batch, and every later send lands on that batch's page."""
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
    batch = open_batch(pending, user)
    submission.remember(token, url_for("sidilan.import_batch", batch_id=batch.id))
    db.session.commit()
    return Outcome(record=batch)


def open_batch(pending, user) -> ImportBatch:
    """The batch of a mapped upload, waiting for its run (the caller commits)."""
    batch = ImportBatch(
        regency_id=user.regency_id,
        user_id=user.id,
        filename=pending.sheet.filename[:200],
        headers_json=json.dumps(pending.sheet.headers),
        token=pending.token,
        source=pending.source,
        status=MENUNGGU,
    )
    db.session.add(batch)
    db.session.flush()
    audit.record("create", "sidilan_import", batch.id, f"memulai impor #{batch.id}", user=user)
    return batch


def resume_import(batch: ImportBatch, user) -> Outcome:
    """The 'lanjutkan' button of a stopped batch: allowed when ``claim`` would take it."""
    if not resumable(batch):
        return Outcome(refusals=[NOT_RESUMABLE])
    audit.record("update", "sidilan_import", batch.id, f"melanjutkan impor #{batch.id}", user=user)
    db.session.commit()
    return Outcome(record=batch)


def stopped(batch: ImportBatch) -> bool:
    """Stopped part-way: by an error, or running without progress for ``STALE`` (its worker is gone)."""
    return batch.status == GAGAL or (
        batch.status == BERJALAN and (batch.progress_at is None or batch.progress_at < utcnow() - STALE)
    )


def resumable(batch: ImportBatch) -> bool:
    return batch.status == MENUNGGU or stopped(batch)


# ---- the run ----------------------------------------------------------------------------------------


def _claim(batch_id: int, user, job_id: int | None) -> bool:
    """Take the batch for this runner: one runner at a time, also when a job is sent twice."""
    now = utcnow()
    taken = db.session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.id == batch_id,
            or_(
                ImportBatch.status.in_((MENUNGGU, GAGAL)),
                (ImportBatch.status == BERJALAN)
                & (or_(ImportBatch.progress_at.is_(None), ImportBatch.progress_at < now - STALE)),
            ),
        )
        .values(status=BERJALAN, progress_at=now, job_id=job_id)
    ).rowcount
    if taken == 1:
        audit.record("update", "sidilan_import", batch_id, f"menjalankan impor #{batch_id}", user=user)
    db.session.commit()
    return taken == 1


def _plan_path(batch: ImportBatch):
    return _area() / f"batch-{batch.id}.plan"


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _make_plan(batch: ImportBatch, user) -> list[dict] | None:
    """The batch's plan: the dry run at the time of the run, kept beside the upload so a resumed run writes
    exactly the rows it planned (its earlier chunks are in the registry by then and would match)."""
    path = _plan_path(batch)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    pending = load_pending(batch.token or "", user)
    if pending is None:
        return None
    run = dry_run(pending, user, today_local()).decide(pending.decisions)
    todo = [
        {k: _plain(v) for k, v in r.values.items() if k in PERSON_KEYS + ("ragam", "ragam_text", "derajat")}
        | {"flags": r.warnings}
        for r in run.rows
        if r.status == BARU
    ]
    counts = run.counts
    batch.rows_total = len(run.rows)
    batch.created_count, batch.matched_count, batch.rejected_count = (
        counts[BARU],
        counts[COCOK],
        counts[DITOLAK] + counts[USUL],  # an undecided proposal is not created: it is in the rejects file
    )
    # the rejects file also lists the proposals nobody decided: not created, and it says why
    batch.rejected_json = json.dumps(
        [{"line": r.line, "cells": r.cells, "reasons": r.reasons} for r in run.rows if r.status == DITOLAK]
        + [{"line": r.line, "cells": r.cells, "reasons": [UNDECIDED]} for r in run.rows if r.status == USUL]
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(todo), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    batch.progress_at = utcnow()
    audit.record(
        "update",
        "sidilan_import",
        batch.id,
        f"rencana impor #{batch.id}: {len(todo)} baru, {batch.matched_count} cocok, {batch.rejected_count} ditolak",
        user=user,
    )
    db.session.commit()
    return todo


def _households(rows: list[dict], regency_id: int) -> tuple[dict[str, int], dict[str, dict]]:
    """No. KK -> id of the chunk's households already registered (one query), and the values of the missing
    ones (the first row's address), to create."""
    kks = sorted({r["no_kk"] for r in rows if r.get("no_kk")})
    found = dict(
        db.session.execute(
            select(Household.no_kk, Household.id).where(
                Household.regency_id == regency_id, Household.no_kk.in_(kks)
            )
        ).all()
    )
    missing: dict[str, dict] = {}
    for r in rows:
        if r.get("no_kk") and r["no_kk"] not in found and r["no_kk"] not in missing:
            missing[r["no_kk"]] = dict(
                regency_id=regency_id, no_kk=r["no_kk"], **{k: r.get(k) for k in ADDRESS_FIELDS}
            )
    return found, missing


def _new_ids(table, n: int) -> list[int]:
    """``n`` ids for new rows of ``table``: from its sequence on PostgreSQL; on SQLite the next ones after the
    highest, which is safe because the caller holds the write lock (one writer per file). Inserting with known
    ids lets one bulk INSERT write a chunk (an INSERT ... RETURNING in parameter order runs row by row)."""
    if n == 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        seq = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        return list(
            db.session.scalars(text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": seq, "n": n})
        )
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + n))


def _insert(table, rows: list[dict]) -> list[int]:
    """One bulk INSERT (Core, on the session's connection: every row with the same columns, NULLs included);
    the new ids in the order of ``rows``."""
    ids = _new_ids(table, len(rows))
    if rows:
        db.session.connection().execute(
            table.insert(), [dict(r, id=i) for r, i in zip(rows, ids, strict=True)]
        )
    return ids


def _disability_row(person_id: int, r: dict) -> dict:
    """The columns of the disability row ``new_disability`` builds (not added: the rows go in one INSERT)."""
    d = new_disability(person_id, r["ragam"], derajat=r["derajat"])
    return dict(ragam_data(r["ragam"]), person_id=person_id, derajat=d.derajat, ganda=d.ganda)


def _write_chunk(batch: ImportBatch, rows: list[dict], user, source: str) -> tuple[list[int], list[int]]:
    """One chunk of planned rows as draft persons with their trail, disability and duplicate cases; returns
    (person ids, household ids created). Everything is read and worked out first, then written in a few bulk
    INSERTs, so the write lock is held only for those. The caller commits."""
    households, missing = _households(rows, user.regency_id)
    people = []
    for r in rows:
        data = person_values(r, source)
        if data["tanggal_lahir"]:
            data["tanggal_lahir"] = date.fromisoformat(data["tanggal_lahir"])
        people.append(new_person_values(derived_values(data, None), user))
    pairs = duplicates.import_pairs(people, user.regency_id)
    batch.progress_at = utcnow()
    db.session.flush()  # the chunk's first write: from here on this transaction holds SQLite's write lock
    created_households = _insert(Household.__table__, list(missing.values()))
    households.update(zip(missing, created_households, strict=True))
    for p in people:
        p["household_id"] = households.get(p["no_kk"])
    ids = _insert(Person.__table__, people)
    record_creations(ids, user, HOW)
    with_ragam = [_disability_row(pid, r) for pid, r in zip(ids, rows, strict=True) if r["ragam"]]
    if with_ragam:
        db.session.connection().execute(Disability.__table__.insert(), with_ragam)
    texts = [  # the original wording stays on the record's history (docs/sidilan.md §7.4)
        dict(
            person_id=pid,
            entity="disability",
            field="ragam (teks asli impor)",
            old_value=None,
            new_value=r["ragam_text"],
            user_id=user.id,
        )
        for pid, r in zip(ids, rows, strict=True)
        if r["ragam_text"]
    ]
    if texts:
        db.session.connection().execute(ChangeLog.__table__.insert(), texts)
    quality.flag_created(ids, [r.get("flags") or () for r in rows], user.regency_id, batch.id)
    duplicates.open_import_cases(pairs, ids, user.regency_id)
    return ids, created_households


def _owner(batch_id: int):
    """The batch (through its owner's scope) and its owner: the run acts as the clerk who pressed the button."""
    owner_id = db.session.scalar(select(ImportBatch.user_id).where(ImportBatch.id == batch_id))
    user = db.session.get(User, owner_id) if owner_id else None
    if user is None:
        return None, None
    return db.session.scalar(scoped(ImportBatch, user).where(ImportBatch.id == batch_id)), user


def _fail(batch_id: int, user, why: str, done: int) -> None:
    db.session.rollback()
    # no traceback: the driver's message quotes the row's values (names), which never go to a log
    log.error("sidilan import #%s stopped after %s rows (%s)", batch_id, done, why)
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(status=GAGAL))
    audit.record(
        "update", "sidilan_import", batch_id, f"impor #{batch_id} terhenti setelah {done} baris", user=user
    )
    db.session.commit()


def run_import(batch_id: int, progress=None, job_id: int | None = None) -> ImportBatch | None:
    """Run, or resume, a batch: plan, then one transaction per chunk from the last committed one, then the
    batch is 'selesai'. ``progress(done, total, message)`` is told after every chunk. Returns the batch (its
    status says how it ended), or None when another runner has it or it is not there."""
    batch, user = _owner(batch_id)
    if batch is None or not _claim(batch_id, user, job_id):
        return None
    db.session.refresh(batch)
    try:
        todo = _make_plan(batch, user)
    except SQLAlchemyError as exc:
        _fail(batch_id, user, type(exc).__name__, 0)
        return db.session.get(ImportBatch, batch_id)
    if todo is None:
        _fail(batch_id, user, "the upload is gone", 0)
        return db.session.get(ImportBatch, batch_id)
    size = chunk_size()
    ids, households = batch.created_ids, batch.household_ids
    if progress:
        progress(batch.rows_done, len(todo), _said(batch))
    while batch.rows_done < len(todo):
        done = batch.rows_done
        rows = todo[done : done + size]
        try:
            new_ids, new_households = _write_chunk(batch, rows, user, batch.source)
            ids, households = ids + new_ids, households + new_households
            batch.created_ids_json, batch.households_json = json.dumps(ids), json.dumps(households)
            batch.rows_done += len(rows)
            batch.progress_at = utcnow()
            db.session.commit()
        except SQLAlchemyError as exc:
            _fail(batch_id, user, type(exc).__name__, done)
            return db.session.get(ImportBatch, batch_id)
        if progress:
            progress(batch.rows_done, len(todo), _said(batch))
    batch.status, batch.finished_at = SELESAI, utcnow()
    audit.record(
        "update",
        "sidilan_import",
        batch.id,
        f"impor #{batch.id}: {len(ids)} baru, {batch.matched_count} cocok, {batch.rejected_count} ditolak",
        user=user,
    )
    db.session.commit()
    _plan_path(batch).unlink(missing_ok=True)
    pending = load_pending(batch.token or "", user)
    if pending is not None:
        pending.discard()
    return batch


def _said(batch: ImportBatch) -> str:
    return (
        f"Impor #{batch.id}: {batch.rows_done:,} dari {batch.created_count:,} data baru tersimpan.".replace(
            ",", "."
        )
    )


# ---- as a background job (core.jobs) ----------------------------------------------------------------


@jobs.job("sidilan_import", record_type="sidilan_import")
def import_job(job, progress):
    """The run of ``job.params["batch"]`` on the job queue; its page shows the chunks' progress."""
    batch = run_import(int(job.params["batch"]), progress, job.id)
    if batch is None:
        raise jobs.JobError(NOT_RESUMABLE)
    if batch.status != SELESAI:
        raise jobs.JobError(IMPORT_FAILED)
    progress(batch.rows_done, batch.created_count, done_message(batch))


def done_message(batch: ImportBatch) -> str:
    return (
        f"Impor #{batch.id} selesai: {batch.created_count} data baru dibuat (draf), {batch.matched_count} cocok "
        f"dengan data yang ada, {batch.rejected_count} ditolak. Lihat Riwayat impor."
    )


def queue_run(batch: ImportBatch, user):
    """Send the batch's run to the job queue: (the job, whether it is new)."""
    return jobs.start(
        "sidilan_import", f"Impor {batch.filename or f'#{batch.id}'}"[:120], {"batch": batch.id}, user
    )
