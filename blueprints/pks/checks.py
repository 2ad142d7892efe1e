"""What blocks a stage move or a signing, and which unverified rules it hits (docs/pks.md §7).

Errors always block; a rule hit is a warning unless an admin made that rule blocking (``rules.py``).
"""

from datetime import date

from sqlalchemy import select

from blueprints.core.extensions import db

from .models import KLAUSUL, Agreement, Letter
from .rules import RuleHit, blocking_codes, hit
from .target import add_months, format_target
from .validity import effective_end


def dprd_errors(a: Agreement) -> list[str]:
    if a.dprd_perlu is None:
        return ["Keputusan DPRD (perlu atau tidak, beserta alasannya) belum dicatat."]
    if a.dprd_perlu and (not a.dprd_nomor or a.dprd_tanggal is None):
        return ["Persetujuan DPRD diperlukan: nomor dan tanggal keputusan DPRD wajib dicatat."]
    return []


def signing_gaps(a: Agreement) -> list[str]:
    """What still blocks the signing (docs/pks.md §7 errors); also shown before the officer tries."""
    errors = []
    signing = a.signing_parties
    if not signing:
        errors.append("Belum ada pihak yang menandatangani.")
    numbered = {n.party_id for n in a.numbers if n.nomor}
    for p in signing:
        if p.id not in numbered:
            errors.append(f"Nomor naskah dari {p.short_label} ({p.where_short}) belum dicatat.")
        if not p.signatories:
            errors.append(f"Penandatangan untuk {p.short_label} belum dicatat.")
        errors.extend(
            f"{s.nama} bukan Bupati: nomor dan tanggal surat kuasa wajib dicatat."
            for s in p.signatories
            if not s.is_bupati and (not s.kuasa_nomor or s.kuasa_tanggal is None)
        )
    errors.extend(dprd_errors(a))
    return errors


def too_long(start: date, end: date, months: int = 60) -> bool:
    """Rule durasi_5_tahun: more than five years from ``start``."""
    try:
        return end > add_months(start, months)
    except ValueError:  # five years after ``start`` is past the last date the calendar holds
        return False


def missing_clauses(a: Agreement) -> list[str]:
    """Rule klausul: labels of the required clauses not ticked on the checklist (KSB has none)."""
    return [] if a.jenis == "KSB" else [label for code, label in KLAUSUL.items() if code not in a.klausul]


def _offer_copied_to_governor(a: Agreement) -> bool:
    letters = db.session.scalars(select(Letter).where(Letter.agreement_id == a.id, Letter.arah == "keluar"))
    return any("gubernur" in (x.tembusan or "").lower() for x in letters)


def _term_hits(a: Agreement, start: date, end: date, blocking: set[str]) -> list[RuleHit]:
    """The rules on the term that a signing records: five years at most, and within the KSB's."""
    hits = []
    if too_long(start, end):
        hits.append(hit("durasi_5_tahun", "Jangka waktu lebih dari 5 tahun.", blocking))
    parent_end = effective_end(a.parent) if a.jenis == "PKS" and a.parent is not None else None
    if parent_end and end > parent_end:
        hits.append(
            hit(
                "melewati_ksb",
                f"Tanggal berakhir PKS melewati masa KSB ({format_target(parent_end, parent_end, 'hari')}).",
                blocking,
            )
        )
    return hits


def rule_warnings(a: Agreement, to: str, start: date | None, end: date | None) -> list[RuleHit]:
    """The unverified rules a move of ``a`` to stage ``to`` hits (a signing passes its term)."""
    blocking = blocking_codes(regency_id=a.pemrakarsa_regency_id, agreement_id=a.id)
    hits = []
    if to in ("penyusunan", "persiapan") and not a.rujukan_rpjmd.strip():
        hits.append(hit("rpjmd", "Rujukan program RPJMD/RKPD belum diisi.", blocking))
    if (
        a.jenis == "KSB"
        and a.tahap == "penawaran"
        and to == "penyusunan"
        and not _offer_copied_to_governor(a)
    ):
        hits.append(
            hit("tembusan", "Belum ada surat penawaran keluar dengan tembusan kepada Gubernur.", blocking)
        )
    missing = missing_clauses(a) if to in ("siap_ttd", "ditandatangani") else []
    if missing:
        hits.append(hit("klausul", "Klausul belum dicentang: " + ", ".join(missing) + ".", blocking))
    if to == "ditandatangani" and start and end:
        hits.extend(_term_hits(a, start, end, blocking))
    return hits
