import logging
from datetime import timedelta

from sqlalchemy import select, text

from blueprints.auth.models import User
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.timeutil import utcnow
from blueprints.demo import DEMO_PASSWORD


def _user(app, username):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def test_login_and_logout(client, auth, app):
    response = auth.login("operator.solok")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Selamat datang" in page and "Operator Dinas Sosial" in page
    assert _user(app, "operator.solok").last_login is not None
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_message(client, auth):
    response = auth.login("operator.solok", "salah-sekali")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    assert 'value="operator.solok"' in response.get_data(as_text=True)  # what was typed is kept


def test_next_is_followed_only_inside_the_site(client):
    response = client.post("/masuk?next=/admin/", data={"username": "admin.solok", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/admin/"
    client.post("/keluar")
    response = client.post(
        "/masuk?next=//evil.example/", data={"username": "admin.solok", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_passwords_are_argon2id(app):
    with app.app_context():
        hashes = db.session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(DEMO_PASSWORD not in h for h in hashes)


def test_inactive_user_cannot_log_in(app, auth):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        user.active = False
        db.session.commit()
    response = auth.login("operator.solok")
    assert response.status_code == 200 and "salah, atau akun tidak aktif" in response.get_data(as_text=True)


def test_session_is_rotated_at_login(client, auth):
    with client.session_transaction() as sess:
        sess["planted"] = "by-someone-else"
    before = client.get_cookie("session").value
    auth.login()
    assert client.get_cookie("session").value != before  # a new session id: a planted one is worth nothing
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_no_remember_me_cookie(client, auth):
    response = auth.login()
    assert all("remember_token" not in c for c in response.headers.getlist("Set-Cookie"))


def test_idle_timeout_ends_session(client, auth, time_machine):
    auth.login()
    assert client.get("/").status_code == 200
    time_machine.move_to(utcnow() + timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda berakhir" in page


def test_idle_timeout_htmx_gets_hx_redirect(client, auth, time_machine):
    auth.login()
    time_machine.move_to(utcnow() + timedelta(minutes=31))
    response = client.get("/admin/pengguna", headers={"HX-Request": "true"})
    assert response.headers.get("HX-Redirect", "").startswith("/masuk")


def test_throttle_per_account_and_address(client, auth):
    for _ in range(5):
        assert auth.login("operator.solok", "salah-sekali").status_code == 200
    blocked = auth.login("operator.solok", "salah-sekali")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in blocked.get_data(as_text=True)
    assert 'value="operator.solok"' in blocked.get_data(as_text=True)  # the form is kept
    # the right password from this browser must still wait
    assert auth.login("operator.solok").status_code == 429
    # another account from the same address is not blocked by this account's failures
    assert auth.login("verifikator.solok").status_code == 302


def test_successful_logins_do_not_count(client, auth):
    for _ in range(7):
        assert auth.login().status_code == 302
        auth.logout()


def test_login_and_failure_are_audited(app, auth):
    auth.login("operator.solok", "salah-sekali")
    auth.login("operator.solok")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [(e.action, e.user_id is not None) for e in events]
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        assert ("login_failed", False) in actions and ("login", True) in actions
        assert all(e.regency_id == user.regency_id for e in events if e.action in ("login", "login_failed"))
        assert all("salah-sekali" not in e.summary for e in events)


def test_no_log_line_contains_a_password(app, client, auth, caplog):
    caplog.set_level(logging.DEBUG)
    auth.login("operator.solok", "rahasia-yang-salah")
    auth.login("operator.solok")
    client.post(
        "/akun/kata-sandi",
        data={"current": DEMO_PASSWORD, "new": "kata-sandi-baru-1", "confirm": "kata-sandi-baru-1"},
    )
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("rahasia-yang-salah", DEMO_PASSWORD, "kata-sandi-baru-1"):
        assert secret not in text


def test_log_lines_never_hold_a_nik(app, caplog):
    caplog.set_level(logging.INFO)
    app.logger.warning("import baris 3: NIK 1302015001900001 ditolak")
    assert "1302015001900001" not in caplog.text
    logging.getLogger("blueprints.sidilan.importer").warning("baris 5: %s", "KK 1302012003150007")
    assert "1302012003150007" not in caplog.text and "1302********0007" in caplog.text
    assert "1302********0001" in caplog.text
    try:
        raise ValueError("baris 4: NIK 1302015001900001 tidak sah")
    except ValueError:
        app.logger.exception("impor gagal")
    assert "1302015001900001" not in caplog.text
    logging.getLogger("blueprints.sidilan.importer").warning("baris 5: %s", "KK 1302012003150007")
    assert "1302012003150007" not in caplog.text and "1302********0007" in caplog.text


def test_password_change(client, auth, app):
    auth.login()
    wrong = client.post(
        "/akun/kata-sandi",
        data={"current": "bukan", "new": "kata-sandi-baru-1", "confirm": "kata-sandi-baru-1"},
    )
    assert "Kata sandi sekarang salah." in wrong.get_data(as_text=True)
    short = client.post(
        "/akun/kata-sandi", data={"current": DEMO_PASSWORD, "new": "pendek", "confirm": "pendek"}
    )
    assert short.status_code == 422 and "minimal 12 karakter" in short.get_data(as_text=True)
    ok = client.post(
        "/akun/kata-sandi",
        data={"current": DEMO_PASSWORD, "new": "kata-sandi-baru-1", "confirm": "kata-sandi-baru-1"},
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session survives
    auth.logout()
    assert auth.login(password=DEMO_PASSWORD).status_code == 200
    assert auth.login(password="kata-sandi-baru-1").status_code == 302


def test_admin_reset_ends_other_sessions(app, auth, client):
    other = app.test_client()
    other.post("/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD})
    assert other.get("/").status_code == 200
    auth.login("admin.solok")
    uid = _user(app, "operator.solok").id
    response = client.post(f"/admin/pengguna/{uid}/reset", data={"reset-password": "kata-sandi-reset-1"})
    assert response.status_code == 302
    assert other.get("/").status_code == 302  # the old session is gone


def test_database_errors_do_not_quote_parameters(app, caplog):
    caplog.set_level(logging.ERROR)
    with app.app_context():
        try:
            db.session.execute(
                text("INSERT INTO regency (id, code, name) VALUES (:i, :c, :n)"),
                {"i": 1, "c": "13.02", "n": "Rosmaniar Binti Uji"},
            )
        except Exception:
            app.logger.exception("simpan gagal")
        db.session.rollback()
    assert "simpan gagal" in caplog.text
    assert "Rosmaniar Binti Uji" not in caplog.text


def test_home_says_where_each_account_belongs(client, auth):
    """The line under the greeting names the account's organisation; the superadmin belongs to none and works
    across every regency, which the line says instead of ending on an empty ' · '."""
    import re

    for username, expected in (
        ("operator.solok", "Operator Dinas Sosial · Dinas Sosial Kabupaten Solok · "),
        ("superadmin", "Superadmin · semua kabupaten · "),
    ):
        auth.login(username)
        page = client.get("/").get_data(as_text=True)
        line = re.search(r'<h1>Selamat datang.*?</h1>\s*<p class="muted">(.*?)</p>', page, re.S).group(1)
        assert line.startswith(expected), line
        assert " ·  · " not in line
        auth.logout()
