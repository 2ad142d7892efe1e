"""Migration 0006 moves an existing superadmin out of the regency and organisation it was filed under."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from blueprints.core.extensions import db
from tests.conftest import make_config


def test_superadmin_leaves_its_regency_and_can_go_back(tmp_path):
    app = create_app(make_config("sqlite:///" + str(tmp_path / "m.sqlite")))
    with app.app_context():
        upgrade(revision="0005_trust")
        db.session.execute(
            text("INSERT INTO regency (id, code, name) VALUES (1, '13.02', 'Kabupaten Solok')")
        )
        db.session.execute(
            text(
                "INSERT INTO organisation (id, regency_id, kind, name, is_demo, version) "
                "VALUES (1, 1, 'kominfo', 'Diskominfo', 0, 1)"
            )
        )
        for uid, role in ((1, "superadmin"), (2, "admin")):
            db.session.execute(
                text(
                    "INSERT INTO user_account (id, username, name, password_hash, organisation_id, regency_id, role, "
                    "active, created_at, session_version, version) VALUES "
                    f"({uid}, '{role}', '{role}', 'x', 1, 1, '{role}', 1, '2026-01-01 00:00:00', 1, 1)"
                )
            )
        db.session.commit()
        upgrade(revision="0006_security")
        rows = dict(db.session.execute(text("SELECT role, regency_id FROM user_account")).all())
        assert rows == {"superadmin": None, "admin": 1}
        downgrade(revision="0005_trust")
        rows = dict(db.session.execute(text("SELECT role, regency_id FROM user_account")).all())
        assert rows == {"superadmin": 1, "admin": 1}
        db.session.remove()
        db.engine.dispose()
