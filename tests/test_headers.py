"""Security headers on every kind of response, and pages that run under the strict Content-Security-Policy (no
inline script or style, no event-handler attributes, nothing htmx would have to eval)."""

import html
import json
import re
from pathlib import Path

import pytest

from tests.conftest import HX
from tests.crawl import crawl
from tests.replay import logged_in

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# what a strict CSP (no 'unsafe-inline', no 'unsafe-eval') blocks in a page
VIOLATIONS = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle=", re.I),
    "event handler": re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I),
    "hx-on": re.compile(r"\s(data-)?hx-on", re.I),
    "javascript: URL or js: value": re.compile(r"""=\s*["']\s*(javascript|js):""", re.I),
    "htmx trigger filter (eval)": re.compile(r"""hx-trigger=["'][^"']*\[""", re.I),
}


def _violations(text: str) -> list[str]:
    return [name for name, pattern in VIOLATIONS.items() if pattern.search(text)]


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def _check_headers(response, where):
    csp = _csp(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], where
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"], where
    assert csp["default-src"] == "default-src 'none'" and csp["script-src"] == "script-src 'self'", where
    assert csp["style-src"] == "style-src 'self'" and csp["frame-ancestors"] == "frame-ancestors 'none'", (
        where
    )
    assert "camera=()" in response.headers["Permissions-Policy"], where
    assert "geolocation=()" in response.headers["Permissions-Policy"], where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert "Strict-Transport-Security" not in response.headers, where  # only behind HTTPS


def test_pages_fragments_errors_and_files_carry_the_headers(app):
    anonymous = app.test_client()
    client = logged_in(app, "operator.solok")
    login_page = anonymous.get("/masuk")
    css = re.search(r'href="(/static/[^"]+\.css)"', login_page.get_data(as_text=True)).group(1)
    js = re.search(r'src="(/static/[^"]+\.js)"', login_page.get_data(as_text=True)).group(1)
    responses = {
        "login page": login_page,
        "page": client.get("/"),
        "fragment": client.get("/sidilan/", headers=HX),
        "404 page": client.get("/tidak-ada"),
        "404 fragment": client.get("/tidak-ada", headers=HX),
        "405": client.get("/keluar"),
        "stylesheet": anonymous.get(css),
        "script": anonymous.get(js),
        "csv export": client.get("/sidilan/ekspor.csv"),
        "xlsx export": client.get("/sidilan/ekspor.xlsx"),
        "health": anonymous.get("/healthz"),
    }
    assert responses["fragment"].status_code == 200 and b"<html" not in responses["fragment"].data
    assert responses["404 page"].status_code == 404 and responses["405"].status_code == 405
    assert responses["csv export"].status_code == 200 and responses["xlsx export"].status_code == 200
    for where, response in responses.items():
        _check_headers(response, where)


def test_pdf_and_uploaded_files_carry_the_headers(app):
    client = logged_in(app, "faskes.solok")
    from blueprints.rujukan.models import Referral
    from tests.rujukan.conftest import org, referral_where

    with app.app_context():
        ref_id = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dijawab").id
    pdf = client.get(f"/rujukan/{ref_id}/cetak")
    assert pdf.mimetype == "application/pdf"
    _check_headers(pdf, "pdf")


def test_hsts_behind_https_only(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/masuk", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert (
        "Strict-Transport-Security"
        in app.test_client().get("/tidak-ada", base_url="https://localhost").headers
    )


def test_no_template_needs_inline_code_or_eval():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        rel = path.relative_to(TEMPLATES).as_posix()
        if rel.startswith("print/") or "/pdf" in rel or rel.split("/")[-1].startswith("pdf_"):
            continue  # rendered by WeasyPrint into a PDF, never shown by a browser
        for name in _violations(path.read_text()):
            found.append(f"{rel}: {name}")
    assert not found, found


@pytest.mark.parametrize("username", ["operator.solok", "faskes.solok", "kerjasama.solok", "admin.solok"])
def test_every_reachable_page_runs_under_the_policy(app, username):
    client = logged_in(app, username)
    checked = 0
    for url, response in crawl(client, "/", 40):
        if response.mimetype != "text/html":
            continue
        found = _violations(response.get_data(as_text=True))
        assert not found, (url, found)
        checked += 1
    assert checked > 10


def test_htmx_config_and_csrf_header_need_no_eval(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/masuk").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    assert (
        client.post(
            "/masuk",
            data={"username": "admin.solok", "password": "sinergi-demo-2024", "csrf_token": form_token},
        ).status_code
        == 302
    )
    page = client.get("/admin/pengguna").get_data(as_text=True)
    config = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", page).group(1)
    assert isinstance(
        json.loads(html.unescape(config)), dict
    )  # plain JSON: htmx parses it, nothing is evaluated
    headers = re.search(r"""data-hx-headers-inherited='([^']+)'""", page).group(1)
    token = json.loads(html.unescape(headers))["X-CSRFToken"]
    assert token and not headers.lstrip().startswith(("js:", "javascript:"))
    # the header htmx sends is accepted by the CSRF check
    response = client.post("/keluar", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/masuk")


def test_anonymous_pages_start_no_session(app):
    """The public QR check and error pages carry no CSRF token, so a citizen's scan stores nothing."""
    client = app.test_client()
    for url in ("/v/R1-AAAA-AAAA", "/tidak-ada", "/healthz"):
        client.get(url)
        assert client.get_cookie("session") is None, url
