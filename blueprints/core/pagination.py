"""Paging shared by every list: page links plus a 'Muat lagi' link for htmx.

Two ways to page, one ``Page`` for the templates (``core/_macros.html`` ``pager`` and ``more_row``):

- ``paginate(stmt, page_arg)``: numbered pages (``?hal=3``), for lists that stay short;
- ``keyset(stmt, keys, request.args)``: "Sebelumnya" / "Berikutnya" links that carry the sort key of the last
  (or first) row shown (``?hal=3&setelah=<cursor>``), so page 500 costs what page 1 costs: the database starts
  reading at the key instead of skipping 10,000 rows (no OFFSET).

Counts never scan the whole list: both count at most ``COUNT_CAP`` rows and the pager then says "lebih dari
1.000 data" (``Page.total_label``).

A list declares the names of its filters (``filters=("q", "status")``); its page links carry those query
arguments (every value of a repeated one) and nothing else, so a crafted link (``?_external=1&_scheme=javascript``
or ``?foo=bar``) gives pager links holding none of it."""

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, request, url_for
from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.types import TypeDecorator

from .extensions import db

URL_FOR_OWN = frozenset(
    {"endpoint", "_method", "_anchor", "_external", "_scheme"}
)  # url_for's own parameters
AFTER, BEFORE = "setelah", "sebelum"  # the keyset cursors' query arguments
PAGER_OWN = frozenset({"hal", AFTER, BEFORE})
COUNT_CAP = 1000  # a list counts at most this many rows


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    filters: tuple[str, ...] = ()  # the query arguments this list is filtered by
    capped: bool = False  # the count stopped at COUNT_CAP: there are more than ``total`` rows
    more: bool | None = None  # a row after this page exists (known without a count); None: from the count

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def total_label(self) -> str:
        from .fmt import angka

        return f"lebih dari {angka(self.total)} data" if self.capped else f"{angka(self.total)} data"

    def url(self, page: int, **cursor) -> str:
        """This list at ``page``, keeping its declared filters (every value of a repeated one, e.g.
        ?ragam=a&ragam=b) and no other query argument. A name of url_for's own parameters (``endpoint``,
        ``_method``, ``_anchor``, ``_external``, ``_scheme``) or of a variable of this endpoint's rules (those
        come from the current URL) is never carried over, even if declared: it would change or break the link.
        ``cursor``: a keyset cursor (``setelah=`` / ``sebelum=``), added by the keyset pager itself."""
        endpoint = request.endpoint
        reserved = (
            PAGER_OWN
            | URL_FOR_OWN
            | {name for rule in current_app.url_map.iter_rules(endpoint) for name in rule.arguments}
        )
        args = {k: v for k, v in request.args.lists() if k in self.filters and k not in reserved}
        args.update(request.view_args or {})
        args["hal"] = page
        args.update(cursor)
        return url_for(endpoint, **args)

    @property
    def prev_url(self) -> str:
        return self.url(self.page - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.page + 1)

    def window(self, radius: int = 2) -> list[int]:
        lo, hi = max(1, self.page - radius), min(self.pages, self.page + radius)
        if self.has_next:
            hi = max(hi, self.page + 1)
        return list(range(lo, hi + 1))


@dataclass
class KeysetPage(Page):
    """A page reached by a sort key: links to the neighbouring pages only (no page numbers to jump to)."""

    first_key: tuple | None = None
    last_key: tuple | None = None

    @property
    def prev_url(self) -> str:
        if self.page <= 2 or self.first_key is None:
            return self.url(1)
        return self.url(self.page - 1, **{BEFORE: encode_cursor(self.first_key)})

    @property
    def next_url(self) -> str:
        return self.url(self.page + 1, **{AFTER: encode_cursor(self.last_key)})

    def window(self, radius: int = 2) -> list[int]:
        return [self.page]


def encode_cursor(values: Sequence) -> str:
    """A row's sort key as an opaque, URL-safe text."""
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None, keys: Sequence) -> tuple | None:
    """The sort key a cursor holds, typed like the key columns; None for a missing or unreadable cursor (the
    list then starts at its first page)."""
    if not text or len(text) > 400:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        return tuple(_typed(column, v) for column, v in zip(keys, values, strict=True))
    except (ValueError, TypeError, NotImplementedError):
        return None


def _typed(column, value):
    type_ = column.type
    kind = type_.impl.python_type if isinstance(type_, TypeDecorator) else type_.python_type  # UTCDateTime
    if value is None:
        return None
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
            raise ValueError("bad int")
        return value
    if kind in (date, datetime):
        return kind.fromisoformat(value)
    if not isinstance(value, kind):
        raise ValueError("bad type")
    return value


