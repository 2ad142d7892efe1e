"""Work is never lost (issue 14 part 8): a form posted after the idle timeout is kept on the server and given
back, after login, to the same user only, with everything typed and nothing saved."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.core.recovery import KEEP, PendingSubmission
from blueprints.core.timeutil import utcnow
from blueprints.demo import DEMO_PASSWORD
from blueprints.rujukan.models import Referral
from tests.conftest import HX
from tests.replay import logged_in
from tests.rujukan.conftest import form_data, patient_named

TYPED = {
    "anamnesis": "Sesak napas sejak 3 hari, batuk berdahak, demam malam hari",
    "physical_exam": "Ronki basah kedua basal paru",
    "therapy_drug": "Furosemid 40 mg",
    "escort": "Suami",
    "bp": "150/95",
}


def _new_url(app):
    with app.app_context():
        return f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"


def _referrals(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral))


def _pending(app):
    with app.app_context():
        return db.session.scalars(select(PendingSubmission)).all()


def _login(client, username="faskes.solok", csrf=False):
    data = {"username": username, "password": DEMO_PASSWORD}
    if csrf:
        page = client.get("/masuk").get_data(as_text=True)
        data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/masuk", data=data)


def _expire(time_machine):
    time_machine.move_to(utcnow() + timedelta(minutes=31))


def _post_after_timeout(app, time_machine, headers=None):
    clerk = logged_in(app, "faskes.solok")
    url = _new_url(app)
    assert clerk.get(url).status_code == 200
    data = form_data(app, **TYPED)
    before = _referrals(app)
    _expire(time_machine)
    response = clerk.post(url, data=data, headers=headers or {})
    assert _referrals(app) == before  # nothing saved
    return clerk, url, data, response, before


def _shows_everything_typed(html: str, data: dict):
    for name in ("anamnesis", "physical_exam", "therapy_drug"):
        assert re.search(rf">\s*{re.escape(data[name])}</textarea>", html), name
    for name in ("escort", "bp", "submission_key"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(data[name])}"', html) or re.search(
            rf'value="{re.escape(data[name])}"[^>]*name="{name}"', html
        ), name
    for name in ("destination_id", "poli_id", "nakes_id", "consent"):
        assert re.search(
            rf'<option selected value="{data[name]}"|<option value="{data[name]}" selected', html
        ), name


def test_the_long_form_posted_after_the_timeout_comes_back_after_login(app, time_machine):
    clerk, url, data, response, before = _post_after_timeout(app, time_machine)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert "disimpan sementara" in clerk.get("/masuk").get_data(as_text=True)
    (row,) = _pending(app)
    assert row.key == data["submission_key"] and row.url == url
    response = _login(clerk)
    assert response.status_code == 302 and response.headers["Location"] == url
    page = clerk.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Isian Anda dipulihkan, periksa lalu simpan" in html
    _shows_everything_typed(html, data)
    assert _referrals(app) == before and _pending(app) == []  # given back once, still nothing saved
    again = clerk.get(url).get_data(as_text=True)
    assert "dipulihkan" not in again and TYPED["anamnesis"] not in again
    # the clerk presses Simpan: saved once, with the key the form was first shown with
    assert clerk.post(url, data=data).status_code == 302
    assert _referrals(app) == before + 1


def test_an_htmx_post_after_the_timeout_is_kept_too(app, time_machine):
    clerk, url, data, response, _ = _post_after_timeout(app, time_machine, headers=HX)
    assert response.headers["HX-Redirect"].startswith("/masuk")
    assert len(_pending(app)) == 1
    assert _login(clerk).headers["Location"] == url


def test_another_user_logging_in_does_not_get_it(app, time_machine):
    clerk, url, data, _, _ = _post_after_timeout(app, time_machine)
    response = _login(clerk, "operator.solok")
    assert response.status_code == 302 and response.headers["Location"] != url
    assert len(_pending(app)) == 1  # still waiting for its owner
    other = clerk.get("/").get_data(as_text=True)
    assert "dipulihkan" not in other and TYPED["anamnesis"] not in other


def test_a_kept_form_is_purged_after_its_time(app, time_machine):
    clerk, url, data, _, _ = _post_after_timeout(app, time_machine)
    time_machine.move_to(utcnow() + KEEP + timedelta(minutes=1))
    response = _login(clerk)
    assert response.headers["Location"] != url
    # the next form kept purges the stale one
    _post_after_timeout(app, time_machine)
    assert [r.key for r in _pending(app)] != [data["submission_key"]] and len(_pending(app)) == 1


def test_the_owner_is_known_even_after_the_expired_session_row_was_swept(app, time_machine):
    """Other users' logins sweep timed-out session rows every few minutes; the owner still gets the form."""
    clerk = logged_in(app, "faskes.solok")
    url = _new_url(app)
    data = form_data(app, **TYPED)
    _expire(time_machine)
    time_machine.move_to(utcnow() + timedelta(minutes=10))
    logged_in(app, "operator.solok")  # writes a session, and with it the periodic sweep
    assert clerk.post(url, data=data).status_code == 302
    assert len(_pending(app)) == 1
    assert _login(clerk).headers["Location"] == url


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_with_csrf_on_the_dead_token_does_not_lose_the_form(csrf_app, time_machine):
    app = csrf_app
    clerk = app.test_client()
    assert _login(clerk, csrf=True).status_code == 302
    url = _new_url(app)
    page = clerk.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {**form_data(app, **TYPED), "csrf_token": token}
    before = _referrals(app)
    _expire(time_machine)
    response = clerk.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert _referrals(app) == before
    (row,) = _pending(app)
    assert token not in row.fields  # the dead token is not kept
    assert _login(clerk, csrf=True).headers["Location"] == url
    html = clerk.get(url).get_data(as_text=True)
    assert "Isian Anda dipulihkan" in html and token not in html  # a fresh token for the new session
    _shows_everything_typed(html, data)


def test_a_post_without_an_expired_session_is_not_kept(app):
    anonymous = app.test_client()
    response = anonymous.post(_new_url(app), data=form_data(app))
    assert response.status_code == 302 and _pending(app) == []


def test_passwords_posted_after_the_timeout_are_never_kept(app, time_machine):
    """A password change keeps nothing; the admin's new-account form keeps what was typed except the password."""
    user = logged_in(app, "faskes.solok")
    assert user.get("/akun/kata-sandi").status_code == 200
    admin = logged_in(app, "admin.solok")
    assert admin.get("/admin/pengguna/baru").status_code == 200
    _expire(time_machine)
    user.post(
        "/akun/kata-sandi", data={"current": DEMO_PASSWORD, "new": "Rahasia-Baru-2026!", "confirm": "x"}
    )
    assert _pending(app) == []
    admin.post(
        "/admin/pengguna/baru",
        data={"username": "perawat.baru", "name": "Perawat Baru", "password": "Rahasia-Awal-2026!"},
    )
    (kept,) = _pending(app)
    assert "perawat.baru" in kept.fields and "Rahasia-Awal-2026!" not in kept.fields
