"""Border-area service (docs/rujukan.md §4.7): is a letter cross-regency, which PKS covers the patient's address
for the destination's regency, and which jorong count as border jorong (RUJUKAN_BORDER_JORONG)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.core.timeutil import today_local
from blueprints.wilayah.models import Jorong

from . import links
from .models import Patient, Referral
from .settings import setting


@dataclass
class Border:
    cross: bool = False  # destination in another regency than the patient's home or the origin
    covered: bool = False  # patient's address under a PKS covering the destination's regency
    coverage: object = None  # pks.public Coverage


def best_coverage(rows: list, regency_id: int):
    """Of the agreements covering an address, the one that covers ``regency_id`` (an agreement naming no other
    regency covers any), in force first, then the oldest; None when none does."""
    rows = [c for c in rows if not c.other_regency_ids or regency_id in c.other_regency_ids]
    return min(rows, key=lambda c: (not c.in_force, c.agreement_id), default=None)


def border_for(patient: Patient, origin: Organisation, destination: Organisation | None, on: date) -> Border:
    out = Border()
    if destination is None:
        return out
    out.cross = (
        destination.regency_id != patient.home_regency_id or destination.regency_id != origin.regency_id
    )
    if destination.regency_id == patient.home_regency_id:
        return out
    found = best_coverage(
        links.covering_agreements(patient.nagari_code, patient.jorong_id, on), destination.regency_id
    )
    if found is not None:
        out.covered, out.coverage = True, found
    return out


def pks_snapshot(coverage) -> str:
    """The agreement as printed on the letter: title and numbers, as they stood at the issue."""
    text = coverage.title + (f" (Nomor {coverage.numbers})" if coverage.numbers else "")
    return text[:300]


def apply_border(ref: Referral, patient: Patient, on: date | None = None) -> None:
    """The border-service link (PKS) and the accessibility summary as they stand on ``on`` (today)."""
    origin = db.session.get(Organisation, ref.origin_id)
    destination = db.session.get(Organisation, ref.destination_id) if ref.destination_id else None
    border = border_for(patient, origin, destination, on or today_local())
    ref.border = border.covered
    ref.pks_agreement_id = border.coverage.agreement_id if border.covered else None
    ref.pks_snapshot = pks_snapshot(border.coverage) if border.covered else None
    ref.accessibility = patient.accessibility


def is_border_jorong(nagari_code: str | None, jorong_name: str | None, pairs) -> bool:
    """Whether (nagari code, jorong name) is one of the configured border jorong ``pairs``."""
    return (nagari_code, jorong_name) in {tuple(pair) for pair in pairs}


def suggested_basis(patient: Patient) -> str | None:
    """The legal basis a new letter starts with: RUJUKAN_BORDER_BASIS for a resident of a border jorong (the PKS
    link itself is checked at save), else none."""
    jorong = patient.jorong
    if jorong is not None and is_border_jorong(
        jorong.nagari_code, jorong.name, setting("RUJUKAN_BORDER_JORONG")
    ):
        return setting("RUJUKAN_BORDER_BASIS")
    return None


def border_jorong_ids() -> set[int]:
    """Ids of the configured border jorong (RUJUKAN_BORDER_JORONG), in one query."""
    pairs = setting("RUJUKAN_BORDER_JORONG")
    if not pairs:
        return set()
    return set(
        db.session.scalars(
            select(Jorong.id).where(
                or_(
                    *(
                        and_(Jorong.nagari_code == nagari_code, Jorong.name == name)
                        for nagari_code, name in pairs
                    )
                )
            )
        )
    )
