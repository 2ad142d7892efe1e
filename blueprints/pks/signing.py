"""Signing (docs/pks.md §7): the checks before it, and recording it, which locks the text."""

from datetime import date

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome

from .checks import rule_warnings, signing_gaps
from .events import log
from .models import Agreement
from .target import end_after

NOT_READY_TO_SIGN = "Penandatanganan hanya dari tahap Siap tanda tangan."


def signed_already(a: Agreement, tgl_ttd: date | None) -> bool:
    """A signing posted again after it was recorded (same date): nothing to do."""
    return a.is_signed and tgl_ttd is not None and a.tgl_ttd == tgl_ttd


def date_errors(
    a: Agreement, tgl_ttd: date | None, start: date | None, end: date | None, today: date
) -> list[str]:
    """What is wrong with the signing's stage and dates (no database read)."""
    errors = []
    if a.tahap != "siap_ttd":
        errors.append(NOT_READY_TO_SIGN)
    if tgl_ttd is None:
        errors.append("Tanggal penandatanganan wajib diisi.")
    elif tgl_ttd > today:
        errors.append("Tanggal penandatanganan tidak boleh di masa depan.")
    elif a.tahap_sejak and tgl_ttd < a.tahap_sejak:
        errors.append(f"Tanggal penandatanganan tidak boleh sebelum tahap {a.tahap_label} dimulai.")
    if start and end and end < start:
        errors.append("Tanggal berakhir tidak boleh sebelum tanggal mulai.")
    return errors


def check_signing(
    a: Agreement, tgl_ttd: date | None, start: date | None, end: date | None, today: date
) -> Outcome:
    return Outcome(
        refusals=date_errors(a, tgl_ttd, start, end, today) + signing_gaps(a),
        warnings=rule_warnings(a, "ditandatangani", start, end),
    )


def term(tgl_ttd: date | None, start: date | None, end: date | None, months: int | None):
    """(start, end, past_calendar): the term starts on the signing day unless given; an end not given is
    ``months`` after the start; ``past_calendar`` when that end is past the last date the calendar holds."""
    start = start or tgl_ttd
    if end is None and months and start:
        try:
            end = end_after(start, months)
        except ValueError:
            return start, None, True
    return start, end, False


def sign(
    a: Agreement,
    tgl_ttd: date | None,
    tempat: str,
    start: date | None,
    end: date | None,
    months: int | None,
    user,
    today: date,
) -> Outcome:
    start, end, past_calendar = term(tgl_ttd, start, end, months)
    out = check_signing(a, tgl_ttd, start, end, today)
    if past_calendar:
        out.refusals.append("Jangka waktu itu berakhir melewati tanggal terakhir yang dapat dicatat.")
    if not out.ok:
        return out
    old = a.tahap
    a.tgl_ttd, a.tempat_ttd = tgl_ttd, (tempat or "").strip()[:200]
    a.tgl_mulai, a.tgl_berakhir = start, end
    if months:
        a.jangka_waktu_bulan = months
    a.tahap, a.tahap_sejak = "ditandatangani", tgl_ttd
    a.menunggu, a.menunggu_sejak = "", None
    log(a, "ttd", user, old, "ditandatangani", f"Ditandatangani di {a.tempat_ttd or '-'}", on_date=tgl_ttd)
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id} ditandatangani", user=user)
    db.session.flush()
    return out
