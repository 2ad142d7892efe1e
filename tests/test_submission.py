"""The submission-key mechanism on its own; each module's create flows are replayed in its own tests."""

from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.exceptions import Conflict

from blueprints.auth.models import User
from blueprints.core import submission
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.core.submission import SubmissionKey
from blueprints.core.timeutil import utcnow


def _as(username):
    user = db.session.scalar(select(User).where(User.username == username))
    login_user(user)
    return user


def test_claim_then_replay_lands_on_the_first_result(app):
    key = new_submission_key()
    with app.test_request_context():
        _as("operator.solok")
        assert submission.claim(key) is None
        submission.remember(key, "/sidilan/orang/1")
        db.session.commit()
        replay = submission.claim(key)
        assert replay is not None and replay.url == "/sidilan/orang/1"
        assert db.session.scalar(select(func.count()).select_from(SubmissionKey)) == 1


def test_a_failed_use_case_rolls_the_key_back(app):
    key = new_submission_key()
    with app.test_request_context():
        _as("operator.solok")
        assert submission.claim(key) is None
        db.session.rollback()
        assert submission.claim(key) is None  # the clerk corrects the form and sends it again


def test_another_users_key_is_refused(app):
    key = new_submission_key()
    with app.test_request_context():
        _as("operator.solok")
        submission.claim(key)
        submission.remember(key, "/sidilan/orang/1")
        db.session.commit()
    with app.test_request_context():
        _as("operator.sijunjung")
        with pytest.raises(Conflict):
            submission.claim(key)


def test_keys_expire_after_a_day(app, time_machine):
    key = new_submission_key()
    with app.test_request_context():
        _as("operator.solok")
        submission.claim(key)
        submission.remember(key, "/x")
        db.session.commit()
    time_machine.move_to(utcnow() + timedelta(days=1, minutes=1))
    with app.test_request_context():
        _as("operator.solok")
        assert submission.claim(new_submission_key()) is None
        db.session.commit()
        assert db.session.get(SubmissionKey, key) is None
