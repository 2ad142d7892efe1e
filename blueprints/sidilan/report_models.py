"""Import batches: who imported which file when, the counts, and the rejected rows for the report.

The rejected rows hold personal data from the clerk's file, so the batch is regency-scoped like the registry."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.audit import append_only
from blueprints.core.extensions import db
from blueprints.core.scope import RegencyScoped
from blueprints.core.timeutil import UTCDateTime, utcnow


class ImportBatch(RegencyScoped, db.Model):
    __tablename__ = "sidilan_import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    rows_total: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    matched_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    headers_json: Mapped[str] = mapped_column(Text, default="[]")
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")  # [{"line", "cells", "reasons"}]
    created_ids_json: Mapped[str] = mapped_column(Text, default="[]")

    user = relationship("User")

    @property
    def headers(self) -> list[str]:
        return json.loads(self.headers_json or "[]")

    @property
    def rejected(self) -> list[dict]:
        return json.loads(self.rejected_json or "[]")

    @property
    def created_ids(self) -> list[int]:
        return json.loads(self.created_ids_json or "[]")


append_only(ImportBatch)  # an import's record is evidence of what came in; it is never edited


class DashboardSummary(RegencyScoped, db.Model):
    """The dashboard's counts as last computed for one regency (``regency_id`` NULL: every regency, the
    superadmin's view). Recomputed on demand or when older than ``SIDILAN_DASHBOARD_MAX_AGE_MINUTES``; person
    writes do not touch it (the page says when it was computed)."""

    __tablename__ = "sidilan_dashboard_summary"
    id: Mapped[int] = mapped_column(primary_key=True)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
