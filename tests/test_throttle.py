"""Login throttling that protects without locking out, counters shared by every worker (database or Redis), the
client address from trusted proxies only, and absolute URLs on the public address."""

import socket
import uuid
from datetime import timedelta

import pytest
from flask import template_rendered, url_for
from sqlalchemy import func, select

from blueprints.auth.models import User
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.throttle import RateCounter, RedisCounters
from blueprints.core.timeutil import utcnow
from blueprints.demo import DEMO_PASSWORD
from blueprints.rujukan import verification
from blueprints.rujukan.models import Referral
from tests.rujukan.conftest import org, referral_where

REDIS = "redis://127.0.0.1:6379/0"


def _from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client, username, password=DEMO_PASSWORD, **kwargs):
    return client.post("/masuk", data={"username": username, "password": password}, **kwargs)


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_a_lockout_attempt_from_one_address_does_not_stop_a_colleague(app):
    attacker = _from(app, "10.1.1.5")
    statuses = [_login(attacker, "operator.solok", "tebakan-salah").status_code for _ in range(30)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    colleague = _from(app, "10.1.1.5")  # same office, same NAT address
    assert _login(colleague, "verifikator.solok").status_code == 302
    # the owner, from another address, with the right password: no lock on the account
    assert _login(_from(app, "10.1.1.6"), "operator.solok").status_code == 302


@pytest.mark.real_commits  # reads the counters where the app keeps them: the rate_counter table of the database
def test_many_addresses_get_a_growing_delay_and_the_owner_still_gets_in(app, time_machine):
    start = utcnow()
    for n in range(10):  # a botnet: one guess from each of ten addresses
        assert _login(_from(app, f"10.2.0.{n}"), "operator.solok", "tebakan-salah").status_code == 200
    owner = _from(app, "10.9.9.9")
    waiting = _login(owner, "operator.solok")
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] in ("2", "3")
    assert "kata sandi yang benar tetap diterima" in waiting.get_data(as_text=True)
    time_machine.move_to(start + timedelta(seconds=4))
    assert _login(_from(app, "10.2.1.1"), "operator.solok", "tebakan-salah").status_code == 200
    assert _login(owner, "operator.solok").headers["Retry-After"] in ("4", "5")  # doubled
    time_machine.move_to(start + timedelta(seconds=10))
    assert _login(owner, "operator.solok").status_code == 302  # a short wait, never a lockout
    with (
        app.app_context()
    ):  # the success cleared the account's counters (other addresses' pairs run out alone)
        keys = set(db.session.scalars(select(RateCounter.key)))
    assert not {k for k in keys if ":acct:" in k or ":wait:" in k} and len(keys) == 11


def test_delays_stop_growing_at_the_maximum(make_app, time_machine):
    app = make_app(LOGIN_DELAY_MAX=30)
    when = utcnow()
    for n in range(25):
        time_machine.move_to(when)
        assert _login(_from(app, f"10.3.0.{n}"), "operator.solok", "tebakan-salah").status_code == 200
        when += timedelta(seconds=31)
    time_machine.move_to(when - timedelta(seconds=31))
    assert int(_login(_from(app, "10.3.9.9"), "operator.solok").headers["Retry-After"]) <= 31


def test_two_app_instances_share_the_database_counters(make_app):
    worker_a, worker_b = make_app(), make_app()  # e.g. two gunicorn workers: two apps, one database
    a, b = worker_a.test_client(), worker_b.test_client()
    for client in (a, b, a, b, a):
        assert _login(client, "operator.solok", "tebakan-salah").status_code == 200
    assert _login(b, "operator.solok", "tebakan-salah").status_code == 429
    assert _login(a, "operator.solok").status_code == 429


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_app_instances_share_redis_counters(make_app):
    prefix = f"sinergi-test-{uuid.uuid4().hex[:8]}:"
    config = {"RATELIMIT_STORAGE_URI": REDIS, "THROTTLE_KEY_PREFIX": prefix}
    worker_a, worker_b = make_app(**config), make_app(**config)
    a, b = worker_a.test_client(), worker_b.test_client()
    try:
        for client in (a, b, a, b, a):
            assert _login(client, "operator.solok", "tebakan-salah").status_code == 200
        assert _login(b, "operator.solok").status_code == 429
        redis = RedisCounters(REDIS)
        assert redis.get(f"{prefix}login:pair:operator.solok|127.0.0.1")[0] == 5
        with worker_a.app_context():
            assert db.session.scalar(select(func.count()).select_from(RateCounter)) == 0  # nothing in the DB
        assert _login(a, "verifikator.solok").status_code == 302
    finally:
        RedisCounters(REDIS).reset(prefix)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_public_verification_limit_is_shared_through_redis(make_app):
    prefix = f"sinergi-test-{uuid.uuid4().hex[:8]}:"
    config = {
        "RATELIMIT_STORAGE_URI": REDIS,
        "THROTTLE_KEY_PREFIX": prefix,
        "RUJUKAN_VERIFY_LIMIT": "3 per minute",
    }
    worker_a, worker_b = make_app(**config), make_app(**config)
    with worker_a.app_context():
        code = verification.verify_code(
            referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dijawab").id
        )
    try:
        statuses = [
            c.get(f"/v/{code}").status_code
            for c in (
                worker_a.test_client(),
                worker_b.test_client(),
                worker_a.test_client(),
                worker_b.test_client(),
            )
        ]
        assert statuses == [200, 200, 200, 429]
    finally:
        RedisCounters(REDIS).reset(prefix)


