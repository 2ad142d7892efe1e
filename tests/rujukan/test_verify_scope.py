"""Public verification page and who may see which referral (404 outside)."""

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.rujukan import verification
from blueprints.rujukan.models import Referral

from .conftest import key, org, referral_where, version


def _issued(app, origin="pkm", status="dijawab"):
    with app.app_context():
        ref = referral_where(Referral.origin_id == org(origin).id, Referral.status == status)
        return (
            ref.id,
            verification.verify_code(ref.id),
            ref.number,
            ref.patient.name,
            ref.patient.nik,
            ref.diag1_name,
        )


def test_valid_code_shows_status_only(app, client):
    ref_id, code, number, name, nik, diag = _issued(app)
    resp = client.get(f"/v/{code}")  # no login
    assert resp.status_code == 200
    assert number in resp.text and "Puskesmas Tigo Lurah" in resp.text and "Dijawab" in resp.text
    assert "Berlaku sampai" in resp.text
    for secret in (name, nik, diag, "Rosmaniar", "kursi roda"):
        assert secret not in resp.text
    assert client.get(f"/v/{code.lower()}").status_code == 200  # typed in lower case
    assert len(resp.data) < 20_000


def test_tampered_or_unknown_code_not_found(app, client):
    ref_id, code, *_ = _issued(app)
    other = ref_id + 1
    forged = f"R{other}-{code.split('-', 1)[1]}"  # someone else's id with this letter's MAC
    for bad in (
        forged,
        code[:-1] + ("A" if code[-1] != "A" else "B"),
        "R1-AAAA-AAAA",
        "<script>x</script>",
        "x" * 500,
    ):
        resp = client.get(f"/v/{bad}")
        assert resp.status_code == 404 and "tidak ditemukan" in resp.text
        assert "<script>x</script>" not in resp.text


def test_draft_has_no_valid_code(app, client):
    with app.app_context():
        draft = referral_where(Referral.status == "draf")
        code = verification.verify_code(draft.id)
    assert client.get(f"/v/{code}").status_code == 404


def test_verification_is_rate_limited(make_app):
    app = make_app(RUJUKAN_VERIFY_LIMIT="3 per minute")
    client = app.test_client()
    _, code, *_ = _issued(app)
    assert [client.get(f"/v/{code}").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_other_puskesmas_gets_404(app, client, auth):
    ref_id, *_ = _issued(app)
    with app.app_context():
        patient_id = db.session.get(Referral, ref_id).patient_id
    auth.login("faskes2.solok")  # Puskesmas Sirukam
    for url in (
        f"/rujukan/{ref_id}",
        f"/rujukan/{ref_id}/cetak",
        f"/rujukan/{ref_id}/jawab",
        f"/rujukan/pasien/{patient_id}",
        f"/rujukan/pasien/{patient_id}/rujukan/baru",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/rujukan/{ref_id}/aksi/cancel", data={"channel": "web", "note": "x", **key()}
        ).status_code
        == 404
    )
    assert "Belum ada rujukan yang cocok." in client.get("/rujukan/?q=Rosmaniar").text


def test_inbox_is_the_receivers_own(app, client, auth):
    with app.app_context():
        to_rsud = referral_where(
            Referral.destination_id == org("rsud").id, Referral.status == "diterbitkan"
        ).id
        draft_to_rsud = referral_where(
            Referral.destination_id == org("rsud").id, Referral.status == "draf"
        ).id
    auth.login("faskes.sijunjung")  # Puskesmas Kumanis: not the addressee
    assert client.get(f"/rujukan/{to_rsud}").status_code == 404
    inbox = client.get("/rujukan/masuk")
    assert inbox.status_code == 200 and "Rosmaniar" not in inbox.text
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    assert client.get(f"/rujukan/{to_rsud}").status_code == 200
    assert client.get(f"/rujukan/{draft_to_rsud}").status_code == 404  # drafts stay with the sender
    assert "Rosmaniar" in client.get("/rujukan/masuk").text


def test_dinkes_sees_no_clinical_content(app, client, auth):
    ref_id, *_ = _issued(app)
    auth.login("dinkes.sijunjung")
    assert client.get(f"/rujukan/{ref_id}").status_code == 404
    assert client.get(f"/rujukan/{ref_id}/cetak").status_code == 404
    assert client.get("/rujukan/faskes").status_code == 200


def test_directory_edit_scope(app, client, auth):
    with app.app_context():
        rsud, pkm = org("rsud").id, org("pkm").id
    auth.login("faskes.solok")
    assert client.get(f"/rujukan/faskes/{rsud}/ubah").status_code == 404
    resp = client.post(
        f"/rujukan/faskes/{pkm}/poli",
        data={"poli-name": "Gigi", "poli-schedule": "Senin", "poli-submission_key": key()["submission_key"]},
    )
    assert resp.status_code == 302
    assert "Gigi" in client.get(f"/rujukan/faskes/{pkm}").text
    bad = client.post(
        f"/rujukan/faskes/{pkm}/poli",
        data={
            "poli-name": "",
            "poli-schedule": "<script>x</script>",
            "poli-submission_key": key()["submission_key"],
        },
    )
    assert bad.status_code == 422 and "Wajib diisi." in bad.text
    auth.logout()
    auth.login("dinkes.sijunjung")
    resp = client.post(
        f"/rujukan/faskes/{rsud}/ubah",
        data={"capacity_note": "ICU tersedia 1", "paper": "F4", **version(app, Organisation, rsud)},
    )
    assert resp.status_code == 302
    assert "ICU tersedia 1" in client.get(f"/rujukan/faskes/{rsud}").text
    assert client.get(f"/rujukan/faskes/{pkm}/ubah").status_code == 404  # another regency's facility


def test_verification_says_cancelled_or_expired(app, client):
    from blueprints.core.timeutil import today_local
    from blueprints.rujukan.models import EXPIRABLE

    with app.app_context():
        pkm, today = org("pkm").id, today_local()
        cancelled = referral_where(
            Referral.origin_id == pkm, Referral.status == "dibatalkan", Referral.number.is_not(None)
        )
        expired = referral_where(
            Referral.origin_id == pkm, Referral.status.in_(EXPIRABLE), Referral.valid_until < today
        )
        codes = {
            "cancelled": verification.verify_code(cancelled.id),
            "expired": verification.verify_code(expired.id),
        }
        reason = cancelled.cancel_reason
    page = client.get(f"/v/{codes['cancelled']}")
    assert page.status_code == 200
    assert "DIBATALKAN" in page.text and "tidak berlaku" in page.text and 'class="flash error"' in page.text
    assert "Surat rujukan ini terdaftar di Sinergi.</p>" not in page.text and reason not in page.text
    page = client.get(f"/v/{codes['expired']}")
    assert page.status_code == 200
    assert (
        "KEDALUWARSA" in page.text
        and "tidak berlaku lagi" in page.text
        and 'class="flash error"' in page.text
    )
    valid = client.get(f"/v/{_issued(app)[1]}")
    assert (
        'class="flash ok"' in valid.text
        and "DIBATALKAN" not in valid.text
        and "KEDALUWARSA" not in valid.text
    )
