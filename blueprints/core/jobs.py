"""Background jobs: long work (regency exports, many-page PDFs, imports) runs on a Huey queue, outside the request.

- One Huey instance per app, made from its config by ``init_app``: ``SqliteHuey`` on ``JOBS_QUEUE_FILE`` (default
  ``instance/jobs.sqlite``), ``RedisHuey`` when ``REDIS_URL`` is set, Huey's own immediate mode with
  ``JOBS_IMMEDIATE`` (tests: the task runs at once, in the caller's thread). The worker is ``flask jobs worker``.
- A module registers a kind from its own package with ``@job("sidilan_export", record_type="sidilan_person")``;
  the function gets the ``Job`` row and a ``progress(done, total, message)`` callback, reads ``job.params`` and
  ``job.owner``, and returns a ``Result`` (the file, its name, what the audit log says) or None.
- A GET never starts work (a crawler, a prefetch or a reload must not): a use case answers an ``Offer`` (or a
  ``FileOrJob`` holding one) for work over its threshold. ``Offer.response()`` answers the GET of the URL with a
  small page that says the file will be made in the background and a "Buat berkas" button (a POST form to the
  same URL, CSRF-protected like every form); the POST starts the job (``start(kind, label, params, user)``) and
  redirects to its progress page (``page_of(job)``, Post/Redirect/Get). The same owner, kind and params while
  one is waiting or running answer with that job (``active_key``, unique): a double tap makes one job.
- A job that makes no file but a page (the import's dry run) carries ``result_url``, set when it starts: the
  job page links there once it is done.
- The runner writes the result into the private upload dir (``upload_area("jobs")``), marks the job ``selesai``
  and records the export/print in the audit log; the download records it again (``jobs`` blueprint). A failure
  marks it ``gagal`` with a safe message (``JobError``'s text, else a generic one) and logs only the job id, kind
  and exception type: never a message that may quote personal data. A finished job keeps no params (they may
  hold a search text).
"""

import contextvars
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, abort, current_app, redirect, request, url_for
from flask.cli import AppGroup
from sqlalchemy import ForeignKey, Index, Integer, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit
from .export import download
from .extensions import db
from .render import render
from .scope import scoped
from .timeutil import UTCDateTime, utcnow
from .uploads import upload_area, write_private

_log = logging.getLogger(__name__)
_KEY = "sinergi.jobs"

WAITING, RUNNING, DONE, FAILED = "menunggu", "berjalan", "selesai", "gagal"
STATUS_LABELS = {WAITING: "Menunggu", RUNNING: "Berjalan", DONE: "Selesai", FAILED: "Gagal"}
ACTIVE = (WAITING, RUNNING)
FAILED_MESSAGE = "Pekerjaan gagal karena kesalahan sistem. Silakan coba lagi atau hubungi admin."
LOST_MESSAGE = "Jenis pekerjaan ini tidak dikenal lagi oleh aplikasi."
STOPPED_MESSAGE = "Pekerjaan terhenti karena pekerja latar belakang dimulai ulang. Silakan mulai lagi."


class Job(db.Model):
    __tablename__ = "job"
    # "Pekerjaan saya": one user's jobs, newest first, read straight off this index
    __table_args__ = (Index("ix_job_owner_created", "owner_id", "created_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    # "<owner>:<kind>:<hash of params>" while waiting or running, NULL after: one at a time per export.
    active_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=WAITING)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(200), default="")  # never personal data
    record_type: Mapped[str | None] = mapped_column(String(40))  # the audit object type of the result
    audit_action: Mapped[str] = mapped_column(String(10), default="export")  # export or print
    result_path: Mapped[str | None] = mapped_column(String(255))  # under upload_area("jobs")
    result_name: Mapped[str | None] = mapped_column(String(120))
    result_mimetype: Mapped[str | None] = mapped_column(String(100))
    result_url: Mapped[str | None] = mapped_column(String(300))  # the page of a result that is no file
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner = relationship("User")

    @classmethod
    def scope_clause(cls, user):
        return cls.owner_id == user.id

    @property
    def params(self) -> dict:
        return json.loads(self.params_json or "{}")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def has_file(self) -> bool:
        return self.status == DONE and bool(self.result_path)

    @property
    def has_page(self) -> bool:
        return self.status == DONE and bool(self.result_url)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else (100 if self.status == DONE else 0)


