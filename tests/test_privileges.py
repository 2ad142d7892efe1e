"""Privilege boundaries in account management: every admin route, as every role, against an account of every role.

The rule (core.roles): the superadmin belongs to no regency, so a regency admin never finds it; nobody sees, edits,
resets or ends the sessions of an account ranked above them, nobody grants a role above their own, nobody changes
their own role. Outside the rule the answer is 404. A new admin route fails ``test_every_admin_route_is_covered``
until it is given an expectation here.
"""

import itertools
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from blueprints.auth.models import Organisation, User
from blueprints.auth.passwords import hash_password, verify_password
from blueprints.core.extensions import db
from blueprints.core.roles import ADMIN, ROLES, SUPERADMIN, rank
from blueprints.core.session import UserSession
from blueprints.demo import DEMO_PASSWORD
from blueprints.wilayah.models import Jorong
from tests.conftest import make_config, restore_demo
from tests.replay import form_key, logged_in

ACTORS = {
    "superadmin": "superadmin",
    "admin": "admin.solok",
    "operator_dinsos": "operator.solok",
    "verifikator_dinsos": "verifikator.solok",
    "verifikator_nagari": "verifikator-nagari.solok",
    "petugas_faskes": "faskes.solok",
    "kerjasama": "kerjasama.solok",
    "pimpinan": "pimpinan.solok",
}
NEW_PASSWORD = "kuda-lari-pagi-hari"

# admin route x method -> does it act on (or create) an account of a given role?
TARGETED = [
    "GET admin.users",
    "GET admin.user_edit",
    "POST admin.user_edit",
    "POST admin.user_reset",
    "POST admin.user_sessions_end",
    "POST admin.user_new",
]
UNTARGETED = [
    "GET admin.index",
    "GET admin.user_new",
    "GET admin.jorong",
    "POST admin.jorong",
    "POST admin.jorong_toggle",
    "GET admin.jorong_import",
    "POST admin.jorong_import",
    "POST admin.jorong_import_apply",
    "GET admin.jorong_import_template",
    "GET admin.audit_log",
]


@pytest.fixture(scope="module")
def shared(db_url, _schema):
    """One app and one demo for the whole matrix: every test makes its own target accounts, so none can see
    another's changes."""
    app = create_app(make_config(db_url))
    with app.app_context():
        restore_demo()
        orgs = {
            role: db.session.scalar(select(User.organisation_id).where(User.username == name))
            for role, name in ACTORS.items()
        }
    clients = {}

    def client_for(role):
        if role not in clients:
            clients[role] = logged_in(app, ACTORS[role])
        return clients[role]

    yield app, orgs, client_for
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_serial = itertools.count(1)


def _target(app, orgs, role) -> tuple[int, str]:
    """A fresh account of ``role`` in Kabupaten Solok (the superadmin: in no regency), logged in once."""
    username = f"sasaran{next(_serial)}.{role.replace('_', '')}"[:50]
    with app.app_context():
        org = db.session.get(Organisation, orgs[role]) if role != SUPERADMIN else None
        user = User(
            username=username,
            name="Akun Sasaran",
            role=role,
            organisation_id=org.id if org else None,
            regency_id=org.regency_id if org else None,
            password_hash=hash_password(DEMO_PASSWORD),
        )
        db.session.add(user)
        db.session.commit()
        uid = user.id
    logged_in(app, username)  # so there is a session to end
    return uid, username


def _manager(actor_role) -> bool:
    return actor_role in (ADMIN, SUPERADMIN)


def _may(actor_role, target_role) -> bool:
    return _manager(actor_role) and rank(target_role) <= rank(actor_role)


def _edit_body(app, uid, **changes):
    with app.app_context():
        u = db.session.get(User, uid)
        body = {
            "version": str(u.version),
            "username": u.username,
            "name": u.name,
            "role": u.role,
            "organisation_id": str(u.organisation_id or 0),
            "active": "y",
        }
    body.update(changes)
    return body


def _sessions(app, uid) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == uid)
        )


