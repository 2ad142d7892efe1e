"""The printed letter (docs/rujukan.md §9.1): which mark it carries (DRAFT, SALINAN, DIBATALKAN, KEDALUWARSA),
on which paper, and the print log every print and reprint leaves."""

from datetime import date

from blueprints.core import audit
from blueprints.core.extensions import db

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