@dataclass(frozen=True)
class Result:
    """What a job made: the file and the audit summary of making it (no NIK, name or diagnosis)."""

    data: bytes
    filename: str
    mimetype: str
    summary: str
    message: str = ""  # shown on the job page when done (counts, not people)


@dataclass(frozen=True)
class Offer:
    """Work a user may start as a background job: the GET of its URL shows what will be made and a button, the
    POST of the same URL starts it (or finds the same one still under way) and redirects to its page."""

    kind: str
    label: str
    params: dict
    user: object
    total: int = 0
    unit: str = "baris"  # what ``total`` counts, shown on the page
    button: str = "Buat berkas"
    intro: str = "Berkas ini besar, jadi dibuat di latar belakang."
    result_url: str | None = None  # the page the job's result is shown on (a job that makes no file)

    def start(self) -> "Job":
        return start(self.kind, self.label, self.params, self.user, self.total, self.result_url)[0]

    def started(self):
        """Start it now (the answer to a POST the user sent for it): its progress page."""
        return page_of(self.start(), 302)

    def response(self):
        """GET: the page with the button; POST: the job started, its progress page."""
        if request.method == "POST":
            return self.started()
        audit.nothing_shown()  # a label and a count: what the file will hold is read when it is made
        # the same URL with the query the GET read, as it came (never url_for's own _external/_scheme from it)
        query = request.query_string.decode("ascii", "replace")
        action = url_for(request.endpoint, **(request.view_args or {})) + (f"?{query}" if query else "")
        return render("jobs/offer.html", offer=self, action=action)


@dataclass(frozen=True)
class FileOrJob:
    """A use case's answer for a file that may take long: the file made now, or the background job to make it."""

    payload: bytes = b""
    filename: str = ""
    offer: Offer | None = None
    inline: bool = False  # shown in the browser (a PDF) rather than saved

    def response(self):
        if self.offer is not None:
            return self.offer.response()
        return download(self.payload, self.filename, self.inline)


def page_of(row: "Job", code: int = 303):
    """The answer to the request that started (or found) a job: its progress page (a form's POST answers with
    the app's usual 302 of Post/Redirect/Get)."""
    return redirect(url_for("jobs.show", id=row.id), code)


class JobError(Exception):
    """A failure whose text is safe to show the user and to store (no personal data)."""


@dataclass(frozen=True)
class Kind:
    name: str
    func: Callable
    record_type: str | None
    action: str


_KINDS: dict[str, Kind] = {}


def job(name: str, record_type: str | None = None, action: str = "export"):
    """Register a job kind: ``func(job, progress) -> Result | None``. ``action`` (export or print) and
    ``record_type`` are what the audit log records when the file is made and when it is downloaded."""
    if action not in ("export", "print"):
        raise ValueError(f"job action {action!r}: export or print")

    def decorate(func):
        _KINDS[name] = Kind(name, func, record_type, action)
        return func

    return decorate


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


# ---- the queue -----------------------------------------------------------------------------------------------


def _make_huey(app: Flask):
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    if app.config.get("JOBS_IMMEDIATE"):
        return MemoryHuey("sinergi", immediate=True, utc=True)
    if app.config.get("REDIS_URL"):
        return RedisHuey("sinergi", url=app.config["REDIS_URL"], utc=True)
    path = app.config.get("JOBS_QUEUE_FILE") or str(Path(app.instance_path) / "jobs.sqlite")
    return SqliteHuey("sinergi", filename=path, utc=True)


def init_app(app: Flask) -> None:
    """The app's Huey and its one task, ``run_job(job_id)``, bound to this app (the worker's ``create_app()``)."""
    huey = _make_huey(app)

    @huey.task(name="sinergi.run_job")
    def run_job(job_id: int) -> None:
        # As in the worker, also in immediate mode: no request, no logged-in user, a session of its own.
        contextvars.Context().run(_run, app, job_id)

    app.extensions[_KEY] = {"huey": huey, "run_job": run_job, "periodic": {}}
    app.cli.add_command(_cli)


