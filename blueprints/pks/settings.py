"""Kerja Sama settings (docs/pks.md §11): read from app.config with these defaults, through ``setting(name)``.

The switches of the unverified rules are not settings: they are stored rows, changed at /pks/aturan
(``rules.py``).
"""

from flask import current_app

DEFAULTS = {
    # Expiry reminder ladder: days before the (effective) end; each rung is one reminder (§6.4).
    "PKS_REMINDER_LADDER": (180, 90, 30, 7, 0),
    # A signed KSB's scope item with no PKS is on the attention list; late after this many days (§7).
    "PKS_SCOPE_ITEM_DAYS": 180,
    # Cards shown per stage on the kanban; the rest are one "lihat semua" link to the filtered list (§8).
    "PKS_BOARD_CARDS": 5,
    # Largest upload in bytes; None = what MAX_UPLOAD_MB allows (§4.3).
    "PKS_MAX_UPLOAD_BYTES": None,
    # Whose turn each stage starts with, and what is awaited (waiting.py): who is "pemrakarsa" (the initiating
    # regency), "mitra" (the other party's regency), "dprd", "pimpinan" or "opd:<name>" ("{kab}": the initiating
    # regency's name). A stage not listed keeps what was set; signed and final stages clear it.
    "PKS_MENUNGGU_TAHAP": {
        "penawaran": ("mitra", "jawaban surat penawaran"),
        "penyusunan": ("mitra", "tanggapan draf naskah"),
        "review_hukum": ("opd:Bagian Hukum {kab}", "paraf"),
        "dprd": ("dprd", "persetujuan"),
        "surat_kuasa": ("pimpinan", "surat kuasa"),
        "siap_ttd": ("pimpinan", "tanda tangan"),
    },
    # The report pack (xlsx, pdf) of more agreements than this is made by a background job (core.jobs).
    "PKS_REPORT_JOB_ROWS": 50,
}

FORM_ALLOWANCE = 64 * 1024  # what MAX_CONTENT_LENGTH (app.py) adds to the file limit for the other fields


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def ladder() -> tuple[int, ...]:
    """The expiry rungs, largest first; an empty list means the default ladder."""
    values = setting("PKS_REMINDER_LADDER") or DEFAULTS["PKS_REMINDER_LADDER"]
    return tuple(sorted({int(v) for v in values}, reverse=True))


def upload_limit() -> int:
    """PKS_MAX_UPLOAD_BYTES, else MAX_UPLOAD_MB, else what MAX_CONTENT_LENGTH leaves after the form fields."""
    config = current_app.config
    if setting("PKS_MAX_UPLOAD_BYTES"):
        return int(setting("PKS_MAX_UPLOAD_BYTES"))
    if config.get("MAX_UPLOAD_MB"):
        return int(float(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    return int(config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024 + FORM_ALLOWANCE) - FORM_ALLOWANCE
