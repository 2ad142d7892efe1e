"""argon2id password hashing. Cost comes from config so tests stay fast without changing the algorithm."""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10


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
