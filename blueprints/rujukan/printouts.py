"""The printed letter (docs/rujukan.md §9.1, §9.2): which mark it carries (DRAFT, SALINAN, DIBATALKAN, KEDALUWARSA),
on which paper, at which size and on how many pages, whether its tear-off carries the answer, and the print log
every print and reprint leaves."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from blueprints.core import audit
from blueprints.core.extensions import db

from .lists import STABILISASI
from .models import FacilityProfile, Referral, ReferralPrint

# Marks printed across a letter that is not a valid original, and the (at most 8-character) code the print log
# keeps for each; an original prints without a mark and is logged as ASLI.
VOID_MARKS = {"dibatalkan": "DIBATALKAN", "kedaluwarsa": "KEDALUWARSA"}
LOG_CODES = {"DIBATALKAN": "BATAL", "KEDALUWARSA": "LEWAT"}


def mark_for(ref: Referral, sender: bool, today: date) -> str | None:
    """DRAFT before issue; DIBATALKAN / KEDALUWARSA once the letter no longer holds (whoever prints it);
    SALINAN on a reprint or a print by the receiver; None for the sender's first print."""
    status = ref.effective_status(today)
    if status in VOID_MARKS:
        return VOID_MARKS[status]
    if ref.status == "draf":
        return "DRAFT"
    if ref.print_count > 0 or not sender:
        return "SALINAN"
    return None


def paper_for(asked: str | None, profile: FacilityProfile | None) -> str:
    """The asked paper (A4 / F4), else the facility's, else A4."""
    if asked in ("A4", "F4"):
        return asked
    return profile.paper if profile and profile.paper in ("A4", "F4") else "A4"


def age_text(birth: date | None, on: date) -> str:
    if birth is None:
        return ""
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if years >= 1:
        return f"{years} tahun"
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    return f"{max(months, 0)} bulan"


def record_print(ref: Referral, user, mark: str | None, paper: str, sender: bool) -> None:
    """Log the print (who, which copy, which paper), count the sender's prints of an issued letter (the next
    one is a SALINAN) and audit it. Does not commit: the caller commits after its last read of ``ref``."""
    db.session.add(
        ReferralPrint(
            referral_id=ref.id, user_id=user.id, mark=LOG_CODES.get(mark, mark or "ASLI"), paper=paper
        )
    )
    if ref.status != "draf" and sender:
        ref.print_count += 1
    audit.record("print", "rujukan", ref.id, f"mencetak rujukan #{ref.id} ({mark or 'asli'}, {paper})")


# --- How big the letter prints (docs/rujukan.md §9.1) ---------------------------------------------------------
# The letter is never cut: its body is 11 pt when everything fits one page, smaller (down to LETTER_FLOOR_PT)
# when that makes it fit, else it runs onto a continuation page at the largest size that fits the fewest pages.
# Decided before rendering by a cheap estimate of the letter's height, so a print is one WeasyPrint render:
# every text row wraps at CHAR_EM em per character in its column and costs its lines at LINE_EM; everything
# else (titles, addressee, patient block, vital signs, QR and sign-off, tear-off) is FIXED_LINES body lines.
# The constants were fitted to WeasyPrint's layout of the letter at 8.5-11 pt with 0-15,000 characters of
# clinical text (within -7/+12 mm); SAFETY covers the underestimate, tests/rujukan/test_letter.py (the estimate against the renderer) checks it.
LETTER_SIZES_PT = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5)
LETTER_FLOOR_PT = LETTER_SIZES_PT[-1]
PT_MM = 25.4 / 72
CHAR_EM = 0.54  # mean advance of DejaVu Sans on Indonesian clinical text, spaces and line-end waste included
LINE_EM = 1.2  # the letter's line-height
KEY_EM = 8.9  # the label column (td.k, 8.6em) and the cell padding
FIXED_LINES = 40.0
PAGE_MM = {"A4": (210.0, 297.0), "F4": (215.0, 330.0)}
MARGIN_MM = (26.0, 15.0)  # left + right, top + bottom (letter.html's @page margin)
SAFETY = 0.96  # fill at most this share of a page: the estimate must err towards "does not fit"
BREAK_LINES = 10  # lost per page break: the sign-off and the tear-off never split, so they may move on whole


@dataclass(frozen=True)
class LetterFit:
    size: float  # body font size, pt
    pages: int  # pages the letter is expected to take

    @property
    def continued(self) -> bool:
        return self.pages > 1


def _width(text: str) -> float:
    """A text's length in average characters: digits and capitals are wider than the lower-case letters and
    spaces CHAR_EM was measured on (DejaVu Sans: 0.64 and about 0.72 em)."""
    return len(text) + 0.2 * sum(c.isdigit() for c in text) + 0.35 * sum(c.isupper() for c in text)


def _lines(text: str, per_line: float) -> int:
    """Lines a text wraps to in a column of ``per_line`` characters (each paragraph starts a line)."""
    return sum(max(1, math.ceil(_width(part) / per_line)) for part in text.split("\n"))


