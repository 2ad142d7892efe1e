"""Non-specialist diagnoses (docs/rujukan.md §3.4): the versioned list of diagnoses the FKTP treats itself; a
referral for one needs a TACC criterion and reason. The active version is RUJUKAN_NONSPESIALIS_VERSION."""

from sqlalchemy import select

from blueprints.core.extensions import db

from . import icd
from .models import NonSpecialistCode
from .settings import setting

# A working subset of the KKI 2012 "144" list (competence 4A) with the ICD-10 categories the source cites;
# the full list (or the 177 / 2022 list) is loaded the same way and switched with RUJUKAN_NONSPESIALIS_VERSION.
NONSPESIALIS_144 = [
    ("A09", "Diare dan gastroenteritis"),
    ("A01.0", "Demam tifoid"),
    ("J00", "Rinitis akut / common cold"),
    ("J02", "Faringitis akut"),
    ("J06.9", "ISPA"),
    ("J18", "Pneumonia, bronkopneumonia"),
    ("I10", "Hipertensi esensial"),
    ("E11", "Diabetes melitus tipe 2"),
    ("H10", "Konjungtivitis"),
    ("G44.2", "Tension headache"),
    ("R56.0", "Kejang demam"),
    ("K29", "Gastritis"),
    ("L01", "Impetigo"),
    ("B35", "Dermatofitosis"),
    ("N39.0", "Infeksi saluran kemih"),
    ("K30", "Dispepsia"),
]


def seed_nonspecialist(version: str = "144") -> int:
    """Load the bundled subset under ``version`` (idempotent); the number of codes added. Does not commit."""
    have = set(
        db.session.scalars(select(NonSpecialistCode.icd_code).where(NonSpecialistCode.version == version))
    )
    added = 0
    for code, name in NONSPESIALIS_144:
        if code not in have:
            db.session.add(NonSpecialistCode(version=version, icd_code=code, name=name))
            added += 1
    db.session.flush()
    return added


def nonspecialist_codes() -> set[str]:
    version = setting("RUJUKAN_NONSPESIALIS_VERSION")
    return set(
        db.session.scalars(select(NonSpecialistCode.icd_code).where(NonSpecialistCode.version == version))
    )


def is_nonspecialist(code: str, listed: set[str]) -> bool:
    """A listed category ("J02") covers its subcategories ("J02.9")."""
    code = icd.normalize(code)
    return code in listed or code.split(".")[0] in listed
