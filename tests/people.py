"""Extra accounts for the tests that count statements with many distinct related rows (users as actors,
authors, uploaders): one way to make them, so each test only says whom they resemble."""

from blueprints.auth.models import User
from blueprints.core.extensions import db


def colleague(like: User | None, group: str, n: int, **columns) -> User:
    """Account number ``n`` of a test's ``group``: ``uji.<group>.<n>``, named "Petugas Uji <n>", with the role,
    organisation and regency of ``like`` unless ``columns`` says otherwise; added to the session (the caller
    flushes or commits)."""
    values = dict(
        username=f"uji.{group}.{n}",
        name=f"Petugas Uji {n}",
        password_hash="x",
        role=like.role if like is not None else None,
        organisation_id=like.organisation_id if like is not None else None,
        regency_id=like.regency_id if like is not None else None,
    )
    values.update(columns)
    user = User(**values)
    db.session.add(user)
    return user
