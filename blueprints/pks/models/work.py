"""Implementation of a signed agreement: activities, obligations per party, periodic reports, evaluations."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.extensions import db
from blueprints.core.versioning import Versioned


class Activity(Versioned, db.Model):
    __tablename__ = "pks_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    tanggal: Mapped[date] = mapped_column(Date)
    jenis: Mapped[str] = mapped_column(String(150))
    peserta: Mapped[int | None] = mapped_column(Integer)
    pic_solok: Mapped[str] = mapped_column(String(150), default="")
    pic_sijunjung: Mapped[str] = mapped_column(String(150), default="")
    status: Mapped[str] = mapped_column(String(14), default="direncanakan")
    keterangan: Mapped[str] = mapped_column(Text, default="")


class Obligation(Versioned, db.Model):
    """Kewajiban from the hak-dan-kewajiban clause; 'lewat tenggat' is derived from the due date."""

    __tablename__ = "pks_obligation"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("pks_party.id"))
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="belum")
    bukti: Mapped[str] = mapped_column(Text, default="")

    party = relationship("Party")

    def status_on(self, today: date) -> str:
        if self.status != "dipenuhi" and self.due is not None and self.due < today:
            return "lewat"
        return self.status


class Report(Versioned, db.Model):
    __tablename__ = "pks_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    periode: Mapped[str] = mapped_column(String(60))
    jatuh_tempo: Mapped[date | None] = mapped_column(Date)
    disampaikan_pada: Mapped[date | None] = mapped_column(Date)
    kepada: Mapped[str] = mapped_column(String(40), default="")
    penyusun: Mapped[str] = mapped_column(String(150), default="")
    sipgwpp: Mapped[bool] = mapped_column(Boolean, default=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("pks_document.id"))


class Evaluation(Versioned, db.Model):
    __tablename__ = "pks_evaluation"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    tanggal: Mapped[date] = mapped_column(Date)
    temuan: Mapped[str] = mapped_column(Text)
    rekomendasi: Mapped[str] = mapped_column(String(14))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("pks_document.id"))
