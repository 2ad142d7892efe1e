"""Who may reach what: anonymous users are sent to login, roles see only their modules, regencies stay apart."""

import re

import pytest
from sqlalchemy import select

from app import create_app
from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.roles import ROLES
from blueprints.registry import MODULES
from tests.conftest import HX, make_config

BY_NAME = {m.name: m for m in MODULES}

_url_app = create_app(make_config("sqlite://"))


def _protected_rules():
    rules = []
    for rule in _url_app.url_map.iter_rules():
        view = _url_app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        rules.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
    return rules


def _fill(rule: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x1", rule)


@pytest.mark.parametrize(("rule", "method"), _protected_rules())
def test_anonymous_is_sent_to_login(client, rule, method):
    response = client.open(_fill(rule), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize(("rule", "method"), _protected_rules())
def test_anonymous_htmx_gets_hx_redirect(client, rule, method):
    response = client.open(_fill(rule), method=method, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/masuk")
    assert b"<html" not in response.data


def test_public_pages_need_no_login(client):
    assert client.get("/masuk").status_code == 200
    assert client.get("/healthz").get_json()["status"] == "ok"


USERS_BY_ROLE = {
    "superadmin": "superadmin",
    "admin": "admin.solok",
    "operator_dinsos": "operator.solok",
    "verifikator_dinsos": "verifikator.solok",
    "verifikator_nagari": "verifikator-nagari.solok",
    "petugas_faskes": "faskes.solok",
    "kerjasama": "kerjasama.solok",
    "pimpinan": "pimpinan.solok",
}


def test_every_role_has_a_demo_user():
    assert set(USERS_BY_ROLE) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("module", list(BY_NAME))
def test_role_gates(client, auth, role, module):
    auth.login(USERS_BY_ROLE[role])
    response = client.get(f"/{module}/")
    expected = 200 if role in BY_NAME[module].roles else 404
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_nav_shows_only_allowed_modules(client, auth, role):
    auth.login(USERS_BY_ROLE[role])
    page = client.get("/").get_data(as_text=True)
    nav = re.search(r"<nav>(.*?)</nav>", page, re.S).group(1)
    for module in MODULES:
        assert (f">{module.label}</a>" in nav) == (role in module.roles), module.name


@pytest.mark.parametrize(
    ("admin", "other"), [("admin.solok", "operator.sijunjung"), ("admin.sijunjung", "operator.solok")]
)
def test_admin_cannot_reach_other_regency_users(app, client, auth, admin, other):
    with app.app_context():
        other_id = db.session.scalar(select(User.id).where(User.username == other))
    auth.login(admin)
    listing = client.get("/admin/pengguna").get_data(as_text=True)
    assert other not in listing
    assert "Tidak ada pengguna yang cocok" in client.get(f"/admin/pengguna?q={other}").get_data(as_text=True)
    assert client.get(f"/admin/pengguna/{other_id}").status_code == 404
    edit = client.post(
        f"/admin/pengguna/{other_id}",
        data={
            "version": "1",
            "username": other,
            "name": "X",
            "role": "admin",
            "organisation_id": "1",
            "active": "y",
        },
    )
    assert edit.status_code == 404
    assert (
        client.post(
            f"/admin/pengguna/{other_id}/reset", data={"reset-password": "new-password-123"}
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == other)).role != "admin"


def test_superadmin_sees_both_regencies(client, auth):
    auth.login("superadmin")
    listing = client.get("/admin/pengguna").get_data(as_text=True)
    assert "operator.solok" in listing and "operator.sijunjung" in listing


def test_out_of_scope_is_404_not_403(client, auth):
    auth.login("operator.solok")
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/audit").status_code == 404
