"""Agreements (KSB, PKS, Adendum, Perpanjangan), their KSB scope items, parties, signatories and numbers.

One file because they point at each other (an agreement is visible through its parties).

Visibility: an agreement belongs to every regency that is a party to it, so the scope is "my regency
is among its parties", not a single regency_id column.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import Organisation, Regency
from blueprints.core.extensions import db, partial
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

from .values import FINAL_STAGES, JENIS, MITRA_JENIS, PERAN_PIHAK, SIGNED_STAGES, TAHAP, URUSAN


def _join(values) -> str:
    """Multi-valued codes stored as ',a,b,' so one LIKE '%,a,%' finds them on both databases."""
    values = [v for v in values if v]
    return "," + ",".join(values) + "," if values else ""


def _split(text: str | None) -> list[str]:
    return [v for v in (text or "").split(",") if v]


def _codes(column: str) -> property:
    """A multi-valued code column read and written as a list."""
    return property(
        lambda self: _split(getattr(self, column)), lambda self, values: setattr(self, column, _join(values))
    )


class Agreement(Versioned, db.Model):
    __tablename__ = "pks_agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    jenis: Mapped[str] = mapped_column(String(12), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    judul: Mapped[str] = mapped_column(String(250))
    objek: Mapped[str] = mapped_column(String(250), default="")
    urusan_codes: Mapped[str] = mapped_column(String(200), default="")
    kategori: Mapped[str | None] = mapped_column(String(10))
    rujukan_rpjmd: Mapped[str] = mapped_column(String(250), default="")
    pemrakarsa_regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    # the initiating OPD, from the initiating regency's organisation list; the free text is kept for agreements
    # recorded before the list (shown where no organisation is set)
    pemrakarsa_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    pemrakarsa_opd: Mapped[str] = mapped_column(String(150), default="")
    klausul_codes: Mapped[str] = mapped_column(String(200), default="")
    tahap: Mapped[str] = mapped_column(String(20), index=True)
    tahap_sejak: Mapped[date | None] = mapped_column(Date)
    # whose court the ball is in: "regency:<id>", "opd:<text>", "dprd", "pimpinan" (or empty)
    menunggu: Mapped[str] = mapped_column(String(160), default="")
    menunggu_sejak: Mapped[date | None] = mapped_column(Date)
    menunggu_apa: Mapped[str] = mapped_column(String(80), default="", server_default="")  # "paraf", ...
    # signing and validity (status_berlaku is derived from these, never stored)
    tgl_ttd: Mapped[date | None] = mapped_column(Date)
    tempat_ttd: Mapped[str] = mapped_column(String(200), default="")
    tgl_mulai: Mapped[date | None] = mapped_column(Date)
    tgl_berakhir: Mapped[date | None] = mapped_column(Date)
    jangka_waktu_bulan: Mapped[int | None] = mapped_column(Integer)
    tgl_keputusan_perpanjangan: Mapped[date | None] = mapped_column(Date)
    tgl_diakhiri: Mapped[date | None] = mapped_column(Date)
    alasan_akhir: Mapped[str] = mapped_column(String(20), default="")
    dasar_akhir: Mapped[str] = mapped_column(String(250), default="")
    # DPRD decision (docs/pks.md §4.4): needed? None = not yet recorded
    dprd_perlu: Mapped[bool | None] = mapped_column(Boolean)
    dprd_alasan: Mapped[str] = mapped_column(String(250), default="")
    dprd_nomor: Mapped[str] = mapped_column(String(100), default="")
    dprd_tanggal: Mapped[date | None] = mapped_column(Date)
    # current signing target (fuzzy); the history lives in the slip ledger
    target_mulai: Mapped[date | None] = mapped_column(Date)
    target_selesai: Mapped[date | None] = mapped_column(Date)
    target_presisi: Mapped[str] = mapped_column(String(8), default="")
    target_tempat: Mapped[str] = mapped_column(String(200), default="")
    target_acara: Mapped[str] = mapped_column(String(200), default="")
    target_awal_selesai: Mapped[date | None] = mapped_column(Date)  # first target ever set
    # review hukum: who cleared the text, their notes, and the day it was cleared
    review_oleh: Mapped[str] = mapped_column(String(120), default="", server_default="")
    review_catatan: Mapped[str] = mapped_column(Text, default="", server_default="")
    review_tanggal: Mapped[date | None] = mapped_column(Date)
    # registered after the fact: a signed agreement stays open for its parties, numbers and signatories until
    # the officer finishes the registration ("Selesai dicatat")
    dicatat_susulan: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # a cancel, postponement or end proposed by one regency awaits the other's decision (pks_stage_proposal)
    usul_terbuka: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sumber: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    parent: Mapped["Agreement | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Agreement"]] = relationship(back_populates="parent", order_by="Agreement.id")
    scope_items: Mapped[list["ScopeItem"]] = relationship(back_populates="ksb", order_by="ScopeItem.id")
    scope_item = relationship("ScopeItem", secondary="pks_scope_link", uselist=False, viewonly=True)
    parties: Mapped[list["Party"]] = relationship(
        back_populates="agreement", order_by="Party.urutan, Party.id"
    )
    numbers: Mapped[list["DocNumber"]] = relationship(back_populates="agreement", order_by="DocNumber.id")
    pemrakarsa_regency: Mapped[Regency | None] = relationship()
    pemrakarsa_organisation: Mapped[Organisation | None] = relationship()

    urusan = _codes("urusan_codes")
    klausul = _codes("klausul_codes")

    @classmethod
    def scope_clause(cls, user):
        """Visible to users of a regency that is a party to the agreement."""
        return exists(
            select(Party.id).where(Party.agreement_id == cls.id, Party.regency_id == user.regency_id)
        )

    @property
    def jenis_label(self) -> str:
        return JENIS.get(self.jenis, self.jenis)

    @property
    def tahap_label(self) -> str:
        return TAHAP.get(self.tahap, self.tahap)

    @property
    def urusan_label(self) -> str:
        return ", ".join(URUSAN.get(u, u) for u in self.urusan)

    @property
    def pemrakarsa_opd_name(self) -> str:
        """The initiating OPD: the organisation chosen, else the free text of an older record."""
        org = self.pemrakarsa_organisation
        return org.name if org is not None else self.pemrakarsa_opd

    @property
    def is_signed(self) -> bool:
        return self.tahap in SIGNED_STAGES and self.tgl_ttd is not None

    @property
    def is_locked(self) -> bool:
        """A signed final version is locked: changes go through an adendum. One registered after the fact stays
        open until its registration is finished."""
        if self.dicatat_susulan and self.tahap != "dibatalkan":
            return False
        return self.tahap in SIGNED_STAGES or self.tahap == "dibatalkan"

    def target_late_days(self, today: date) -> int | None:
        """Days the signing target has lapsed, or None: an open (not signed, not ended or cancelled) agreement
        whose target ended before ``today``. The one rule of the "target terlewat" reminder and the kanban's
        "lewat N hari" flag."""
        if self.target_selesai is None or self.target_selesai >= today:
            return None
        if self.is_signed or self.tahap in FINAL_STAGES:
            return None
        return (today - self.target_selesai).days

    @property
    def signing_parties(self) -> list["Party"]:
        return [p for p in self.parties if p.menandatangani]


class ScopeItem(Versioned, db.Model):
    """A KSB's ruang lingkup item; 0..n PKS point at it."""

    __tablename__ = "pks_scope_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    ksb_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    nama: Mapped[str] = mapped_column(String(250))
    urusan_code: Mapped[str] = mapped_column(String(20), default="")
    dicatat_pada: Mapped[date | None] = mapped_column(Date)  # when the wish was first recorded
    sumber: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ksb: Mapped[Agreement] = relationship(back_populates="scope_items")
    # read with the item wherever items are listed (record page, sheet, coverage): one query, not one per item
    agreements = relationship(
        Agreement, secondary="pks_scope_link", order_by=Agreement.id, viewonly=True, lazy="selectin"
    )


