"""Shared rules as pure functions, tested without an app (each lives once, in core)."""

from datetime import date, timedelta

from blueprints.core.forms import birth_date_problem
from blueprints.core.nik import NO_NIK_REASON_MESSAGE, missing_nik_reason
from blueprints.core.timeutil import today_local


def test_a_person_without_nik_needs_a_reason():
    assert missing_nik_reason("", "") == NO_NIK_REASON_MESSAGE
    assert missing_nik_reason(None, "  ") == NO_NIK_REASON_MESSAGE
    assert missing_nik_reason("1302185203840001", None) is None
    assert missing_nik_reason(None, "belum_rekam") is None


def test_birth_date_not_after_today_and_inside_the_range():
    today = date(2026, 12, 31)
    assert birth_date_problem(today, today) is None
    assert birth_date_problem(date(2027, 1, 1), today) == "Tanggal lahir tidak boleh melewati hari ini."
    assert birth_date_problem(date(1899, 12, 31), today).startswith("Tanggal lahir: Tanggal di luar rentang")
    assert birth_date_problem(date(1900, 1, 1), today) is None
    assert birth_date_problem(None, today) is None
    assert birth_date_problem(today_local() + timedelta(days=1)) is not None  # default: the pinned today
