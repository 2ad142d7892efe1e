"""Admin forms: a replayed create makes one user, a stale edit gets the conflict page, a repeated toggle holds."""

import gzip

from sqlalchemy import func, select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.wilayah.models import Jorong
from tests.replay import form_key, logged_in, replay_parallel, replay_sequential


def _new_user(app, client, username="operator.tiga"):
    with app.app_context():
        org_id = db.session.scalar(select(User.organisation_id).where(User.username == "operator.solok"))
    return {
        "submission_key": form_key(client, "/admin/pengguna/baru"),
        "username": username,
        "name": "Operator Tiga",
        "organisation_id": str(org_id),
        "role": "operator_dinsos",
        "active": "y",
        "password": "kata-sandi-awal-1",
    }


def _count(app, username):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.username == username))


def test_twenty_parallel_replays_make_one_user(app):
    data = _new_user(app, logged_in(app, "admin.solok"))
    responses = replay_parallel(app, "admin.solok", "/admin/pengguna/baru", data)
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    assert _count(app, "operator.tiga") == 1


def test_sequential_replay_lands_on_the_first_result_with_a_note(app):
    client = logged_in(app, "admin.solok")
    data = _new_user(app, client)
    first, *again = replay_sequential(client, "/admin/pengguna/baru", data, n=3)
    assert first.status_code == 302
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "operator.tiga"))
    assert all(r.headers["Location"].endswith(f"/admin/pengguna/{uid}") for r in again)
    assert "Data ini sudah tersimpan" in client.get(again[-1].headers["Location"]).get_data(as_text=True)
    assert _count(app, "operator.tiga") == 1


def test_form_without_key_keeps_what_was_typed(app):
    client = logged_in(app, "admin.solok")
    data = _new_user(app, client)
    del data["submission_key"]
    page = client.post("/admin/pengguna/baru", data=data)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "kunci pengiriman hilang" in text and 'value="operator.tiga"' in text
    assert _count(app, "operator.tiga") == 0


def test_stale_user_edit_shows_both_values_and_applies_on_top(app):
    with app.app_context():
        target = db.session.scalar(select(User).where(User.username == "operator.solok"))
        uid, org_id, version = target.id, target.organisation_id, target.version
    first, second = logged_in(app, "admin.solok"), logged_in(app, "admin.solok")
    base = {
        "username": "operator.solok",
        "organisation_id": str(org_id),
        "role": "operator_dinsos",
        "active": "y",
        "version": str(version),
    }
    assert first.post(f"/admin/pengguna/{uid}", data={**base, "name": "Nama Dari Pertama"}).status_code == 302
    stale = second.post(f"/admin/pengguna/{uid}", data={**base, "name": "Nama Dari Kedua"})
    assert stale.status_code == 409
    assert (
        len(gzip.compress(stale.data, compresslevel=6)) <= 14_000
    )  # the conflict page keeps the page budget
    text = stale.get_data(as_text=True)
    assert "Nama Dari Pertama" in text and "Nama Dari Kedua" in text
    with app.app_context():
        assert db.session.get(User, uid).name == "Nama Dari Pertama"
        current = db.session.get(User, uid).version
    assert f'name="version" value="{current}"' in text
    applied = second.post(
        f"/admin/pengguna/{uid}", data={**base, "name": "Nama Dari Kedua", "version": str(current)}
    )
    assert applied.status_code == 302
    with app.app_context():
        assert db.session.get(User, uid).name == "Nama Dari Kedua"


def test_repeated_jorong_deactivation_does_not_flip_back(app):
    client = logged_in(app, "admin.solok")
    with app.app_context():
        jid = db.session.scalar(select(Jorong.id).where(Jorong.name == "Tigo Jangko"))
    for _ in range(2):
        client.post(f"/admin/jorong/{jid}/aktif", data={"active": "0"})
    with app.app_context():
        assert db.session.get(Jorong, jid).active is False


def test_user_edit_without_a_version_is_not_saved(app):
    with app.app_context():
        target = db.session.scalar(select(User).where(User.username == "operator.solok"))
        uid, org_id = target.id, target.organisation_id
    client = logged_in(app, "admin.solok")
    response = client.post(
        f"/admin/pengguna/{uid}",
        data={
            "username": "operator.solok",
            "name": "Tanpa Versi",
            "organisation_id": str(org_id),
            "role": "operator_dinsos",
            "active": "y",
        },
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(User, uid).name != "Tanpa Versi"
