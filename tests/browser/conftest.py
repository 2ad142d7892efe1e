"""Browser fixtures: the real app served on a loopback port, and Debian's Chromium driven by Playwright.

- ``live_server``: base URL ("http://127.0.0.1:PORT") of an app of its own (not the suite's shared app or its
  per-test transactions) on its own SQLite file with the schema, the seed and the demo, CSRF on, served by a
  werkzeug server in a daemon thread of this process, so the suite's pinned clock (tests/clock.py) holds there.
- ``browser``: headless Chromium (/usr/bin/chromium) for the session.
- ``login_page(username, viewport=..., java_script_enabled=...)``: a page in a new context, logged in through the
  login form as a demo account. ``new_page(...)`` is the same without logging in.

Every test here is marked ``browser`` and skipped, with the reason, when Chromium or Playwright is missing or
when TEST_DATABASE_URL is set (the browser tests run in the SQLite pass only).
"""

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from blueprints.demo import DEMO_PASSWORD
from tests.conftest import make_config

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

try:
    import playwright.sync_api as _pw
except ImportError:  # pragma: no cover (requirements-dev.txt pins it)
    _pw = None


def skip_reason() -> str | None:
    if os.environ.get("TEST_DATABASE_URL"):
        return "uji peramban hanya pada putaran SQLite (TEST_DATABASE_URL diset)"
    if _pw is None:
        return "paket Playwright tidak terpasang: uji peramban dilewati"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium tidak ada ({CHROMIUM}): uji peramban dilewati"
    return None


def java_skip_reason() -> str | None:
    if shutil.which("java") is None:
        return "java tidak ada: Nu HTML Checker dilewati"
    if not (NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar").is_file():
        return "vnu-jar belum terpasang (npm ci --prefix tests/browser)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = skip_reason()
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Chromium against a live server (tests/browser)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app behind ``live_server``: its own SQLite file, the schema, the seed and the demo."""
    from app import create_app
    from blueprints.core.extensions import db
    from blueprints.demo import load_demo

    root = tmp_path_factory.mktemp("live")
    config = make_config(
        "sqlite:///" + str(root / "live.sqlite"),
        WTF_CSRF_ENABLED=True,  # the real forms, with their tokens
        UPLOAD_DIR=str(root / "uploads"),
        # The crawl opens public QR-check pages too; their per-address limit must not answer 429 to it.
        RUJUKAN_VERIFY_LIMIT="10000 per minute",
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    from werkzeug.serving import make_server

    port = _free_port()
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="session")
def browser():
    with _pw.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=PHONE, java_script_enabled=False, **context_options)``: a page in a fresh context
    whose relative URLs go to the live server. Contexts are closed after the test."""
    contexts = []

    def factory(viewport=DESKTOP, java_script_enabled=True, **options):
        context = browser.new_context(
            base_url=live_server,
            viewport=viewport,
            java_script_enabled=java_script_enabled,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button:has-text('Masuk')")
    assert "/masuk" not in page.url, f"login as {username} failed: {page.url}"


@pytest.fixture
def login_page(new_page):
    """``login_page("operator.solok", viewport=PHONE, java_script_enabled=False)``: a logged-in page."""

    def factory(username: str, **options):
        page = new_page(**options)
        login(page, username)
        return page

    return factory
