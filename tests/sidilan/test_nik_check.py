"""The cross-regency NIK check (issue 13 part 8c): the answer names the regency and nothing more, every check
is audited with a keyed fingerprint of the NIK (never the NIK), it is rate-limited per clerk and closed to other roles."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.auth.models import Regency
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.models import Person

URL = "/sidilan/cek-nik-lintas"


def _person(app, regency_code: str) -> tuple[str, str, int]:
    with app.app_context():
        row = db.session.execute(
            select(Person.nik, Person.nama_lengkap, Person.id)
            .join(Regency, Regency.id == Person.regency_id)
            .where(
                Regency.code == regency_code,
                Person.nik.is_not(None),
                Person.active.is_(True),
                Person.merged_into_id.is_(None),
            )
            .order_by(Person.id)
            .limit(1)
        ).one()
        return tuple(row)


def _checks(app) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .options(selectinload(AuditEvent.user))
            .where(AuditEvent.object_type == "sidilan_nik_check")
        ).all()
        for r in rows:
            db.session.expunge(r)
        return rows


def test_answers_only_the_regency_and_is_audited(app, client, auth):
    nik, name, pid = _person(app, "13.03")
    auth.login("operator.solok")
    assert client.get(URL).status_code == 200
    page = client.post(URL, data={"nik": nik}).get_data(as_text=True)
    assert "Terdaftar di Kabupaten Sijunjung." in page
    assert name not in page and f"/orang/{pid}" not in page
    events = _checks(app)
    assert len(events) == 1
    assert events[0].action == "view" and events[0].user.username == "operator.solok"
    assert nik not in events[0].summary and "terdaftar" in events[0].summary
    # which NIK was asked is traceable by whoever holds it and the key, and by nobody else
    with app.app_context():
        from blueprints.core.nik import nik_fingerprint

        mark = nik_fingerprint(nik, app.config["SECRET_KEY"])
    assert events[0].summary == f"cek NIK lintas kabupaten (sidik {mark}): terdaftar"
    assert mark != nik_fingerprint(nik, "another key") and len(mark) == 12


def test_own_regency_and_unknown_nik(app, client, auth):
    nik, name, _ = _person(app, "13.02")
    auth.login("verifikator.solok")
    page = client.post(URL, data={"nik": nik}).get_data(as_text=True)
    assert "Terdaftar di Kabupaten Solok." in page and name not in page
    page = client.post(URL, data={"nik": "1302999999990001"}).get_data(as_text=True)
    assert "Tidak terdaftar." in page
    assert [e.summary.endswith("): tidak terdaftar") for e in _checks(app)].count(True) == 1
    assert len(_checks(app)) == 2


def test_a_malformed_nik_is_refused_and_not_checked(app, client, auth):
    auth.login("operator.solok")
    response = client.post(URL, data={"nik": "12345"})
    assert response.status_code == 422 and "16 angka" in response.get_data(as_text=True)
    assert _checks(app) == []


def test_check_is_rate_limited_per_clerk(app, client, auth):
    app.config["SIDILAN_NIK_CHECK_LIMIT"] = "2 per minute"
    auth.login("operator.solok")
    codes = [client.post(URL, data={"nik": "1302999999990001"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert len(_checks(app)) == 2


def test_other_roles_cannot_check(app, client, auth):
    for user in ("pimpinan.solok", "faskes.solok", "admin.solok"):
        auth.login(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, data={"nik": "1302999999990001"}).status_code == 404
        auth.logout()
    assert _checks(app) == []
