"""SIDILAN registry tables (docs/sidilan.md §5). Main models:

- ``Household`` (sidilan_household): a family card (No. KK) with its address.
- ``Person`` (sidilan_person): one registered person; NIK optional with a reason; address down to jorong;
  verification status; ``merged_into_id`` when merged as a duplicate (still findable).
- ``Disability`` (sidilan_disability): at most one per person; ragam flags, jenis per ragam, WG-SS raw answers,
  assistive devices owned / needed, care need. ``ganda`` is derived on save.
- ``WgssVisit`` (sidilan_wgss_visit): one WG-SS interview per visit, never overwritten; the disability row
  keeps a copy of the latest visit's answers (``wg_*``, ``wg_tanggal``), written by ``wgss.record_visit``.
- ``ElderlyAssessment`` (sidilan_assessment): one row per visit, never overwritten; Barthel items with derived
  total and category.
- ``Program`` (sidilan_program): assistance programs per regency (reference data, seeded).
- ``Assistance`` (sidilan_assistance): aid to a person or a household, status flow docs/sidilan.md §9.3.
- ``VerificationEvent`` (sidilan_verification): every workflow transition with who / when / note.
- ``DuplicateCandidate`` (sidilan_duplicate): a possible duplicate pair and its decision.
- ``ChangeLog`` (sidilan_change): old and new value of changed fields.

Multi-valued lists (assistive devices, needs) are stored as comma-separated codes; see ``split_codes``.
Value lists live in ``blueprints/sidilan/values.py``.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    FetchedValue,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from blueprints.core.audit import append_only
from blueprints.core.extensions import db, partial
from blueprints.core.scope import RegencyScoped
from blueprints.core.textsearch import TextIndex, register
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

from . import nagari_scope, recipient

# the rows the one-Kepala-Keluarga index covers (migration 0024_sidilan_household_roles says the same)
HEAD_OF_KK_WHERE = (
    "hubungan_keluarga = 'Kepala Keluarga' AND no_kk IS NOT NULL AND active AND merged_into_id IS NULL "
    "AND status_hidup <> 'meninggal'"
)


def split_codes(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def join_codes(values) -> str:
    return ",".join(v for v in values if v)


class Household(Versioned, RegencyScoped, db.Model):
    __tablename__ = "sidilan_household"
    __table_args__ = (UniqueConstraint("regency_id", "no_kk", name="uq_sidilan_household_regency_kk"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    no_kk: Mapped[str | None] = mapped_column(String(16), index=True)
    alamat: Mapped[str | None] = mapped_column(String(250))
    kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("wilayah.code"))
    nagari_code: Mapped[str | None] = mapped_column(ForeignKey("wilayah.code"), index=True)
    jorong_id: Mapped[int | None] = mapped_column(ForeignKey("jorong.id"))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    lintang: Mapped[float | None]
    bujur: Mapped[float | None]
    desil_dtsen: Mapped[int | None]
    tgl_cek_dtsen: Mapped[date | None] = mapped_column(Date)
    kondisi_rumah: Mapped[str | None] = mapped_column(String(100))
    sumber_penghasilan: Mapped[str | None] = mapped_column(String(100))
    # household roles (docs/sidilan.md §5.2, OpenG2P): the principal and the alternate recipient, members
    penerima_utama_id: Mapped[int | None] = mapped_column(
        ForeignKey("sidilan_person.id", name="fk_sidilan_household_penerima_utama", use_alter=True)
    )
    penerima_pengganti_id: Mapped[int | None] = mapped_column(
        ForeignKey("sidilan_person.id", name="fk_sidilan_household_penerima_pengganti", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list["Person"]] = relationship(
        back_populates="household", order_by="Person.id", foreign_keys="Person.household_id"
    )

    @classmethod
    def scope_clause(cls, user):  # a nagari verifier: its nagari only
        return nagari_scope.clause(cls, user)


class Person(Versioned, RegencyScoped, db.Model):
    __tablename__ = "sidilan_person"
    __table_args__ = (
        # The list is always scoped to a regency and sorted by name (then id): one index per equality filter
        # followed by the sort key serves page 1, every keyset page and a prefix search (docs/sidilan.md §13.6).
        # On PostgreSQL name_search has the "C" collation, so the same index serves ORDER BY and LIKE 'x%'.
        Index("ix_sidilan_person_regency_name", "regency_id", "name_search", "id"),
        Index("ix_sidilan_person_regency_status_name", "regency_id", "status_verifikasi", "name_search"),
        Index("ix_sidilan_person_kecamatan_name", "kecamatan_code", "name_search"),
        Index("ix_sidilan_person_nagari_name", "nagari_code", "name_search"),
        Index("ix_sidilan_person_jorong_name", "jorong_id", "name_search"),
        Index("ix_sidilan_person_regency_birth", "regency_id", "tanggal_lahir"),  # lansia counts
        Index(
            "ix_sidilan_person_regency_nik", "regency_id", "nik", postgresql_ops={"nik": "text_pattern_ops"}
        ),
        Index(
            "ix_sidilan_person_regency_kk",
            "regency_id",
            "no_kk",
            postgresql_ops={"no_kk": "text_pattern_ops"},
        ),
        Index("ix_sidilan_person_nik", "nik"),  # find_person_by_nik across regencies
        # a suffix of a NIK / No. KK is a prefix of the reversed number
        Index(
            "ix_sidilan_person_regency_nik_rev",
            "regency_id",
            "nik_rev",
            postgresql_ops={"nik_rev": "text_pattern_ops"},
        ),
        Index(
            "ix_sidilan_person_regency_kk_rev",
            "regency_id",
            "kk_rev",
            postgresql_ops={"kk_rev": "text_pattern_ops"},
        ),
        # The dashboard's one pass over the live registry (report_dashboard) reads only this index, not the
        # wide rows: the live-registry filter first, then what it groups and counts by.
        Index(
            "ix_sidilan_person_report",
            "regency_id",
            "status_hidup",
            "active",
            "merged_into_id",
            "kecamatan_code",
            "jenis_kelamin",
            "tanggal_lahir",
            "household_id",
        ),
        # The list's capped count under a ragam or program filter (search.list_page): a regency's active
        # persons in id order from this index alone, merged with the disability index or probed against the
        # program's recipients, instead of fetching each wide row to check its regency.
        Index("ix_sidilan_person_regency_live_id", "regency_id", "id", "active", "household_id"),
        # The home page's worklist panels and the worklist page: one verification status, newest (or oldest)
        # first, with the live-record filter in the index so the panel's count reads the index only.
        Index(
            "ix_sidilan_person_regency_status_updated",
            "regency_id",
            "status_verifikasi",
            "updated_at",
            "id",
            "active",
            "merged_into_id",
        ),
        # one Kepala Keluarga per No. KK among live, living persons of a regency (person.heads_of_kk's rule)
        Index(
            "uq_sidilan_person_kepala_keluarga",
            "regency_id",
            "no_kk",
            unique=True,
            **partial(HEAD_OF_KK_WHERE),
        ),
        # the verval worklist: a regency's approved records, longest since their last verification first
        Index("ix_sidilan_person_regency_verval", "regency_id", "status_verifikasi", "tgl_verifikasi", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str | None] = mapped_column(String(16))
    alasan_tanpa_nik: Mapped[str | None] = mapped_column(String(40))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_household.id"), index=True)
    no_kk: Mapped[str | None] = mapped_column(String(16))  # copy of household.no_kk, for search
    nik_rev: Mapped[str | None] = mapped_column(String(16))  # reversed_numbers: set on every ORM write
    kk_rev: Mapped[str | None] = mapped_column(String(16))
    hubungan_keluarga: Mapped[str | None] = mapped_column(String(30))
    nama_lengkap: Mapped[str] = mapped_column(String(120))
    nama_panggilan: Mapped[str | None] = mapped_column(String(60))
    # lower-case, single spaces; byte order on both databases (the list's sort key)
    name_search: Mapped[str] = mapped_column(
        String(120).with_variant(String(120, collation="C"), "postgresql"), default=""
    )
    name_key: Mapped[str] = mapped_column(
        String(120), default="", index=True
    )  # spelling-folded, no spaces (names.name_key): duplicate matching and the any-word search
    jenis_kelamin: Mapped[str] = mapped_column(String(1))
    tempat_lahir: Mapped[str | None] = mapped_column(String(80))
    tanggal_lahir: Mapped[date | None] = mapped_column(Date)
    tgl_lahir_perkiraan: Mapped[bool] = mapped_column(Boolean, default=False)
    agama: Mapped[str | None] = mapped_column(String(20))
    status_perkawinan: Mapped[str | None] = mapped_column(String(20))
    pendidikan_terakhir: Mapped[str | None] = mapped_column(String(40))
    pekerjaan: Mapped[str | None] = mapped_column(String(60))
    nama_ibu_kandung: Mapped[str | None] = mapped_column(String(120))
    no_hp: Mapped[str | None] = mapped_column(String(20))
    nama_pendamping: Mapped[str | None] = mapped_column(String(120))
    hubungan_pendamping: Mapped[str | None] = mapped_column(String(40))
    status_hidup: Mapped[str] = mapped_column(String(10), default="hidup")
    tgl_meninggal: Mapped[date | None] = mapped_column(Date)
    status_domisili: Mapped[str] = mapped_column(String(20), default="menetap")
    kepesertaan_jkn: Mapped[str | None] = mapped_column(String(10))
    no_kpd: Mapped[str | None] = mapped_column(String(30))
    # address (the household's, copied so a person without a KK still has one)
    alamat: Mapped[str | None] = mapped_column(String(250))
    kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("wilayah.code"))
    nagari_code: Mapped[str | None] = mapped_column(ForeignKey("wilayah.code"))
    jorong_id: Mapped[int | None] = mapped_column(ForeignKey("jorong.id"))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    # consent (UU PDP)
    persetujuan: Mapped[bool] = mapped_column(Boolean, default=False)
    tgl_persetujuan: Mapped[date | None] = mapped_column(Date)
    pemberi_persetujuan: Mapped[str | None] = mapped_column(String(120))
    sumber_data: Mapped[str | None] = mapped_column(String(30))
    tags: Mapped[str] = mapped_column(String(200), default="")  # comma-separated codes, see values.TAGS
    catatan: Mapped[str | None] = mapped_column(String(500))  # free notes (e.g. an import's remarks column)
    # workflow
    status_verifikasi: Mapped[str] = mapped_column(String(20), default="draf")
    catatan_verifikasi: Mapped[str | None] = mapped_column(String(500))
    # last approval or re-verification (verval); due again 2 years later (docs/sidilan.md §9.5, verval.py)
    tgl_verifikasi: Mapped[date | None] = mapped_column(Date)
    # lifecycle
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_person.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    household: Mapped[Household | None] = relationship(back_populates="members", foreign_keys=[household_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])  # named on the conflict page
    disability: Mapped["Disability | None"] = relationship(back_populates="person", uselist=False)
    assessments: Mapped[list["ElderlyAssessment"]] = relationship(
        back_populates="person",
        order_by="(ElderlyAssessment.tgl_asesmen.desc(), ElderlyAssessment.id.desc())",
    )
    merged_into: Mapped["Person | None"] = relationship(remote_side=[id])
    kecamatan = relationship("Wilayah", foreign_keys=[kecamatan_code])
    nagari = relationship("Wilayah", foreign_keys=[nagari_code])
    jorong = relationship("Jorong")
    # the data-quality flags not cleared yet (quality.py), newest last
    open_flags: Mapped[list["QualityFlag"]] = relationship(
        primaryjoin="and_(QualityFlag.person_id == Person.id, QualityFlag.cleared_at.is_(None))",
        order_by="QualityFlag.id",
        viewonly=True,
    )

    @classmethod
    def scope_clause(cls, user):  # a nagari verifier: its nagari only
        return nagari_scope.clause(cls, user)

    def age_on(self, when: date) -> int | None:
        if self.tanggal_lahir is None:
            return None
        b = self.tanggal_lahir
        return when.year - b.year - ((when.month, when.day) < (b.month, b.day))

    @property
    def tag_list(self) -> list[str]:
        return split_codes(self.tags)


class Disability(Versioned, db.Model):
    __tablename__ = "sidilan_disability"
    # what the dashboard counts of a person's disability, read from the index alone (report_dashboard)
    __table_args__ = (
        Index(
            "ix_sidilan_disability_report",
            "person_id",
            "derajat",
            "ragam_fisik",
            "ragam_intelektual",
            "ragam_mental",
            "ragam_sensorik",
            "ganda",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), unique=True)
    ragam_fisik: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    ragam_intelektual: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    ragam_mental: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    ragam_sensorik: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    jenis_fisik: Mapped[str | None] = mapped_column(String(40))
    jenis_intelektual: Mapped[str | None] = mapped_column(String(40))
    jenis_mental: Mapped[str | None] = mapped_column(String(40))
    jenis_sensorik: Mapped[str | None] = mapped_column(String(40))
    ganda: Mapped[bool] = mapped_column(Boolean, default=False)  # derived in service.derive_ganda
    derajat: Mapped[str | None] = mapped_column(String(10), index=True)  # ringan / sedang / berat
    sejak: Mapped[str | None] = mapped_column(String(20))  # bawaan lahir / didapat
    tahun_mulai: Mapped[int | None]
    penyebab: Mapped[str | None] = mapped_column(String(200))
    wg_melihat: Mapped[int | None]
    wg_mendengar: Mapped[int | None]
    wg_berjalan: Mapped[int | None]
    wg_mengingat: Mapped[int | None]
    wg_merawat_diri: Mapped[int | None]
    wg_komunikasi: Mapped[int | None]
    # the date of the latest WG-SS visit (WgssVisit) whose answers the wg_* columns copy
    wg_tanggal: Mapped[date | None] = mapped_column(Date)
    alat_bantu_dimiliki: Mapped[str] = mapped_column(String(200), default="")
    alat_bantu_dibutuhkan: Mapped[str] = mapped_column(String(200), default="")
    surat_penerbit: Mapped[str | None] = mapped_column(String(120))
    surat_tanggal: Mapped[date | None] = mapped_column(Date)
    butuh_pendamping: Mapped[bool] = mapped_column(Boolean, default=False)
    kebutuhan_layanan: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(back_populates="disability")

    WG_FIELDS = (
        "wg_melihat",
        "wg_mendengar",
        "wg_berjalan",
        "wg_mengingat",
        "wg_merawat_diri",
        "wg_komunikasi",
    )

    @property
    def ragam_codes(self) -> list[str]:
        return [r for r in ("fisik", "intelektual", "mental", "sensorik") if getattr(self, f"ragam_{r}")]

    @property
    def wg_answers(self) -> list[int | None]:
        return [getattr(self, f) for f in self.WG_FIELDS]

    @property
    def devices_owned(self) -> list[str]:
        return split_codes(self.alat_bantu_dimiliki)

    @property
    def devices_needed(self) -> list[str]:
        return split_codes(self.alat_bantu_dibutuhkan)

    @property
    def needs(self) -> list[str]:
        return split_codes(self.kebutuhan_layanan)


class WgssVisit(RegencyScoped, db.Model):
    """One WG-SS interview (docs/sidilan.md §8.1) on a visit. Rows are only ever added, never overwritten: a new
    answer set is a new row; the disability row copies the latest one (wgss.record_visit)."""

    __tablename__ = "sidilan_wgss_visit"
    __table_args__ = (Index("ix_sidilan_wgss_visit_person_date", "person_id", "tgl_wawancara", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"))
    tgl_wawancara: Mapped[date] = mapped_column(Date)
    petugas_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    wg_melihat: Mapped[int | None]
    wg_mendengar: Mapped[int | None]
    wg_berjalan: Mapped[int | None]
    wg_mengingat: Mapped[int | None]
    wg_merawat_diri: Mapped[int | None]
    wg_komunikasi: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    petugas = relationship("User")

    WG_FIELDS = Disability.WG_FIELDS

    @property
    def wg_answers(self) -> list[int | None]:
        return [getattr(self, f) for f in self.WG_FIELDS]


class ElderlyAssessment(RegencyScoped, db.Model):
    """One visit. Rows are only ever added: a new visit is a new row (docs/sidilan.md §9.5)."""

    __tablename__ = "sidilan_assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), index=True)
    tgl_asesmen: Mapped[date] = mapped_column(Date)
    petugas_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    usia: Mapped[int]
    kategori_potensi: Mapped[str | None] = mapped_column(String(20))
    tinggal_dengan: Mapped[str | None] = mapped_column(String(20))
    terlantar: Mapped[bool] = mapped_column(Boolean, default=False)
    # Barthel items: no default, each is chosen by the assessor (an unset item must never count as 0)
    barthel_bab: Mapped[int]
    barthel_bak: Mapped[int]
    barthel_kebersihan_diri: Mapped[int]
    barthel_toilet: Mapped[int]
    barthel_makan: Mapped[int]
    barthel_berpindah: Mapped[int]
    barthel_mobilitas: Mapped[int]
    barthel_berpakaian: Mapped[int]
    barthel_tangga: Mapped[int]
    barthel_mandi: Mapped[int]
    barthel_total: Mapped[int] = mapped_column(index=True)  # derived: service.barthel_result
    barthel_kategori: Mapped[str] = mapped_column(String(30))  # derived
    lawton_iadl: Mapped[int | None]
    penyakit_kronis: Mapped[str | None] = mapped_column(String(300))
    kebutuhan: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship(back_populates="assessments")
    petugas = relationship("User")


class Program(Versioned, RegencyScoped, db.Model):
    __tablename__ = "sidilan_program"
    __table_args__ = (UniqueConstraint("regency_id", "kode", name="uq_sidilan_program_regency_kode"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kode: Mapped[str] = mapped_column(String(20))
    nama: Mapped[str] = mapped_column(String(120))
    sumber_dana: Mapped[str | None] = mapped_column(String(20))
    jenis: Mapped[str | None] = mapped_column(String(10))  # tunai / barang / layanan
    sasaran: Mapped[str] = mapped_column(String(10), default="individu")  # individu / keluarga
    punya_komponen: Mapped[bool] = mapped_column(Boolean, default=False)  # ATENSI components
    aktif: Mapped[bool] = mapped_column(Boolean, default=True)
    # how its aid is counted out (values.PERIODE_PROGRAM): bulanan / tahap / tahunan / sekali
    periode: Mapped[str] = mapped_column(String(10), default="tahunan", server_default="tahunan")


class Assistance(Versioned, RegencyScoped, db.Model):
    __tablename__ = "sidilan_assistance"
    # the list's program filter probes these (covering) indexes for each person it walks
    __table_args__ = (
        Index("ix_sidilan_assistance_person_program", "person_id", "program_id"),
        Index("ix_sidilan_assistance_household_program", "household_id", "program_id"),
        # the double-aid report groups a regency's aid by household, program and period from this index alone
        Index(
            "ix_sidilan_assistance_regency_recipient",
            "regency_id",
            "recipient_household_id",
            "program_id",
            "tahun",
            "bulan",
            "tahap_ke",
            "status",
        ),
        # 'tanpa bantuan' probes the aid received (status) of each person and household it walks
        Index("ix_sidilan_assistance_person_status", "person_id", "status"),
        Index("ix_sidilan_assistance_household_status", "household_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("sidilan_program.id"), index=True)
    komponen_atensi: Mapped[str | None] = mapped_column(String(5))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_person.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_household.id"))
    # the household the aid counts for (its own, else its person's): written by the database's triggers only
    # (sidilan/recipient.py), never by this model, and read back after a write rather than guessed
    recipient_household_id: Mapped[int | None] = mapped_column(
        server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    tahun: Mapped[int]
    # the period within the year, as the program counts it (Program.periode): a month, or a tahap number
    bulan: Mapped[int | None]
    tahap_ke: Mapped[int | None]
    tahap: Mapped[str | None] = mapped_column(String(20))  # free text of older entries (before tahap_ke)
    tgl_salur: Mapped[date | None] = mapped_column(Date)
    nilai_rp: Mapped[int | None]
    uraian_barang: Mapped[str | None] = mapped_column(String(200))
    jumlah: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default="diusulkan", index=True)
    sumber_dana: Mapped[str | None] = mapped_column(String(20))
    penyalur: Mapped[str | None] = mapped_column(String(120))
    catatan: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    program: Mapped[Program] = relationship()
    person: Mapped[Person | None] = relationship()
    household: Mapped[Household | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])  # the aid history names who entered it

    @declared_attr.directive
    def __mapper_args__(cls):
        # eager_defaults off: SQLite's RETURNING reports the row before its AFTER trigger sets the recipient
        return {"version_id_col": cls.__table__.c.version, "eager_defaults": False}


class VerificationEvent(db.Model):
    __tablename__ = "sidilan_verification"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
    person: Mapped[Person] = relationship()


class DuplicateCandidate(Versioned, RegencyScoped, db.Model):
    """A pair (person_a_id < person_b_id). A decided pair is never proposed again."""

    __tablename__ = "sidilan_duplicate"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id", name="uq_sidilan_duplicate_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), index=True)
    person_b_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), index=True)
    alasan: Mapped[str] = mapped_column(String(40))  # nik / kk_nama / nama_lahir_nagari
    skor: Mapped[int] = mapped_column(default=0)
    keputusan: Mapped[str | None] = mapped_column(String(20), index=True)  # duplikat / bukan_duplikat
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person_a: Mapped[Person] = relationship(foreign_keys=[person_a_id])
    person_b: Mapped[Person] = relationship(foreign_keys=[person_b_id])
    decided_by = relationship("User")


class ChangeLog(db.Model):
    """Field-level history of a person record (and its disability row)."""

    __tablename__ = "sidilan_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"), index=True)
    entity: Mapped[str] = mapped_column(String(20))  # person / disability / household
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")


class QualityFlag(RegencyScoped, db.Model):
    """A data-quality flag on a person ("perlu dicek"): a dry-run warning of the import that created it (unknown
    jorong, NIK from a number cell, ...). Open until a clerk clears it (``cleared_at``; audited)."""

    __tablename__ = "sidilan_quality_flag"
    # the list's "perlu dicek" filter probes this per person it walks; the record page reads a person's open ones
    __table_args__ = (Index("ix_sidilan_quality_flag_person_open", "person_id", "cleared_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sidilan_person.id"))
    message: Mapped[str] = mapped_column(String(300))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("sidilan_import_batch.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# The verification trail and the field history are evidence: written once, never edited.
append_only(VerificationEvent)
append_only(ChangeLog)


def reversed_numbers(nik: str | None, no_kk: str | None) -> dict[str, str | None]:
    """The reversed NIK and No. KK a person stores, so a suffix search is an index range (a bulk insert sets
    them with this; ORM writes get them from the hook below)."""
    return {"nik_rev": nik[::-1] if nik else None, "kk_rev": no_kk[::-1] if no_kk else None}


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_reversed_numbers(mapper, connection, target: Person) -> None:
    for key, value in reversed_numbers(target.nik, target.no_kk).items():
        if getattr(target, key) != value:
            setattr(target, key, value)


# Any-word name search (core.textsearch; docs/sidilan.md §13.6).
PERSON_TEXT = register(TextIndex("sidilan_person", ("name_key",), scope="regency_id"), Person.__table__)
recipient.install(Assistance.__table__)
