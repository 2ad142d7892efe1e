"""flaskr-style fixtures. The suite runs on a temporary SQLite file, or on TEST_DATABASE_URL when set."""

import copy
import inspect
import os
import threading
import weakref

import pytest
import time_machine
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, delete, event, insert, make_url, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app import create_app
from blueprints.core.extensions import db, limiter
from blueprints.core.throttle import DatabaseCounters, RateCounter
from blueprints.core.uploads import private_dir
from blueprints.demo import DEMO_PASSWORD, load_demo
from tests.clock import NOW

_CLOCK = time_machine.travel(NOW, tick=True)


def pytest_configure(config):
    """Pin the clock before any fixture or demo runs (see tests/clock.py)."""
    config.addinivalue_line("markers", "dates: depends on 'today'; CI also runs it on boundary days")
    config.addinivalue_line(
        "markers",
        "real_commits: `app` is an app of its own whose commits are real "
        "(threads, other connections); see the fixtures below",
    )
    _CLOCK.start()


def pytest_unconfigure(config):
    _CLOCK.stop()


# Tests whose outcome depends on the calendar (validity days, month recaps, ages, "this month"): CI runs them
# again on boundary days (tests/clock.py). Others pin facts to the default day (e.g. a KSB still in force).
DATE_SENSITIVE = (
    "tests/rujukan/",
    "tests/test_time.py",
    "tests/test_submission.py",
    "tests/sidilan/test_reports_dashboard.py",
    "tests/sidilan/test_reports_pages.py",
    "tests/sidilan/test_search.py",
    "tests/sidilan/test_person.py",
    "tests/pks/test_service.py",
)


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
        # Background jobs run at once in the caller (Huey's immediate mode); tests/test_jobs.py also runs a
        # real consumer on the SQLite queue and on Redis.
        "JOBS_IMMEDIATE": True,
    }
    config.update(extra)
    return config


def worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own: ``<name>_gw0``, ``<name>_gw1``... on the same
    PostgreSQL server, created on first use (SQLite files already live in each worker's own tmp dir)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() == "sqlite":
        return url
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    url = worker_database(url) if url else "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    _TEST_DB["url"] = make_url(url)
    return url


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
    demo and keeps a copy of every row; later calls re-insert that copy, which is many times faster. Inside a
    test on the shared app (its own transaction, see below) it rolls that transaction back to the demo."""
    if _FAST:
        for session in list(_FAST["sessions"].registry.registry.values()):
            session.close()
        _FAST["transaction"].rollback()
        _FAST["transaction"] = _FAST["connection"].begin()
        return
    key = str(db.engine.url)
    reset_data()
    if key not in _SNAPSHOTS:
        load_demo()
        db.session.commit()
        _SNAPSHOTS[key] = [
            (
                table,
                [
                    dict(row._mapping)
                    for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
                ],
            )
            for table in db.metadata.sorted_tables
            if table.name not in KEEP_TABLES
        ]
        return
    for table, rows in _SNAPSHOTS[key]:
        if rows:
            db.session.execute(insert(table), rows)
    db.session.commit()


# ---- the shared database: the demo, committed once; a test changes it only inside its own transaction ----------
#
# Fast path (the default `app`): one app for the whole session; each test runs on one connection inside a
# transaction that is rolled back at its end, and every session the app opens (requests, CLI commands,
# `with app.app_context()` in the test) joins that transaction through a SAVEPOINT, so the app's own commits and
# rollbacks behave as they do in production, only nothing reaches the database for good.
#
# Slow path (`make_app(**config)`, and `app` for tests that need real commits across connections: parallel
# clients in threads, tests marked `real_commits`): an app of its own on the shared database with the demo, as
# before. Any real commit on the shared database marks it changed; the next test that needs the demo puts it back.

_TEST_DB: dict = {}
_FAST: dict = {}  # the running fast test's connection, transaction and sessions
_STATE = {"changed": True}  # the shared database may differ from the demo
_QUIET_ENGINES: "weakref.WeakSet" = weakref.WeakSet()  # commits there are not data changes (counters)
REAL_COMMITS_HINTS = ("replay_parallel(", "threading.Thread(")


@event.listens_for(Engine, "commit")
def _note_real_commit(conn) -> None:
    url = _TEST_DB.get("url")
    if (
        url is not None
        and conn.engine not in _QUIET_ENGINES
        and conn.engine.url.database == url.database
        and conn.engine.url.get_backend_name() == url.get_backend_name()
    ):
        _STATE["changed"] = True


def _ensure_demo(app) -> None:
    if _STATE["changed"]:
        with app.app_context():
            restore_demo()
            db.session.remove()
        _STATE["changed"] = False


def _needs_real_commits(request) -> bool:
    if request.node.get_closest_marker("real_commits") or "make_app" in request.fixturenames:
        return True
    function = getattr(request.node, "function", None)
    try:
        source = inspect.getsource(function) if function else ""
    except (OSError, TypeError):
        source = ""
    return any(hint in source for hint in REAL_COMMITS_HINTS)


class _JoinedSession(FlaskSession):
    """A Flask-SQLAlchemy session that always uses the test's connection (its ``bind``), joined through a
    savepoint. Used from the test's own thread only: a thread would share one connection with the others."""

    owner: int | None = None

    def __init__(self, *args, **kwargs):
        if threading.get_ident() != self.owner:
            raise RuntimeError("a thread used the test's shared connection; mark the test real_commits")
        super().__init__(*args, **kwargs)

    def get_bind(self, *args, **kwargs):
        return self.bind


def _pysqlite_connect(dbapi_connection, connection_record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN itself (_pysqlite_begin).
    dbapi_connection.isolation_level = None


def _pysqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


class _CountersOn(DatabaseCounters):
    """The login/limit counters on an engine of their own: each count commits on its own connection (as in
    production, it survives the request's rollback) without waiting on the test's open transaction."""

    def __init__(self, engine):
        self._engine = engine

    @property
    def engine(self):
        return self._engine


@pytest.fixture(scope="session")
def _session_app(db_url, _schema, tmp_path_factory):
    extra = {}
    if make_url(db_url).get_backend_name() == "sqlite":
        # No connection kept between tests: another app's create_app opens and closes the database file, which
        # drops this process's POSIX locks on it, and SQLite would then take an idle pooled connection's WAL
        # files away from under it ("disk I/O error").
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, "poolclass": NullPool}
    app = create_app(make_config(db_url, UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")), **extra))
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _pysqlite_connect)
        event.listen(engine, "begin", _pysqlite_begin)
        engine.dispose()
        # SQLite has one writer per file: the counters' commits would wait on the test's open transaction.
        counters = create_engine(
            "sqlite:///" + str(tmp_path_factory.mktemp("counters") / "counters.sqlite"), hide_parameters=True
        )
        RateCounter.__table__.create(counters)
    else:
        counters = create_engine(engine.url, hide_parameters=True)
    _QUIET_ENGINES.add(counters)
    app.extensions["sinergi_counters"].database = _CountersOn(counters)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    counters.dispose()


@pytest.fixture
def make_app(db_url, _schema, tmp_path):
    """Build an app with extra config, on the shared database with the demo data loaded; its commits are
    real (the demo is put back for the next test)."""
    created = []

    def factory(**extra):
        extra.setdefault("UPLOAD_DIR", str(tmp_path / "uploads"))
        app = create_app(make_config(db_url, **extra))
        _ensure_demo(app)
        limiter.reset()
        created.append(app)
        return app

    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if created:  # whatever it did (files copied over the database, raw connections): put the demo back
        _STATE["changed"] = True


@pytest.fixture
def app(request, tmp_path):
    """The session's app, inside a transaction of this test (see above); or, for a test that needs real
    commits, an app of its own (`make_app()`)."""
    if _needs_real_commits(request):
        yield request.getfixturevalue("make_app")()
        return
    app = request.getfixturevalue("_session_app")
    _ensure_demo(app)
    config = copy.deepcopy(dict(app.config))
    app.config["UPLOAD_DIR"] = str(private_dir(tmp_path / "uploads"))
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    transaction = connection.begin()
    shared_session = db.session
    joined = db._make_scoped_session(
        {
            "class_": type("JoinedSession", (_JoinedSession,), {"owner": threading.get_ident()}),
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
        }
    )
    db.session = joined
    _FAST.update(connection=connection, transaction=transaction, sessions=joined)
    try:
        yield app
    finally:
        for session in list(joined.registry.registry.values()):  # sessions of app contexts left open
            session.close()
        db.session = shared_session
        _FAST.pop("transaction").rollback()
        _FAST.clear()
        connection.close()
        with app.app_context():
            limiter.reset()
        app.config.clear()
        app.config.update(config)


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
