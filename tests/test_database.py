"""Connection settings the app gives its database."""

import pytest
from sqlalchemy import text

from blueprints.core.extensions import db


def test_postgresql_connections_run_without_jit(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only (the suite runs on SQLite unless TEST_DATABASE_URL is set)")
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
