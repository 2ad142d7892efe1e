"""Every form of the foundation survives empty, huge, non-UTF-8 and script input: a message, never a 500."""

import pytest
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key as key

SCRIPT = "<script>alert(1)</script>"
LONG = "x" * 10_000

# (login as, url, field names)
FORMS = [
    (None, "/masuk", ["username", "password"]),
    ("operator.solok", "/akun/kata-sandi", ["current", "new", "confirm"]),
    ("admin.solok", "/admin/pengguna/baru", ["username", "name", "organisation_id", "role", "password"]),
    ("admin.solok", "/admin/pengguna/{uid}", ["username", "name", "organisation_id", "role"]),
    ("admin.solok", "/admin/pengguna/{uid}/reset", ["reset-password"]),
    ("admin.solok", "/admin/jorong", ["kecamatan", "nagari", "jorong", "name"]),
]


def _url(app, url):
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "operator.solok"))
    return url.format(uid=uid)


@pytest.mark.parametrize(("user", "url", "fields"), FORMS, ids=[f[1] for f in FORMS])
@pytest.mark.parametrize(
    "value",
    ["", LONG, SCRIPT, "   ", "0", "-1", "é" * 60],
    ids=["empty", "long", "script", "spaces", "zero", "neg", "unicode"],
)
def test_bad_values(app, client, auth, user, url, fields, value):
    if user:
        auth.login(user)
    response = client.post(_url(app, url), data={f: value for f in fields})
    assert response.status_code in (200, 302, 400, 409, 422), response.status_code
    text = response.get_data(as_text=True)
    assert SCRIPT not in text
    if response.status_code != 302:
        assert "<html" in text


@pytest.mark.parametrize(("user", "url", "fields"), FORMS, ids=[f[1] for f in FORMS])
def test_non_utf8_body(app, client, auth, user, url, fields):
    if user:
        auth.login(user)
    body = "&".join(f"{f}=%FF%FE%80" for f in fields).encode() + b"&raw=\xff\xfe"
    response = client.post(_url(app, url), data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400, 422)


def test_script_is_shown_escaped(client, auth):
    auth.login("admin.solok")
    response = client.post(
        "/admin/pengguna/baru",
        data={
            "submission_key": key(),
            "username": "baru.satu",
            "name": SCRIPT,
            "organisation_id": "0",
            "role": "",
        },
    )
    text = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert SCRIPT not in text


def test_search_and_filters_take_anything(client, auth):
    auth.login("admin.solok")
    for q in (LONG, SCRIPT, "%", "_", "'", "\\"):
        response = client.get("/admin/pengguna", query_string={"q": q})
        assert response.status_code == 200 and SCRIPT not in response.get_data(as_text=True)
    for args in (
        {"date_from": "kemarin"},
        {"date_to": "2024-02-31"},
        {"user": SCRIPT},
        {"action": LONG},
        {"hal": "-5"},
        {"hal": "x"},
        {"hal": "99999999999999999999"},
    ):
        response = client.get("/admin/audit", query_string=args)
        assert response.status_code == 200
    bad_date = client.get("/admin/audit?date_from=kemarin").get_data(as_text=True)
    assert "Tanggal tidak sah" in bad_date


def test_admin_creates_user_with_messages_at_fields(app, client, auth):
    auth.login("admin.solok")
    page = client.post(
        "/admin/pengguna/baru",
        data={
            "submission_key": key(),
            "username": "Bad Name!",
            "name": "",
            "organisation_id": "0",
            "role": "superadmin",
            "password": "pendek",
        },
    ).get_data(as_text=True)
    assert "Gunakan 3–50 huruf kecil" in page
    assert "Nama lengkap wajib diisi." in page
    assert "Pilihan tidak sah." in page  # superadmin is not offered to a regency admin
    assert 'value="Bad Name!"' in page
    with app.app_context():
        org_id = db.session.scalar(select(User.organisation_id).where(User.username == "operator.solok"))
        other_org = db.session.scalar(
            select(User.organisation_id).where(User.username == "operator.sijunjung")
        )
    foreign = client.post(
        "/admin/pengguna/baru",
        data={
            "submission_key": key(),
            "username": "asing.satu",
            "name": "Asing",
            "organisation_id": str(other_org),
            "role": "operator_dinsos",
            "password": "kata-sandi-awal-1",
        },
    )
    assert "Pilihan tidak sah." in foreign.get_data(as_text=True)
    ok = client.post(
        "/admin/pengguna/baru",
        data={
            "submission_key": key(),
            "username": "operator.dua",
            "name": "Operator Dua",
            "organisation_id": str(org_id),
            "role": "operator_dinsos",
            "active": "y",
            "password": "kata-sandi-awal-1",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "operator.dua"))
        assert user.regency.code == "13.02" and user.password_hash.startswith("$argon2id$")
    dup = client.post(
        "/admin/pengguna/baru",
        data={
            "submission_key": key(),
            "username": "operator.dua",
            "name": "Lagi",
            "organisation_id": str(org_id),
            "role": "operator_dinsos",
            "password": "kata-sandi-awal-1",
        },
    )
    assert "sudah dipakai" in dup.get_data(as_text=True)


def test_admin_disables_user(app, client, auth):
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "operator.solok"))
        org_id = db.session.scalar(select(User.organisation_id).where(User.username == "operator.solok"))
    auth.login("admin.solok")
    response = client.post(
        f"/admin/pengguna/{uid}",
        data={
            "version": "1",
            "username": "operator.solok",
            "name": "Operator",
            "organisation_id": str(org_id),
            "role": "operator_dinsos",
        },
    )
    assert response.status_code == 302
    auth.logout()
    assert auth.login("operator.solok").status_code == 200  # refused: inactive


def test_admin_cannot_disable_self(app, client, auth):
    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == "admin.solok"))
        uid, org_id = me.id, me.organisation_id
    auth.login("admin.solok")
    page = client.post(
        f"/admin/pengguna/{uid}",
        data={
            "version": "1",
            "username": "admin.solok",
            "name": "Admin",
            "organisation_id": str(org_id),
            "role": "admin",
        },
    )
    assert "tidak dapat menonaktifkan" in page.get_data(as_text=True)
