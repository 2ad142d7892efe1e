"""Every rujukan POST with empty, 10,000-character and script input: a message, never a 500."""
import pytest

from blueprints.rujukan.models import Referral

from .conftest import org, patient_named, referral_where

LONG, SCRIPT = "x" * 10_000, "<script>alert(1)</script>"


def _urls(app):
    with app.app_context():
        live = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "tiba").id
        issued = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "dikirim").id
        return {
            "patient": "/rujukan/pasien/baru",
            "patient_edit": f"/rujukan/pasien/{patient_named('Baharuddin').id}/ubah",
            "reply": f"/rujukan/{live}/jawab",
            "redirect": f"/rujukan/{issued}/aksi/redirect",
            "cancel": f"/rujukan/{issued}/aksi/cancel",
            "facility": f"/rujukan/faskes/{org('pkm').id}/ubah",
            "poli": f"/rujukan/faskes/{org('pkm').id}/poli",
            "nakes": f"/rujukan/faskes/{org('pkm').id}/nakes",
        }


FIELDS = ["name", "nik", "no_jkn", "birth_date", "sex", "home_regency", "kecamatan", "phone", "channel", "note",
          "redirect_to_id", "reply_diag", "reply_therapy", "reply_doctor", "reply_control_date", "whatsapp",
          "travel_note", "capacity_note", "paper", "poli-name", "poli-schedule", "nakes-name", "nakes-sip",
          "nakes-profession", "address", "no_rm"]


@pytest.mark.parametrize("value", ["", LONG, SCRIPT])
def test_bad_posts(app, client, auth, value):
    urls = _urls(app)
    auth.login("faskes.solok")
    for name, url in urls.items():
        resp = client.post(url, data={f: value for f in FIELDS}, follow_redirects=True)
        assert resp.status_code in (200, 404, 422), (name, resp.status_code)
        assert SCRIPT not in resp.text, name
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    resp = client.post(urls["reply"], data={f: value for f in FIELDS}, follow_redirects=True)
    assert resp.status_code in (200, 422) and SCRIPT not in resp.text


def test_action_errors_name_the_field(app, client, auth):
    url = _urls(app)["cancel"]
    auth.login("faskes.solok")
    resp = client.post(url, data={"channel": "web", "note": LONG}, follow_redirects=True)
    assert "Alasan / catatan: Maksimal 300 karakter." in resp.text
    resp = client.post(url, data={"channel": SCRIPT, "note": "x"}, follow_redirects=True)
    assert "Saluran: Pilihan tidak sah." in resp.text
