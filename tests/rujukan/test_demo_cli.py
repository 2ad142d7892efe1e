"""Demo idempotency, CLI seed, CSRF on rujukan POSTs."""

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.demo import load_demo
from blueprints.rujukan.models import FacilityProfile, NonSpecialistCode, Patient, Poli, Referral


def test_demo_is_idempotent_and_covers_every_state(app):
    with app.app_context():
        counts = [
            db.session.scalar(select(func.count(m.id))) for m in (Referral, Patient, Poli, FacilityProfile)
        ]
        load_demo()
        db.session.commit()
        assert [
            db.session.scalar(select(func.count(m.id))) for m in (Referral, Patient, Poli, FacilityProfile)
        ] == counts
        from blueprints.core.timeutil import today_local

        states = {r.effective_status(today_local()) for r in db.session.scalars(select(Referral))}
        assert states >= {
            "draf",
            "diterbitkan",
            "dikirim",
            "diterima",
            "ditolak",
            "dialihkan",
            "tiba",
            "dijawab",
            "selesai",
            "kedaluwarsa",
            "dibatalkan",
        }
        assert 28 <= counts[0] <= 40
        assert db.session.scalar(select(func.count()).where(Referral.border.is_(True))) >= 5
        assert db.session.scalar(select(func.count()).where(Referral.accessibility.like("%kursi roda%"))) >= 1


def test_cli_seed(runner, app):
    result = runner.invoke(args=["rujukan", "seed-nonspesialis", "--versi", "2022"])
    assert result.exit_code == 0 and "+16" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(NonSpecialistCode.version == "2022")) == 16


def test_posts_need_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/masuk")
    import re

    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login.text).group(1)
    client.post(
        "/masuk", data={"username": "faskes.solok", "password": "sinergi-demo-2024", "csrf_token": token}
    )
    with app.app_context():
        ref_id = db.session.scalars(select(Referral.id).where(Referral.status == "diterbitkan")).first()
    resp = client.post(f"/rujukan/{ref_id}/aksi/cancel", data={"channel": "web", "note": "x"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.get(Referral, ref_id).status == "diterbitkan"
