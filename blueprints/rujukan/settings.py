"""Configurable rules (docs/rujukan.md §11; unverified rules): read from app.config with these defaults."""

from flask import current_app

DEFAULTS = {
    # valid_until = issue date + N days ("calendar") or N working days ("working"); one visit.
    "RUJUKAN_VALIDITY_DAYS": 90,
    "RUJUKAN_VALIDITY_KIND": "calendar",
    # An emergency (jenis igd) letter: valid_until = issue date + N calendar days; 0 = the issue day ("hari ini").
    "RUJUKAN_IGD_VALIDITY_DAYS": 0,
    # Local number; fields: urut, kode (facility code), bulan (MM), romawi, tahun, yy.
    "RUJUKAN_NUMBER_FORMAT": "{urut:04d}/RJK/{kode}/{romawi}/{tahun}",
    # Active non-specialist diagnosis list version (rujukan_nonspesialis.version).
    "RUJUKAN_NONSPESIALIS_VERSION": "144",
    # Worklists: issued but not arrived after N days; expiring within N days.
    "RUJUKAN_NOT_ARRIVED_DAYS": 3,
    "RUJUKAN_EXPIRING_DAYS": 7,
    # Default legal basis for a border-area referral (docs/rujukan.md §5 list).
    "RUJUKAN_BORDER_BASIS": "geografis",
    # Border jorong whose residents SIDILAN look-ups include (nagari code, jorong name).
    "RUJUKAN_BORDER_JORONG": [("13.02.18.2004", "Tigo Jangko")],
    "RUJUKAN_VERIFY_LIMIT": "20 per minute",
    # BPJS PPK codes of tertiary (level 3) hospitals: a direct FKTP referral there gets a warning.
    "RUJUKAN_TERTIARY_FACILITY_CODES": [],
    # The recap PDF is split into parts of this many rows (long WeasyPrint tables are slow and memory-heavy).
    "RUJUKAN_RECAP_PDF_ROWS": 150,
    # A register or recap PDF of more rows than this is made by a background job (core.jobs, the job page).
    "RUJUKAN_PDF_JOB_ROWS": 100,
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])