def test_public_verification_limit_is_shared_through_the_database(make_app):
    worker_a, worker_b = (
        make_app(RUJUKAN_VERIFY_LIMIT="3 per minute"),
        make_app(RUJUKAN_VERIFY_LIMIT="3 per minute"),
    )
    with worker_a.app_context():
        code = verification.verify_code(
            referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dijawab").id
        )
    statuses = [
        worker.test_client().get(f"/v/{code}").status_code
        for worker in (worker_a, worker_b, worker_a, worker_b)
    ]
    assert statuses == [200, 200, 200, 429]


def test_redis_that_does_not_answer_falls_back_to_the_database(make_app, caplog):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")  # nothing listens on the discard port
    client = app.test_client()
    for _ in range(5):
        assert _login(client, "operator.solok", "tebakan-salah").status_code == 200
    assert _login(client, "operator.solok").status_code == 429
    assert "Redis counters unavailable" in caplog.text


def test_forwarded_headers_are_ignored_without_trusted_proxies(app):
    client = app.test_client()
    for n in range(5):  # a client cannot dodge the pair limit by claiming other addresses
        headers = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert _login(client, "operator.solok", "tebakan-salah", headers=headers).status_code == 200
    assert _login(client, "operator.solok", headers={"X-Forwarded-For": "198.51.100.99"}).status_code == 429
    with app.app_context():
        ips = set(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "login_failed")))
    assert ips == {"127.0.0.1"}


def test_one_trusted_proxy_gives_the_real_client_address(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    office_a = {"X-Forwarded-For": "203.0.113.7"}
    office_b = {
        "X-Forwarded-For": "192.0.2.1, 203.0.113.8"
    }  # a spoofed first hop; nginx appended the real one
    client = app.test_client()
    for _ in range(5):
        _login(client, "operator.solok", "tebakan-salah", headers=office_a)
    assert _login(client, "operator.solok", headers=office_a).status_code == 429
    assert _login(client, "operator.solok", headers=office_b).status_code == 302
    with app.app_context():
        ips = set(db.session.scalars(select(AuditEvent.ip)))
        assert ips == {"203.0.113.7", "203.0.113.8"}


def _letter_url(app, headers):
    with app.app_context():
        ref = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dijawab")
        ref_id, code = ref.id, verification.verify_code(ref.id)
    client = app.test_client()
    assert (
        client.post(
            "/masuk", data={"username": "faskes.solok", "password": DEMO_PASSWORD}, headers=headers
        ).status_code
        == 302
    )
    seen = []

    def record(sender, template, context, **extra):
        if "verify_url" in context:
            seen.append(context["verify_url"])

    with template_rendered.connected_to(record, app):
        response = client.get(f"/rujukan/{ref_id}/cetak", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return seen[0], code


PROXY = {"Host": "127.0.0.1:8000", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_qr_code_points_to_the_public_address_behind_the_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=1, PUBLIC_BASE_URL="https://sinergi.solokkab.go.id")
    url, code = _letter_url(app, PROXY)
    assert url == f"https://sinergi.solokkab.go.id/v/{code}"
    with app.app_context():  # outside a request (a command, a job) the same address is used
        assert url_for("rujukan_verify.verify", code=code, _external=True) == url


def test_without_a_public_base_url_the_proxied_scheme_is_used(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    url, code = _letter_url(app, {**PROXY, "Host": "sinergi.example.go.id"})
    assert url == f"https://sinergi.example.go.id/v/{code}"
    untrusted, _ = _letter_url(make_app(), {**PROXY, "Host": "sinergi.example.go.id"})
    assert untrusted.startswith("http://sinergi.example.go.id/")  # X-Forwarded-Proto from nobody we trust


def test_successful_logins_never_count(app):
    client = _from(app, "10.4.0.1")
    for _ in range(12):
        assert _login(client, "operator.solok").status_code == 302
        client.post("/keluar")
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.username == "operator.solok"))
