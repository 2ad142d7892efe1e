"""Who uses Sinergi: regencies, their organisations (OPD and health facilities) and users."""

from datetime import datetime

from flask import g, has_request_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.extensions import db
from blueprints.core.roles import ROLE_LABELS
from blueprints.core.scope import RegencyScoped
from blueprints.core.timeutil import UTCDateTime, utcnow
from blueprints.core.versioning import Versioned

# Organisation kinds (value, label).
ORG_KINDS = {
    "dinsos": "Dinas Sosial",
    "kominfo": "Dinas Komunikasi dan Informatika",
    "dinkes": "Dinas Kesehatan",
    "kerjasama": "Bagian Kerjasama Setda",
    "pemerintahan": "Bagian Pemerintahan dan Otonomi Daerah Setda",
    "puskesmas": "Puskesmas",
    "rumah_sakit": "RSUD / klinik",
}
FACILITY_LEVELS = {
    "FKTP": "Fasilitas Kesehatan Tingkat Pertama",
    "FKTL": "Fasilitas Kesehatan Tingkat Lanjutan",
}


class Regency(db.Model):
    __tablename__ = "regency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)  # Kemendagri "13.02"
    name: Mapped[str] = mapped_column(String(80))  # "Kabupaten Solok"

    @property
    def short_name(self) -> str:
        return self.name.removeprefix("Kabupaten ")

    def __repr__(self) -> str:
        return f"<Regency {self.code}>"


class Organisation(Versioned, RegencyScoped, db.Model):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(150))
    facility_level: Mapped[str | None] = mapped_column(String(4))  # FKTP / FKTL for facilities
    facility_code: Mapped[str | None] = mapped_column(String(20))  # BPJS PPK code
    address: Mapped[str | None] = mapped_column(String(250))
    phone: Mapped[str | None] = mapped_column(String(30))
    # Demo organisations whose name was not checked against an official list are flagged, and say so.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    regency: Mapped[Regency] = relationship()

    @property
    def is_facility(self) -> bool:
        return self.facility_level is not None


class User(Versioned, UserMixin, RegencyScoped, db.Model):
    """An account. Every role works for one organisation of one regency, except the superadmin, which belongs to
    none (both NULL): a regency admin's scope (same regency) never reaches it."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    regency: Mapped[Regency | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class UserNagari(db.Model):
    """The nagari a ``verifikator_nagari`` account verifies (docs/sidilan.md §9.1): it sees and takes the first
    step for persons of these nagari only. Set by the regency admin on the user form."""

    __tablename__ = "user_nagari"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    nagari_code: Mapped[str] = mapped_column(ForeignKey("wilayah.code"), primary_key=True, index=True)

    @classmethod
    def codes_of(cls, user_id: int):
        """The account's nagari codes, as a select (a subquery for scope, or read as a set)."""
        return select(cls.nagari_code).where(cls.user_id == user_id)


def regencies() -> list[Regency]:
    """Every regency in code order: one query per request however many forms and links ask (no commit)."""
    if not has_request_context():
        return list(db.session.scalars(select(Regency).order_by(Regency.code)))
    if "sinergi_regencies" not in g:
        g.sinergi_regencies = list(db.session.scalars(select(Regency).order_by(Regency.code)))
    return g.sinergi_regencies


def remember_regencies(rows: list[Regency]) -> None:
    """Every regency in code order, read by a caller together with other rows (one statement for both): later
    ``regencies()`` of this request use them, and they stay loaded for the request's relationships."""
    if has_request_context() and "sinergi_regencies" not in g:
        g.sinergi_regencies = list(rows)


def regency_choices(value: str = "id") -> list[tuple]:
    """(id or code, name) of every regency in code order, for select fields."""
    return [(getattr(r, value), r.name) for r in regencies()]
