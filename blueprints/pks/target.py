"""Fuzzy signing targets: "minggu ke-2 September 2024" <-> 2024-09-08..2024-09-14, precision minggu.

A week of a month is counted from the 1st: week n covers days 7(n-1)+1 .. 7n (the fifth week is cut at
the month's end). That is how the meeting said it and needs no calendar convention. "awal / pertengahan / akhir
Oktober 2024" are the month's thirds as a dasarian counts them: days 1–10, 11–20 and 21 to the month's end
(precision dasarian); "triwulan IV 2024" and "semester II 2024" are quarters and halves of the calendar year.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from blueprints.core.fmt import BULAN, tanggal

ORDINAL = {"pertama": 1, "kesatu": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}
THIRDS = {"awal": 1, "pertengahan": 2, "tengah": 2, "medio": 2, "akhir": 3}
THIRD_WORDS = {1: "awal", 2: "pertengahan", 3: "akhir"}
_MONTHS = {name.lower(): i + 1 for i, name in enumerate(BULAN)}
_MONTHS.update({name.lower()[:3]: i + 1 for i, name in enumerate(BULAN)})
_MONTHS.update({"agu": 8, "agt": 8, "agus": 8, "agust": 8, "sept": 9, "nop": 11, "peb": 2, "pebruari": 2})


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


def third_range(year: int, month: int, n: int) -> tuple[date, date]:
    """The n-th third of a month (1: days 1–10, 2: 11–20, 3: 21 to the end)."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 10 * (n - 1) + 1), date(year, month, last if n == 3 else 10 * n)


def months_range(year: int, first_month: int, months: int) -> tuple[date, date]:
    last_month = first_month + months - 1
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def format_target(mulai: date | None, selesai: date | None, presisi: str) -> str:
    """The way people say it: '12 September 2024', 'minggu ke-2 September 2024', 'September 2024',
    'akhir Oktober 2024', 'triwulan IV 2024', 'semester II 2024'."""
    if mulai is None:
        return ""
    selesai = selesai or mulai
    if presisi == "bulan":
        return f"{BULAN[mulai.month - 1]} {mulai.year}"
    if presisi == "dasarian" and mulai.day in (1, 11, 21):
        n = (mulai.day - 1) // 10 + 1
        if (mulai, selesai) == third_range(mulai.year, mulai.month, n):
            return f"{THIRD_WORDS[n]} {BULAN[mulai.month - 1]} {mulai.year}"
    if presisi == "triwulan" and mulai.day == 1 and mulai.month in (1, 4, 7, 10):
        n = (mulai.month - 1) // 3 + 1
        if (mulai, selesai) == months_range(mulai.year, mulai.month, 3):
            return f"triwulan {ROMAN_OUT[n]} {mulai.year}"
    if presisi == "semester" and mulai.day == 1 and mulai.month in (1, 7):
        n = 1 if mulai.month == 1 else 2
        if (mulai, selesai) == months_range(mulai.year, mulai.month, 6):
            return f"semester {ROMAN_OUT[n]} {mulai.year}"
    if presisi == "minggu" and mulai.month == selesai.month and (mulai.day - 1) % 7 == 0:
        n = (mulai.day - 1) // 7 + 1
        if (mulai, selesai) == week_range(mulai.year, mulai.month, n):
            return f"minggu ke-{n} {BULAN[mulai.month - 1]} {mulai.year}"
    if mulai == selesai:
        return tanggal(mulai)
    return f"{tanggal(mulai)} s.d. {tanggal(selesai)}"


def _month(token: str) -> int | None:
    return _MONTHS.get(token.lower().rstrip("."))


def _year(text: str) -> int:
    year = int(text)
    if year < 1:
        raise ValueError("Tahun itu tidak ada.")
    return year


def _day(year: str, month: int | str, day: str, hint: str = "") -> Target:
    try:
        d = date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError("Tanggal itu tidak ada" + (f" ({hint})." if hint else ".")) from None
    return Target(d, d, "hari")


