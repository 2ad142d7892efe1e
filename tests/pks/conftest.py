"""PKS fixtures: demo agreements by title, a logged-in client per regency."""
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.auth.models import Regency
from blueprints.core.extensions import db
from blueprints.pks.demo import KSB_TITLE, PKS1_TITLE, PKS2_TITLE
from blueprints.pks.models import Agreement

TODAY = date(2026, 11, 28)


def agreement_id(app, title):
    with app.app_context():
        return db.session.scalar(select(Agreement.id).where(Agreement.judul == title))


def regency_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Regency.id).where(Regency.code == code))


@pytest.fixture
def ids(app):
    return {"ksb": agreement_id(app, KSB_TITLE), "pks1": agreement_id(app, PKS1_TITLE),
            "pks2": agreement_id(app, PKS2_TITLE)}


@pytest.fixture
def solok(client, auth):
    auth.login("kerjasama.solok")
    return client


@pytest.fixture
def sijunjung(app):
    from tests.conftest import AuthActions
    other = app.test_client()
    AuthActions(other).login("kerjasama.sijunjung")
    return other
