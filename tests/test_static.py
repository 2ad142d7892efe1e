import re

from tests.conftest import HX


def _assets(client):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', client.get("/masuk").get_data(as_text=True))


def test_static_is_fingerprinted_and_immutable(client):
    assets = _assets(client)
    assert len(assets) >= 2
    for url in assets:
        assert re.match(r"^/static/[0-9a-f]{12}/", url)
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_wrong_fingerprint_is_not_served(client):
    url = _assets(client)[0]
    bad = re.sub(r"/static/[0-9a-f]{12}/", "/static/000000000000/", url)
    assert client.get(bad).status_code == 404
    assert client.get("/static/000000000000/../app.py").status_code == 404


def test_html_is_not_cached_and_varies_on_htmx(client, auth):
    auth.login()
    response = client.get("/")
    assert "immutable" not in response.headers.get("Cache-Control", "")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_text_is_compressed(client):
    css = [a for a in _assets(client) if a.endswith(".css")][0]
    response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    page = client.get("/masuk", headers={"Accept-Encoding": "br"})
    assert page.headers.get("Content-Encoding") == "br"


def test_htmx_is_the_vendored_4_0_1(client):
    js = [a for a in _assets(client) if a.endswith(".js")][0]
    assert "htmx-4.0.1" in js
    assert b"htmx" in client.get(js).data


def test_fragment_request_gets_no_layout(client, auth):
    auth.login("admin.solok")
    page = client.get("/admin/pengguna").get_data(as_text=True)
    fragment = client.get("/admin/pengguna?q=operator", headers=HX).get_data(as_text=True)
    restore = client.get("/admin/pengguna", headers={**HX, "HX-History-Restore-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" in page and "<html" in restore
    assert "<html" not in fragment and "operator.solok" in fragment
