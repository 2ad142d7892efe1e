"""Where an agreement delivers its service (read by Rujukan through ``pks.public.covering_agreements``)."""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.core.extensions import db

from .agreements import Agreement


class ServiceArea(db.Model):
    """Where a PKS delivers a service: a whole nagari, or one jorong in it."""

    __tablename__ = "pks_service_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pks_agreement.id"), index=True)
    nagari_code: Mapped[str] = mapped_column(ForeignKey("wilayah.code"), index=True)
    jorong_id: Mapped[int | None] = mapped_column(ForeignKey("jorong.id"), index=True)

    agreement: Mapped[Agreement] = relationship()
    nagari = relationship("Wilayah", lazy="joined")  # an area is always shown by its names
    jorong = relationship("Jorong", lazy="joined")
