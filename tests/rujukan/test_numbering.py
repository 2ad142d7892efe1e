"""docs/rujukan.md §8 numbering: at issue only, sequential per facility and year, safe when concurrent."""

import threading

import pytest
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.rujukan import lifecycle, numbering
from blueprints.rujukan.models import Referral
from tests.clock import TODAY

from .conftest import key, org


def _drafts(org_key, n):
    """n fresh drafts copied from a demo draft of the facility."""
    base = db.session.scalars(select(Referral).where(Referral.origin_id == org(org_key).id)).first()
    out = []
    for _ in range(n):
        r = Referral(
            origin_id=base.origin_id,
            patient_id=base.patient_id,
            destination_id=base.destination_id,
            status="draf",
            anamnesis="uji",
            reason="uji",
            diag1_code="I50.0",
        )
        db.session.add(r)
        out.append(r)
    db.session.flush()
    return [r.id for r in out]


def test_sequential_per_facility_and_year(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "faskes.solok"))
        other_user = db.session.scalar(select(User).where(User.username == "faskes2.solok"))
        a, b = (db.session.get(Referral, i) for i in _drafts("pkm", 2))
        c = db.session.get(Referral, _drafts("pkm2", 1)[0])
        lifecycle.issue(a, user)
        lifecycle.issue(b, user)
        lifecycle.issue(c, other_user)
        db.session.commit()
        assert b.seq == a.seq + 1 and b.year == a.year
        assert b.number.startswith(f"{b.seq:04d}/RJK/DEMO-0302-01/")
        assert c.number.startswith(f"{c.seq:04d}/RJK/DEMO-0302-02/")
        assert not numbering.BPJS_LIKE.match(a.number)
        # the facility's own sequence: Sirukam's counter is independent of Tigo Lurah's
        assert c.seq < a.seq


def test_bpjs_like_format_refused(make_app):
    app = make_app(RUJUKAN_NUMBER_FORMAT="{kode}{bulan}{yy}P{urut:06d}")
    with app.app_context():
        pkm = org("pkm")
        pkm.facility_code = "0050B107"
        from datetime import date

        with pytest.raises(ValueError):
            numbering.format_number(4, pkm, date(2023, 2, 1))
        db.session.rollback()


def test_concurrent_issue_gives_distinct_numbers(app):
    with app.app_context():
        ids = _drafts("pkm", 2)
        db.session.commit()
    barrier = threading.Barrier(2)
    errors = []

    def worker(ref_id):
        try:
            with app.app_context():
                user = db.session.scalar(select(User).where(User.username == "faskes.solok"))
                ref = db.session.get(Referral, ref_id)
                db.session.commit()  # end the read transaction; both start issuing together
                barrier.wait(timeout=10)
                lifecycle.issue(ref, user)
                db.session.commit()
                db.session.remove()
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    with app.app_context():
        refs = [db.session.get(Referral, i) for i in ids]
        assert all(r.status == "diterbitkan" for r in refs)
        assert refs[0].number != refs[1].number
        assert sorted(r.seq for r in refs)[1] == sorted(r.seq for r in refs)[0] + 1


def test_two_clerks_issue_at_the_same_moment_over_http(app):
    """Two logged-in clerks of one puskesmas press 'Terbitkan' together: two distinct numbers."""
    from .conftest import form_data, patient_named

    clients = [app.test_client(), app.test_client()]
    for c in clients:
        c.post("/masuk", data={"username": "faskes.solok", "password": "sinergi-demo-2024"})
    with app.app_context():
        url = f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"
    ids = []
    for c in clients:
        resp = c.post(url, data=form_data(app))
        ids.append(int(resp.headers["Location"].rstrip("/").split("/")[-1]))
    barrier = threading.Barrier(2)
    statuses = []

    def press(client, ref_id):
        barrier.wait(timeout=10)
        statuses.append(client.post(f"/rujukan/{ref_id}/terbitkan", data=key()).status_code)

    threads = [threading.Thread(target=press, args=(c, i)) for c, i in zip(clients, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302, 302]
    with app.app_context():
        numbers = [db.session.get(Referral, i).number for i in ids]
        assert None not in numbers and numbers[0] != numbers[1]


def test_bad_number_format_is_a_message_not_a_500(make_app):
    app = make_app(RUJUKAN_NUMBER_FORMAT="{urut:04d}/{tidak_ada}")
    client = app.test_client()
    client.post("/masuk", data={"username": "faskes.solok", "password": "sinergi-demo-2024"})
    with app.app_context():
        draft = db.session.scalars(
            select(Referral).where(Referral.origin_id == org("pkm").id, Referral.status == "draf")
        ).first()
        draft.consent, draft.consent_signer = "setuju", "Keluarga"
        draft.consent_date = TODAY
        db.session.commit()
        draft_id = draft.id
    resp = client.post(f"/rujukan/{draft_id}/terbitkan", data=key(), follow_redirects=True)
    assert resp.status_code == 200 and "RUJUKAN_NUMBER_FORMAT" in resp.text
    with app.app_context():
        assert db.session.get(Referral, draft_id).status == "draf"
