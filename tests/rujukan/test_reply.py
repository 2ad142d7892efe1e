"""The reply (jawaban rujukan, docs/rujukan.md §4.4): the form's ICD-10 search and doctor choice, with and
without htmx; the Surat Rujukan Balik PDF, printable by both sides and nobody else; the issued letter's
PDF/A-3b with its machine-readable referral."""

import io
import json
import re
import subprocess
from datetime import timedelta
from xml.etree import ElementTree

from pypdf import PdfReader
from sqlalchemy import func, select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.rujukan import fhir
from blueprints.rujukan.models import HealthWorker, Referral
from tests.clock import TODAY

from .conftest import key, org, referral_where, rsud_doctor


def _arrived_ref(app) -> int:
    """An issued letter from Puskesmas Tigo Lurah to RSUD Sijunjung whose patient has arrived."""
    with app.app_context():
        return referral_where(
            Referral.origin_id == org("pkm").id,
            Referral.destination_id == org("rsud").id,
            Referral.status == "tiba",
        ).id


def _pdftotext(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _reply(client, ref_id, **over):
    data = {
        "channel": "web",
        "reply_diag": "I11.0",
        "reply_therapy": "Furosemid 40 mg pagi",
        "reply_advice": "Kontrol ke puskesmas tiap bulan",
        "reply_control_date": (TODAY + timedelta(days=14)).isoformat(),
        **key(),
    }
    data.update(over)
    return client.post(f"/rujukan/{ref_id}/jawab", data=data)


def test_reply_form_offers_the_answering_facility_staff_only(app, client, auth):
    ref_id = _arrived_ref(app)
    with app.app_context():
        retired = HealthWorker(
            organisation_id=org("rsud").id, name="dr. Pensiun Lama", profession="dokter", active=False
        )
        other = HealthWorker(organisation_id=org("pkm").id, name="dr. Bukan RS", profession="dokter")
        db.session.add_all([retired, other])
        db.session.commit()
        other_id = other.id
    auth.login("faskes.rsud.sijunjung")
    page = client.get(f"/rujukan/{ref_id}/jawab").text
    assert 'name="reply_doctor_id"' in page and 'name="reply_doctor"' not in page
    assert "dr. Irwan Syah, Sp.PD (Dokter)" in page and "dr. Melati Putri, Sp.OG" in page
    assert "dr. Pensiun Lama" not in page and "dr. Bukan RS" not in page
    assert 'name="diag_qjawaban"' in page  # the referral form's search box, for the reply's diagnosis
    refused = _reply(client, ref_id, reply_doctor_id=str(other_id))  # another facility's worker
    assert refused.status_code == 422 and "Pilihan tidak sah." in refused.text
    none = _reply(client, ref_id, reply_doctor_id="0")
    assert none.status_code == 422 and "Pilih dokter yang menjawab" in none.text
    assert "Furosemid 40 mg pagi" in refused.text  # what was typed stays
    irwan = rsud_doctor(app, "dr. Irwan Syah, Sp.PD")
    assert _reply(client, ref_id, reply_doctor_id=irwan).status_code == 302
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert (ref.reply_doctor_id, ref.reply_doctor) == (int(irwan), "dr. Irwan Syah, Sp.PD")
        assert ref.reply_diag_code == "I11.0"


def test_free_text_doctor_only_when_the_facility_lists_no_staff(app, client, auth):
    ref_id = _arrived_ref(app)
    with app.app_context():
        for n in db.session.scalars(
            select(HealthWorker).where(HealthWorker.organisation_id == org("rsud").id)
        ):
            n.active = False
        db.session.commit()
    auth.login("faskes.rsud.sijunjung")
    page = client.get(f"/rujukan/{ref_id}/jawab").text
    assert 'name="reply_doctor"' in page and 'name="reply_doctor_id"' not in page
    assert "belum mencatat tenaga kesehatan" in page
    empty = _reply(client, ref_id)
    assert empty.status_code == 422 and "Isi nama dokter yang menjawab." in empty.text
    long = _reply(client, ref_id, reply_doctor="d" * 121)
    assert long.status_code == 422 and "Maksimal 120 karakter." in long.text
    assert _reply(client, ref_id, reply_doctor="dr. Tamu, Sp.JP").status_code == 302
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert (ref.reply_doctor_id, ref.reply_doctor) == (None, "dr. Tamu, Sp.JP")


def test_reply_icd_search_without_javascript(app, client, auth):
    """Plain form round trip: 'Cari' shows results and saves nothing; a picked result then saves."""
    ref_id = _arrived_ref(app)
    auth.login("faskes.rsud.sijunjung")
    irwan = rsud_doctor(app, "dr. Irwan Syah, Sp.PD")
    searched = _reply(
        client, ref_id, reply_doctor_id=irwan, reply_diag="", diag_qjawaban="I50", _icd="jawaban"
    )
    assert searched.status_code == 200
    assert (
        'name="diagjawaban_pick" value="I50.0"' in searched.text and "Furosemid 40 mg pagi" in searched.text
    )
    enter = _reply(client, ref_id, reply_doctor_id=irwan, reply_diag="", diag_qjawaban="I50", _icd="enter")
    assert enter.status_code == 200 and 'value="I50.0"' in enter.text
    with app.app_context():
        assert db.session.get(Referral, ref_id).replied_at is None
    saved = _reply(
        client, ref_id, reply_doctor_id=irwan, reply_diag="", diag_qjawaban="I50", diagjawaban_pick="I50.0"
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Referral, ref_id).reply_diag_code == "I50.0"


def test_reply_icd_search_with_htmx(app, client, auth):
    auth.login("faskes.rsud.sijunjung")
    hx = {"HX-Request": "true"}
    found = client.get("/rujukan/icd?slot=jawaban&diag_qjawaban=I50", headers=hx)
    assert found.status_code == 200 and "<html" not in found.text
    assert 'name="diagjawaban_pick"' in found.text and "/rujukan/icd/pilih?slot=jawaban" in found.text
    picked = client.get("/rujukan/icd/pilih?slot=jawaban&code=I50.0", headers=hx)
    assert picked.status_code == 200 and "<html" not in picked.text
    assert 'name="reply_diag"' in picked.text and 'value="I50.0"' in picked.text
    assert client.get("/rujukan/icd/pilih?slot=x&code=I50.0", headers=hx).status_code == 404


def test_reply_pdf_both_sides_and_nobody_else(app, client, auth):
    ref_id = _arrived_ref(app)
    auth.login("faskes.rsud.sijunjung")
    assert client.get(f"/rujukan/{ref_id}/jawaban/cetak").status_code == 404  # nothing answered yet
    assert (
        _reply(client, ref_id, reply_doctor_id=rsud_doctor(app, "dr. Irwan Syah, Sp.PD")).status_code == 302
    )
    detail = client.get(f"/rujukan/{ref_id}").text
    assert f"/rujukan/{ref_id}/jawaban/cetak" in detail
    with app.app_context():
        prints = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "print")
        )
        names = (org("pkm").name, org("rsud").name)
    for user in ("faskes.rsud.sijunjung", "faskes.solok"):
        auth.logout()
        auth.login(user)
        resp = client.get(f"/rujukan/{ref_id}/jawaban/cetak")
        assert resp.status_code == 200 and resp.mimetype == "application/pdf", user
        text = _pdftotext(resp.data)
        assert "SURAT RUJUKAN BALIK / JAWABAN RUJUKAN" in text
        assert names[1].upper() in text and names[0] in text  # answering facility's letterhead, the sender
        assert "Kontrol ke puskesmas tiap bulan" in text and "Furosemid 40 mg pagi" in text
        assert "I11.0" in text and "dr. Irwan Syah, Sp.PD" in text and "SIP 445/SIP-DS/004/2023" in text
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "print")
            )
            == prints + 2
        )
    auth.logout()
    auth.login("faskes.sijunjung")  # a third facility
    assert client.get(f"/rujukan/{ref_id}/jawaban/cetak").status_code == 404


