"""Finding persons: the list page's filters and query (also the export's), and the live registry that the
worklists, reports and rules count. Query builders only; nothing is written."""

from dataclasses import asdict, dataclass, fields
from datetime import date

from sqlalchemy import and_, exists, func, literal_column, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from blueprints.core.extensions import db
from blueprints.core.forms import record_id
from blueprints.core.nik import clean_number
from blueprints.core.pagination import KeysetPage, keyset
from blueprints.core.scope import scope_of, scoped
from blueprints.core.textsearch import MIN_CHARS

from . import values as V
from .models import PERSON_TEXT, Assistance, Disability, Person
from .names import name_key, name_search
from .quality import needs_check


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
    dicek: str = ""  # "" / "ya": only records with an open data-quality flag ("perlu dicek", quality.py)

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
            dicek=get("dicek"),
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


def _among_ids(ids):
    """``Person.id IN (ids)``; on PostgreSQL ``= ANY(ARRAY(ids))``, which runs the ids' UNION once and probes the
    primary key with them: with a plain IN PostgreSQL may hash-join them to a scan of the whole regency (55,000
    persons read for a NIK suffix's 800 ids, 19 ms instead of 7 at bench scale)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Person.id == func.any(func.array(ids.scalar_subquery()))
    return Person.id.in_(ids)


def _name_condition(q: str):
    """Any word (or piece) of the name, spelling folded (Samsul finds Syamsul, Nur Hayati finds Nurhayati); a
    text too short for the trigram index is a prefix of the name."""
    cond = PERSON_TEXT.contains(Person, "name_key", name_key(q), db.session.get_bind())
    return cond if cond is not None else _prefix(Person.name_search, name_search(q))


class likely(FunctionElement):
    """``likely(condition, share)``: ``condition``, with a hint to SQLite's planner that about ``share`` (0..1)
    of the rows meet it (SQLite's ``likelihood``; other databases get the plain condition). Without ANALYZE
    statistics SQLite takes every equality or range on an index to be selective; told the truth, it picks the
    index that really narrows (a search's few ids, the name order of the list) over one that keeps most rows."""

    type = NullType()  # not Boolean: SQLite would get "likelihood(...) = 1", a term no index can serve
    inherit_cache = True

    def __init__(self, condition, share: float):
        super().__init__(condition, literal_column(repr(float(share))))  # SQLite wants a constant here


@compiles(likely)
def _likely_plain(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(likely, "sqlite")
def _likely_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.clauses, **kw)})"


REGENCY_SHARE = 0.9  # a user's scope holds most of the persons a search looks at
LANSIA_SHARE = 0.35  # persons aged 60 or more: about a third of the registry


def _filtered(f: Filters, user, today: date):
    """Scoped, active persons matching the filters, unordered (docs/sidilan.md §13.6)."""
    q = f.q
    digits = clean_number(q)
    scope = scope_of(Person, user)
    stmt = select(Person).where(Person.active.is_(True))
    if scope is not None:  # a search narrows far more than the scope: the scope must not drive the query
        stmt = stmt.where(likely(scope, REGENCY_SHARE) if q else scope)
    if q and digits.isdigit():
        stmt = stmt.where(_among_ids(_number_ids(user, digits)))
    elif q:
        stmt = stmt.where(_name_condition(q))
    if f.kecamatan:
        stmt = stmt.where(Person.kecamatan_code == f.kecamatan)
    if f.nagari:
        stmt = stmt.where(Person.nagari_code == f.nagari)
    if (jorong_id := record_id(f.jorong)) is not None:
        stmt = stmt.where(Person.jorong_id == jorong_id)
    flag = (
        f"ragam_{f.ragam}" if f.ragam in {c for c, _ in V.RAGAM} else "ganda" if f.ragam == "ganda" else None
    )
    if flag:
        stmt = stmt.where(_has_disability(flag))
    if f.lansia == "ya":
        # a third of the persons: the page walks the name order rather than every birth date, then sorting
        stmt = stmt.where(likely(lansia_clause(today), LANSIA_SHARE))
    if f.status in {c for c, _ in V.STATUS_VERIFIKASI}:
        stmt = stmt.where(Person.status_verifikasi == f.status)
    if (program_id := record_id(f.program)) is not None:
        stmt = stmt.where(_receives(program_id))
    if f.dicek == "ya":
        stmt = stmt.where(needs_check())
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
        and_(
            Person.household_id.is_not(None),
            exists().where(
                Assistance.household_id == Person.household_id, Assistance.program_id == program_id
            ),
        ),
    )


LIST_KEYS = (Person.name_search, Person.id)  # the list's order, unique


def search_stmt(f: Filters, user, today: date):
    """The list's query in its order (the export reads it whole)."""
    return _filtered(f, user, today).order_by(*LIST_KEYS)


def list_page(f: Filters, user, today: date, args, options=()) -> KeysetPage:
    """One page of the list, by keyset on (name, id): page 500 costs what page 1 costs. ``options``: the
    related rows the page shows, loaded for the page's rows only."""
    stmt = _filtered(f, user, today)
    sort_keys, reads_all = LIST_KEYS, False
    if _is_text_search(f.q):
        # the few matches of the trigram index, then sorted: walking the name index and filtering each row
        # (what PostgreSQL picks for a LIMIT) reads tens of thousands of rows when the name sorts late
        sort_keys, reads_all = (Person.name_search + "", Person.id), True
    return keyset(
        stmt,
        LIST_KEYS,
        args,
        filters=Filters.names(),
        sort_keys=sort_keys,
        eager=options,
        reads_all=reads_all,
        count_in_page=True,
    )


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
