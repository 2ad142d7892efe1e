"""Offset paging shared by every list: plain page links plus a 'Muat lagi' link for htmx.

A list declares the names of its filters (``filters=("q", "status")``); its page links carry those query
arguments (every value of a repeated one) and nothing else, so a crafted link (``?_external=1&_scheme=javascript``
or ``?foo=bar``) gives pager links holding none of it."""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, request, url_for
from sqlalchemy import Select, func, select

from .extensions import db

URL_FOR_OWN = frozenset(
    {"endpoint", "_method", "_anchor", "_external", "_scheme"}
)  # url_for's own parameters


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    filters: tuple[str, ...] = ()  # the query arguments this list is filtered by

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def url(self, page: int) -> str:
        """This list at ``page``, keeping its declared filters (every value of a repeated one, e.g.
        ?ragam=a&ragam=b) and no other query argument. A name of url_for's own parameters (``endpoint``,
        ``_method``, ``_anchor``, ``_external``, ``_scheme``) or of a variable of this endpoint's rules (those
        come from the current URL) is never carried over, even if declared: it would change or break the link."""
        endpoint = request.endpoint
        reserved = (
            {"hal"}
            | URL_FOR_OWN
            | {name for rule in current_app.url_map.iter_rules(endpoint) for name in rule.arguments}
        )
        args = {k: v for k, v in request.args.lists() if k in self.filters and k not in reserved}
        args.update(request.view_args or {})
        args["hal"] = page
        return url_for(endpoint, **args)

    def window(self, radius: int = 2) -> list[int]:
        lo, hi = max(1, self.page - radius), min(self.pages, self.page + radius)
        return list(range(lo, hi + 1))


def page_number(page_arg) -> int:
    """The ?hal= value as a page number; anything unreadable is page 1."""
    try:
        return max(1, min(int(page_arg or 1), 100000))
    except (TypeError, ValueError):
        return 1


def paginate(
    stmt: Select, page_arg, per_page: int = 20, rows: bool = False, filters: Iterable[str] = ()
) -> Page:
    """One page of ``stmt``: entities, or with ``rows=True`` whole result rows (aggregate queries). ``filters``:
    the query arguments the list is filtered by, which its page links keep."""
    page = page_number(page_arg)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.execute(window) if rows else db.session.scalars(window))
    return Page(items=items, page=page, per_page=per_page, total=total, filters=tuple(filters))


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
