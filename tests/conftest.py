"""flaskr-style fixtures. The suite runs on a temporary SQLite file, or on TEST_DATABASE_URL when set."""
import os

import pytest
import time_machine
from sqlalchemy import delete, insert, select

from app import create_app
from blueprints.demo import DEMO_PASSWORD, load_demo
from blueprints.core.extensions import db, limiter
from tests.clock import NOW

_CLOCK = time_machine.travel(NOW, tick=True)


def pytest_configure(config):
    """Pin the clock before any fixture or demo runs (see tests/clock.py)."""
    config.addinivalue_line("markers", "dates: depends on 'today'; CI also runs it on boundary days")
    _CLOCK.start()


def pytest_unconfigure(config):
    _CLOCK.stop()


# Tests whose outcome depends on the calendar (validity days, month recaps, ages, "this month"): CI runs them
# again on boundary days (tests/clock.py). Others pin facts to the default day (e.g. a KSB still in force).
DATE_SENSITIVE = ("tests/rujukan/", "tests/test_time.py", "tests/test_submission.py",
                  "tests/sidilan/test_reports_dashboard.py", "tests/sidilan/test_reports_pages.py",
                  "tests/sidilan/test_search.py", "tests/sidilan/test_person.py", "tests/pks/test_service.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.replace("\\", "/")
        if path.startswith(DATE_SENSITIVE):
            item.add_marker(pytest.mark.dates)


# Reference data kept between tests (rebuilding it each time costs more than the tests).
KEEP_TABLES = {"regency", "wilayah", "alembic_version"}
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def make_config(db_url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_COST": FAST_ARGON2,
        "UPLOAD_DIR": None,
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def _schema(db_url):
    app = create_app(make_config(db_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.commit()
        db.engine.dispose()
    return True


def reset_data() -> None:
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in KEEP_TABLES:
            db.session.execute(delete(table))
    db.session.commit()


_SNAPSHOTS: dict[str, list] = {}


def restore_demo() -> None:
    """Clean data plus the demo, as `flask demo load` makes it. The first call per database really loads the
    demo and keeps a copy of every row; later calls re-insert that copy, which is many times faster."""
    key = str(db.engine.url)
    reset_data()
    if key not in _SNAPSHOTS:
        load_demo()
        db.session.commit()
        _SNAPSHOTS[key] = [
            (table, [dict(row._mapping) for row in db.session.execute(
                select(table).order_by(*table.primary_key.columns))])
            for table in db.metadata.sorted_tables if table.name not in KEEP_TABLES]
        return
    for table, rows in _SNAPSHOTS[key]:
        if rows:
            db.session.execute(insert(table), rows)
    db.session.commit()


@pytest.fixture
def make_app(db_url, _schema, tmp_path):
    """Build an app with extra config, on a clean database with the demo data loaded."""
    created = []

    def factory(**extra):
        extra.setdefault("UPLOAD_DIR", str(tmp_path / "uploads"))
        app = create_app(make_config(db_url, **extra))
        with app.app_context():
            restore_demo()
        limiter.reset()
        created.append(app)
        return app

    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="operator.solok", password=DEMO_PASSWORD):
        return self._client.post("/masuk", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/keluar")


@pytest.fixture
def auth(client):
    return AuthActions(client)


HX = {"HX-Request": "true"}