@pytest.mark.parametrize("target_role", ROLES)
@pytest.mark.parametrize("actor_role", ROLES)
@pytest.mark.parametrize("route", TARGETED)
def test_targeted_admin_routes(shared, route, actor_role, target_role):
    app, orgs, client_for = shared
    client = client_for(actor_role)
    allowed = _may(actor_role, target_role)
    method, endpoint = route.split()
    if endpoint == "admin.user_new":
        if not _manager(actor_role):
            assert client.post("/admin/pengguna/baru", data={}).status_code == 404
            return
        username = f"baru{next(_serial)}.{target_role.replace('_', '')}"[:50]
        body = {
            "submission_key": form_key(client, "/admin/pengguna/baru"),
            "username": username,
            "name": "Akun Baru",
            "role": target_role,
            "active": "y",
            "password": NEW_PASSWORD,
            "organisation_id": str(orgs[target_role] or 0),
        }
        response = client.post("/admin/pengguna/baru", data=body)
        with app.app_context():
            made = db.session.scalar(select(User).where(User.username == username))
            assert (made is not None) == allowed, response.status_code
            if made is not None:
                assert made.role == target_role
                assert (made.regency_id is None) == (target_role == SUPERADMIN)
        assert response.status_code == (302 if allowed else 422)
        return
    uid, username = _target(app, orgs, target_role)
    if endpoint == "admin.users":
        page = client.get("/admin/pengguna", query_string={"q": username})
        if not _manager(actor_role):
            assert page.status_code == 404
        else:
            assert (f">{username}</a>" in page.get_data(as_text=True)) == allowed
        return
    url = {
        "admin.user_edit": f"/admin/pengguna/{uid}",
        "admin.user_reset": f"/admin/pengguna/{uid}/reset",
        "admin.user_sessions_end": f"/admin/pengguna/{uid}/sesi/akhiri",
    }[endpoint]
    if method == "GET":
        assert client.get(url).status_code == (200 if allowed else 404)
        return
    before = _sessions(app, uid)
    assert before >= 1
    if endpoint == "admin.user_edit":
        response = client.post(url, data=_edit_body(app, uid, name="Nama Diubah"))
    elif endpoint == "admin.user_reset":
        response = client.post(url, data={"reset-password": NEW_PASSWORD})
    else:
        response = client.post(url)
    assert response.status_code == (302 if allowed else 404)
    with app.app_context():
        user = db.session.get(User, uid)
        assert (user.name == "Nama Diubah") == (allowed and endpoint == "admin.user_edit")
        assert verify_password(user.password_hash, NEW_PASSWORD) == (
            allowed and endpoint == "admin.user_reset"
        )
    ends = allowed and endpoint in ("admin.user_reset", "admin.user_sessions_end")
    assert _sessions(app, uid) == (0 if ends else before)


@pytest.mark.parametrize("actor_role", ROLES)
@pytest.mark.parametrize("route", UNTARGETED)
def test_untargeted_admin_routes(shared, route, actor_role):
    app, orgs, client_for = shared
    client = client_for(actor_role)
    method, endpoint = route.split()
    with app.app_context():
        jorong_id = db.session.scalar(select(Jorong.id).where(Jorong.name == "Tigo Jangko"))
    url = {
        "admin.index": "/admin/",
        "admin.user_new": "/admin/pengguna/baru",
        "admin.jorong": "/admin/jorong",
        "admin.jorong_toggle": f"/admin/jorong/{jorong_id}/aktif",
        "admin.jorong_import": "/admin/jorong/impor",
        "admin.jorong_import_apply": "/admin/jorong/impor/terapkan",
        "admin.jorong_import_template": "/admin/jorong/impor/templat.csv",
        "admin.audit_log": "/admin/audit",
    }[endpoint]
    if not _manager(actor_role):
        assert client.open(url, method=method).status_code == 404
        return
    if endpoint == "admin.jorong_toggle":
        assert client.post(url, data={"active": "1"}).status_code == 302
        return
    if method == "POST":  # a jorong without a nagari: the form comes back, nothing is created
        assert client.post(url, data={"name": "Jorong Uji"}).status_code == 422
        return
    response = client.get(url)
    assert response.status_code == 200
    if endpoint == "admin.user_new":  # only roles up to one's own are offered
        offered = set(re.findall(r'<option value="([a-z_]+)"', response.get_data(as_text=True)))
        assert offered == {r for r in ROLES if rank(r) <= rank(actor_role)}


