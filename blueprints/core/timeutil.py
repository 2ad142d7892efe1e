"""Time helpers: one place that decides 'now', always timezone-aware UTC in storage."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    """The calendar date in West Sumatra (WIB), which is what clerks mean by 'today'."""
    return datetime.now(WIB).date()


def to_local(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # SQLite returns naive values; they are stored as UTC
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(WIB)
