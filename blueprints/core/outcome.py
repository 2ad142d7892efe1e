"""What a use-case function did, for the thin view that turns it into a page, a redirect or the conflict page.

``record`` is set when the use case wrote; otherwise one of the other fields says why not (a form that is not
valid carries its messages on its own fields). Generalised from SIDILAN's; PKS and Rujukan still use their own
and move to this one when the modules are unified.
"""

from dataclasses import dataclass, field

from .extensions import db


@dataclass
class Outcome:
    record: object = None
    replay: object = None  # core.submission.Replay: the same submit ran before, and where its result lives
    stale: object = None  # the form was filled on another version of this (freshly loaded) record
    already: str | None = None  # the state the form asked for holds already: nothing was changed
    error: str | None = None  # a refusal that belongs to no field
    redirect: str | None = None  # where to continue instead (e.g. a step that must come first)
    warnings: list[str] = field(default_factory=list)
    field_errors: dict[str, str] = field(default_factory=dict)  # messages for inputs that are not form fields
    related: list = field(
        default_factory=list
    )  # records the outcome points at (e.g. cases that block a step)


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
