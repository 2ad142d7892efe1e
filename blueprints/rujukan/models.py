"""Referral letters (surat rujukan) and the facility directory around them (docs/rujukan.md §4)."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    false,
    or_,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import Organisation
from blueprints.core.audit import append_only
from blueprints.core.extensions import db
from blueprints.core.scope import OrganisationScoped
from blueprints.core.textsearch import TextIndex, fold, register
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

from .access import is_dinkes
from .lists import LAMPIRAN as ATTACHMENT_KINDS


class FacilityProfile(Versioned, db.Model):
    """What the directory adds to a foundation Organisation of a facility (one row per facility)."""

    __tablename__ = "rujukan_facility"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    whatsapp: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    ambulance: Mapped[str | None] = mapped_column(String(120))
    travel_note: Mapped[str | None] = mapped_column(String(300))  # travel time from the border, by season
    capacity_note: Mapped[str | None] = mapped_column(String(300))  # "beds / ICU available today"
    capacity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paper: Mapped[str] = mapped_column(String(2), default="A4")  # A4 / F4
    bpjs_office: Mapped[str | None] = mapped_column(String(80))
    # What the directory screen adds (issue 14 part 6): the facility's type beyond puskesmas/RS, a tertiary flag
    # (an FKTL of level 3), the city/regency of a destination outside Solok and Sijunjung (the organisation's
    # own regency_id is then the Dinkes that keeps the entry), and deactivation without deleting history.
    facility_type: Mapped[str | None] = mapped_column(String(20))  # FACILITY_TYPES
    tertiary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outside_area: Mapped[str | None] = mapped_column(String(120))  # "Kota Padang"; None = its regency
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_reason: Mapped[str | None] = mapped_column(String(300))

    organisation: Mapped[Organisation] = relationship()

    @property
    def type_label(self) -> str | None:
        return FACILITY_TYPES.get(self.facility_type) if self.facility_type else None


FACILITY_TYPES = {
    "puskesmas": "Puskesmas",
    "klinik": "Klinik",
    "rs": "Rumah sakit",
    "rsud": "RSUD",
    "rsup": "RSUP",
}


class Poli(Versioned, db.Model):
    __tablename__ = "rujukan_poli"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    schedule: Mapped[str] = mapped_column(String(200), default="")  # jadwal praktek, free text
    active: Mapped[bool] = mapped_column(Boolean, default=True)


PROFESSIONS = {"dokter": "Dokter", "dokter_gigi": "Dokter gigi", "bidan": "Bidan", "perawat": "Perawat"}


class HealthWorker(Versioned, db.Model):
    __tablename__ = "rujukan_nakes"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    profession: Mapped[str] = mapped_column(String(20))
    sip: Mapped[str | None] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def profession_label(self) -> str:
        return PROFESSIONS.get(self.profession, self.profession)


class NonSpecialistCode(db.Model):
    """Versioned list of diagnoses the FKTP should treat itself (144 / 177 / 2022): reference data."""

    __tablename__ = "rujukan_nonspesialis"
    __table_args__ = (UniqueConstraint("version", "icd_code", name="uq_rujukan_nonspesialis_version_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(10), index=True)
    icd_code: Mapped[str] = mapped_column(String(8))  # category ("J02") covers its subcategories
    name: Mapped[str] = mapped_column(String(150), default="")


class Patient(Versioned, OrganisationScoped, db.Model):
    """The patient block (docs/rujukan.md §4.2), kept by the facility that registered the patient."""

    __tablename__ = "rujukan_patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # the spelling-folded name the search compares (patient_name_key; set on every ORM write by the hook below)
    name_key: Mapped[str | None] = mapped_column(String(120))
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    no_nik_reason: Mapped[str | None] = mapped_column(String(120))  # e.g. newborn; required without a NIK
    no_jkn: Mapped[str | None] = mapped_column(String(13), index=True)
    status_peserta: Mapped[str | None] = mapped_column(String(12))
    jenis_kepesertaan: Mapped[str | None] = mapped_column(String(12))  # None: not known (yet)
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    home_regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(String(13))
    nagari_code: Mapped[str | None] = mapped_column(String(13))
    jorong_id: Mapped[int | None] = mapped_column(ForeignKey("jorong.id"))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    no_rm: Mapped[str | None] = mapped_column(String(30))
    # SIDILAN link: only the id and the accessibility summary printed on the letter, never the record.
    sidilan_person_id: Mapped[int | None] = mapped_column(Integer)
    accessibility: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    home_regency = relationship("Regency")
    jorong = relationship("Jorong")


# Lifecycle states (docs/rujukan.md §7). "kedaluwarsa" is computed from valid_until, never stored.
STATUS_LABELS = {
    "draf": "Draf",
    "diterbitkan": "Diterbitkan",
    "dikirim": "Dikirim",
    "diterima": "Diterima",
    "ditolak": "Ditolak",
    "dialihkan": "Dialihkan",
    "tiba": "Pasien tiba",
    "dijawab": "Dijawab",
    "selesai": "Selesai",
    "kedaluwarsa": "Kedaluwarsa",
    "dibatalkan": "Dibatalkan",
}
STATUS_TONE = {
    "draf": "",
    "ditolak": "danger",
    "dialihkan": "warn",
    "kedaluwarsa": "danger",
    "dibatalkan": "danger",
    "dijawab": "ok",
    "selesai": "ok",
    "tiba": "ok",
}
EXPIRABLE = ("diterbitkan", "dikirim", "diterima")


def effective_status(status: str, valid_until: date | None, today: date) -> str:
    """The state a letter is in today: a stored state, or "kedaluwarsa" once its validity has passed."""
    if status in EXPIRABLE and valid_until is not None and valid_until < today:
        return "kedaluwarsa"
    return status


class Referral(Versioned, db.Model):
    __tablename__ = "rujukan_referral"
    __table_args__ = (
        UniqueConstraint("origin_id", "year", "seq", name="uq_rujukan_referral_origin_year_seq"),
        # The lists' order inside one facility (outgoing newest first, incoming newest issued first), so a page
        # is read off the index instead of sorting every letter of the facility.
        Index("ix_rujukan_referral_origin_created", "origin_id", "created_at", "id"),
        Index("ix_rujukan_referral_destination_issued", "destination_id", "issued_at", "id"),
        # The worklists (worklists.py): one facility's letters in a state, by validity.
        Index("ix_rujukan_referral_origin_status_valid", "origin_id", "status", "valid_until"),
        Index("ix_rujukan_referral_destination_status_valid", "destination_id", "status", "valid_until"),
        # "Masuk hari ini" (issued today or planned for today): the planned visits of a receiver by day; the
        # issue day is read from ix_rujukan_referral_issued_on, the two OR-ed in one bitmap on PostgreSQL.
        Index("ix_rujukan_referral_destination_planned", "destination_id", "planned_visit"),
        # "Menunggu jawaban kita": a receiver's letters in one state already in the worklists' order, so the
        # arrived ones are read alone instead of walking every letter of the (destination, issued_at) index.
        Index("ix_rujukan_referral_destination_status_issued", "destination_id", "status", "issued_at", "id"),
        # A patient's letters (the patient page), and the letters a search finds by their patient, checked
        # against the list's facility from the index (search.py).
        # The register book: one facility's letters of a month (then sorted by number, a month's few hundred).
        Index("ix_rujukan_referral_origin_issued", "origin_id", "issued_on", "seq"),
        Index("ix_rujukan_referral_patient_scope", "patient_id", "origin_id", "destination_id", "status"),
        # The recap (reports.py): the letters issued in a month and the arrivals by instant, each read from its
        # index alone (the columns the recap filters by follow the date).
        Index(
            "ix_rujukan_referral_issued_on",
            "issued_on",
            "status",
            "origin_id",
            "destination_id",
            "patient_id",
            "issued_at",
        ),
        Index(
            "ix_rujukan_referral_arrived_at",
            "arrived_at",
            "status",
            "destination_id",
            "patient_id",
            "issued_on",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    origin_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("rujukan_patient.id"))
    status: Mapped[str] = mapped_column(String(12), default="draf", index=True)
    # numbering (docs/rujukan.md §8): assigned at issue only
    number: Mapped[str | None] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # tanggal + jam rujukan
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_on: Mapped[date | None] = mapped_column(Date)  # WIB date of issue, for registers and recaps
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    # type and direction
    jenis: Mapped[str] = mapped_column(String(4), default="rj")  # igd / rj / ri
    tipe: Mapped[str] = mapped_column(String(8), default="penuh")
    kategori: Mapped[str] = mapped_column(String(10), default="rj")  # SISRUTE
    arah: Mapped[str] = mapped_column(String(10), default="vertikal")
    payer: Mapped[str] = mapped_column(String(12), default="bpjs")
    # destination
    destination_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    destination_text: Mapped[str | None] = mapped_column(String(150))  # logged fallback, with a warning
    poli_id: Mapped[int | None] = mapped_column(ForeignKey("rujukan_poli.id"))
    poli_name: Mapped[str | None] = mapped_column(String(100))
    # border service (docs/rujukan.md §4.7): PKS id plus a snapshot of what was printed; no FK to pks_ tables
    border: Mapped[bool] = mapped_column(Boolean, default=False)
    dasar: Mapped[str | None] = mapped_column(String(20))
    pks_agreement_id: Mapped[int | None] = mapped_column(Integer)
    pks_snapshot: Mapped[str | None] = mapped_column(String(300))
    # clinical
    anamnesis: Mapped[str] = mapped_column(Text, default="")
    physical_exam: Mapped[str] = mapped_column(Text, default="")
    bp: Mapped[str | None] = mapped_column(String(10))
    pulse: Mapped[int | None] = mapped_column(Integer)
    rr: Mapped[int | None] = mapped_column(Integer)
    temperature: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)
    height: Mapped[float | None] = mapped_column(Float)
    consciousness: Mapped[str | None] = mapped_column(String(20))
    gcs: Mapped[int | None] = mapped_column(Integer)
    supporting: Mapped[str] = mapped_column(Text, default="")
    diag1_code: Mapped[str | None] = mapped_column(String(8))
    diag1_name: Mapped[str | None] = mapped_column(String(200))
    diag2_code: Mapped[str | None] = mapped_column(String(8))
    diag2_name: Mapped[str | None] = mapped_column(String(200))
    diag3_code: Mapped[str | None] = mapped_column(String(8))
    diag3_name: Mapped[str | None] = mapped_column(String(200))
    therapy_drug: Mapped[str] = mapped_column(Text, default="")
    therapy_other: Mapped[str] = mapped_column(Text, default="")
    bmhp: Mapped[str] = mapped_column(Text, default="")
    procedures: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    tacc: Mapped[str | None] = mapped_column(String(14))
    tacc_time: Mapped[str | None] = mapped_column(String(10))
    tacc_reason: Mapped[str | None] = mapped_column(String(300))
    condition: Mapped[str] = mapped_column(Text, default="")
    ambulance: Mapped[bool] = mapped_column(Boolean, default=False)
    escort: Mapped[str | None] = mapped_column(String(150))
    allergy: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    planned_visit: Mapped[date | None] = mapped_column(Date)
    # consent (docs/rujukan.md §4.3, SOP)
    consent: Mapped[str | None] = mapped_column(String(8))  # setuju / menolak
    consent_signer: Mapped[str | None] = mapped_column(String(120))
    consent_relation: Mapped[str | None] = mapped_column(String(40))
    consent_date: Mapped[date | None] = mapped_column(Date)
    # emergency IGD call (docs/rujukan.md §4.5)
    igd_call_name: Mapped[str | None] = mapped_column(String(120))
    igd_call_time: Mapped[str | None] = mapped_column(String(5))
    igd_call_accepted: Mapped[bool | None] = mapped_column(Boolean)
    # emergency mode (docs/rujukan.md §4.5): the call as an instant (the timeline), the stabilisation checklist
    # (codes of lists.STABILISASI, comma-separated), the vital signs at departure, the departure, the escort's role
    igd_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stabilisation: Mapped[str | None] = mapped_column(String(200))
    depart_bp: Mapped[str | None] = mapped_column(String(10))
    depart_pulse: Mapped[int | None] = mapped_column(Integer)
    depart_rr: Mapped[int | None] = mapped_column(Integer)
    depart_temperature: Mapped[float | None] = mapped_column(Float)
    depart_spo2: Mapped[int | None] = mapped_column(Integer)
    depart_gcs: Mapped[int | None] = mapped_column(Integer)
    depart_consciousness: Mapped[str | None] = mapped_column(String(20))
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escort_role: Mapped[str | None] = mapped_column(String(20))
    # sign-off
    nakes_id: Mapped[int | None] = mapped_column(ForeignKey("rujukan_nakes.id"))
    accessibility: Mapped[str | None] = mapped_column(String(300))  # snapshot printed on the letter
    # receiver side
    redirect_to_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    answer_note: Mapped[str | None] = mapped_column(String(300))  # rejection / redirect reason
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # accept/reject/redirect
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # reply (docs/rujukan.md §4.4)
    reply_diag_code: Mapped[str | None] = mapped_column(String(8))
    reply_diag_name: Mapped[str | None] = mapped_column(String(200))
    reply_therapy: Mapped[str | None] = mapped_column(Text)
    reply_advice: Mapped[str | None] = mapped_column(Text)
    reply_control_date: Mapped[date | None] = mapped_column(Date)
    reply_inpatient: Mapped[bool | None] = mapped_column(Boolean)
    reply_finished: Mapped[bool | None] = mapped_column(Boolean)
    reply_doctor: Mapped[str | None] = mapped_column(String(120))  # the name as printed
    reply_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("rujukan_nakes.id"))  # answering staff
    reply_channel: Mapped[str | None] = mapped_column(String(8))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    # BPJS bridging fields (docs/rujukan.md §4.8), typed, checked by format only (bridging.py): the sender's
    # P-Care referral number and the BPJS card number on the letter; the receiver's SEP number after arrival
    pcare_number: Mapped[str | None] = mapped_column(String(19))
    bpjs_card: Mapped[str | None] = mapped_column(String(13))
    sep_number: Mapped[str | None] = mapped_column(String(19))
    sep_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    origin: Mapped[Organisation] = relationship(foreign_keys=[origin_id])
    destination: Mapped[Organisation | None] = relationship(foreign_keys=[destination_id])
    redirect_to: Mapped[Organisation | None] = relationship(foreign_keys=[redirect_to_id])
    patient: Mapped[Patient] = relationship()
    poli = relationship("Poli")
    nakes = relationship("HealthWorker", foreign_keys=[nakes_id])
    reply_nakes = relationship("HealthWorker", foreign_keys=[reply_doctor_id])

    @classmethod
    def scope_clause(cls, user):
        """Sender facility sees what it wrote; the receiver what was issued to it (never a draft, nor a draft
        cancelled before it was issued). Nobody else sees clinical content (Dinas Kesehatan works from the
        recap)."""
        if is_dinkes(user):
            return false()
        return or_(
            cls.origin_id == user.organisation_id,
            and_(cls.destination_id == user.organisation_id, cls.issued_at.is_not(None)),
        )

    def effective_status(self, today: date) -> str:
        return effective_status(self.status, self.valid_until, today)

    @property
    def refused(self) -> bool:
        """The patient or family refused the referral: the letter is not issued, the refusal form is signed."""
        return self.consent == "menolak"

    @property
    def diagnoses(self) -> list[tuple[str, str]]:
        out = []
        for i in (1, 2, 3):
            code = getattr(self, f"diag{i}_code")
            if code:
                out.append((code, getattr(self, f"diag{i}_name") or ""))
        return out

    @property
    def stabilisation_codes(self) -> list[str]:
        return [code for code in (self.stabilisation or "").split(",") if code]

    @property
    def destination_name(self) -> str:
        return self.destination.name if self.destination else (self.destination_text or "")


class ReferralEvent(db.Model):
    """Append-only log of every state change, with the channel it came through."""

    __tablename__ = "rujukan_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("rujukan_referral.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(8), default="web")
    note: Mapped[str | None] = mapped_column(String(300))

    user = relationship("User")
    organisation = relationship("Organisation")


class ReferralPrint(db.Model):
    """Every print and reprint: who, when, which copy."""

    __tablename__ = "rujukan_print"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("rujukan_referral.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    mark: Mapped[str] = mapped_column(
        String(8)
    )  # DRAFT / ASLI / SALINAN / BATAL (dibatalkan) / LEWAT (kedaluwarsa)
    paper: Mapped[str] = mapped_column(String(2))


class NumberCounter(db.Model):
    """Last letter number per facility and year; incremented with a row lock at issue."""

    __tablename__ = "rujukan_counter"
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ReferralAttachment(db.Model):
    """A photo or PDF sent with a letter (docs/rujukan.md §4.9): EKG, lab result. The file lives in the rujukan
    upload area under a random name (an image already resized and stripped of EXIF by ``core.images``). Removed
    while a draft: row and file go; after issue the row stays, marked removed with who, when and why."""

    __tablename__ = "rujukan_attachment"
    __table_args__ = (Index("ix_rujukan_attachment_referral", "referral_id", "removed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("rujukan_referral.id"))
    kind: Mapped[str] = mapped_column(String(10))  # ATTACHMENT_KINDS
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded
    stored_name: Mapped[str] = mapped_column(String(60))  # random, in the upload area
    mime: Mapped[str] = mapped_column(String(40))  # image/jpeg or application/pdf
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removed_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def kind_label(self) -> str:
        return ATTACHMENT_KINDS.get(self.kind, self.kind)

    @property
    def is_image(self) -> bool:
        return self.mime == "image/jpeg"

    @property
    def type_label(self) -> str:
        return "foto" if self.is_image else "PDF"


# The attachments still in force, beside the letter (the detail page and the letter load them with the letter).
Referral.attachments = relationship(
    ReferralAttachment,
    primaryjoin=and_(ReferralAttachment.referral_id == Referral.id, ReferralAttachment.removed_at.is_(None)),
    order_by=(ReferralAttachment.uploaded_at, ReferralAttachment.id),
    viewonly=True,
)


append_only(ReferralEvent)
append_only(ReferralPrint)


def patient_name_key(name: str | None) -> str:
    """The folded name a patient stores for the search (core.textsearch.fold: Samsul = Syamsul, Nur Hayati =
    Nurhayati); a bulk insert sets it with this, ORM writes get it from the hook below."""
    return fold(name)[:120]


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _keep_name_key(mapper, connection, target: Patient) -> None:
    key = patient_name_key(target.name)
    if target.name_key != key:
        target.name_key = key


# The search (search.py): any piece of the folded name, a NIK's last digits, any piece of a letter number.
PATIENT_TEXT = register(TextIndex("rujukan_patient", ("name_key", "nik")), Patient.__table__)
REFERRAL_TEXT = register(TextIndex("rujukan_referral", ("number",)), Referral.__table__)
