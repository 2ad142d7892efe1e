"""One submit makes one record, and an edit lands only on the version it was made on: the PKS side of
``core.submission`` and ``core.versioning``. The use cases call these and answer a ``core.outcome.Outcome``;
the views only turn it into a response (``views/_common.answer``).

- ``@creates_once`` wraps a create use case: it claims the submission key, runs the use case, and answers
  ``replay`` (the key already made something), the refusal (rolled back: messages on the form) or the record
  made (key remembered, committed, ``data`` holds the address and the message for the clerk).
- ``stale_outcome`` is an edit's first check: ``stale`` (the conflict page) or ``repeated`` (a double tap on
  Simpan: what was typed is what is stored).
- ``saved`` commits an edit and answers where to go and what to say.
"""

import inspect
from collections.abc import Callable
from functools import wraps

from blueprints.core import submission
from blueprints.core.extensions import db
from blueprints.core.forms import KEY_MISSING, SUBMISSION_KEY, new_submission_key
from blueprints.core.outcome import Outcome, field_errors
from blueprints.core.submission import REPLAY_NOTE
from blueprints.core.versioning import differences, is_stale

__all__ = [
    "REPLAY_NOTE",
    "creates_once",
    "posted_key",
    "refused",
    "refused_as_one",
    "saved",
    "stale_action",
    "stale_outcome",
]


def saved(record, url: str, message: str) -> Outcome:
    """Commit what the use case wrote; the clerk goes to ``url`` and reads ``message``."""
    db.session.commit()
    return Outcome(record=record, data={"url": url, "message": message})


def refused(form=None, *refusals: str) -> Outcome:
    """Nothing was written: the messages are on ``form`` (by field, and above its fields) and in ``refusals``."""
    errors = field_errors(form) if form is not None else {}
    above = list(getattr(form, "form_errors", None) or []) + list(refusals)
    return Outcome(errors=errors, refusals=above)


def checked(form, stale: Outcome | None = None) -> Outcome | None:
    """The first guards of a correction or a delete: the version its form showed (``stale``, from
    ``stale_outcome``/``stale_action``), then the form itself. None when both pass, else the answer."""
    if stale:
        return stale
    return None if form.validate() else refused(form)


def refused_as_one(form) -> Outcome:
    """A form whose page shows no fields of its own (a button, a switch): all its messages as one refusal."""
    return refused(None, " ".join(e for errs in form.errors.values() for e in errs))


def creates_once(make: Callable[..., tuple[str, str] | None]) -> Callable[..., Outcome]:
    """Decorator: run the create use case ``make`` once per submission key, taken from its ``key`` argument
    or else from its ``form`` argument's ``submission_key``.

    ``make`` adds and flushes what the submit creates and returns (address of the result, message for the
    clerk), or None when it refuses (its messages are then on the form). A refusal rolls back, which also
    releases the key, so the corrected form can be sent again. A replay of a key whose submit already went
    through creates nothing and answers ``replay`` (the view lands on that first result with the note "Data ini
    sudah tersimpan")."""
    signature = inspect.signature(make)

    @wraps(make)
    def run(*args, **kwargs) -> Outcome:
        given = signature.bind(*args, **kwargs).arguments
        form = given.get("form")
        key = given.get("key") or form.submission_key.data
        replay = submission.claim(key)
        if replay:
            return Outcome(replay=replay)
        made = make(*args, **kwargs)
        if made is None:
            db.session.rollback()
            return refused(form)
        url, message = made
        submission.remember(key, url)
        return saved(url, url, message)  # the record is known by its address

    return run


def stale_outcome(form, obj, *, url: str, current: dict | None = None) -> Outcome | None:
    """The answer to an edit of ``obj`` posted on another version than the stored one, or None when the
    version is current. When what was typed is already what is stored (a double tap on Simpan), ``repeated``:
    the clerk lands on ``url`` with the replay note; otherwise ``stale``: the conflict page (409) shows both
    values (``current`` overrides values read from ``obj``) and offers to apply the typed ones on top."""
    if not is_stale(obj, form.version.data):
        return None
    posted = str(form.version.data or "").strip()
    if posted.isdigit() and int(posted) < obj.version and not differences(form, obj, current):
        return Outcome(repeated=True, data={"url": url})
    return Outcome(stale=obj, data={"url": url, "current": current})


def stale_action(form, obj, *, url: str) -> Outcome | None:
    """The answer to an action on ``obj`` that types no values of it (delete, withdraw, mark final) posted on
    another version than the stored one: the conflict page (409), since the record changed since it was shown.
    None when the version is current. The use case checks first whether the action already went through."""
    if not is_stale(obj, form.version.data):
        return None
    return Outcome(stale=obj, data={"url": url})


# ---- forms that are not WTForms (the wilayah cascade) ------------------------------------------------------


def posted_key(values) -> tuple[str, str | None]:
    """(key to render, error): the key a plain form posted, or a fresh one with the shared message when it is
    missing or malformed."""
    key = values.get("submission_key", "")
    if isinstance(key, str) and SUBMISSION_KEY.match(key):
        return key, None
    return new_submission_key(), KEY_MISSING
