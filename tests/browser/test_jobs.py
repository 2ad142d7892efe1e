"""The job page in Chromium, against a live server whose jobs run on a real Huey consumer (threads, the SQLite
queue): with JavaScript the bar advances and the download appears without a reload (htmx polling the status
fragment); without JavaScript the page's <noscript> meta refresh gets there."""

import threading

import pytest
from sqlalchemy import select

from blueprints.core import jobs
from tests.browser.conftest import DESKTOP, _free_port, login
from tests.conftest import make_config

GATES: dict[str, list[threading.Event]] = {}
STEPS = 3


@jobs.job("test_browser_steps", record_type="sidilan_person")
def _steps(job, progress):
    """One step each time the test opens the next gate (never longer than the test's own timeouts)."""
    gates = GATES[job.params["gate"]]
    for i, gate in enumerate(gates, start=1):
        gate.wait(30)
        progress(i, STEPS, f"langkah {i}")
    return jobs.Result(b"No,Nilai\r\n1,2\r\n", "uji-peramban.csv", "text/csv", summary="uji peramban")


@pytest.fixture(scope="module")
def job_server(tmp_path_factory):
    """An app of its own (not immediate: a queue), served on a loopback port, with a consumer running."""
    from werkzeug.serving import make_server

    from app import create_app
    from blueprints.core.extensions import db
    from blueprints.demo import load_demo

    root = tmp_path_factory.mktemp("jobs-live")
    app = create_app(
        make_config(
            "sqlite:///" + str(root / "live.sqlite"),
            WTF_CSRF_ENABLED=True,
            UPLOAD_DIR=str(root / "uploads"),
            JOBS_IMMEDIATE=False,
            JOBS_QUEUE_FILE=str(root / "jobs.sqlite"),
        )
    )
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        db.session.remove()
    consumer = jobs.huey_of(app).create_consumer(workers=2, worker_type="thread", periodic=False)
    consumer.start()
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="jobs-live-server", daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    for gates in GATES.values():
        for gate in gates:
            gate.set()
    server.shutdown()
    thread.join(10)
    consumer.stop(graceful=True)
    with app.app_context():
        db.engine.dispose()


def _queue(app, name: str) -> int:
    from blueprints.auth.models import User
    from blueprints.core.extensions import db

    GATES[name] = [threading.Event() for _ in range(STEPS)]
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        job, created = jobs.start("test_browser_steps", "Uji peramban", {"gate": name}, user, total=STEPS)
        assert created
        return job.id


def _page(browser, base_url, java_script_enabled):
    context = browser.new_context(
        base_url=base_url,
        viewport=DESKTOP,
        java_script_enabled=java_script_enabled,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, "operator.solok")
    return context, page


def test_with_javascript_the_bar_advances_and_the_download_appears_without_a_reload(browser, job_server):
    app, base_url = job_server
    job_id = _queue(app, "js")
    context, page = _page(browser, base_url, True)
    try:
        page.goto(f"/pekerjaan/{job_id}")
        assert page.locator("#status-pekerjaan progress").get_attribute("max") == str(STEPS)
        assert page.locator("text=Unduh uji-peramban.csv").count() == 0
        page.evaluate("window.tetapDiHalamanIni = true")  # gone if the page reloads
        GATES["js"][0].set()
        page.wait_for_selector("#status-pekerjaan >> text=1 dari 3")
        assert page.locator("#status-pekerjaan progress").get_attribute("value") == "1"
        assert page.locator("#status-pekerjaan >> text=langkah 1").count() == 1
        GATES["js"][1].set()
        GATES["js"][2].set()
        link = page.wait_for_selector("a:has-text('Unduh uji-peramban.csv')")
        assert page.evaluate("window.tetapDiHalamanIni === true")  # htmx swapped the fragment, no reload
        assert page.locator("#status-pekerjaan").count() == 1  # swapped in place, not nested
        assert page.locator("#status-pekerjaan strong").inner_text() == "Selesai"
        assert page.locator("#status-pekerjaan").get_attribute("data-hx-trigger") is None  # polling stopped
        with page.expect_download() as download:
            link.click()
        with open(download.value.path(), "rb") as f:
            assert f.read() == b"No,Nilai\r\n1,2\r\n"
    finally:
        context.close()


def test_without_javascript_the_meta_refresh_gets_to_the_download(browser, job_server):
    app, base_url = job_server
    job_id = _queue(app, "nojs")
    context, page = _page(browser, base_url, False)
    try:
        page.goto(f"/pekerjaan/{job_id}")
        assert page.locator("text=Unduh uji-peramban.csv").count() == 0
        assert page.locator("#status-pekerjaan >> text=0 dari 3").count() == 1
        for gate in GATES["nojs"]:
            gate.set()
        # no script runs here: only the page's <noscript><meta http-equiv="refresh"> brings the new state
        page.wait_for_selector("a:has-text('Unduh uji-peramban.csv')")
        assert page.locator("#status-pekerjaan >> text=3 dari 3").count() == 1
        assert page.locator("meta[http-equiv=refresh]").count() == 0  # done: no more refreshing
    finally:
        context.close()