class ScopeLink(db.Model):
    """Which KSB scope item a PKS implements (one item per PKS; an item may have 0..n PKS)."""

    __tablename__ = "pks_scope_link"
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), primary_key=True)
    scope_item_id: Mapped[int] = mapped_column(ForeignKey("pks_scope_item.id"), index=True)


# (index, columns, partial condition) of the party rules the database holds (migration 0046_pks_party_trust)
PARTY_UNIQUE = (
    ("uq_pks_party_urutan", ("agreement_id", "urutan"), None),
    # a regency's OPD from the organisation list
    (
        "uq_pks_party_organisation",
        ("agreement_id", "regency_id", "organisation_id"),
        "organisation_id IS NOT NULL AND opd = ''",
    ),
    # a regency itself (no OPD), or an OPD named in text (recorded before the list)
    (
        "uq_pks_party_regency_opd",
        ("agreement_id", "regency_id", "opd"),
        "regency_id IS NOT NULL AND organisation_id IS NULL",
    ),
    # an outside partner and its unit
    (
        "uq_pks_party_partner",
        ("agreement_id", "mitra_nama", "opd"),
        "regency_id IS NULL AND organisation_id IS NULL",
    ),
)


class Party(Versioned, db.Model):
    __tablename__ = "pks_party"
    # the scope rule ("my regency is a party") probes (agreement, regency) once per agreement: one index
    # answers it, and an agreement's parties by its leading column
    __table_args__ = (
        Index("ix_pks_party_agreement_regency", "agreement_id", "regency_id"),
        # what parties._party_values checks, held by the database too (two clerks adding at once): one party per
        # position, and no party twice. A party is deleted outright (no soft delete), so a party removed never
        # blocks adding it again. Each index is no stricter than the app's check (which also folds case).
        *(Index(name, *cols, unique=True, **partial(where)) for name, cols, where in PARTY_UNIQUE),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"))
    # one of the app's regencies, or None for an outside partner (named by mitra_nama, of kind mitra_jenis)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    mitra_nama: Mapped[str] = mapped_column(String(200), default="", server_default="")
    mitra_jenis: Mapped[str] = mapped_column(String(20), default="", server_default="")
    urutan: Mapped[int] = mapped_column(Integer, default=1)  # 1 = pihak kesatu
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    opd: Mapped[str] = mapped_column(String(150), default="")
    peran: Mapped[str] = mapped_column(String(120), default="")  # e.g. "pengembang", "pendukung teknis"
    alamat: Mapped[str] = mapped_column(String(250), default="")
    pic_nama: Mapped[str] = mapped_column(String(120), default="")
    pic_jabatan: Mapped[str] = mapped_column(String(150), default="")
    dasar_hukum: Mapped[str] = mapped_column(Text, default="")
    menandatangani: Mapped[bool] = mapped_column(Boolean, default=True)

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    regency: Mapped[Regency | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")  # short_label needs it
    # every page that lists parties lists their signatories: one query for all, not one per party
    signatories: Mapped[list["Signatory"]] = relationship(
        back_populates="party", order_by="Signatory.id", lazy="selectin"
    )
    # its number for the agreement (one per party), for loading an agreement's numbers with its parties
    number = relationship(
        "DocNumber",
        primaryjoin="and_(DocNumber.party_id == Party.id, DocNumber.agreement_id == Party.agreement_id)",
        uselist=False,
        viewonly=True,
    )

    @property
    def urutan_label(self) -> str:
        return PERAN_PIHAK.get(self.urutan, f"Pihak ke-{self.urutan}")

    @property
    def opd_name(self) -> str:
        return self.opd or (self.organisation.name if self.organisation else "")

    @property
    def is_outside(self) -> bool:
        """An outside partner (another city, the province, a university, a company), not an app regency."""
        return self.regency_id is None

    @property
    def where_name(self) -> str:
        """The regency's name, or the outside partner's."""
        return self.regency.name if self.regency else self.mitra_nama

    @property
    def where_short(self) -> str:
        return self.regency.short_name if self.regency else self.mitra_nama

    @property
    def mitra_jenis_label(self) -> str:
        return MITRA_JENIS.get(self.mitra_jenis, "")

    @property
    def short_label(self) -> str:
        if self.regency is None:
            return self.opd_name or self.mitra_nama
        return self.opd_name or f"Pemkab {self.regency.short_name}"


class Signatory(Versioned, db.Model):
    """Penandatangan; a signatory who is not the Bupati signs under a surat kuasa."""

    __tablename__ = "pks_signatory"
    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("pks_party.id"), index=True)
    nama: Mapped[str] = mapped_column(String(120))
    jabatan: Mapped[str] = mapped_column(String(150))
    opd: Mapped[str] = mapped_column(String(150), default="")
    is_bupati: Mapped[bool] = mapped_column(Boolean, default=False)
    kuasa_nomor: Mapped[str] = mapped_column(String(100), default="")
    kuasa_tanggal: Mapped[date | None] = mapped_column(Date)

    party: Mapped[Party] = relationship(back_populates="signatories")


class DocNumber(Versioned, db.Model):
    """Each signing party numbers the same document in its own register."""

    __tablename__ = "pks_doc_number"
    __table_args__ = (UniqueConstraint("agreement_id", "party_id", name="uq_pks_number_party"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("pks_party.id"), index=True)
    nomor: Mapped[str] = mapped_column(String(120), index=True)
    tanggal: Mapped[date | None] = mapped_column(Date)
    register: Mapped[str] = mapped_column(String(150), default="")

    agreement: Mapped[Agreement] = relationship(back_populates="numbers")
    party: Mapped[Party] = relationship()
