"""Password rules (length, common, repetitive, username or name inside) wherever a password is set, and the same
work for a wrong password, an inactive account and an unknown name."""

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.auth.passwords import hash_password, password_problem, verify_password
from blueprints.core.extensions import db
from blueprints.demo import DEMO_PASSWORD
from tests.replay import form_key, logged_in

WEAK = {
    "1234567890": "minimal 12 karakter",
    "password12": "minimal 12 karakter",
    "aaaaaaaaaaaa": "terlalu berulang",
    "abcabcabcabc": "terlalu berulang",
    "1234567890ab": "terlalu umum",
    "password1234": "terlalu umum",
    "qwertyuiop12": "terlalu umum",
    "operator.solok": "memuat nama pengguna",
    "operatorsolok2024": "memuat nama pengguna",
}
GOOD = "kuda-lari-pagi-hari"


@pytest.mark.parametrize(("password", "message"), WEAK.items())
def test_weak_password_refused_on_change(app, password, message):
    client = logged_in(app, "operator.solok")
    page = client.post(
        "/akun/kata-sandi", data={"current": DEMO_PASSWORD, "new": password, "confirm": password}
    )
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        assert verify_password(user.password_hash, DEMO_PASSWORD)


def test_password_with_the_persons_name_is_refused(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "operator.solok"))
        user.name = "Rosmaniar Binti Uji"
        db.session.commit()
    client = logged_in(app, "operator.solok")
    page = client.post(
        "/akun/kata-sandi",
        data={"current": DEMO_PASSWORD, "new": "Rosmaniar1984!x", "confirm": "Rosmaniar1984!x"},
    )
    assert page.status_code == 422 and "memuat nama pemilik akun" in page.get_data(as_text=True)


def test_admin_create_and_reset_apply_the_rules(app):
    admin = logged_in(app, "admin.solok")
    with app.app_context():
        target = db.session.scalar(select(User).where(User.username == "operator.solok"))
        uid, org_id = target.id, target.organisation_id
    body = {
        "submission_key": form_key(admin, "/admin/pengguna/baru"),
        "username": "siti.aminah",
        "name": "Siti Aminah Rangkuti",
        "organisation_id": str(org_id),
        "role": "operator_dinsos",
        "active": "y",
    }
    for bad, message in (
        ("siti.aminah123", "memuat nama pengguna"),
        ("rangkuti-2024-ok", "memuat nama pemilik"),
        ("password1234", "terlalu umum"),
    ):
        page = admin.post("/admin/pengguna/baru", data={**body, "password": bad})
        assert page.status_code == 422 and message in page.get_data(as_text=True), bad
    assert admin.post("/admin/pengguna/baru", data={**body, "password": GOOD}).status_code == 302
    reset = admin.post(f"/admin/pengguna/{uid}/reset", data={"reset-password": "operatorsolok99!"})
    assert reset.status_code == 422 and "memuat nama pengguna" in reset.get_data(as_text=True)
    assert admin.post(f"/admin/pengguna/{uid}/reset", data={"reset-password": GOOD}).status_code == 302


def test_good_passwords_pass_and_the_demo_password_still_logs_in(app):
    assert password_problem(GOOD, "operator.solok", "Operator Dinas Sosial Solok (demo)") is None
    assert password_problem(DEMO_PASSWORD, "operator.solok", "Operator Dinas Sosial Solok (demo)") is None
    client = logged_in(
        app, "operator.solok"
    )  # demo accounts are made by the loader, and their password works
    assert (
        client.post(
            "/akun/kata-sandi", data={"current": DEMO_PASSWORD, "new": GOOD, "confirm": GOOD}
        ).status_code
        == 302
    )


def test_inactive_and_unknown_accounts_cost_as_much_as_a_wrong_password(app, monkeypatch):
    """The same work, counted rather than timed: each failed login (a wrong password, an inactive account, an
    unknown name) runs exactly one Argon2 verification at the app's cost parameters. (The old code answered an
    inactive account in 43 ms against 740 ms for a wrong password: it verified nothing.)"""
    verified = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash, password):  # the real verification, counted with the hash's parameters
        verified.append(extract_parameters(hash))
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    with app.app_context():
        inactive = db.session.scalar(select(User).where(User.username == "verifikator.solok"))
        inactive.active = False
        db.session.commit()
        expected = extract_parameters(hash_password("x"))

    def attempts(username, password):
        verified.clear()
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.7.{len(username)}.1"
        response = client.post("/masuk", data={"username": username, "password": password})
        assert response.status_code == 200 and "Nama pengguna atau kata sandi salah" in response.get_data(
            True
        )
        return list(verified)

    attempts("orang.tidak.ada", "apa-saja-12345")  # the stand-in hash is made once, before counting
    assert attempts("operator.solok", "tebakan-yang-salah") == [expected]
    assert attempts("verifikator.solok", DEMO_PASSWORD) == [expected]
    assert attempts("orang.tidak.ada", "tebakan-yang-salah") == [expected]
