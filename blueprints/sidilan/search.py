"""Finding persons: the list page's filters and query (also the export's), and the live registry that the
worklists, reports and rules count. Query builders only; nothing is written."""

from dataclasses import asdict, dataclass, fields
from datetime import date

from sqlalchemy import and_, exists, or_, union

from blueprints.core.extensions import db
from blueprints.core.nik import clean_number
from blueprints.core.pagination import KeysetPage, keyset
from blueprints.core.scope import scoped
from blueprints.core.textsearch import MIN_CHARS

from . import values as V
from .models import PERSON_TEXT, Assistance, Disability, Person
from .names import name_key, name_search


def live(stmt):
    """Only records that are still someone's registration: active and not merged into another."""
    return stmt.where(Person.active.is_(True), Person.merged_into_id.is_(None))


@dataclass
class Filters:
    q: str = ""
    kecamatan: str = ""
    nagari: str = ""
    jorong: str = ""
    ragam: str = ""
    lansia: str = ""  # "" / "ya"
    status: str = ""
    program: str = ""  # Program.id as text

    @classmethod
    def from_args(cls, args) -> "Filters":
        def get(name, n=20):
            return (args.get(name) or "").strip()[:n]

        return cls(
            q=get("q", 60),
            kecamatan=get("kecamatan"),
            nagari=get("nagari"),
            jorong=get("jorong"),
            ragam=get("ragam"),
            lansia=get("lansia"),
            status=get("status"),
            program=get("program"),
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The query arguments of the list's filter (its pager keeps them)."""
        return tuple(f.name for f in fields(cls))

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as query arguments (for links that keep the filter)."""
        return {k: v for k, v in asdict(self).items() if v}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(column, text: str):
    """Prefix match that an index serves on both databases. PostgreSQL uses the text_pattern_ops index (NIK,
    No. KK) or the "C" collation of name_search for LIKE 'x%'; SQLite's LIKE is case-insensitive and cannot use
    the index, so there a byte range is added (the stored values are already lower-case digits or names)."""
    cond = column.like(_escape_like(text) + "%", escape="\\")
    if db.session.get_bind().dialect.name == "sqlite":
        cond = and_(column >= text, column < text + "\uffff", cond)
    return cond


SUFFIX_DIGITS = 4  # a shorter number is searched as a prefix only


def _number_ids(user, digits: str):
    """Persons whose NIK or No. KK starts, or (from SUFFIX_DIGITS digits) ends, with ``digits``: a UNION of
    index range scans (an OR would make SQLite scan the whole regency); a suffix is a prefix of the reversed
    number (``Person.nik_rev`` / ``kk_rev``)."""
    columns = [Person.nik, Person.no_kk]
    if SUFFIX_DIGITS <= len(digits) < 16:
        columns += [Person.nik_rev, Person.kk_rev]
    return union(
        *(
            scoped(Person, user, Person.id).where(
                _prefix(column, digits[::-1] if column in (Person.nik_rev, Person.kk_rev) else digits)
            )
            for column in columns
        )
    )


def _name_condition(q: str):
    """Any word (or piece) of the name, spelling folded (Samsul finds Syamsul, Nur Hayati finds Nurhayati); a
    text too short for the trigram index is a prefix of the name."""
    cond = PERSON_TEXT.contains(Person, "name_key", name_key(q), db.session.get_bind())
    return cond if cond is not None else _prefix(Person.name_search, name_search(q))


def _filtered(f: Filters, user, today: date):
    """Scoped, active persons matching the filters, unordered (docs/sidilan.md §13.6)."""
    stmt = scoped(Person, user).where(Person.active.is_(True))
    q = f.q
    digits = clean_number(q)
    if q and digits.isdigit():
        stmt = stmt.where(Person.id.in_(_number_ids(user, digits)))
    elif q:
        stmt = stmt.where(_name_condition(q))
    if f.kecamatan:
        stmt = stmt.where(Person.kecamatan_code == f.kecamatan)
    if f.nagari:
        stmt = stmt.where(Person.nagari_code == f.nagari)
    if f.jorong.isdigit() and int(f.jorong) < 2**31:
        stmt = stmt.where(Person.jorong_id == int(f.jorong))
    flag = (
        f"ragam_{f.ragam}" if f.ragam in {c for c, _ in V.RAGAM} else "ganda" if f.ragam == "ganda" else None
    )
    if flag:
        stmt = stmt.where(_has_disability(flag))
    if f.lansia == "ya":
        stmt = stmt.where(lansia_clause(today))
    if f.status in {c for c, _ in V.STATUS_VERIFIKASI}:
        stmt = stmt.where(Person.status_verifikasi == f.status)
    if f.program.isdigit() and int(f.program) < 2**31:
        stmt = stmt.where(_receives(int(f.program)))
    return stmt


# ragam / ganda / program: a probe of one unique or covering index per person the list walks in name order.
# The list reads only until its page (and the capped count) is full, so a common filter stops after a few rows;
# an IN (all matching ids) would collect every match of both regencies first (SQLite then drives the query by
# those ids and sorts them all: 0.6 s for ragam fisik at 100,000 persons on this machine).


def _has_disability(flag: str):
    return exists().where(Disability.person_id == Person.id, getattr(Disability, flag).is_(True))


def _receives(program_id: int):
    return or_(
        exists().where(Assistance.person_id == Person.id, Assistance.program_id == program_id),
        exists().where(
            Assistance.household_id == Person.household_id,
            Person.household_id.is_not(None),
            Assistance.program_id == program_id,
        ),
    )


LIST_KEYS = (Person.name_search, Person.id)  # the list's order, unique


def search_stmt(f: Filters, user, today: date):
    """The list's query in its order (the export reads it whole)."""
    return _filtered(f, user, today).order_by(*LIST_KEYS)


def list_page(f: Filters, user, today: date, args, options=()) -> KeysetPage:
    """One page of the list, by keyset on (name, id): page 500 costs what page 1 costs."""
    stmt = _filtered(f, user, today).options(*options)
    sort_keys = LIST_KEYS
    if _is_text_search(f.q):
        # the few matches of the trigram index, then sorted: walking the name index and filtering each row
        # (what PostgreSQL picks for a LIMIT) reads tens of thousands of rows when the name sorts late
        sort_keys = (Person.name_search + "", Person.id)
    return keyset(stmt, LIST_KEYS, args, filters=Filters.names(), sort_keys=sort_keys)


def _is_text_search(q: str) -> bool:
    return bool(q) and not clean_number(q).isdigit() and len(name_key(q)) >= MIN_CHARS


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def lansia_clause(today: date):
    return Person.tanggal_lahir <= years_before(today, V.LANSIA_AGE)


def live_persons(user):
    """The live registry the reports count: scoped, active, not merged, alive."""
    return live(scoped(Person, user)).where(Person.status_hidup == "hidup")
