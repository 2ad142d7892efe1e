"""Request logs (werkzeug's and gunicorn's, from real servers) and application logs keep no search term, NIK,
JKN number, name or birth date from a query string."""

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

from app import redact

ROOT = Path(__file__).resolve().parent.parent
QUERY = "q=Rosmaniar+Binti&nik=1302185203840001&jkn=0001234567890&tanggal_lahir=1984-03-12&hal=2"
SECRETS = ("Rosmaniar", "1302185203840001", "0001234567890", "1984-03-12")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_application_log_lines_are_masked(app, caplog):
    caplog.set_level(logging.INFO)
    app.logger.info("permintaan %s", f"/sidilan/?{QUERY}")
    logging.getLogger("blueprints.rujukan").warning("pasien JKN 0001234567890 tidak ditemukan")
    for secret in SECRETS:
        assert secret not in caplog.text
    assert "hal=2" in caplog.text and "q=***" in caplog.text and "0001*****7890" in caplog.text


def test_werkzeug_request_log_is_masked(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", _free_port(), app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{server.server_port}/healthz?{QUERY}", timeout=10
        ) as r:
            assert r.status == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/healthz?q=***" in line for line in lines), lines
    for secret in SECRETS:
        assert all(secret not in line for line in lines)


def test_gunicorn_access_log_is_masked(db_url, _schema, tmp_path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "uji-log", "UPLOAD_DIR": str(tmp_path / "up")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--error-logfile",
            str(tmp_path / "error.log"),
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?{QUERY}", timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        deadline = time.monotonic() + 10
        while "/healthz" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text()
    assert "/healthz?q=***" in text and "hal=2" in text, text
    for secret in SECRETS:
        assert secret not in text


def test_redact_keeps_what_is_harmless():
    assert (
        redact("GET /admin/pengguna?hal=3&kertas=F4 HTTP/1.1")
        == "GET /admin/pengguna?hal=3&kertas=F4 HTTP/1.1"
    )
    assert redact("/masuk?next=/sidilan/%3Fq%3DRosmaniar") == "/masuk?next=***"
    assert redact("rujukan 1302********0001") == "rujukan 1302********0001"