def page_number(page_arg) -> int:
    """The ?hal= value as a page number; anything unreadable is page 1."""
    try:
        return max(1, min(int(page_arg or 1), 100000))
    except (TypeError, ValueError):
        return 1


def capped_count(stmt: Select, cap: int | None = None) -> tuple[int, bool]:
    """How many rows ``stmt`` gives, counting at most ``cap`` (default COUNT_CAP; +1 to know there are more)."""
    cap = COUNT_CAP if cap is None else cap
    stmt = stmt.order_by(None)
    if not stmt._distinct and not stmt._group_by_clauses:  # count rows, not read them: no column but a 1
        stmt = stmt.with_only_columns(literal(1), maintain_column_froms=True)
    limited = stmt.limit(cap + 1).subquery()
    n = db.session.scalar(select(func.count()).select_from(limited)) or 0
    return min(n, cap), n > cap


def paginate(
    stmt: Select, page_arg, per_page: int = 20, rows: bool = False, filters: Iterable[str] = ()
) -> Page:
    """One page of ``stmt`` by page number: entities, or with ``rows=True`` whole result rows (aggregate
    queries). ``filters``: the query arguments the list is filtered by, which its page links keep. The count
    stops at COUNT_CAP rows (or just past the page asked for)."""
    page = page_number(page_arg)
    total, capped = capped_count(stmt, max(COUNT_CAP, page * per_page))
    window = stmt.limit(per_page + 1).offset((page - 1) * per_page)
    items = list(db.session.execute(window) if rows else db.session.scalars(window))
    more = len(items) > per_page
    return Page(
        items=items[:per_page],
        page=page,
        per_page=per_page,
        total=total,
        filters=tuple(filters),
        capped=capped,
        more=more,
    )


def paginate_grouped(stmt: Select, page_arg, per_page: int = 20, filters: Iterable[str] = ()) -> Page:
    """``paginate(stmt, page_arg, rows=True)`` for an aggregate query (GROUP BY) in one statement that stops at
    the cap: the groups are read in the statement's order up to the cap (+1, to know there are more) and each
    row of the page also carries how many of them there are (``_groups``, a window count over those groups
    only), so the grouping runs once and never past the cap, which an index in the grouping's order makes a
    short walk. The statement must be ordered by columns it selects (ascending). The total is capped as
    ``paginate`` caps it."""
    page = page_number(page_arg)
    cap = max(COUNT_CAP, page * per_page)
    groups = stmt.limit(cap + 1).subquery()
    order = [groups.corresponding_column(clause) for clause in stmt._order_by_clauses]
    if not order or any(column is None for column in order):
        raise ValueError("paginate_grouped: order by selected columns")
    window = select(*groups.c, func.count().over().label("_groups")).order_by(*order)
    items = list(db.session.execute(window.limit(per_page + 1).offset((page - 1) * per_page)))
    # past the last page no row carries the count: count then
    if items:
        n = items[0]._groups
    else:
        counted, more_than_cap = capped_count(stmt, cap)
        n = counted + more_than_cap
    return Page(
        items=items[:per_page],
        page=page,
        per_page=per_page,
        total=min(n, cap),
        filters=tuple(filters),
        capped=n > cap,
        more=len(items) > per_page,
    )


