"""Derived validity (docs/pks.md §6.3): computed from the dates, never typed or stored.

Pure functions of the agreement and ``today``; only the default window reads the reminder ladder setting.
"""

from datetime import date

from .models import STATUS_BERLAKU, Agreement
from .settings import ladder

BANNER_DAYS = 30  # the red banner on the record page, from this many days before the end


def effective_end(a: Agreement) -> date | None:
    """The end date, pushed out by a signed perpanjangan (a renewal clears expiry reminders)."""
    end = a.tgl_berakhir
    for child in a.children:
        if (
            child.jenis == "PERPANJANGAN"
            and child.is_signed
            and child.tgl_berakhir
            and (end is None or child.tgl_berakhir > end)
        ):
            end = child.tgl_berakhir
    return end


def status_berlaku(a: Agreement, today: date, window: int | None = None) -> str:
    """belum_berlaku / aktif / akan_berakhir (within ``window`` days of the end; default the ladder's top
    rung) / kedaluwarsa / diakhiri / dibatalkan."""
    if a.tahap == "dibatalkan":
        return "dibatalkan"
    if a.tgl_diakhiri is not None and a.tgl_diakhiri <= today:
        return "diakhiri"
    if not a.is_signed or a.tgl_mulai is None or a.tgl_mulai > today:
        return "belum_berlaku"
    end = effective_end(a)
    if end is None:
        return "aktif"
    if today > end:
        return "kedaluwarsa"
    window = max(ladder()) if window is None else window
    if (end - today).days <= window:
        return "akan_berakhir"
    return "aktif"


def status_label(code: str) -> str:
    return STATUS_BERLAKU.get(code, code)


def show_banner(a: Agreement, today: date) -> bool:
    """Red banner from 30 days before the (effective) end until the end."""
    end = effective_end(a)
    return (
        status_berlaku(a, today) == "akan_berakhir" and end is not None and (end - today).days <= BANNER_DAYS
    )
