import re

import pytest

from blueprints.demo import DEMO_PASSWORD
from tests.conftest import HX


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def _token(client, url="/masuk"):
    page = client.get(url).get_data(as_text=True)
    return re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page
    ).group(1) or re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_plain_post_without_token_is_refused(csrf_client):
    response = csrf_client.post("/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "token keamanan" in response.get_data(as_text=True)
    assert "<html" in response.get_data(as_text=True)


def test_htmx_post_without_token_is_refused_as_fragment(csrf_client):
    response = csrf_client.post(
        "/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD}, headers=HX
    )
    assert response.status_code == 400
    assert "<html" not in response.get_data(as_text=True)


def test_form_token_passes(csrf_client):
    token = _token(csrf_client)
    response = csrf_client.post(
        "/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_htmx_header_token_passes(csrf_client):
    token = _token(csrf_client)
    response = csrf_client.post(
        "/masuk",
        data={"username": "operator.solok", "password": DEMO_PASSWORD},
        headers={**HX, "X-CSRFToken": token},
    )
    assert response.status_code == 302


def test_page_carries_token_for_htmx(csrf_client):
    csrf_client.post(
        "/masuk",
        data={"username": "admin.solok", "password": DEMO_PASSWORD, "csrf_token": _token(csrf_client)},
    )
    page = csrf_client.get("/admin/pengguna").get_data(as_text=True)
    header_token = re.search(r"data-hx-headers-inherited='\{\"X-CSRFToken\":\"([^\"]+)\"\}'", page).group(1)
    # a logged-in htmx POST (logout) with the header token from the page is accepted
    response = csrf_client.post("/keluar", headers={**HX, "X-CSRFToken": header_token})
    assert response.headers.get("HX-Redirect", "").startswith("/masuk")
    # without it, refused
    csrf_client.post(
        "/masuk",
        data={"username": "admin.solok", "password": DEMO_PASSWORD, "csrf_token": _token(csrf_client)},
    )
    assert csrf_client.post("/keluar", headers=HX).status_code == 400
