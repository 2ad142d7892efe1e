"""The module's views, one file per resource; importing them registers their routes on ``bp``."""

from . import (  # noqa: F401
    _common,
    attachments,
    directory,
    emergency,
    icd,
    lists,
    patients,
    printouts,
    referrals,
    replies,
    reports,
    verify,
    worklists,
)
