"""Time, once for the whole app.

Rule: every stored instant is UTC and every instant in Python is timezone-aware. Columns use ``UTCDateTime``,
which converts on the way in and attaches UTC on the way out, so SQLite (which keeps no offset) and PostgreSQL
(``timestamptz``) behave the same. Clerks type and read WIB (Asia/Jakarta): ``from_local`` turns a typed value
into an instant, ``to_local``/``local_naive`` turn an instant back into what a form or a page shows. Dates
without a time (birth dates, signing dates) stay plain dates.

'Now' and 'today' come only from ``utcnow()`` and ``today_local()``; tests pin the clock under them.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

WIB = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    """The calendar date in West Sumatra (WIB), which is what clerks mean by 'today'."""
    return datetime.now(WIB).date()


def to_local(dt: datetime | None) -> datetime | None:
    """An instant as WIB wall time (aware). A naive value can only come from outside the ORM; it is UTC."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(WIB)


def local_naive(dt: datetime | None) -> datetime | None:
    """What a ``datetime-local`` input shows for an instant: WIB wall time without an offset."""
    local = to_local(dt)
    return None if local is None else local.replace(tzinfo=None)


def from_local(value: datetime | None) -> datetime | None:
    """A typed WIB wall time (naive, from a form or an import) as a UTC instant. An aware value is converted."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=WIB)
    return value.astimezone(UTC)


def local_day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the WIB days ``first`` .. ``last`` (a month's recap counts 00:30 WIB on the 1st)."""
    last = last or first
    start = datetime.combine(first, time.min, tzinfo=WIB)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=WIB)
    return start.astimezone(UTC), end.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant stored as UTC on every database. Naive values are refused: they are the bug
    this type exists to prevent (a WIB wall time saved as if it were UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime takes a datetime")
        if value.tzinfo is None:
            raise ValueError("naive datetime: use from_local() for typed WIB values or utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
