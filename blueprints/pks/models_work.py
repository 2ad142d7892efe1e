"""Meetings, uploaded documents and implementation records of an agreement."""
from datetime import date, datetime, time

from sqlalchemy import (Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, Time,
                        exists, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import Regency, User
from blueprints.core.extensions import db
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

DOC_KINDS = {"draf": "Versi draf", "ttd": "Naskah ditandatangani (scan)", "notulen": "Notulen",
             "daftar_hadir": "Daftar hadir", "undangan": "Undangan", "foto": "Foto", "laporan": "Laporan",
             "berita_acara": "Berita acara", "surat_kuasa": "Surat kuasa", "lainnya": "Lainnya"}
OBLIGATION_STATUS = {"belum": "Belum dipenuhi", "sebagian": "Sebagian", "dipenuhi": "Dipenuhi",
                     "lewat": "Lewat tenggat"}
REKOMENDASI = {"dilanjutkan": "Dilanjutkan", "diperpanjang": "Diperpanjang", "diubah": "Diubah (adendum)",
               "diakhiri": "Diakhiri"}
ACTIVITY_STATUS = {"direncanakan": "Direncanakan", "berjalan": "Berjalan", "selesai": "Selesai",
                   "batal": "Batal"}
REPORT_TO = {"bupati": "Bupati", "gubernur": "Gubernur", "kemendagri": "Kemendagri"}

meeting_agreement = Table(
    "pks_meeting_agreement", db.metadata,
    Column("meeting_id", ForeignKey("pks_meeting.id"), primary_key=True),
    Column("agreement_id", ForeignKey("pks_agreement.id"), primary_key=True),
)


class Meeting(Versioned, db.Model):
    __tablename__ = "pks_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    tanggal: Mapped[date] = mapped_column(Date, index=True)
    jam: Mapped[time | None] = mapped_column(Time)
    tempat: Mapped[str] = mapped_column(String(200), default="")
    tautan: Mapped[str] = mapped_column(String(300), default="")
    host_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    agenda: Mapped[str] = mapped_column(Text, default="")
    undangan_nomor: Mapped[str] = mapped_column(String(120), default="")
    sumber: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    host_regency: Mapped[Regency | None] = relationship()
    agreements = relationship("Agreement", secondary=meeting_agreement, order_by="Agreement.id")
    attendees: Mapped[list["Attendee"]] = relationship(back_populates="meeting", order_by="Attendee.id")
    decisions: Mapped[list["Decision"]] = relationship(back_populates="meeting", order_by="Decision.id")
    actions: Mapped[list["ActionItem"]] = relationship(back_populates="meeting", order_by="ActionItem.id")
    documents = relationship("Document", secondary="pks_meeting_document", viewonly=True,
                             order_by="Document.id")

    @classmethod
    def scope_clause(cls, user):
        """A meeting is visible through any agreement the user can see."""
        from .models import Agreement
        return exists(select(meeting_agreement.c.meeting_id).join(
            Agreement, Agreement.id == meeting_agreement.c.agreement_id).where(
            meeting_agreement.c.meeting_id == cls.id, Agreement.scope_clause(user)))


class Attendee(db.Model):
    __tablename__ = "pks_attendee"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), index=True)
    nama: Mapped[str] = mapped_column(String(150))
    jabatan: Mapped[str] = mapped_column(String(200), default="")
    opd: Mapped[str] = mapped_column(String(200), default="")
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    keterangan: Mapped[str] = mapped_column(String(200), default="")  # e.g. "memimpin rapat"

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    regency: Mapped[Regency | None] = relationship()


class Decision(db.Model):
    __tablename__ = "pks_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")


class ActionItem(Versioned, db.Model):
    """Tindak lanjut of a meeting, owned by a region, OPD or person."""
    __tablename__ = "pks_action_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    owner: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    owner_regency: Mapped[Regency | None] = relationship()


class Document(db.Model):
    """An uploaded file. Stored outside static/ under a random name; fetched only through a scoped route."""
    __tablename__ = "pks_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    versi: Mapped[int | None] = mapped_column(Integer)
    drafting_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    ringkasan: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
    drafting_regency: Mapped[Regency | None] = relationship()

    @property
    def kind_label(self) -> str:
        return DOC_KINDS.get(self.kind, self.kind)


MEETING_DOC_ROLES = {"berkas": "Berkas rapat", "dibahas": "Draf yang dibahas", "dihasilkan": "Draf yang dihasilkan"}


class MeetingDocument(db.Model):
    """A file of a meeting: the draft it discussed, the draft it produced, or its notulen / daftar hadir."""
    __tablename__ = "pks_meeting_document"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("pks_meeting.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("pks_document.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), default="berkas")

    document = relationship("Document")

    @property
    def role_label(self) -> str:
        return MEETING_DOC_ROLES.get(self.role, self.role)


LETTER_DIRECTION = {"keluar": "Keluar", "masuk": "Masuk"}


class Letter(db.Model):
    """Surat: offer letters, replies, invitations; tembusan kept as text, one recipient per line."""
    __tablename__ = "pks_letter"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    arah: Mapped[str] = mapped_column(String(6))
    nomor: Mapped[str] = mapped_column(String(120))
    tanggal: Mapped[date] = mapped_column(Date)
    perihal: Mapped[str] = mapped_column(String(250))
    pengirim: Mapped[str] = mapped_column(String(200), default="")
    penerima: Mapped[str] = mapped_column(String(200), default="")
    tembusan: Mapped[str] = mapped_column(Text, default="")
    tahap: Mapped[str] = mapped_column(String(20), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
