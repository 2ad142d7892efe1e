"""Registering what already happened (docs/pks.md §6): an agreement recorded at the stage it has reached, with
the day that stage began and, when signed, its signing date, place and term. A signed one registered after the
fact stays open (``Agreement.is_locked``) for its parties, numbers and signatories until the officer finishes
the registration, which locks it."""

from datetime import date

from flask import url_for

from blueprints.core import audit
from blueprints.core.fmt import tanggal
from blueprints.core.outcome import Outcome

from .checks import signing_gaps
from .events import log
from .models import JENIS, SIGNED_STAGES, TAHAP, Agreement
from .saving import saved
from .signing import term
from .stages import flow_for, mark_ended
from .waiting import follow_stage

FUTURE = "Tanggal tidak boleh setelah hari ini."
NOT_REGISTERING = "Kesepakatan ini tidak sedang dicatat susulan."


def registration_errors(form, jenis: str, today: date) -> dict[str, str]:
    """What is wrong with the stage and dates the new form registers, by field name (no database read)."""
    tahap = form.tahap.data or ""
    ttd, since = form.tgl_ttd.data, form.tahap_sejak.data
    errors = {}
    if not tahap:
        if ttd is not None:
            errors["tahap"] = "Pilih tahap yang sudah dicapai (misalnya Ditandatangani / berlaku)."
        return errors
    if tahap not in flow_for(jenis):
        errors["tahap"] = f"Tahap {TAHAP[tahap]} bukan tahap {JENIS.get(jenis, jenis)}."
        return errors
    if since is not None and since > today:
        errors["tahap_sejak"] = FUTURE
    if tahap not in SIGNED_STAGES:
        if ttd is not None:
            errors["tgl_ttd"] = "Tanggal penandatanganan hanya untuk naskah yang sudah ditandatangani."
        return errors
    if ttd is None:
        errors["tgl_ttd"] = "Tanggal penandatanganan wajib diisi untuk naskah yang sudah ditandatangani."
    elif ttd > today:
        errors["tgl_ttd"] = "Tanggal penandatanganan tidak boleh di masa depan."
    elif since is not None and since < ttd and "tahap_sejak" not in errors:
        errors["tahap_sejak"] = f"Tanggal tahap tidak boleh sebelum penandatanganan ({tanggal(ttd)})."
    start, end, past_calendar = term(ttd, form.tgl_mulai.data, form.tgl_berakhir.data, form.jangka_bulan.data)
    if past_calendar:
        errors["jangka_bulan"] = "Jangka waktu itu berakhir melewati tanggal terakhir yang dapat dicatat."
    elif start and end and end < start:
        errors["tgl_berakhir"] = "Tanggal berakhir tidak boleh sebelum tanggal mulai."
    return errors


def apply_registration(form, a: Agreement, user, today: date) -> None:
    """Put the new agreement ``a`` (flushed, at its first stage) at the stage the form registers, each fact
    logged on the day it happened."""
    tahap = form.tahap.data or ""
    if not tahap or tahap == a.tahap:
        return
    first = a.tahap
    ttd = form.tgl_ttd.data
    since = form.tahap_sejak.data or (ttd if tahap == "ditandatangani" else None) or today
    if tahap in SIGNED_STAGES:
        start, end, _ = term(ttd, form.tgl_mulai.data, form.tgl_berakhir.data, form.jangka_bulan.data)
        a.tgl_ttd, a.tempat_ttd = ttd, (form.tempat_ttd.data or "").strip()[:200]
        a.tgl_mulai, a.tgl_berakhir = start, end
        a.jangka_waktu_bulan = form.jangka_bulan.data or None
        a.dicatat_susulan = True
        log(a, "ttd", user, first, "ditandatangani", f"Ditandatangani di {a.tempat_ttd or '-'}", on_date=ttd)
    a.tahap, a.tahap_sejak = tahap, since
    if tahap == "berakhir":
        mark_ended(a, since, "dicatat susulan")
    if tahap != "ditandatangani":
        origin = "ditandatangani" if tahap in SIGNED_STAGES else first
        log(a, "tahap", user, origin, tahap, "Dicatat susulan", on_date=since if since != today else None)
    follow_stage(a, tahap, user, since, today)  # whose turn, as a move to that stage sets it


def finish(a: Agreement, user) -> Outcome:
    """ "Selesai dicatat": the registration after the fact is complete, so the signed text locks. Refused while
    a number, a signatory or a surat kuasa the signing needs is missing."""
    url = url_for("pks.detail", agreement_id=a.id)
    if not a.dicatat_susulan:
        return (
            Outcome(repeated=True, data={"url": url}) if a.is_locked else Outcome(refusals=[NOT_REGISTERING])
        )
    gaps = signing_gaps(a)
    if gaps:
        return Outcome(refusals=["Belum dapat diselesaikan: " + " ".join(gaps)])
    a.dicatat_susulan = False
    log(a, "dicatat", user, reason="Pencatatan susulan selesai; naskah terkunci")
    audit.record("update", "pks_agreement", a.id, f"kesepakatan #{a.id}: selesai dicatat", user=user)
    return saved(a, url, "Pencatatan selesai; naskah kini terkunci.")
