"""Import batches: who imported which file when, the counts, the rejected rows for the report, and the run's
progress (chunks committed so far), its status and its undo (docs/sidilan.md §7.4).

The rejected rows hold personal data from the clerk's file, so the batch is regency-scoped like the registry."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.extensions import db
from blueprints.core.scope import RegencyScoped
from blueprints.core.timeutil import UTCDateTime, utcnow

# Status of a batch: waiting for its run, running (chunks committing), done, stopped by an error (resumable,
# undoable), undone as a unit.
MENUNGGU, BERJALAN, SELESAI, GAGAL, DIBATALKAN = "menunggu", "berjalan", "selesai", "gagal", "dibatalkan"
STATUS_LABELS = {
    MENUNGGU: "Menunggu",
    BERJALAN: "Berjalan",
    SELESAI: "Selesai",
    GAGAL: "Terhenti",
    DIBATALKAN: "Dibatalkan",
}


class ImportBatch(RegencyScoped, db.Model):
    __tablename__ = "sidilan_import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    rows_total: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)  # rows the dry run found new (to create)
    matched_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    headers_json: Mapped[str] = mapped_column(Text, default="[]")
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")  # [{"line", "cells", "reasons"}]
    created_ids_json: Mapped[str] = mapped_column(Text, default="[]")  # persons created so far
    households_json: Mapped[str] = mapped_column(
        Text, default="[]", server_default="[]"
    )  # households this batch created
    # the run
    token: Mapped[str | None] = mapped_column(String(40))  # the upload (and plan) in the temporary area
    source: Mapped[str] = mapped_column(String(30), default="impor_sidilan", server_default="impor_sidilan")
    status: Mapped[str] = mapped_column(String(12), default=MENUNGGU, server_default=SELESAI, index=True)
    rows_done: Mapped[int] = mapped_column(default=0, server_default="0")  # new rows committed so far
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    job_id: Mapped[int | None]
    # the undo
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    undo_reason: Mapped[str | None] = mapped_column(String(500))

    user = relationship("User", foreign_keys=[user_id])
    undone_by = relationship("User", foreign_keys=[undone_by_id])

    @property
    def headers(self) -> list[str]:
        return json.loads(self.headers_json or "[]")

    @property
    def rejected(self) -> list[dict]:
        return json.loads(self.rejected_json or "[]")

    @property
    def created_ids(self) -> list[int]:
        return json.loads(self.created_ids_json or "[]")

    @property
    def household_ids(self) -> list[int]:
        return json.loads(self.households_json or "[]")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def finished(self) -> bool:
        return self.status in (SELESAI, DIBATALKAN)


# What a finished batch may still change: only its undo. Everything else is the evidence of what came in.
UNDO_COLUMNS = {"status", "undone_at", "undone_by_id", "undo_reason"}


@event.listens_for(ImportBatch, "before_update")
def _finished_batch_is_evidence(mapper, connection, target):
    state = inspect(target)
    old_status = state.attrs.status.history.deleted
    if (old_status[0] if old_status else target.status) not in (SELESAI, DIBATALKAN):
        return
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    if changed - UNDO_COLUMNS or (old_status and old_status[0] == DIBATALKAN):
        raise RuntimeError("sidilan_import_batch: a finished batch changes only by its undo")


@event.listens_for(ImportBatch, "before_delete")
def _batch_is_never_deleted(mapper, connection, target):
    raise RuntimeError("sidilan_import_batch rows are never deleted")


class DashboardSummary(RegencyScoped, db.Model):
    """The dashboard's counts as last computed for one regency (``regency_id`` NULL: every regency, the
    superadmin's view). Recomputed on demand or when older than ``SIDILAN_DASHBOARD_MAX_AGE_MINUTES``; person
    writes do not touch it (the page says when it was computed)."""

    __tablename__ = "sidilan_dashboard_summary"
    id: Mapped[int] = mapped_column(primary_key=True)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