_PERIODIC: list[Callable] = []


def periodic(hook: Callable) -> Callable:
    """Register ``hook(app, huey) -> task``, which adds a periodic task to the app's Huey
    (``huey.periodic_task(crontab(...))``), from a module's own package. The worker installs them at start."""
    _PERIODIC.append(hook)
    return hook


def install_periodic(app: Flask) -> dict:
    """The periodic tasks of every registered hook on this app's Huey (once per app): {name: task}."""
    installed = app.extensions[_KEY]["periodic"]
    for hook in _PERIODIC:
        if hook.__qualname__ not in installed:
            installed[hook.__qualname__] = hook(app, app.extensions[_KEY]["huey"])
    return installed


def huey_of(app: Flask | None = None):
    return (app or current_app).extensions[_KEY]["huey"]


def _params_key(owner_id: int, kind: str, params: dict) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"{owner_id}:{kind}:{digest}"


def _active(key: str) -> Job | None:
    return db.session.scalar(select(Job).where(Job.active_key == key))


def start(
    kind: str, label: str, params: dict, user, total: int = 0, result_url: str | None = None
) -> tuple[Job, bool]:
    """Queue a job of ``kind`` for ``user``: (job, True), committed and enqueued; or (the waiting/running job
    of the same owner, kind and params, False). ``params`` must be JSON (ids, dates as ISO text, codes).
    Call it from a POST only (``Offer``): a GET must not start work."""
    registered = _KINDS[kind]
    key = _params_key(user.id, kind, params)
    existing = _active(key)
    if existing is not None:
        return existing, False
    row = Job(
        owner_id=user.id,
        regency_id=user.regency_id,
        kind=kind,
        label=label[:120],
        params_json=json.dumps(params, sort_keys=True, default=str),
        active_key=key,
        status=WAITING,
        total=total,
        result_url=result_url[:300] if result_url else None,
        record_type=registered.record_type,
        audit_action=registered.action,
    )
    db.session.add(row)
    try:
        db.session.flush()
        job_id = row.id  # read before the commit: nothing of this session may be open while the job runs
        db.session.commit()
    except IntegrityError:  # the same export started at the same moment in another request
        db.session.rollback()
        existing = _active(key)
        if existing is None:
            raise
        return existing, False
    current_app.extensions[_KEY]["run_job"](job_id)
    db.session.expire_all()  # in immediate mode the job ran meanwhile, in a session of its own
    return db.session.get(Job, job_id), True


# ---- running one ---------------------------------------------------------------------------------------------


def _set(app: Flask, job_id: int, **values) -> None:
    """Write job fields in a short transaction of their own, so the job page sees them while the job runs."""
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()
        db.session.remove()


def _progress_for(app: Flask, job_id: int) -> Callable:
    def progress(done: int, total: int | None = None, message: str | None = None) -> None:
        """Commit progress (call it with no uncommitted writes of your own on SQLite: one writer per file)."""
        values = {"done": max(0, int(done))}
        if total is not None:
            values["total"] = max(0, int(total))
        if message is not None:
            values["message"] = message[:200]
        _set(app, job_id, **values)

    return progress


def _store(job_id: int, result: Result) -> str:
    folder = upload_area("jobs")
    name = f"{job_id}-{secrets.token_hex(8)}"
    write_private(folder / name, result.data)
    return name


