"""Quarterly DTSEN/DTKS reconciliation by NIK (docs/sidilan.md §10, §13.5): a clerk uploads an extract (.xlsx or
.csv with a NIK column and optionally name and nagari), read with the import's reader; each row is matched by
NIK against the regency's live registry. The run is stored (who, when, file hash, counts, the extract's rows), so
its results page can be opened again:

- *usulan*: registered live people whose NIK is not in the extract, grouped per nagari, to be proposed at the
  musyawarah nagari (exported per nagari as .xlsx);
- *the reverse*: extract rows whose NIK is not registered in this regency.

Live persons without a NIK cannot be matched; they are counted apart. The set-based match reads the regency's
NIKs once and inserts the extract's rows in one statement, so the 20,000-row cap of the reader stays a request."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import url_for
from sqlalchemy import and_, exists, func, select

from blueprints.core import audit, jobs, submission
from blueprints.core.extensions import db
from blueprints.core.fmt import angka, tanggal
from blueprints.core.nik import mask_nik
from blueprints.core.outcome import Outcome
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.uploads import upload_area, write_private
from blueprints.wilayah.models import Jorong, Wilayah

from . import exporter
from .access import may_see_nik
from .importer import ImportFileError, read_upload
from .importer.parse import normalise_header
from .importer.read import FIELD_BY_KEY
from .models import Person
from .search import live
from .settings import setting
from .usulan_models import ReconcileRow, ReconcileRun

SOURCES = {"dtsen": "DTSEN", "dtks": "DTKS"}
NO_NIK_COLUMN = "Kolom NIK tidak ditemukan di baris judul berkas. Beri judul kolom “NIK” lalu unggah lagi."
_NIK = re.compile(r"\d{16}")
_EXTRA_HEADERS = {"nama": ("nama kepala keluarga", "nama art", "nama anggota keluarga")}


def _column(headers: list[str], key: str) -> int | None:
    norm = [normalise_header(h) for h in headers]
    synonyms = FIELD_BY_KEY[key].synonyms + _EXTRA_HEADERS.get(key, ())
    for col, h in enumerate(norm):
        if h in synonyms:
            return col
    for col, h in enumerate(norm):
        if h and any(len(s) > 3 and re.search(rf"\b{re.escape(s)}\b", h) for s in synonyms):
            return col
    return None


def clean_nik(text: str) -> str | None:
    """A NIK as spreadsheets carry it (leading apostrophe, spaces, dots) as 16 digits, else None."""
    digits = re.sub(r"[\s.'’`-]", "", text or "")
    return digits if _NIK.fullmatch(digits) else None


def live_niks(regency_id: int) -> dict[str, tuple[int, bool]]:
    """NIK -> (person id, alive) of the regency's live registry."""
    stmt = live(select(Person.nik, Person.id, Person.status_hidup)).where(
        Person.regency_id == regency_id, Person.nik.is_not(None)
    )
    return {nik: (pid, status == "hidup") for nik, pid, status in db.session.execute(stmt)}


def _missing_stmt(run: ReconcileRun, *columns):
    """Living persons of the run's live registry with a NIK that the run's extract does not hold (a deceased
    person is not proposed for the musyawarah)."""
    in_extract = exists().where(ReconcileRow.run_id == run.id, ReconcileRow.nik == Person.nik)
    return live(select(*columns)).where(
        Person.regency_id == run.regency_id,
        Person.nik.is_not(None),
        Person.status_hidup == "hidup",
        ~in_extract,
    )


def run_reconcile(form, user) -> Outcome:
    """Read the uploaded extract, match it and store the run (audited). ``Outcome.record`` is the run; an
    extract larger than SIDILAN_RECONCILE_JOB_BYTES is kept privately and matched by a background job instead
    (``Outcome.data["job"]``: its page; the upload page then lists the run)."""
    if not form.validate():
        return Outcome()
    if replay := submission.claim(form.submission_key.data):
        return Outcome(replay=replay)
    upload = form.berkas.data
    data = upload.read()
    filename = (upload.filename or "")[:200]
    if len(data) > int(setting("SIDILAN_RECONCILE_JOB_BYTES")):
        return _start_job(form, data, filename, user)
    try:
        run = match_and_store(data, filename, form.sumber.data, user)
    except ReconcileFileError as exc:
        db.session.rollback()
        form.berkas.errors.append(str(exc))
        return Outcome()
    submission.remember(form.submission_key.data, url_for("sidilan.reconcile_run", run_id=run.id))
    db.session.commit()
    return Outcome(record=run)


