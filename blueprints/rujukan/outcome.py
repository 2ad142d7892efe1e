"""What a Rujukan use case did (``Result``), shared by the use-case modules.

A use case that creates something (a patient, a draft, a copy, an issue, a lifecycle step, a reply, a poli or
health worker) claims the form's one-time submission key as its first write and remembers where the result lives
before it commits, so a replay of the same submit lands on the first result (``core.submission``). A use case
that edits a versioned record compares the version the form showed before anything else (``core.versioning``).
A refusal rolls back, which also releases the key, so the clerk can correct the form and send it again.
Views parse the request, call one use case and choose the page from the ``Result``.
"""

from dataclasses import dataclass, field

from blueprints.core.extensions import db
from blueprints.core.submission import Replay

from .lifecycle import TransitionError


@dataclass
class Result:
    """What a use case did. Exactly one of these describes the outcome:
    ``replay`` (an earlier submit with this key already made it), ``stale`` (the form was filled on an older
    version of the record), ``known`` (the NIK is already a patient of this facility), ``errors`` (by field name;
    the form is shown again, 422), ``refused`` (the record's state no longer allows the step), or ``record``."""

    record: object = None
    replay: Replay | None = None
    stale: bool = False
    known: object = None
    errors: dict[str, str] = field(default_factory=dict)
    refused: str | None = None
    warnings: list[str] = field(default_factory=list)
    nik_check: object = None


def first_errors(form) -> dict[str, str]:
    return {name: messages[0] for name, messages in form.errors.items()}


def refusal(exc: TransitionError) -> Result:
    """Roll back and describe a refused step: at its field when it names one, else as ``refused``."""
    db.session.rollback()
    return Result(errors={exc.field: str(exc)}) if exc.field else Result(refused=str(exc))
