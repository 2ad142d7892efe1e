"""Server-side sessions: the cookie is only an id; logout, idle time, password changes, deactivation and 'Akhiri
sesi' end a session for every copy of its cookie."""

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.session import UserSession
from blueprints.core.timeutil import utcnow
from blueprints.demo import DEMO_PASSWORD
from tests.replay import logged_in

PROFILE = "/akun/sesi"


def _copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie (what a thief or a shared PC keeps)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _uid(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _rows(app, username):
    with app.app_context():
        return db.session.scalars(select(UserSession).where(UserSession.user_id == _uid(app, username))).all()


def test_a_copied_cookie_stops_working_after_logout(app):
    owner = logged_in(app, "operator.solok")
    thief = _copy(app, owner)
    assert thief.get(PROFILE).status_code == 200  # the copy works while the session lives
    owner.post("/keluar")
    response = thief.get(PROFILE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert _rows(app, "operator.solok") == []


def test_the_cookie_carries_only_a_random_id(app):
    client = logged_in(app, "operator.solok")
    value = client.get_cookie("session").value
    assert len(value) == 43 and "." not in value  # not a signed payload: nothing to read or replay in it
    (row,) = _rows(app, "operator.solok")
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest() and value not in row.token_hash
    assert '"_user_id"' in row.data and row.user_agent and row.ip == "127.0.0.1"
    assert row.created_at <= row.last_seen_at


def test_idle_time_is_measured_on_the_server(app, time_machine):
    owner = logged_in(app, "operator.solok")
    thief = _copy(app, owner)
    time_machine.move_to(utcnow() + timedelta(minutes=20))
    assert owner.get("/").status_code == 200  # activity keeps it alive
    time_machine.move_to(utcnow() + timedelta(minutes=20))
    assert thief.get("/").status_code == 200  # 20 minutes after the owner's last request: still alive
    time_machine.move_to(utcnow() + timedelta(minutes=31))
    for browser in (owner, thief):
        response = browser.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert _rows(app, "operator.solok") == []


def test_sessions_page_lists_and_ends_sessions(app):
    here = logged_in(app, "operator.solok")
    phone = logged_in(app, "operator.solok")
    laptop = logged_in(app, "operator.solok")
    page = here.get(PROFILE).get_data(as_text=True)
    assert page.count("<tr><td>") == 3 and page.count("Sesi ini") == 1
    with app.app_context():
        phone_id = db.session.scalar(
            select(UserSession.id).where(
                UserSession.token_hash
                == hashlib.sha256(phone.get_cookie("session").value.encode()).hexdigest()
            )
        )
    assert here.post("/akun/sesi/akhiri", data={"sesi": str(phone_id)}).status_code == 302
    assert phone.get("/").status_code == 302 and laptop.get("/").status_code == 200
    assert "1 sesi lain diakhiri." in here.get(
        here.post("/akun/sesi/akhiri", data={"sesi": "lain"}).headers["Location"]
    ).get_data(as_text=True)
    assert laptop.get("/").status_code == 302 and here.get("/").status_code == 200


def test_a_session_of_someone_else_cannot_be_ended(app):
    other = logged_in(app, "verifikator.solok")
    (row,) = _rows(app, "verifikator.solok")
    me = logged_in(app, "operator.solok")
    response = me.post("/akun/sesi/akhiri", data={"sesi": str(row.id)})
    assert "tidak ditemukan" in me.get(response.headers["Location"]).get_data(as_text=True)
    assert other.get("/").status_code == 200


def test_password_change_keeps_this_session_and_ends_the_others(app):
    here = logged_in(app, "operator.solok")
    there = logged_in(app, "operator.solok")
    response = here.post(
        "/akun/kata-sandi",
        data={"current": DEMO_PASSWORD, "new": "kuda-lari-pagi-hari", "confirm": "kuda-lari-pagi-hari"},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200 and there.get("/").status_code == 302
    assert len(_rows(app, "operator.solok")) == 1


def test_deactivation_and_an_admin_ending_sessions_log_the_user_out(app):
    operator = logged_in(app, "operator.solok")
    admin = logged_in(app, "admin.solok")
    uid = _uid(app, "operator.solok")
    assert "Akhiri semua sesi operator.solok" in admin.get(f"/admin/pengguna/{uid}").get_data(as_text=True)
    assert admin.post(f"/admin/pengguna/{uid}/sesi/akhiri").status_code == 302
    assert operator.get("/").status_code == 302
    operator = logged_in(app, "operator.solok")
    with app.app_context():
        user = db.session.get(User, uid)
        body = {
            "version": str(user.version),
            "username": user.username,
            "name": user.name,
            "role": user.role,
            "organisation_id": str(user.organisation_id),
        }  # no "active": deactivated
    assert admin.post(f"/admin/pengguna/{uid}", data=body).status_code == 302
    assert operator.get("/").status_code == 302
    assert _rows(app, "operator.solok") == []


def test_anonymous_visitors_do_not_pile_up_sessions_for_static_files(app):
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    css = page.split('href="', 2)[1].split('"')[0]
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(UserSession))
    for _ in range(3):
        assert client.get(css).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == before


def test_an_admin_resetting_their_own_password_starts_again_from_login(app):
    admin = logged_in(app, "admin.solok")
    uid = _uid(app, "admin.solok")
    response = admin.post(f"/admin/pengguna/{uid}/reset", data={"reset-password": "kuda-lari-pagi-hari"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert "Silakan masuk dengan kata sandi baru" in admin.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert admin.get("/admin/").status_code == 302 and _rows(app, "admin.solok") == []
