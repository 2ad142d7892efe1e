"""What other modules may ask of PKS: which agreements cover a place on a day (used by Rujukan).

Not scoped to a user: it answers about agreements, not people, and the caller shows only the title,
numbers and validity.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from blueprints.core.extensions import db
from blueprints.wilayah.models import Wilayah

from .models import Agreement, Party, ServiceArea
from .validity import status_berlaku, status_label


@dataclass(frozen=True)
class Coverage:
    agreement_id: int
    title: str
    numbers: str  # every party's number, "; "-separated ("" when none recorded yet)
    signed: bool
    status_berlaku: str  # code: belum_berlaku / aktif / akan_berakhir / kedaluwarsa / diakhiri
    status_label: str
    in_force: bool  # signed and valid on the date asked
    other_regency_ids: set[int] = field(default_factory=set)  # party regencies other than the nagari's


def covering_agreements(nagari_code: str, jorong_id: int | None, on: date) -> list[Coverage]:
    """Agreements whose service area covers the place on ``on``; cancelled ones excluded.

    With a jorong: areas naming the whole nagari, or that jorong. Without one (jorong unknown): only areas
    naming the whole nagari, since a jorong-only agreement may not cover the person's jorong.
    """
    area = ServiceArea.nagari_code == nagari_code
    if jorong_id is None:
        area = area & ServiceArea.jorong_id.is_(None)
    else:
        area = area & or_(ServiceArea.jorong_id.is_(None), ServiceArea.jorong_id == jorong_id)
    stmt = (
        select(Agreement)
        .where(
            Agreement.id.in_(select(ServiceArea.agreement_id).where(area)), Agreement.tahap != "dibatalkan"
        )
        .options(
            selectinload(Agreement.parties).selectinload(Party.regency),
            selectinload(Agreement.parties).selectinload(Party.organisation),
            selectinload(Agreement.numbers),
            selectinload(Agreement.children),
        )
        .order_by(Agreement.id)
    )
    nagari = db.session.get(Wilayah, nagari_code)
    home_regency = nagari.regency_id if nagari else None
    out = []
    for a in db.session.scalars(stmt):
        status = status_berlaku(a, on)
        out.append(
            Coverage(
                agreement_id=a.id,
                title=a.judul,
                numbers="; ".join(n.nomor for n in a.numbers if n.nomor),
                signed=a.is_signed,
                status_berlaku=status,
                status_label=status_label(status),
                in_force=a.is_signed and status in ("aktif", "akan_berakhir"),
                other_regency_ids={p.regency_id for p in a.parties if p.regency_id != home_regency},
            )
        )
    return out
