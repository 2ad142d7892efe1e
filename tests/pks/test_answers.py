"""What a clerk sees when a use case refuses, repeats or goes through on the forms whose checks moved out of the
views (the rules page, the service area, obligations): the same status, page and message as before."""

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.pks.models import Obligation, RuleSetting, ServiceArea
from tests.replay import form_key, logged_in

NOTE = "Data ini sudah tersimpan"


def _areas(app, aid):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ServiceArea).where(ServiceArea.agreement_id == aid)
        )


def test_rule_switched_twice_lands_on_the_rules_page_with_the_note(app):
    admin = logged_in(app, "admin.solok")
    data = {"version": "0", "code": "durasi_5_tahun", "blocking": "1"}
    first = admin.post("/pks/aturan", data=data)
    assert first.status_code == 302 and first.headers["Location"].endswith("/pks/aturan")
    assert "Aturan disimpan." in admin.get("/pks/aturan").get_data(as_text=True)
    again = admin.post("/pks/aturan", data=data)  # a double tap: the rule is already so
    assert again.status_code == 303 and again.headers["Location"].endswith("/pks/aturan")
    assert NOTE in admin.get("/pks/aturan").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RuleSetting.version).where(RuleSetting.code == "durasi_5_tahun")) == 1


def test_an_unknown_rule_is_refused_on_the_rules_page(app):
    r = logged_in(app, "admin.solok").post(
        "/pks/aturan", data={"version": "0", "code": "tidak_ada", "blocking": "1"}
    )
    assert r.status_code == 422
    assert "Aturan tidak dikenali. Muat ulang halaman lalu coba lagi." in r.get_data(as_text=True)


def test_a_service_area_without_its_key_adds_nothing_and_keeps_the_choice(app, ids):
    aid = ids["pks2"]
    client = logged_in(app, "kerjasama.solok")
    before = _areas(app, aid)
    r = client.post(f"/pks/{aid}/wilayah", data={"wkecamatan": "13.02.18", "wnagari": "13.02.18.2001"})
    assert r.status_code == 422 and "kunci pengiriman hilang" in r.get_data(as_text=True)
    assert _areas(app, aid) == before
    key = form_key(client, f"/pks/{aid}/wilayah")
    done = client.post(
        f"/pks/{aid}/wilayah",
        data={"submission_key": key, "wkecamatan": "13.02.18", "wnagari": "13.02.18.2001"},
    )
    assert done.status_code == 302 and _areas(app, aid) == before + 1
    assert "Wilayah layanan disimpan." in client.get(done.headers["Location"]).get_data(as_text=True)


def test_an_obligation_status_saved_says_so_on_the_work_page(app, ids):
    with app.app_context():
        ob = Obligation(agreement_id=ids["ksb"], text="Kewajiban uji")
        db.session.add(ob)
        db.session.commit()
        oid, version = ob.id, ob.version
    client = logged_in(app, "kerjasama.solok")
    r = client.post(
        f"/pks/{ids['ksb']}/kewajiban/{oid}", data={"version": str(version), "status": "dipenuhi"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pks/{ids['ksb']}/pelaksanaan")
    assert "Status kewajiban disimpan." in client.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Obligation, oid).status == "dipenuhi"