def test_issued_letter_is_pdfa3b_with_the_referral_as_json(app, client, auth):
    with app.app_context():
        ref = referral_where(
            Referral.origin_id == org("pkm").id,
            Referral.status == "diterbitkan",
            Referral.valid_until >= TODAY,
            Referral.diag1_code.is_not(None),
        )
        ref_id, number, codes = ref.id, ref.number, [c for c, _ in ref.diagnoses]
        nik = ref.patient.nik
    auth.login("faskes.solok")
    data = client.get(f"/rujukan/{ref_id}/cetak").data
    reader = PdfReader(io.BytesIO(data))
    assert list(reader.attachments) == [fhir.FILENAME]
    doc = json.loads(reader.attachments[fhir.FILENAME][0])
    assert doc["resourceType"] == "ServiceRequest" and doc["intent"] == "order" and doc["status"] == "active"
    assert doc["identifier"][0]["value"] == number and len(doc["identifier"]) == 2
    assert [c["coding"][0]["code"] for c in doc["reasonCode"]] == codes
    assert {c["coding"][0]["system"] for c in doc["reasonCode"]} == {"http://hl7.org/fhir/sid/icd-10"}
    if nik:
        assert doc["subject"]["identifier"] == {"system": "https://fhir.kemkes.go.id/id/nik", "value": nik}
    utc = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert utc.match(doc["authoredOn"]) and utc.match(doc["occurrencePeriod"]["end"])
    assert doc["occurrencePeriod"]["end"].endswith("T16:59:59Z")  # 23:59:59 WIB of the last valid day
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    xmp = ElementTree.fromstring(reader.xmp_metadata.stream.get_data())
    declared = [
        (e.get(f"{pdfaid}part"), e.get(f"{pdfaid}conformance")) for e in xmp.iter() if e.get(f"{pdfaid}part")
    ]
    assert declared == [("3", "B")]  # PDF/A-3b
    assert "/AF" in str(reader.trailer["/Root"])


def test_draft_letter_stays_a_plain_pdf(app, client, auth):
    with app.app_context():
        ref_id = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "draf").id
    auth.login("faskes.solok")
    reader = PdfReader(io.BytesIO(client.get(f"/rujukan/{ref_id}/cetak").data))
    assert reader.attachments == {} and reader.xmp_metadata is None


def test_reply_pdf_of_a_letter_to_a_facility_outside_the_directory(app, client, auth):
    """No directory entry, so no letterhead of its own: the Sinergi heading and the typed facility name."""
    with app.app_context():
        ref = referral_where(Referral.origin_id == org("pkm").id, Referral.replied_at.is_not(None))
        ref.destination_id, ref.destination_text = None, "Klinik Luar Direktori"
        db.session.commit()
        ref_id = ref.id
    auth.login("faskes.solok")
    resp = client.get(f"/rujukan/{ref_id}/jawaban/cetak")
    assert resp.status_code == 200
    text = _pdftotext(resp.data)
    assert text.startswith("SINERGI") and "Dari Klinik Luar Direktori" in text