def keyset(
    stmt: Select,
    keys: Sequence,
    args,
    per_page: int = 20,
    filters: Iterable[str] = (),
    sort_keys=None,
    descending: bool = False,
    eager=(),
    reads_all: bool = False,
    total: int | None = None,
    count_in_page: bool = False,
) -> KeysetPage:
    """One page of ``stmt`` (entities) in the ascending order of ``keys`` (columns that together are unique,
    the last one usually the id), starting after the ``setelah`` cursor or ending before the ``sebelum`` one.
    ``sort_keys``: the SQL expressions to order and compare by, when they differ from the columns read back
    (e.g. a column with a collation); defaults to ``keys``. The statement must carry no ORDER BY of its own.
    An index on the list's equality filters followed by the keys serves every page (read backwards for
    ``descending``: the newest first).
    ``eager``: loader options for the related rows the page shows (``joinedload(Model.rel)``). The page's rows
    are chosen first and only they are joined to those rows, in the same statement: joined before the LIMIT,
    PostgreSQL hash-joins every match of a search to the whole related table.
    ``reads_all``: the page's query reads every row of the list anyway (no index gives the order, e.g. a
    search's matches sorted after the fact): the first page then counts them in that same query (a window
    count, shown with the same cap) instead of reading them all a second time for the count.
    ``total``: a count the caller knows without counting (a stored summary's): then no COUNT runs.
    ``count_in_page``: the capped count rides in the page's own statement (an uncorrelated scalar subquery, run
    once), one round trip instead of two; a page that comes back empty counts on its own as before."""
    sort_keys = list(sort_keys or keys)
    page = page_number(args.get("hal"))
    after, before = decode_cursor(args.get(AFTER), keys), decode_cursor(args.get(BEFORE), keys)
    counted_by_page = reads_all and total is None and after is None and before is None
    if after is None and before is None:
        page = 1
    counted_inline = (
        count_in_page
        and total is None
        and not counted_by_page
        and not stmt._distinct
        and not stmt._group_by_clauses
    )
    # the count the page's statement carries: every row of the list (a window count before the LIMIT), or the
    # capped count as a scalar subquery
    extra = (
        func.count().over().label("n")
        if counted_by_page
        else _capped_count_column(stmt)
        if counted_inline
        else None
    )
    base = stmt
    if total is not None:
        capped = False
    elif not counted_by_page and not counted_inline:
        total, capped = capped_count(stmt)
    row = tuple_(*sort_keys)

    def beyond(key, forward: bool):  # the rows after ``key`` in the list's order (before it: not forward)
        bound = tuple_(
            *(literal(v, k.type) for k, v in zip(sort_keys, key, strict=True))
        )  # as the column stores it
        return row > bound if forward != descending else row < bound

    def ordered(forward: bool):
        return [k.asc() if forward != descending else k.desc() for k in sort_keys]

    if before is not None and after is None:
        items, n = _read(stmt.where(beyond(before, False)), ordered(False), per_page + 1, eager, extra)
        at_start = len(items) <= per_page
        items = items[:per_page][::-1]
        page, more = (1 if at_start else max(page, 2)), True
    else:
        if after is not None:
            stmt = stmt.where(beyond(after, True))
        items, n = _read(stmt, ordered(True), per_page + 1, eager, extra)
        if counted_by_page:
            total, capped = min(n, COUNT_CAP), n > COUNT_CAP
        more = len(items) > per_page
        items = items[:per_page]
        page = max(page, 2) if after is not None else 1

    if counted_inline:
        if items or (after is None and before is None):
            total, capped = min(n, COUNT_CAP), n > COUNT_CAP
        else:  # past either end of the list: no row carried the count
            total, capped = capped_count(base)

    def key_of(item):
        return tuple(getattr(item, c.key) for c in keys) if item is not None else None

    return KeysetPage(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        filters=tuple(filters),
        capped=capped,
        more=more and bool(items),
        first_key=key_of(items[0] if items else None),
        last_key=key_of(items[-1] if items else None),
    )


def _capped_count_column(stmt: Select, cap: int | None = None):
    """``capped_count(stmt)`` as a column another statement can carry: the count of at most ``cap`` + 1 rows."""
    cap = COUNT_CAP if cap is None else cap
    counted = stmt.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
    limited = counted.limit(cap + 1).subquery()
    return select(func.count()).select_from(limited).correlate(None).scalar_subquery().label("n")


def _read(stmt: Select, order: list, limit: int, eager, count_column=None) -> tuple[list, int]:
    """The first ``limit`` entities of ``stmt`` in ``order`` and the value of ``count_column`` (a count the
    statement carries: a window count over every row of ``stmt``, or ``_capped_count_column``; else 0). With
    ``eager`` options the rows are chosen by their primary key (and the count) in a subquery and the outer query
    loads them with their related rows."""
    window = stmt.order_by(*order).limit(limit)
    if not eager and count_column is None:
        return list(db.session.scalars(window)), 0
    entity = stmt.column_descriptions[0]["entity"]
    (pk,) = entity.__mapper__.primary_key
    if count_column is None:
        chosen = window.with_only_columns(pk, maintain_column_froms=True)
        outer = select(entity).where(pk.in_(chosen)).options(*eager).order_by(*order)
        return list(db.session.scalars(outer).unique()), 0
    if not eager:
        rows = list(db.session.execute(window.add_columns(count_column)))
    else:
        chosen = window.with_only_columns(pk, count_column, maintain_column_froms=True).subquery()
        outer = select(entity, chosen.c.n).join(chosen, pk == chosen.c[pk.key])
        rows = list(db.session.execute(outer.options(*eager).order_by(*order)).unique())
    return [r[0] for r in rows], (rows[0][1] if rows else 0)


def paginate_list(items: list, page_arg, per_page: int = 20, filters: Iterable[str] = ()) -> Page:
    """The same paging over a list already in memory (rows filtered by a derived value, an import preview).
    A page past the end shows the last page."""
    pages = max(1, -(-len(items) // per_page))
    page = min(page_number(page_arg), pages)
    return Page(
        items=items[(page - 1) * per_page : page * per_page],
        page=page,
        per_page=per_page,
        total=len(items),
        filters=tuple(filters),
    )