def letter_fit(texts: Iterable[str | tuple[str, float]], paper: str = "A4") -> LetterFit:
    """Body size and page count for a letter whose table cells hold ``texts``: each one row, a text alone
    in the wide clinical column, or ``(text, share)`` in a column of that share of the page's width (the
    patient block's halves, the tear-off). Empty ones are left out. Same function for the printout and
    the form's "second page" hint."""
    texts = [(t, 1.0) if isinstance(t, str) or t is None else t for t in texts]
    texts = [(t, share) for t, share in texts if t]
    width, height = PAGE_MM.get(paper, PAGE_MM["A4"])
    usable_w, usable_h = width - MARGIN_MM[0], (height - MARGIN_MM[1]) * SAFETY
    for pages in range(1, 7):
        room = usable_h * pages
        for size in LETTER_SIZES_PT:
            em = size * PT_MM
            lines = FIXED_LINES + BREAK_LINES * (pages - 1)
            lines += sum(_lines(t, (usable_w * share - KEY_EM * em) / (CHAR_EM * em)) for t, share in texts)
            if lines * em * LINE_EM <= room:
                return LetterFit(size, pages)
    return LetterFit(LETTER_FLOOR_PT, pages)  # beyond what the form accepts: the renderer adds pages


def letter_texts(ref) -> list[str]:
    """The clinical texts of a referral as the letter's wide column prints them (one string per row)."""
    therapy = "; ".join(
        t
        for t in (
            ref.therapy_drug,
            ref.therapy_other,
            f"BMHP: {ref.bmhp}" if ref.bmhp else "",
            f"tindakan: {ref.procedures}" if ref.procedures else "",
        )
        if t
    )
    diagnoses = "; ".join(f"{c} {n}" for c, n in ref.diagnoses)
    tacc = ref.tacc_reason if ref.tacc and ref.tacc != "tanpa" else ""
    emergency = []
    if getattr(ref, "jenis", "") == "igd":  # the banner (about two lines of body text) and the departure box
        emergency = ["GAWAT DARURAT " * 4]
        if getattr(ref, "stabilisation", None) or getattr(ref, "departed_at", None):
            labels = "; ".join(STABILISASI.get(c, c) for c in ref.stabilisation_codes)
            emergency.append("Saat berangkat 00.00: TD · N · RR · S · SpO2 · GCS · kesadaran " + labels)
    bridging = []  # _lampiran.html: the BPJS numbers and the list of attachments, a line each
    if getattr(ref, "pcare_number", None) or getattr(ref, "bpjs_card", None):
        bridging.append(
            f"No. rujukan P-Care: {ref.pcare_number or ''} · No. Kartu BPJS: {ref.bpjs_card or ''}"
        )
    if attached := getattr(ref, "attachments", None):
        bridging.append("Lampiran: " + ", ".join(f"{a.kind_label} ({a.type_label})" for a in attached))
    return [
        *emergency,
        *bridging,
        (ref.patient.address or "", 0.5) if ref.patient else "",
        ref.anamnesis,
        ref.physical_exam,
        ref.supporting,
        diagnoses,
        therapy,
        ref.allergy,
        ref.reason,
        f"#Alasan Rujuk Diagnosa-Non-Spesialistik: {tacc}" if tacc else "",
        ref.condition,
        ref.escort,
        ref.note,
    ]


def reply_texts(ref) -> list[tuple[str, float]]:
    """The answer's texts as a filled tear-off prints them (its table takes about 70 % of the width)."""
    if not answered(ref):
        return []
    return [
        (f"{ref.reply_diag_code} {ref.reply_diag_name or ''}", 0.7),
        (ref.reply_therapy or "", 0.7),
        (ref.reply_advice or "", 0.7),
    ]


def answered(ref) -> bool:
    """The hospital's answer is recorded: the tear-off prints it instead of blank lines."""
    return ref.replied_at is not None and bool(ref.reply_diag_code)


# The referral's attributes letter_texts reads: the form's fields of the same names give the same estimate.
LETTER_FIELDS = (
    "anamnesis",
    "physical_exam",
    "supporting",
    "therapy_drug",
    "therapy_other",
    "bmhp",
    "procedures",
    "allergy",
    "reason",
    "tacc",
    "tacc_reason",
    "condition",
    "escort",
    "note",
)


def draft_texts(values: dict, patient, diagnoses: list[tuple[str, str]]) -> list:
    """letter_texts of a letter still on the form (``values``: LETTER_FIELDS as typed), before it is saved."""
    typed = {name: values.get(name) or "" for name in LETTER_FIELDS}
    return letter_texts(SimpleNamespace(**typed, patient=patient, diagnoses=diagnoses))


def fit_note(fit: LetterFit) -> str | None:
    """The form's "second page" hint (shown on the form and flashed on save), or None for a one-page letter."""
    if not fit.continued:
        return None
    size = f"{fit.size:g}".replace(".", ",")
    return (
        f"Teks klinis panjang: surat rujukan akan dicetak {fit.pages} halaman (huruf {size} pt). Semua teks "
        "tetap dicetak utuh dan sobekan jawaban ada di halaman terakhir; persingkat bila ingin satu halaman."
    )