class ReconcileFileError(ValueError):
    """The extract cannot be read or has no NIK column: the clerk's message."""


def match_and_store(data: bytes, filename: str, sumber: str, user, progress=None) -> ReconcileRun:
    """Read ``data``, match it by NIK against ``user``'s regency and add the run and its rows (audited, not
    committed). ``progress(done, total, message)``: a job's progress callback."""
    try:
        sheet = read_upload(filename, data)
    except ImportFileError as exc:
        raise ReconcileFileError(str(exc)) from exc
    nik_col = _column(sheet.headers, "nik")
    if nik_col is None:
        raise ReconcileFileError(NO_NIK_COLUMN)
    if progress:
        progress(0, None, "Berkas terbaca; mencocokkan NIK dengan data terdaftar.")
    name_col, nagari_col = _column(sheet.headers, "nama"), _column(sheet.headers, "nagari")
    registry = live_niks(user.regency_id)
    rows, seen = [], set()
    for line, cells, numeric in sheet.data_rows():
        nik = clean_nik(cells[nik_col]) if nik_col < len(cells) else None
        if nik and nik_col in numeric and nik.endswith("0"):
            nik = None  # a number cell keeps 15 digits: a final 0 may be a lost digit, so it matches nobody
        pid = registry[nik][0] if nik in registry else None
        rows.append(
            dict(
                line=line,
                nik=nik,
                nama=(cells[name_col] if name_col is not None else "").strip()[:120],
                nagari=(cells[nagari_col] if nagari_col is not None else "").strip()[:120],
                person_id=pid,
                valid=nik is not None,
            )
        )
        if nik:
            seen.add(nik)
    run = ReconcileRun(
        regency_id=user.regency_id,
        user_id=user.id,
        filename=filename,
        file_sha256=hashlib.sha256(data).hexdigest(),
        sumber=sumber,
        rows_total=len(rows),
        invalid_count=sum(1 for r in rows if not r["valid"]),
        matched_count=sum(1 for r in rows if r["person_id"] is not None),
        extra_count=sum(1 for r in rows if r["valid"] and r["person_id"] is None),
        missing_count=sum(1 for nik, (_, alive) in registry.items() if alive and nik not in seen),
        no_nik_count=db.session.scalar(
            live(select(func.count()).select_from(Person)).where(
                Person.regency_id == user.regency_id, Person.nik.is_(None)
            )
        ),
    )
    db.session.add(run)
    db.session.flush()
    if rows:
        db.session.execute(ReconcileRow.__table__.insert(), [{**r, "run_id": run.id} for r in rows])
    audit.record(
        "create",
        "sidilan_reconcile",
        run.id,
        f"rekonsiliasi {SOURCES[run.sumber]} #{run.id}: {run.rows_total} baris, {run.missing_count} usulan",
        user=user,
    )
    return run


# ---- a large extract on the background worker (core.jobs) -------------------------------------------------


def _job_file(token: str) -> Path:
    return upload_area("sidilan_reconcile") / f"{token}.bin"


def _start_job(form, data: bytes, filename: str, user) -> Outcome:
    token = secrets.token_hex(16)
    write_private(_job_file(token), data)
    params = {"token": token, "filename": filename, "sumber": form.sumber.data}
    row, _ = jobs.start(
        "sidilan_reconcile",
        f"Rekonsiliasi {SOURCES[form.sumber.data]} {filename or 'berkas'}"[:120],
        params,
        user,
        result_url=url_for("sidilan.reconcile_upload"),
    )
    target = url_for("jobs.show", id=row.id)
    submission.remember(form.submission_key.data, target)
    db.session.commit()
    return Outcome(data={"job": target})


