"""One time rule: instants are stored in UTC on every database, typed and shown in WIB."""

from datetime import UTC, date, datetime

import pytest

from blueprints.core.timeutil import UTCDateTime, from_local, local_day_bounds


def test_naive_datetimes_are_refused_by_the_column_type():
    col = UTCDateTime()
    with pytest.raises(ValueError):
        col.process_bind_param(datetime(2026, 11, 20, 12, 43), type("D", (), {"name": "sqlite"})())


def test_from_local_and_day_bounds():
    assert from_local(datetime(2026, 11, 20, 12, 43)) == datetime(2026, 11, 20, 5, 43, tzinfo=UTC)
    start, end = local_day_bounds(date(2026, 12, 1), date(2026, 12, 31))
    assert start == datetime(2026, 11, 30, 17, 0, tzinfo=UTC) and end == datetime(
        2026, 12, 31, 17, 0, tzinfo=UTC
    )
    # 00:30 WIB on the 1st belongs to that month
    assert start <= from_local(datetime(2026, 12, 1, 0, 30)) < end
