"""BPJS bridging fields (docs/rujukan.md §4.8), checked by format only: nothing here asks BPJS.

- P-Care referral number (*no. rujukan P-Care*, typed by the sender) and SEP number (typed by the receiving
  hospital after arrival): 19 letters and digits (error). Their inner shape, 8-character PPK code + MMYY +
  letter (P = FKTP referral, V = SEP) + 6 digits, is **unverified** (inferred from examples in the domain
  reference §8), so a number that does not follow it, or whose PPK code is not the facility's, is a warning.
- BPJS card number: the patient's No. JKN rule (13 digits, ``patients.jkn_problems``), the one rule.
"""

import re

from blueprints.core import audit
from blueprints.core.extensions import db
from blueprints.core.nik import clean_number
from blueprints.core.outcome import Outcome, field_errors
from blueprints.core.timeutil import utcnow
from blueprints.core.versioning import is_stale

from .numbering import BPJS_LIKE
from .patients import JKN_DIGITS_MESSAGE, jkn_problems

LENGTH = 19
PCARE_LETTER = "P"
SEP_LETTER = "V"
PCARE_MESSAGE = "No. rujukan P-Care harus 19 karakter huruf/angka, mis. 0050B1070223P000004."
SEP_MESSAGE = "No. SEP harus 19 karakter huruf/angka, mis. 0301R0011124V000123."
_SEPARATORS = re.compile(r"[\s\-./]")


def clean_bpjs_number(value: str | None) -> str:
    """The number as BPJS prints it: upper case, spaces, dashes, dots and slashes removed."""
    return _SEPARATORS.sub("", value or "").upper()


def _shape_warnings(number: str, letter: str, what: str, ppk_code: str | None) -> list[str]:
    """Warnings (never errors) on the unverified inner shape of a 19-character BPJS number."""
    if not BPJS_LIKE.match(number) or number[12] != letter:
        return [
            f"{what} {number} tidak mengikuti pola yang biasa (kode PPK 8 karakter + bulan-tahun + huruf "
            f"{letter} + 6 angka; pola belum terverifikasi). Periksa lagi dengan cetakan BPJS."
        ]
    if ppk_code and len(ppk_code) == 8 and number[:8] != ppk_code.upper():
        return [f"{what} {number} diawali kode PPK {number[:8]}, bukan kode faskes ini ({ppk_code.upper()})."]
    return []


def number_problems(value: str | None, letter: str, message: str, what: str, ppk_code: str | None = None):
    """(the cleaned number or None, error or None, warnings) of a typed P-Care / SEP number."""
    number = clean_bpjs_number(value)
    if not number:
        return None, None, []
    if len(number) != LENGTH or not number.isascii() or not number.isalnum():
        return number[:LENGTH], message, []
    return number, None, _shape_warnings(number, letter, what, ppk_code)


def pcare_problems(value: str | None, origin_code: str | None = None):
    return number_problems(value, PCARE_LETTER, PCARE_MESSAGE, "No. rujukan P-Care", origin_code)


def sep_problems(value: str | None, hospital_code: str | None = None):
    return number_problems(value, SEP_LETTER, SEP_MESSAGE, "No. SEP", hospital_code)


def card_problems(value: str | None) -> tuple[str | None, str | None]:
    """(the 13 digits or None, error or None) of a typed BPJS card number: the No. JKN rule."""
    if not (value or "").strip():
        return None, None
    problems = jkn_problems(value, "non_jkn")  # only the digits rule: the letter's card number is optional
    return clean_number(value) or None, (JKN_DIGITS_MESSAGE if problems else None)


# ---- the receiver's SEP number ------------------------------------------------------------------------------

SEP_STATES = ("tiba", "dijawab", "selesai")
SEP_TOO_EARLY = "No. SEP dicatat setelah pasien tiba (catat kedatangan pasien lebih dulu)."


def record_sep(ref, form, user) -> Outcome:
    """The receiving hospital records the SEP it made on this letter, after arrival: format only, the letter's
    version checked, audited. The same number again is a no-op."""
    if is_stale(ref, form.version.data):
        return Outcome(stale=True)
    if not form.validate():
        return Outcome(errors=field_errors(form))
    hospital = ref.destination.facility_code if ref.destination is not None else None
    number, error, warnings = sep_problems(form.sep_number.data, hospital)
    if error:
        return Outcome(errors={"sep_number": error})
    if ref.status not in SEP_STATES:
        return Outcome(refusals=[SEP_TOO_EARLY])
    if number == ref.sep_number:
        return Outcome(repeated="No. SEP ini sudah tercatat.")
    ref.sep_number, ref.sep_at = number, utcnow()
    db.session.flush()
    audit.record("update", "rujukan", ref.id, f"mencatat No. SEP rujukan #{ref.id}")
    db.session.commit()
    return Outcome(record=ref, warnings=warnings)
