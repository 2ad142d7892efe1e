"""Letter numbers (docs/rujukan.md §8): the local number format and the per-facility, per-year counter."""

import re
from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db

from .models import NumberCounter
from .settings import setting

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# 8-character PPK code + MMYY + letter + 6 digits (docs/rujukan.md §8, unverified): a local number must
# never look like this.
BPJS_LIKE = re.compile(r"^[0-9A-Z]{8}\d{4}[A-Z]\d{6}$")
BPJS_LIKE_MESSAGE = "Format nomor rujukan lokal menyerupai nomor BPJS; ubah RUJUKAN_NUMBER_FORMAT."


def facility_code(org: Organisation) -> str:
    """The ``{kode}`` of a number: the facility's code (no slashes), or F<id> when it has none."""
    return (org.facility_code or f"F{org.id}").replace("/", "-")


def number_text(pattern: str, seq: int, kode: str, on: date) -> str:
    """The number from a RUJUKAN_NUMBER_FORMAT pattern; ValueError when it would look like a BPJS number
    (KeyError / IndexError / ValueError from a broken pattern pass through)."""
    number = pattern.format(
        urut=seq,
        kode=kode,
        bulan=f"{on.month:02d}",
        romawi=ROMAN[on.month - 1],
        tahun=on.year,
        yy=f"{on.year % 100:02d}",
    )
    if BPJS_LIKE.match(number.replace(" ", "")):
        raise ValueError(BPJS_LIKE_MESSAGE)
    return number


def format_number(seq: int, org: Organisation, on: date) -> str:
    return number_text(setting("RUJUKAN_NUMBER_FORMAT"), seq, facility_code(org), on)


def next_seq(organisation_id: int, year: int) -> int:
    """Atomic per-facility/year counter: insert-if-missing, then UPDATE ... RETURNING under a row
    (PostgreSQL) or database (SQLite) write lock, so two clerks never get the same number."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(NumberCounter)
        .values(organisation_id=organisation_id, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["organisation_id", "year"])
    )
    stmt = (
        update(NumberCounter)
        .where(NumberCounter.organisation_id == organisation_id, NumberCounter.year == year)
        .values(last=NumberCounter.last + 1)
        .returning(NumberCounter.last)
    )
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).scalar_one()
