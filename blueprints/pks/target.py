"""Fuzzy signing targets: "minggu ke-2 September 2024" <-> 2024-09-08..2024-09-14, precision minggu.

A week of a month is counted from the 1st: week n covers days 7(n-1)+1 .. 7n (the fifth week is cut at
the month's end). That is how the meeting said it and needs no calendar convention.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from blueprints.core.fmt import BULAN, tanggal

ORDINAL = {"pertama": 1, "kesatu": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5}
_MONTHS = {name.lower(): i + 1 for i, name in enumerate(BULAN)}
_MONTHS.update({name.lower()[:3]: i + 1 for i, name in enumerate(BULAN)})
_MONTHS.update({"agu": 8, "agt": 8, "nop": 11, "peb": 2})


@dataclass(frozen=True)
class Target:
    mulai: date
    selesai: date
    presisi: str  # hari / minggu / bulan

    def label(self) -> str:
        return format_target(self.mulai, self.selesai, self.presisi)


def week_range(year: int, month: int, n: int) -> tuple[date, date]:
    last = calendar.monthrange(year, month)[1]
    start = 7 * (n - 1) + 1
    if n < 1 or start > last:
        raise ValueError("minggu di luar bulan")
    return date(year, month, start), date(year, month, min(7 * n, last))


def format_target(mulai: date | None, selesai: date | None, presisi: str) -> str:
    """The way people say it: '12 September 2024', 'minggu ke-2 September 2024', 'September 2024'."""
    if mulai is None:
        return ""
    selesai = selesai or mulai
    if presisi == "bulan":
        return f"{BULAN[mulai.month - 1]} {mulai.year}"
    if presisi == "minggu" and mulai.month == selesai.month and (mulai.day - 1) % 7 == 0:
        n = (mulai.day - 1) // 7 + 1
        if (mulai, selesai) == week_range(mulai.year, mulai.month, n):
            return f"minggu ke-{n} {BULAN[mulai.month - 1]} {mulai.year}"
    if mulai == selesai:
        return tanggal(mulai)
    return f"{tanggal(mulai)} s.d. {tanggal(selesai)}"


def _month(token: str) -> int | None:
    return _MONTHS.get(token.lower().rstrip("."))


def parse_target(text: str) -> Target:
    """Accepts 'minggu ke-2 September 2024', 'minggu kedua September 2024', 'September 2024',
    '12 September 2024' or '2024-09-12'. Raises ValueError with an Indonesian message."""
    raw = " ".join((text or "").split())
    if not raw:
        raise ValueError("Target wajib diisi.")
    if len(raw) > 60:
        raise ValueError("Target terlalu panjang; contoh: minggu ke-2 September 2024.")
    low = raw.lower()
    m = re.fullmatch(r"minggu\s+(?:ke-?\s*(\d)|(\w+))\s+([a-z.]+)\s+(\d{4})", low)
    if m:
        n = int(m.group(1)) if m.group(1) else ORDINAL.get(m.group(2) or "")
        month = _month(m.group(3))
        if not n or not month:
            raise ValueError("Tulis minggu ke berapa dan bulannya, contoh: minggu ke-2 September 2024.")
        if int(m.group(4)) < 1:
            raise ValueError("Tahun itu tidak ada.")
        try:
            start, end = week_range(int(m.group(4)), month, n)
        except ValueError:
            raise ValueError(f"Bulan itu tidak punya minggu ke-{n}.") from None
        return Target(start, end, "minggu")
    m = re.fullmatch(r"(?:bulan\s+)?([a-z.]+)\s+(\d{4})", low)
    if m and _month(m.group(1)):
        year, month = int(m.group(2)), _month(m.group(1))
        if year < 1:
            raise ValueError("Tahun itu tidak ada.")
        return Target(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "bulan")
    m = re.fullmatch(r"(\d{1,2})\s+([a-z.]+)\s+(\d{4})", low)
    if m and _month(m.group(2)):
        try:
            day = date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
        except ValueError:
            raise ValueError("Tanggal itu tidak ada.") from None
        return Target(day, day, "hari")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", low)
    if m:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError("Tanggal itu tidak ada.") from None
        return Target(day, day, "hari")
    raise ValueError(
        "Tidak dikenali. Contoh: 12 September 2024, minggu ke-2 September 2024, atau September 2024."
    )


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_after(start: date, months: int) -> date:
    """Last day of a period of ``months`` months starting on ``start``."""
    return add_months(start, months) - timedelta(days=1)
