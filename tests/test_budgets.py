"""Byte budgets, measured the way a 3G user pays for them: gzip level 6 of what the server sends.

The crawler starts at the home page of every demo user and follows links inside the app, so every new page a
module adds is measured without a test naming it.
"""

import gzip
import re

import pytest
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.demo import DEMO_PASSWORD
from tests.conftest import HX
from tests.crawl import DEMO_ACCOUNTS, crawl

PAGE_BUDGET = 14_000
FRAGMENT_BUDGET = 4_000
FIRST_VISIT_BUDGET = 45_000
MAX_PAGES_PER_USER = 40


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def _demo_usernames():
    return DEMO_ACCOUNTS


def test_crawl_list_covers_every_demo_user(app):
    """The crawls' accounts are demo accounts, and every demo account's role, regency and kind of organisation
    is among them (the second puskesmas of a regency shows the pages the first shows)."""
    with app.app_context():
        users = db.session.scalars(select(User).where(User.name.like("%(demo)"))).all()
        by_name = {u.username: (u.role, u.regency_id, u.organisation and u.organisation.kind) for u in users}
    assert set(_demo_usernames()) <= set(by_name)
    assert {by_name[n] for n in _demo_usernames()} == set(by_name.values())


@pytest.mark.parametrize("username", _demo_usernames())
def test_every_reachable_page_and_fragment_fits(app, username):
    client = app.test_client()
    assert client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
    measured = []
    for url, response in crawl(client, "/", MAX_PAGES_PER_USER):
        assert response.status_code < 500, url
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        html = response.get_data()
        assert b"<html" in html, url
        assert gz(html) <= PAGE_BUDGET, f"{url}: page {gz(html)} B gz"
        measured.append(url)
        fragment = client.get(url, headers=HX)
        if fragment.status_code == 200 and b"<html" not in fragment.data:
            assert gz(fragment.data) <= FRAGMENT_BUDGET, f"{url}: fragment {gz(fragment.data)} B gz"
    assert measured, "crawler measured nothing"


@pytest.mark.parametrize("username", [None, "operator.solok", "admin.solok"])
def test_first_visit_fits(app, username):
    client = app.test_client()
    if username:
        client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD})
    page = client.get("/masuk" if username is None else "/")
    html = page.get_data()
    total = gz(html)
    assets = _asset_urls(html.decode())
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200
        total += gz(response.data)
    assert total <= FIRST_VISIT_BUDGET, f"first visit {total} B gz"


def test_stylesheet_is_small(app):
    client = app.test_client()
    css = [a for a in _asset_urls(client.get("/masuk").get_data(as_text=True)) if a.endswith("app.css")][0]
    assert gz(client.get(css).data) <= 6_000
