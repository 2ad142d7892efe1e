"""argon2id password hashing and the password rules. Cost comes from config so tests stay fast without changing
the algorithm.

Rules for a new password: at least 12 characters; not a repetition or a run (aaaa…, 1234…, abcabc…); not
containing the username or a part of the person's name; and not guessable according to zxcvbn (a maintained
estimator with its own lists of common passwords, words and names), given the username and name as well.
"""

import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
RULES_HINT = (
    f"Minimal {MIN_LENGTH} karakter, bukan kata sandi umum, bukan pengulangan, dan tidak memuat nama "
    "pengguna atau nama Anda. Contoh yang baik: tiga atau empat kata acak."
)

TOO_SHORT = f"Kata sandi minimal {MIN_LENGTH} karakter."
HAS_USERNAME = "Kata sandi tidak boleh memuat nama pengguna."
HAS_NAME = "Kata sandi tidak boleh memuat nama pemilik akun."
REPETITIVE = "Kata sandi terlalu berulang atau berurutan (misalnya aaaa, 1234, abcabc)."
COMMON = "Kata sandi ini terlalu umum atau mudah ditebak. Gunakan beberapa kata acak."


def _hasher() -> PasswordHasher:
    cost = current_app.config.get("ARGON2_COST", {})
    return PasswordHasher(type=Type.ID, **cost)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the username does not exist, so timing does not reveal it.
_DUMMY: dict[str, str] = {}


def dummy_verify(password: str) -> None:
    key = repr(current_app.config.get("ARGON2_COST"))
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("not-a-real-password")
    verify_password(_DUMMY[key], password)


def prepare_dummy() -> None:
    """Make the stand-in hash now, so the first login of an unknown name costs no more than any other."""
    dummy_verify("")


# ---- rules ------------------------------------------------------------------------------------------------


def _letters(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _name_parts(text: str | None) -> list[str]:
    """Words of a username or a name worth refusing inside a password (four letters or more)."""
    return [w for w in re.split(r"[^0-9a-z]+", (text or "").lower()) if len(w) >= 4]


def _repetitive(password: str) -> bool:
    p = password.lower()
    if len(set(p)) <= max(3, len(p) // 5):
        return True
    for size in range(1, len(p) // 2 + 1):  # 'abcabcabcabc', 'qwer1qwer1qwer1'
        unit = p[:size]
        if (unit * (len(p) // size + 1))[: len(p)] == p:
            return True
    steps = {ord(b) - ord(a) for a, b in zip(p, p[1:], strict=False)}
    return len(steps) == 1 and steps <= {-1, 1}  # '123456789012' is refused by length of the run below too


def password_problem(password: str, username: str | None = None, name: str | None = None) -> str | None:
    """The first rule a new password breaks, as the message to show, or None."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    flat = _letters(password)
    if username and (_letters(username) in flat or any(part in flat for part in _name_parts(username))):
        return HAS_USERNAME
    if name and (
        len(_letters(name)) >= 4
        and _letters(name) in flat
        or any(part in flat for part in _name_parts(name) if part != "demo")
    ):
        return HAS_NAME
    if _repetitive(password):
        return REPETITIVE
    result = zxcvbn(password[:100], user_inputs=[v for v in (username, name) if v])
    if any(
        m.get("pattern") in ("repeat", "sequence") and len(m.get("token", "")) >= len(password) / 2
        for m in result.get("sequence", [])
    ):
        return REPETITIVE
    if result["score"] < MIN_SCORE:
        return COMMON
    return None


class StrongPassword:
    """WTForms validator. The account comes from the form: its ``username``/``name`` fields (an admin creating or
    editing a user), else ``form.subject`` (the user whose password is being set)."""

    def __call__(self, form, field):
        if not field.data:
            return
        subject = getattr(form, "subject", None)
        username = form.username.data if "username" in form else getattr(subject, "username", None)
        name = form.name.data if "name" in form else getattr(subject, "name", None)
        problem = password_problem(field.data, username, name)
        if problem:
            raise ValidationError(problem)
