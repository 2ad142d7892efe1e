"""What a search box finds (the letters' lists and the patient search share it): a patient by any word or piece
of the name with the common spelling variants (Samsul finds Syamsul, Nur Hayati finds Nurhayati, Yusup finds
Yusuf), by the full NIK, its last digits or the No. JKN; a letter by its patient or any piece of its number. Every part is an
index look-up (core.textsearch: FTS5 trigram on SQLite, pg_trgm on PostgreSQL; the NIK and JKN indexes), joined
as a UNION of ids, so a search costs what its matches cost, not what the facility holds. Query builders only."""

from sqlalchemy import false, select, union

from blueprints.core.extensions import db
from blueprints.core.nik import clean_number
from blueprints.core.textsearch import MIN_CHARS

from .models import PATIENT_TEXT, REFERRAL_TEXT, Patient, Referral, patient_name_key

SUFFIX_DIGITS = 4  # the last digits of a NIK from this many; fewer would find half the facility
NIK_DIGITS = 16


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def patient_conditions(q: str, extra=()) -> list:
    """The conditions on Patient, one per way ``q`` can find a patient (each served by its own index)."""
    bind = db.session.get_bind()
    digits = clean_number(q)
    out = list(extra)
    if digits.isdigit():
        if len(digits) == NIK_DIGITS:
            out.append(Patient.nik == digits)
        elif len(digits) >= SUFFIX_DIGITS:
            out.append(PATIENT_TEXT.ends_with(Patient, "nik", digits, bind))
        out.append(Patient.no_jkn == digits)
        return out
    key = patient_name_key(q)
    if len(key) >= MIN_CHARS:
        out.append(PATIENT_TEXT.contains(Patient, "name_key", key, bind))
    elif key:  # too short for the trigram index: the start of the name
        out.append(Patient.name_key.like(_escape_like(key) + "%", escape="\\"))
    return out


def patient_ids(q: str, extra=()):
    """SELECT of the ids of every patient ``q`` finds (``extra``: more conditions on Patient, e.g. the No. RM);
    None when ``q`` can find nobody."""
    conditions = patient_conditions(q, extra)
    if not conditions:
        return None
    return union(*(select(Patient.id).where(c) for c in conditions))


def referral_condition(q: str):
    """The condition on Referral for the letters ``q`` finds: its patient is one ``q`` finds, or (when ``q`` has a
    digit: every letter number has) its number holds ``q``; false() when nothing can match.

    Written for each planner: SQLite (no statistics) reads the list's own (facility, date, id) index and probes
    each id in the UNION of the matches; PostgreSQL, given only the patients, starts from them and reads their
    letters through (patient, facility, ...), which a UNION of ids would hide from it (it then reads every letter
    of the facility)."""
    bind = db.session.get_bind()
    patients = patient_ids(q)
    number = REFERRAL_TEXT.contains_text(Referral, "number", q, bind) if any(c.isdigit() for c in q) else None
    if patients is None and number is None:
        return false()
    if number is None and bind.dialect.name == "postgresql":
        return Referral.patient_id.in_(patients)
    parts = [select(Referral.id).where(c) for c in (number,) if c is not None]
    if patients is not None:
        parts.append(select(Referral.id).where(Referral.patient_id.in_(patients)))
    return Referral.id.in_(union(*parts) if len(parts) > 1 else parts[0])