def test_every_admin_route_is_covered(shared):
    app = shared[0]
    routes = {
        f"{m} {r.endpoint}"
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("admin.")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(TARGETED) | set(UNTARGETED)


@pytest.mark.parametrize("actor_role", [ADMIN, SUPERADMIN])
def test_nobody_raises_a_role_above_their_own_or_changes_their_own(shared, actor_role):
    app, orgs, client_for = shared
    client = client_for(actor_role)
    uid, _ = _target(app, orgs, "operator_dinsos")
    above = [r for r in ROLES if rank(r) > rank(actor_role)]
    for role in above:
        assert client.post(f"/admin/pengguna/{uid}", data=_edit_body(app, uid, role=role)).status_code == 422
    with app.app_context():
        assert db.session.get(User, uid).role == "operator_dinsos"
        me = db.session.scalar(select(User).where(User.username == ACTORS[actor_role]))
        me_id = me.id
    demote = client.post(
        f"/admin/pengguna/{me_id}",
        data=_edit_body(app, me_id, role="pimpinan", organisation_id=str(orgs["pimpinan"])),
    )
    assert demote.status_code == 422 and "mengubah peran akun Anda sendiri" in demote.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me_id).role == actor_role


def test_the_superadmin_takeover_path_is_closed(app):
    """As measured on the old code: admin.solok listed the superadmin, reset its password and logged in as it."""
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "superadmin"))
        assert boss.regency_id is None and boss.organisation_id is None
        boss_id = boss.id
    admin = logged_in(app, "admin.solok")
    assert "superadmin" not in admin.get("/admin/pengguna").get_data(as_text=True)
    assert "superadmin" not in admin.get("/admin/pengguna?q=super").get_data(as_text=True)
    assert admin.get(f"/admin/pengguna/{boss_id}").status_code == 404
    assert (
        admin.post(f"/admin/pengguna/{boss_id}/reset", data={"reset-password": NEW_PASSWORD}).status_code
        == 404
    )
    assert (
        admin.post(
            f"/admin/pengguna/{boss_id}",
            data={
                "version": "1",
                "username": "superadmin",
                "name": "x",
                "role": "admin",
                "organisation_id": "1",
            },
        ).status_code
        == 404
    )
    thief = app.test_client()
    assert thief.post("/masuk", data={"username": "superadmin", "password": NEW_PASSWORD}).status_code == 200
    with app.app_context():
        boss = db.session.get(User, boss_id)
        assert boss.role == SUPERADMIN and boss.active


def test_superadmin_manages_jorong_of_either_regency(app):
    client = logged_in(app, "superadmin")
    assert "Jorong Kabupaten Solok" in client.get("/admin/jorong").get_data(as_text=True)
    page = client.get("/admin/jorong?_cascade_regency=13.03").get_data(as_text=True)
    assert "Jorong Kabupaten Sijunjung" in page and "Tigo Jangko" not in page
    assert "Admin Sinergi (semua kabupaten)" in client.get("/admin/").get_data(as_text=True)


def test_admin_pager_ignores_url_for_keywords_in_the_query(app):
    from blueprints.core import audit

    with app.test_request_context():
        for n in range(60):
            audit.record("view", "uji", n, "baris uji", regency_id=None)
        db.session.commit()
    client = logged_in(app, "superadmin")
    page = client.get(
        "/admin/audit",
        query_string={
            "_method": "x",
            "endpoint": "x",
            "_external": "1",
            "_scheme": "javascript",
            "_anchor": "x",
        },
    )
    assert page.status_code == 200
    links = re.findall(r'href="([^"]*hal=2[^"]*)"', page.get_data(as_text=True))
    assert links and all(link.startswith("/admin/audit?") and "#" not in link for link in links)