def _week(m) -> Target | None:
    n = int(m.group(1)) if m.group(1) else ORDINAL.get(m.group(2) or "")
    month = _month(m.group(3))
    if not n or not month:
        raise ValueError("Tulis minggu ke berapa dan bulannya, contoh: minggu ke-2 September 2024.")
    year = _year(m.group(4))
    try:
        start, end = week_range(year, month, n)
    except ValueError:
        raise ValueError(f"Bulan itu tidak punya minggu ke-{n}.") from None
    return Target(start, end, "minggu")


def _whole_month(m) -> Target | None:
    month = _month(m.group(1))
    if not month:
        return None
    return Target(*months_range(_year(m.group(2)), month, 1), "bulan")


def _named_day(m) -> Target | None:
    month = _month(m.group(2))
    return _day(m.group(3), month, m.group(1)) if month else None


def _third(m) -> Target | None:
    month = _month(m.group(2))
    return Target(*third_range(_year(m.group(3)), month, THIRDS[m.group(1)]), "dasarian") if month else None


def _quarter(m) -> Target:
    return Target(*months_range(_year(m.group(2)), 3 * (ROMAN[m.group(1)] - 1) + 1, 3), "triwulan")


def _half(m) -> Target:
    return Target(*months_range(_year(m.group(2)), 1 if ROMAN[m.group(1)] == 1 else 7, 6), "semester")


# (pattern over the lower-cased text, reader): the first pattern that matches and reads a target wins
_FORMS = [
    (r"minggu\s+(?:(?:ke-?\s*)?(\d)|(\w+))\s+([a-z.]+)\s+(\d{4})", _week),  # "minggu 2" = "minggu ke-2"
    (r"(?:bulan\s+)?([a-z.]+)\s+(\d{4})", _whole_month),
    (r"(\d{1,2})\s+([a-z.]+)\s+(\d{4})", _named_day),
    (r"(awal|pertengahan|tengah|medio|akhir)\s+(?:bulan\s+)?([a-z.]+)\s+(\d{4})", _third),
    (r"(?:triwulan|tw|kuartal)\s*(?:ke-?\s*)?(iv|iii|ii|i|[1-4])\s+(?:tahun\s+)?(\d{4})", _quarter),
    (r"semester\s*(?:ke-?\s*)?(ii|i|[12])\s+(?:tahun\s+)?(\d{4})", _half),
    (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", lambda m: _day(m[3], m[2], m[1], "tulis tanggal/bulan/tahun")),
    (r"(\d{4})-(\d{2})-(\d{2})", lambda m: _day(m[1], m[2], m[3])),
]


def parse_target(text: str) -> Target:
    """Accepts 'minggu ke-2 September 2024', 'minggu kedua September 2024', 'September 2024',
    '12 September 2024' (also 'Sept' and the other short month names), '2024-09-12', '15/10/2024' (day/month/year), 'awal / pertengahan / akhir Oktober 2024',
    'triwulan IV 2024' (or 'TW 4 2024') and 'semester II 2024'. Raises ValueError with an Indonesian message."""
    raw = " ".join((text or "").split())
    if not raw:
        raise ValueError("Target wajib diisi.")
    if len(raw) > 60:
        raise ValueError("Target terlalu panjang; contoh: minggu ke-2 September 2024.")
    low = raw.lower()
    for pattern, read in _FORMS:
        m = re.fullmatch(pattern, low)
        if m and (target := read(m)) is not None:
            return target
    raise ValueError(
        "Tidak dikenali. Contoh: 12 September 2024, 15/10/2024, minggu ke-2 September 2024, akhir Oktober 2024, "
        "September 2024, triwulan IV 2024 atau semester II 2024."
    )


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_after(start: date, months: int) -> date:
    """Last day of a period of ``months`` months starting on ``start``."""
    return add_months(start, months) - timedelta(days=1)
