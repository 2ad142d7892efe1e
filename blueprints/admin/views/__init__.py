"""Admin pages, one file per resource: accounts (``users``), jorong, the audit log."""

from . import audit, jorong, jorong_import, users  # noqa: F401
