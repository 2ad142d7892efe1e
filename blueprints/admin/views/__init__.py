"""Admin pages, one file per resource: accounts (``users``), jorong, the audit log."""

from . import audit, jorong, users  # noqa: F401
