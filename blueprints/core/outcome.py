"""What a use-case function did (``Outcome``), for the thin view that turns it into a page, a redirect or the
conflict page. The use cases of every module answer one.

``record`` is set when the use case wrote; otherwise one of the other fields says why not: ``replay`` (an
earlier submit with this key already made it), ``stale`` (the form was filled on another version), ``repeated``
(what the form asked for holds already), ``errors`` (messages by field: the form is shown again, 422) or
``refusals`` (refusals that belong to no field). ``warnings`` hold what went through but deserves a word (plain
text, or rule hits with ``text`` and ``blocking``, as Kerja Sama's); ``related`` the records the outcome points
at; ``data`` what else a page needs to show the form again.
"""

from dataclasses import dataclass, field

from .extensions import db


@dataclass
class Outcome:
    record: object = None
    # core.submission.Replay: the same submit ran before, and where its result lives
    replay: object = None
    # the form was filled on another version of this record: the record as freshly loaded, or True
    stale: object = None
    # what the form asked for holds already (a double tap, a replay): nothing changed; the message saying so
    # when the use case words one
    repeated: str | bool = False
    # refusals that belong to no field, as the user reads them
    refusals: list[str] = field(default_factory=list)
    # messages by field (or by an input that is not a form field)
    errors: dict[str, str] = field(default_factory=dict)
    # where to continue instead (e.g. a step that must come first)
    redirect: str | None = None
    # plain text, or rule hits (``text``, ``blocking``)
    warnings: list = field(default_factory=list)
    # records the outcome points at (e.g. cases that block a step, the patient a NIK belongs to)
    related: list = field(default_factory=list)
    # what else a page needs to show the form again (e.g. Rujukan's NIK check)
    data: dict = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The refusals as one message, for a page that shows one."""
        return " ".join(self.refusals) or None

    @property
    def blocking(self) -> list[str]:
        return [w.text for w in self.warnings if getattr(w, "blocking", False)]

    @property
    def ok(self) -> bool:
        """Nothing refused the use case (no refusal, field message or blocking rule) and it was no repeat."""
        return not self.refusals and not self.errors and not self.repeated and not self.blocking

    def messages(self) -> list[str]:
        """Refusals, field messages, then blocking rules, as the user reads them."""
        return self.refusals + list(self.errors.values()) + self.blocking


def field_errors(form) -> dict[str, str]:
    """A form's messages by field (the first of each), for ``Outcome.errors`` when a use case refuses a form."""
    return {f.name: f.errors[0] for f in form if f.errors}


def has_errors(form, extra: dict | None = None) -> bool:
    """Whether a form (or the extra, non-form inputs) carries a message: the page answers FORM_INVALID."""
    return any(f.errors for f in form) or bool(extra)


def add_errors(form, errors: dict[str, list[str]]) -> None:
    """Messages of cross-field rules onto their fields, after the ones the form found itself."""
    for name, messages in errors.items():
        form[name].errors = list(form[name].errors) + list(messages)


RACED = "Data ini baru saja diubah oleh pengiriman lain. Muat ulang halaman lalu periksa kembali."


def raced(obj) -> Outcome:
    """Another save of the same version got past the version check first (StaleDataError): the conflict page,
    on the record as it is now."""
    db.session.rollback()
    db.session.refresh(obj)
    return Outcome(stale=obj)
