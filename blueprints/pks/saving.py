"""One submit makes one record, and an edit lands only on the version it was made on: the PKS side of
``core.submission`` and ``core.versioning``, so each view says only what it creates or changes."""

from collections.abc import Callable

from flask import flash, redirect

from blueprints.core import submission
from blueprints.core.extensions import db
from blueprints.core.forms import KEY_MISSING, SUBMISSION_KEY, new_submission_key
from blueprints.core.submission import REPLAY_NOTE
from blueprints.core.versioning import conflict_response, differences, is_stale


def create_once(key: str, make: Callable[[], tuple[str, str] | None]):
    """Run the create use case ``make`` once per submission ``key``.

    ``make()`` adds and flushes what the submit creates and returns (address of the result, message for the
    clerk), or None when it refuses (its messages are then on the form). A refusal rolls back, which also
    releases the key, so the corrected form can be sent again. A replay of a key whose submit already went
    through creates nothing and lands on that first result with the note "Data ini sudah tersimpan".
    Returns the response, or None when refused."""
    replay = submission.claim(key)
    if replay:
        return replay.response()
    made = make()
    if made is None:
        db.session.rollback()
        return None
    url, message = made
    submission.remember(key, url)
    db.session.commit()
    flash(message, "ok")
    return redirect(url)


def stale_answer(form, obj, *, back_url: str, current: dict | None = None, action: str | None = None):
    """The answer to an edit of ``obj`` posted on another version than the stored one, or None when the
    version is current. When what was typed is already what is stored (a double tap on Simpan), the clerk
    lands on the record with the replay note; otherwise the conflict page (409) shows both values and offers
    to apply the typed ones on top."""
    if not is_stale(obj, form.version.data):
        return None
    posted = str(form.version.data or "").strip()
    if posted.isdigit() and int(posted) < obj.version and not differences(form, obj, current):
        flash(REPLAY_NOTE, "ok")
        return redirect(back_url, code=303)
    return conflict_response(form, obj, back_url=back_url, current=current, action=action)


# ---- forms that are not WTForms (the wilayah cascade) ------------------------------------------------------


def posted_key(values) -> tuple[str, str | None]:
    """(key to render, error): the key a plain form posted, or a fresh one with the shared message when it is
    missing or malformed."""
    key = values.get("submission_key", "")
    if isinstance(key, str) and SUBMISSION_KEY.match(key):
        return key, None
    return new_submission_key(), KEY_MISSING
