"""The verification code printed under the letter's QR (docs/rujukan.md §12): R<id>-XXXX-XXXX, an HMAC of the id,
so a typed or scanned code proves the letter came from here without showing anything about the patient."""

import base64
import hashlib
import hmac
import re

from flask import current_app

_CODE = re.compile(r"^R(\d{1,9})-([A-Z2-7]{4})-?([A-Z2-7]{4})$")


def code_mac(key: bytes, referral_id: int) -> str:
    """Eight base32 characters of HMAC-SHA256(key, 'rujukan:<id>')."""
    digest = hmac.new(key, f"rujukan:{referral_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def _key() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def verify_code(referral_id: int) -> str:
    """Short human-readable code printed under the QR: R<id>-XXXX-XXXX (HMAC of the id)."""
    mac = code_mac(_key(), referral_id)
    return f"R{referral_id}-{mac[:4]}-{mac[4:]}"


def parse_code(code: str | None) -> int | None:
    """The referral id when the code is authentic, else None."""
    m = _CODE.match((code or "").strip().upper()[:30])
    if not m:
        return None
    referral_id = int(m.group(1))
    if not hmac.compare_digest(code_mac(_key(), referral_id), m.group(2) + m.group(3)):
        return None
    return referral_id
