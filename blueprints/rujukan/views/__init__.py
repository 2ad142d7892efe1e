"""The module's views, one file per resource; importing them registers their routes on ``bp``."""
from . import (_common, directory, icd, lists, patients, printouts, referrals, replies, reports,  # noqa: F401
               verify, worklists)
