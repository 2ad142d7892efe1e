"""Tables of issue 13 part 8 (docs/sidilan.md §13.5, §13.10): DTSEN/DTKS reconciliation runs and the public
"usulan" reports.

- ``ReconcileRun`` (sidilan_reconcile_run): one uploaded DTSEN/DTKS extract matched by NIK against the regency's
  registry: who, when, the file's name and SHA-256, the counts. Evidence: never changed nor deleted.
- ``ReconcileRow`` (sidilan_reconcile_row): each row of that extract (NIK, name and nagari as written in the file)
  and the registered person it matched, if any. The registered people missing from the extract (the usulan) are
  the live persons whose NIK has no row in the run.
- ``Usulan`` (sidilan_usulan): a person reported through the public page by family or a Wali Jorong, waiting
  for a clerk of that regency to accept (then registered through the person form) or reject with a reason.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.audit import append_only
from blueprints.core.extensions import db
from blueprints.core.scope import RegencyScoped
from blueprints.core.timeutil import UTCDateTime, utcnow


@append_only
class ReconcileRun(RegencyScoped, db.Model):
    __tablename__ = "sidilan_reconcile_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    sumber: Mapped[str] = mapped_column(String(10), default="dtsen")  # dtsen / dtks
    rows_total: Mapped[int] = mapped_column(default=0)  # data rows of the file
    invalid_count: Mapped[int] = mapped_column(default=0)  # rows without a 16-digit NIK
    matched_count: Mapped[int] = mapped_column(default=0)  # extract rows whose NIK is registered here
    extra_count: Mapped[int] = mapped_column(default=0)  # extract rows not in the registry (the reverse)
    missing_count: Mapped[int] = mapped_column(default=0)  # registered people not in the extract (usulan)
    no_nik_count: Mapped[int] = mapped_column(default=0)  # live registered people without a NIK

    user = relationship("User")


@append_only
class ReconcileRow(db.Model):
    __tablename__ = "sidilan_reconcile_row"
    __table_args__ = (Index("ix_sidilan_reconcile_row_run_nik", "run_id", "nik"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sidilan_reconcile_run.id"))
    line: Mapped[int]  # the row number as the clerk sees it in the file
    nik: Mapped[str | None] = mapped_column(String(16))  # None: the cell held no valid NIK
    nama: Mapped[str] = mapped_column(String(120), default="")
    nagari: Mapped[str] = mapped_column(String(120), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_person.id"))
    valid: Mapped[bool] = mapped_column(Boolean, default=True)


# Status of a public report.
BARU, DITERIMA, DITOLAK = "baru", "diterima", "ditolak"
USULAN_STATUS = {BARU: "Baru", DITERIMA: "Diterima", DITOLAK: "Ditolak"}


class Usulan(RegencyScoped, db.Model):
    __tablename__ = "sidilan_usulan"
    __table_args__ = (
        Index("ix_sidilan_usulan_regency_status_created", "regency_id", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)  # shown to the reporter, e.g. US-7K3F9QXM
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    nama: Mapped[str] = mapped_column(String(120))
    nagari_code: Mapped[str] = mapped_column(ForeignKey("wilayah.code"))
    jorong: Mapped[str | None] = mapped_column(String(80))
    pelapor_nama: Mapped[str] = mapped_column(String(120))
    pelapor_hubungan: Mapped[str] = mapped_column(String(20))  # values.USULAN_PELAPOR codes
    pelapor_kontak: Mapped[str] = mapped_column(String(60))
    kebutuhan: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(60))  # file name in the sidilan_usulan upload area
    status: Mapped[str] = mapped_column(String(10), default=BARU)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(String(500))

    nagari = relationship("Wilayah", foreign_keys=[nagari_code])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    @property
    def status_label(self) -> str:
        return USULAN_STATUS.get(self.status, self.status)
