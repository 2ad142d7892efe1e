"""Shared bench setup: an app on a throwaway SQLite file with the demo loaded, and logged-in clients.

with demo_app() as app:
    client = login(app, "faskes.solok")
"""

import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from blueprints.core.extensions import db  # noqa: E402
from blueprints.demo import DEMO_PASSWORD, load_demo  # noqa: E402


@contextmanager
def demo_app():
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            load_demo()
            db.session.commit()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def login(app, username: str):
    client = app.test_client()
    client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD})
    return client
