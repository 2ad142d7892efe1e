"""Indonesian formatting for the UI and printed documents ("29 Agustus 2024", "1.234.567")."""

from datetime import date, datetime

from .timeutil import to_local

BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def tanggal(value: date | datetime | None, with_day: bool = False) -> str:
    """'29 Agustus 2024' (or 'Kamis, 29 Agustus 2024'); empty string for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    text = f"{value.day} {BULAN[value.month - 1]} {value.year}"
    return f"{HARI[value.weekday()]}, {text}" if with_day else text


def tanggal_jam(value: datetime | None) -> str:
    """'29 Agustus 2024 14.05' in WIB, the way Indonesian letters write times."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{tanggal(local)} {local:%H.%M}"


def angka(value: int | float | None, decimals: int = 0) -> str:
    """Thousands with dots, decimals with a comma: 1.234.567,5."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def bulan_tahun(month: int, year: int) -> str:
    return f"{BULAN[month - 1]} {year}"
