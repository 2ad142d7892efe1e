"""Each regency's admin switches the unverified rules for its own regency only; a check on a shared agreement
applies the strictest switches of its party regencies."""

from flask_login import login_user
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.pks.checks import rule_warnings
from blueprints.pks.models import Agreement, RuleSetting
from tests.replay import logged_in

from .conftest import PKS1_TITLE


def _level(page: str, label: str) -> str:
    row = page.split(label, 1)[1].split("</tr>", 1)[0]
    return "Memblokir" if "<td>Memblokir" in row else "Peringatan"


def test_one_regency_switches_a_rule_for_itself_only(app):
    solok, sijunjung = logged_in(app, "admin.solok"), logged_in(app, "admin.sijunjung")
    page = solok.get("/pks/aturan").get_data(as_text=True)
    assert "berlaku untuk <b>Kabupaten Solok</b> saja" in page
    r = solok.post("/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "1"})
    assert r.status_code == 302
    label = "Klausul wajib belum lengkap di daftar periksa"
    assert _level(solok.get("/pks/aturan").get_data(as_text=True), label) == "Memblokir"
    other = sijunjung.get("/pks/aturan").get_data(as_text=True)
    assert "berlaku untuk <b>Kabupaten Sijunjung</b> saja" in other
    assert _level(other, label) == "Peringatan"
    # Sijunjung's own switch starts at version 0 and does not touch Solok's
    assert (
        sijunjung.post("/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "0"}).status_code
        == 302
    )
    assert _level(solok.get("/pks/aturan").get_data(as_text=True), label) == "Memblokir"


def test_on_a_shared_agreement_a_rule_one_party_regency_made_blocking_blocks_either_officer(app):
    logged_in(app, "admin.solok").post(
        "/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "1"}
    )
    with app.test_request_context():
        a = db.session.scalar(select(Agreement).where(Agreement.judul == PKS1_TITLE))
        assert {p.regency.code for p in a.parties} == {"13.02", "13.03"}
        a.klausul_codes = ""
        for username in ("kerjasama.solok", "kerjasama.sijunjung"):
            login_user(db.session.scalar(select(User).where(User.username == username)))
            hits = [h for h in rule_warnings(a, "siap_ttd", None, None) if h.rule.code == "klausul"]
            assert [h.blocking for h in hits] == [True], username  # Sijunjung signing does not soften it
        db.session.rollback()


def test_a_regency_that_is_no_party_does_not_make_the_rule_blocking(app):
    logged_in(app, "admin.sijunjung").post(
        "/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "1"}
    )
    with app.test_request_context():
        a = db.session.scalar(select(Agreement).where(Agreement.judul == PKS1_TITLE))
        a.klausul_codes = ""
        for p in [p for p in a.parties if p.regency.code == "13.03"]:
            db.session.delete(p)
        a.pemrakarsa_regency_id = next(p.regency_id for p in a.parties if p.regency.code == "13.02")
        db.session.flush()
        login_user(db.session.scalar(select(User).where(User.username == "kerjasama.solok")))
        hits = [h for h in rule_warnings(a, "siap_ttd", None, None) if h.rule.code == "klausul"]
        assert [h.blocking for h in hits] == [False]
        db.session.rollback()


def test_superadmin_of_no_regency_only_reads_the_rules(app):
    admin = logged_in(app, "superadmin")
    page = admin.get("/pks/aturan").get_data(as_text=True)
    assert "jadikan memblokir" not in page
    r = admin.post("/pks/aturan", data={"version": "0", "code": "klausul", "blocking": "1"})
    assert r.status_code in (404, 422)
    with app.app_context():
        assert db.session.scalar(select(RuleSetting.code)) is None
