"""How a Rujukan use case says what it did (a ``core.outcome.Outcome``), shared by the use-case modules.

A use case that creates something (a patient, a draft, a copy, an issue, a lifecycle step, a reply, a poli or
health worker) claims the form's one-time submission key as its first write and remembers where the result lives
before it commits, so a replay of the same submit lands on the first result (``core.submission``). A use case
that edits a versioned record compares the version the form showed before anything else (``core.versioning``).
A refusal rolls back, which also releases the key, so the clerk can correct the form and send it again.
Views parse the request, call one use case and choose the page from the ``Outcome``: its ``related`` holds the
patient a NIK already belongs to, its ``data["nik_check"]`` the NIK check a patient form is shown again with.
"""

from blueprints.core.extensions import db
from blueprints.core.outcome import Outcome

from .lifecycle import TransitionError


def refusal(exc: TransitionError) -> Outcome:
    """Roll back and describe a refused step: at its field when it names one, else as a refusal."""
    db.session.rollback()
    return Outcome(errors={exc.field: str(exc)}) if exc.field else Outcome(refusals=[str(exc)])
