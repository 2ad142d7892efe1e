"""What other modules may know about a registered person (Rujukan: a receiving facility's short
accessibility summary). Nothing else of the registry leaves the module through here."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from blueprints.core.extensions import db
from blueprints.core.nik import clean_number

from . import values as V
from .models import Person


@dataclass(frozen=True)
class PersonSummary:
    person_id: int
    name: str
    sex: str  # "L" / "P"
    birth_date: date | None
    no_kk: str | None
    regency_id: int
    kecamatan_code: str | None
    nagari_code: str | None
    jorong_id: int | None
    accessibility: list[str] = field(default_factory=list)
    phone: str | None = None
    address: str | None = None  # street with RT/RW, as a letter's address line
    jkn_status: str | None = None  # values.KEPESERTAAN_JKN code: "PBI-JK", "mandiri", "PPU", "tidak_ada"


def address_line(person: Person) -> str | None:
    """'Jl. Lintas Sumatera RT 002/RW 001': the street and RT/RW, without the place (named by the codes)."""
    parts = [(person.alamat or "").strip()]
    if person.rt or person.rw:
        parts.append(f"RT {person.rt or '-'}/RW {person.rw or '-'}")
    return " ".join(p for p in parts if p) or None


def accessibility_summary(person: Person) -> list[str]:
    """Short notes a facility needs to receive the person well (no diagnosis, no severity)."""
    d = person.disability
    if d is None:
        return []
    out = [f"Disabilitas {V.label(V.RAGAM, r).lower()}" for r in d.ragam_codes]
    if "kursi_roda" in d.devices_owned or "kursi_roda" in d.devices_needed:
        out.append("Pengguna kursi roda")
    deaf = d.jenis_sensorik in ("rungu", "wicara", "rungu-wicara", "netra-tuli")
    if "juru_bahasa_isyarat" in d.needs or (deaf and (d.wg_mendengar or 0) >= 3):
        out.append("Perlu juru bahasa isyarat")
    if d.butuh_pendamping:
        out.append("Perlu pendamping")
    return out


def find_person_by_nik(
    nik: str, regency_ids: set[int], jorong_ids: set[int] = frozenset()
) -> PersonSummary | None:
    """An active, non-merged person with this NIK whose regency is in ``regency_ids`` or whose jorong is in
    ``jorong_ids``; None otherwise (also for a malformed NIK). The caller audits the lookup."""
    digits = clean_number(nik or "")
    if len(digits) != 16 or not digits.isdigit():
        return None
    conditions = []
    if regency_ids:
        conditions.append(Person.regency_id.in_(set(regency_ids)))
    if jorong_ids:
        conditions.append(Person.jorong_id.in_(set(jorong_ids)))
    if not conditions:
        return None
    person = db.session.scalars(
        select(Person)
        .where(
            Person.nik == digits, Person.active.is_(True), Person.merged_into_id.is_(None), or_(*conditions)
        )
        .order_by(Person.id)
        .limit(1)
    ).first()
    if person is None:
        return None
    return PersonSummary(
        person_id=person.id,
        name=person.nama_lengkap,
        sex=person.jenis_kelamin,
        birth_date=person.tanggal_lahir,
        no_kk=person.no_kk,
        regency_id=person.regency_id,
        kecamatan_code=person.kecamatan_code,
        nagari_code=person.nagari_code,
        jorong_id=person.jorong_id,
        accessibility=accessibility_summary(person),
        phone=person.no_hp or None,
        address=address_line(person),
        jkn_status=person.kepesertaan_jkn or None,
    )