def _run(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            row = db.session.get(Job, job_id)
            if row is None or row.status not in ACTIVE:
                return
            kind = _KINDS.get(row.kind)
            if kind is None:
                _finish_failed(app, job_id, LOST_MESSAGE, "unknown kind")
                return
            _set(app, job_id, status=RUNNING, started_at=utcnow())
            db.session.refresh(row)
            result = kind.func(row, _progress_for(app, job_id))
            # End the function's transaction (it only read, or committed its own chunks) without undoing the
            # progress written meanwhile, then write the outcome.
            db.session.commit()
            row = db.session.get(Job, job_id)
            values = {"status": DONE, "finished_at": utcnow(), "active_key": None, "params_json": "{}"}
            if result is not None:
                values.update(
                    result_path=_store(job_id, result),
                    result_name=result.filename[:120],
                    result_mimetype=result.mimetype[:100],
                    message=(result.message or row.message or "")[:200],
                )
                if row.total and row.done < row.total:
                    values["done"] = row.total
                audit.record(
                    row.audit_action,
                    row.record_type,
                    None,
                    f"pekerjaan #{job_id}: {result.summary}",
                    user=row.owner,
                    regency_id=row.regency_id,
                )
            db.session.execute(update(Job).where(Job.id == job_id).values(**values))
            db.session.commit()
        except JobError as exc:
            db.session.rollback()
            _finish_failed(app, job_id, str(exc), "refused")
        except Exception as exc:  # a job never takes the worker down; the log names no person
            db.session.rollback()
            _finish_failed(app, job_id, FAILED_MESSAGE, type(exc).__name__)
        finally:
            db.session.remove()


def _finish_failed(app: Flask, job_id: int, message: str, reason: str) -> None:
    _log.error("job %s failed (%s)", job_id, reason)
    _set(
        app,
        job_id,
        status=FAILED,
        message=message[:200],
        finished_at=utcnow(),
        active_key=None,
        params_json="{}",
    )


def result_file(row: Job) -> Path | None:
    """The job's file on disk, if it is there."""
    if not row.result_path:
        return None
    path = upload_area("jobs") / os.path.basename(row.result_path)
    return path if path.is_file() else None


# ---- the pages' use cases -----------------------------------------------------------------------------------


def own_jobs(user):
    """The user's own jobs, newest first (a superadmin's too: a job is only ever its owner's)."""
    return scoped(Job, user).where(Job.owner_id == user.id).order_by(Job.created_at.desc(), Job.id.desc())


def own_job_or_404(job_id: int, user) -> Job:
    row = db.session.scalar(scoped(Job, user).where(Job.id == job_id, Job.owner_id == user.id))
    if row is None:
        abort(404)
    return row


def take_result(row: Job, user) -> tuple[bytes, str]:
    """The job's file for its owner, its download recorded as the export/print of the record type it carries;
    404 while there is none (not done, failed, or the file was removed)."""
    path = result_file(row) if row.status == DONE else None
    if path is None:
        abort(404)
    data = path.read_bytes()
    audit.record(
        row.audit_action,
        row.record_type,
        None,
        f"unduh hasil pekerjaan #{row.id}: {row.label}",
        user=user,
        regency_id=row.regency_id,
    )
    db.session.commit()
    return data, row.result_name or f"pekerjaan-{row.id}"


def recover_interrupted() -> int:
    """At worker start: jobs left "berjalan" by a worker that was killed are marked failed, so the same export can
    be started again (waiting ones stay: their queue entry is still there). Run with one worker host only."""
    result = db.session.execute(
        update(Job)
        .where(Job.status == RUNNING)
        .values(
            status=FAILED, message=STOPPED_MESSAGE, finished_at=utcnow(), active_key=None, params_json="{}"
        )
    )
    db.session.commit()
    return result.rowcount


# ---- the worker ----------------------------------------------------------------------------------------------

_cli = AppGroup("jobs", help="Antrean pekerjaan latar belakang (Huey).")


@_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jumlah thread pekerja.")
def worker(workers: int) -> None:
    """Run the queue's consumer (with the periodic tasks) until Ctrl+C / SIGTERM."""
    stopped = recover_interrupted()
    if stopped:
        click.echo(f"{stopped} pekerjaan yang terhenti ditandai gagal.")
    periodic_tasks = install_periodic(current_app)
    huey = huey_of()
    click.echo(
        f"Pekerja latar belakang: {type(huey).__name__}, {workers} thread, {len(periodic_tasks)} tugas berkala."
    )
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.run()
