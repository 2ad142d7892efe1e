"""docs/rujukan.md §7 lifecycle enforced on the server, append-only event log, expiry at the boundary day."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.rujukan import lifecycle, verification
from blueprints.rujukan.models import Referral, ReferralEvent
from tests.clock import TODAY

from .conftest import key, org, referral_where, rsud_doctor, version


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def _issued_ref(app):
    with app.app_context():
        ref = referral_where(
            Referral.origin_id == org("pkm").id,
            Referral.status == "diterbitkan",
            Referral.valid_until >= TODAY + timedelta(days=30),
            Referral.destination_id == org("rsud").id,
        )
        return ref.id


def test_illegal_transitions_refused(app):
    ref_id = _issued_ref(app)
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        sender, receiver = _user("faskes.solok"), _user("faskes.rsud.sijunjung")
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.transition(ref, "answer", receiver)  # not arrived yet
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.transition(ref, "complete", sender)
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.transition(ref, "cancel", receiver, note="x")  # only the sender cancels
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.transition(ref, "accept", sender)  # sender records it only from phone/paper
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.issue(ref, sender)  # already issued
        assert ref.status == "diterbitkan"
        lifecycle.transition(ref, "arrive", receiver)
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.transition(ref, "cancel", sender, note="terlambat")  # arrived: no longer cancellable


def test_receiver_flow_and_sender_sees_answer(app, client, auth):
    ref_id = _issued_ref(app)
    auth.login("faskes.rsud.sijunjung")
    assert client.post(f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "web", **key()}).status_code == 302
    assert client.get(f"/rujukan/{ref_id}/jawab").status_code == 200
    bad = client.post(
        f"/rujukan/{ref_id}/jawab", data={"channel": "web", "reply_diag": "", "reply_doctor": "", **key()}
    )
    assert bad.status_code == 422 and "Wajib diisi." in bad.text
    resp = client.post(
        f"/rujukan/{ref_id}/jawab",
        data={
            "channel": "web",
            "reply_diag": "I11.0",
            "reply_therapy": "Furosemid",
            "reply_advice": "Kontrol poli",
            "reply_control_date": "2026-12-10",
            "reply_inpatient": "y",
            "reply_doctor_id": rsud_doctor(app, "dr. Irwan Syah, Sp.PD"),
            **key(),
        },
    )
    assert resp.status_code == 302
    auth.logout()
    auth.login("faskes.solok")
    page = client.get(f"/rujukan/{ref_id}")
    assert "Jawaban rujukan" in page.text and "I11.0" in page.text and "dr. Irwan Syah, Sp.PD" in page.text
    assert "Waktu respons" in page.text
    assert (
        client.post(f"/rujukan/{ref_id}/aksi/complete", data={"channel": "web", **key()}).status_code == 302
    )
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.status == "selesai" and ref.reply_inpatient is True
        steps = [
            (e.from_status, e.to_status, e.channel)
            for e in db.session.scalars(
                select(ReferralEvent).where(ReferralEvent.referral_id == ref_id).order_by(ReferralEvent.id)
            )
        ]
        assert steps[-3:] == [
            ("diterbitkan", "tiba", "web"),
            ("tiba", "dijawab", "web"),
            ("dijawab", "selesai", "web"),
        ]


def test_sender_records_paper_reply(app, client, auth):
    """Loop closure from the tear-off slip: the sender types it, channel kertas (never 'web')."""
    ref_id = _issued_ref(app)
    auth.login("faskes.solok")
    resp = client.post(
        f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "web", **key()}, follow_redirects=True
    )
    assert "hanya dari telepon" in resp.text
    assert (
        client.post(f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "telepon", **key()}).status_code == 302
    )
    resp = client.post(
        f"/rujukan/{ref_id}/jawab",
        data={
            "channel": "kertas",
            "reply_diag": "I50.0",
            "reply_doctor_id": rsud_doctor(app, "dr. Melati Putri, Sp.OG"),
            **key(),
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Referral, ref_id).reply_channel == "kertas"


def test_cancel_needs_reason(app, client, auth):
    ref_id = _issued_ref(app)
    auth.login("faskes.solok")
    resp = client.post(f"/rujukan/{ref_id}/aksi/cancel", data={"channel": "web", "note": "", **key()})
    assert resp.status_code == 422 and "Alasan pembatalan wajib diisi." in resp.text
    with app.app_context():
        assert db.session.get(Referral, ref_id).status == "diterbitkan"
    client.post(f"/rujukan/{ref_id}/aksi/cancel", data={"channel": "web", "note": "Pasien menolak", **key()})
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.status == "dibatalkan" and ref.cancel_reason == "Pasien menolak"


def test_receiver_cannot_cancel_or_issue(app, client, auth):
    ref_id = _issued_ref(app)
    auth.login("faskes.rsud.sijunjung")
    resp = client.post(f"/rujukan/{ref_id}/aksi/cancel", data={"channel": "web", "note": "x", **key()})
    assert resp.status_code == 409 and "dilakukan oleh faskes asal" in resp.text
    assert client.post(f"/rujukan/{ref_id}/terbitkan", data=key()).status_code == 404
    assert client.get(f"/rujukan/{ref_id}/ubah").status_code == 404


def test_expiry_at_boundary_day(app):
    with app.app_context():
        ref = db.session.get(Referral, _issued_ref(app))
        last = ref.valid_until
        assert ref.effective_status(last) == "diterbitkan"
        assert ref.effective_status(last + timedelta(days=1)) == "kedaluwarsa"
        receiver = _user("faskes.rsud.sijunjung")
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.transition(ref, "arrive", receiver, today=last + timedelta(days=1))
        lifecycle.transition(ref, "arrive", receiver, today=last)
        assert ref.effective_status(last + timedelta(days=5)) == "tiba"  # arrived letters never expire


def test_expired_shown_and_refused_over_http(app, client, auth):
    ref_id = _issued_ref(app)
    with app.app_context():
        db.session.get(Referral, ref_id).valid_until = TODAY - timedelta(days=1)
        db.session.commit()
    auth.login("faskes.rsud.sijunjung")
    assert "Kedaluwarsa" in client.get(f"/rujukan/{ref_id}").text
    resp = client.post(f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "web", **key()})
    assert resp.status_code == 409 and "tidak dapat diubah" in resp.text
    with app.app_context():
        assert db.session.get(Referral, ref_id).status == "diterbitkan"


def test_validity_rule_is_configurable(make_app):
    app = make_app(RUJUKAN_VALIDITY_DAYS=30)
    with app.app_context():
        assert lifecycle.valid_until_for(date(2026, 1, 30)) == date(2026, 3, 1)
        app.config["RUJUKAN_VALIDITY_KIND"] = "working"
        assert lifecycle.valid_until_for(date(2026, 1, 30)) > date(2026, 3, 1)


def test_event_log_is_append_only(app):
    with app.app_context():
        ev = db.session.scalars(select(ReferralEvent)).first()
        ev.note = "diubah"
        with pytest.raises(RuntimeError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(ReferralEvent)).first())
        with pytest.raises(RuntimeError):
            db.session.flush()
        db.session.rollback()


def test_redirected_letter_starts_a_new_draft(app, client, auth):
    with app.app_context():
        ref = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dialihkan")
        ref_id, target = ref.id, ref.redirect_to_id
    live = _issued_ref(app)
    auth.login("faskes.solok")
    copy_button = "Buat rujukan baru dari surat ini"
    assert copy_button in client.get(f"/rujukan/{ref_id}").text
    assert copy_button not in client.get(f"/rujukan/{live}").text
    assert client.post(f"/rujukan/{live}/salin", data=key()).status_code == 404  # a live letter is not copied
    resp = client.post(f"/rujukan/{ref_id}/salin", data=key())
    assert resp.status_code == 302 and "/ubah" in resp.headers["Location"]
    with app.app_context():
        new = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
        assert new.status == "draf" and new.destination_id == target and new.consent is None
        assert new.diag1_code == db.session.get(Referral, ref_id).diag1_code


def test_find_by_verification_code_from_paper_slip(app, client, auth):
    ref_id = _issued_ref(app)
    with app.app_context():
        code, number = verification.verify_code(ref_id), db.session.get(Referral, ref_id).number
    auth.login("faskes.solok")
    resp = client.get("/rujukan/", query_string={"q": code})
    assert number in resp.text and resp.text.count("/RJK/") == 1
    auth.logout()
    auth.login("faskes2.solok")  # the code does not open another facility's letter
    assert number not in client.get("/rujukan/", query_string={"q": code}).text


def _refused_draft_data(app):
    from .conftest import form_data

    return form_data(app, consent="menolak", consent_signer="Istri pasien", consent_relation="istri")


def test_refused_referral_is_not_issued_and_prints_the_refusal_form(app, client, auth):
    from sqlalchemy import func

    from blueprints.rujukan.models import NumberCounter

    from .conftest import patient_named
    from .test_pdf import pdf_info, pdf_text

    with app.app_context():
        new = f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"
        referrals = db.session.scalar(select(func.count(Referral.id)))
        counters = [(c.organisation_id, c.year, c.last) for c in db.session.scalars(select(NumberCounter))]
    auth.login("faskes.solok")
    resp = client.post(new, data={**_refused_draft_data(app), "terbitkan": "1"})
    assert resp.status_code == 422 and lifecycle.REFUSED_MESSAGE in resp.text
    assert 'value="Istri pasien"' in resp.text  # what was typed stays
    draft = client.post(new, data=_refused_draft_data(app))  # kept as a draft
    assert draft.status_code == 302
    ref_id = int(draft.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(f"/rujukan/{ref_id}")
    assert "Pasien/keluarga menolak dirujuk" in page.text and "Cetak surat penolakan rujukan" in page.text
    assert "Terbitkan (beri nomor)" not in page.text and f"/rujukan/{ref_id}/cetak" not in page.text
    resp = client.post(f"/rujukan/{ref_id}/terbitkan", data=key())  # a stale page or a crafted post
    assert resp.status_code == 422 and lifecycle.REFUSED_MESSAGE in resp.text
    printed = client.get(f"/rujukan/{ref_id}/cetak")  # the letter prints as the refusal form
    assert printed.status_code == 302 and printed.headers["Location"].endswith(
        f"/rujukan/{ref_id}/persetujuan"
    )
    form = client.get(printed.headers["Location"])
    assert form.mimetype == "application/pdf" and pdf_info(form.data)[0] == 1
    text = pdf_text(form.data)
    assert "PENOLAKAN RUJUKAN" in text and "MENOLAK" in text and "Istri pasien" in text
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.status == "draf" and ref.number is None and ref.valid_until is None
        assert db.session.scalar(select(func.count(Referral.id))) == referrals + 1
        assert [
            (c.organisation_id, c.year, c.last) for c in db.session.scalars(select(NumberCounter))
        ] == counters
        with pytest.raises(lifecycle.TransitionError, match="menolak dirujuk"):
            lifecycle.issue(ref, _user("faskes.solok"))
    consent = client.post(
        f"/rujukan/{ref_id}/ubah",
        data={
            **_refused_draft_data(app),
            "consent": "setuju",
            "terbitkan": "1",
            **version(app, Referral, ref_id),
        },
    )
    assert consent.status_code == 302  # the family changed its mind: now it is issued
    with app.app_context():
        assert db.session.get(Referral, ref_id).status == "diterbitkan"