@jobs.job("sidilan_reconcile", record_type="sidilan_reconcile")
def reconcile_in_job(job, progress) -> None:
    """Match the kept extract of ``job.params["token"]`` as its owner; the file goes once it is read."""
    path = _job_file(job.params["token"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise jobs.JobError("Berkas unggahan rekonsiliasi ini sudah tidak ada. Unggah lagi.") from exc
    try:
        run = match_and_store(data, job.params["filename"], job.params["sumber"], job.owner, progress)
    except ReconcileFileError as exc:
        raise jobs.JobError(str(exc)) from exc
    finally:
        path.unlink(missing_ok=True)
    db.session.commit()
    progress(
        run.rows_total,
        run.rows_total,
        f"Rekonsiliasi selesai: {angka(run.rows_total)} baris, {angka(run.matched_count)} cocok, "
        f"{angka(run.missing_count)} usulan, {angka(run.extra_count)} tidak terdaftar di kabupaten ini.",
    )


def run_or_404(run_id: int) -> ReconcileRun:
    return get_scoped_or_404(ReconcileRun, run_id)


def missing_per_nagari(run: ReconcileRun) -> list[tuple[str | None, str, int]]:
    """(nagari code, nagari name, usulan count) of the run's usulan, by nagari name."""
    stmt = (
        _missing_stmt(run, Person.nagari_code, Wilayah.name, func.count())
        .select_from(Person)
        .outerjoin(Wilayah, Wilayah.code == Person.nagari_code)
        .group_by(Person.nagari_code, Wilayah.name)
        .order_by(Wilayah.name)
    )
    return [(code, name or "(tanpa nagari)", n) for code, name, n in db.session.execute(stmt)]


NO_NAGARI = "-"  # the URL's nagari for persons without one


def missing_stmt_for(run: ReconcileRun, nagari: str):
    """The usulan of one nagari as rows (id, NIK, name, sex, birth date, jorong name), by name."""
    stmt = (
        _missing_stmt(
            run,
            Person.id,
            Person.nik,
            Person.nama_lengkap,
            Person.jenis_kelamin,
            Person.tanggal_lahir,
            Jorong.name,
            Person.alamat,
        )
        .select_from(Person)
        .outerjoin(Jorong, Jorong.id == Person.jorong_id)
        .order_by(Person.name_search, Person.id)
    )
    if nagari == NO_NAGARI:
        return stmt.where(Person.nagari_code.is_(None))
    return stmt.where(Person.nagari_code == nagari)


def extra_stmt(run: ReconcileRun):
    """The extract's rows not in the registry (valid NIK, no match), in file order."""
    return (
        select(ReconcileRow)
        .where(and_(ReconcileRow.run_id == run.id, ReconcileRow.valid.is_(True)))
        .where(ReconcileRow.person_id.is_(None))
        .order_by(ReconcileRow.line)
    )


def invalid_stmt(run: ReconcileRun):
    return (
        select(ReconcileRow)
        .where(ReconcileRow.run_id == run.id, ReconcileRow.valid.is_(False))
        .order_by(ReconcileRow.line)
    )


USULAN_HEADERS = [
    "No",
    "NIK",
    "Nama lengkap",
    "Jenis kelamin",
    "Tanggal lahir",
    "Jorong",
    "Alamat",
    "Catatan",
]


@dataclass
class NagariFile:
    payload: bytes
    filename: str
    count: int


def usulan_file(run: ReconcileRun, nagari: str, nagari_name: str, user) -> NagariFile:
    """The usulan list of one nagari for the musyawarah (.xlsx, watermarked; NIK masked unless the role may
    see it). Audited as an export."""
    show = may_see_nik(user)
    data = (
        [
            i,
            nik if show else mask_nik(nik),
            name,
            "Laki-laki" if sex == "L" else "Perempuan" if sex == "P" else "",
            tanggal(born) if born else "",
            jorong or "",
            alamat or "",
            "",
        ]
        for i, (_pid, nik, name, sex, born, jorong, alamat) in enumerate(
            db.session.execute(missing_stmt_for(run, nagari)), start=1
        )
    )
    mark = exporter.watermark(user)
    mark = f"Usulan {SOURCES[run.sumber]} Nagari {nagari_name} (rekonsiliasi #{run.id}) · {mark}"
    payload, count = exporter.to_xlsx(mark, data, USULAN_HEADERS, "Usulan", spacer=False)
    slug = re.sub(r"[^a-z0-9]+", "-", nagari_name.lower()).strip("-") or "nagari"
    audit.record(
        "export",
        "sidilan_reconcile",
        run.id,
        f"ekspor usulan rekonsiliasi #{run.id} nagari {nagari} (xlsx, {count} orang)",
        user=user,
    )
    return NagariFile(payload, f"usulan-{run.id}-{slug}.xlsx", count)
