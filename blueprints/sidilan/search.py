"""Finding persons: the list page's filters and query (also the export's), and the live registry that the
worklists, reports and rules count. Query builders only; nothing is written."""

from dataclasses import asdict, dataclass, fields
from datetime import date

from sqlalchemy import and_, exists, or_, union

from blueprints.core.extensions import db
from blueprints.core.nik import clean_number
from blueprints.core.scope import scoped

from . import values as V
from .models import Assistance, Disability, Person
from .names import name_search


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
    """Prefix match that an index serves on both databases. PostgreSQL uses the text_pattern_ops index for
    LIKE 'x%'; SQLite's LIKE is case-insensitive and cannot use the index, so there a byte range is added
    (the stored values are already lower-case digits or names)."""
    cond = column.like(_escape_like(text) + "%", escape="\\")
    if db.session.get_bind().dialect.name == "sqlite":
        cond = and_(column >= text, column < text + "\uffff", cond)
    return cond


def search_stmt(f: Filters, user, today: date):
    """Scoped person query for the list. The box takes a NIK or No. KK prefix (digits) or a name prefix."""
    stmt = scoped(Person, user).where(Person.active.is_(True))
    q = f.q
    digits = clean_number(q)
    order = (Person.name_search, Person.id)
    if q and digits.isdigit():
        # a UNION of two index range scans; an OR of the two would make SQLite scan the whole regency
        ids = union(
            scoped(Person, user, Person.id).where(_prefix(Person.nik, digits)),
            scoped(Person, user, Person.id).where(_prefix(Person.no_kk, digits)),
        )
        stmt = stmt.where(Person.id.in_(ids))
        order = (Person.id,)  # drives the outer query by the few ids found
    elif q:
        stmt = stmt.where(_prefix(Person.name_search, name_search(q)))
    if f.kecamatan:
        stmt = stmt.where(Person.kecamatan_code == f.kecamatan)
    if f.nagari:
        stmt = stmt.where(Person.nagari_code == f.nagari)
    if f.jorong.isdigit():
        stmt = stmt.where(Person.jorong_id == int(f.jorong))
    if f.ragam in {c for c, _ in V.RAGAM}:
        stmt = stmt.where(
            exists().where(
                Disability.person_id == Person.id, getattr(Disability, f"ragam_{f.ragam}").is_(True)
            )
        )
    elif f.ragam == "ganda":
        stmt = stmt.where(exists().where(Disability.person_id == Person.id, Disability.ganda.is_(True)))
    if f.lansia == "ya":
        stmt = stmt.where(lansia_clause(today))
    if f.status in {c for c, _ in V.STATUS_VERIFIKASI}:
        stmt = stmt.where(Person.status_verifikasi == f.status)
    if f.program.isdigit():
        pid = int(f.program)
        stmt = stmt.where(
            or_(
                exists().where(Assistance.person_id == Person.id, Assistance.program_id == pid),
                exists().where(
                    Assistance.household_id == Person.household_id,
                    Assistance.household_id.is_not(None),
                    Assistance.program_id == pid,
                ),
            )
        )
    return stmt.order_by(*order)


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
