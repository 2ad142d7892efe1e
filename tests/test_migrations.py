"""`flask db upgrade` on an empty database gives exactly the schema of the models (no pending autogenerate diff)."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from app import create_app
from blueprints.core.extensions import db
from blueprints.core.textsearch import include_object
from tests.conftest import make_config


@pytest.fixture
def empty_db_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite")
        return
    name = f"sinergi_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_matches_models(empty_db_url):
    app = create_app(make_config(empty_db_url))
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            # the FTS tables and trigram indexes are core.textsearch's, outside the models (migrations/env.py)
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def test_upgrade_then_seed_and_demo(empty_db_url):
    app = create_app(make_config(empty_db_url))
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade(revision="heads")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "operator.solok" in result.output and "sinergi-demo-2024" in result.output
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "sudah berisi pengguna" in again.output
    with app.app_context():
        db.engine.dispose()


def test_this_sessions_revisions_downgrade_and_upgrade_again(empty_db_url):
    """Down to the revision before issue 13's and back up: each downgrade undoes its upgrade (SQLite's batch
    copies of a table must not break the triggers that name it)."""
    app = create_app(make_config(empty_db_url))
    with app.app_context():
        upgrade(revision="heads")
        downgrade(revision="0021_rujukan_awaiting_reply")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "0021_rujukan_awaiting_reply"
            )
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []
