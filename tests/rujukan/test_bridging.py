"""Bridging fields and attachments (docs/rujukan.md §4.8, §4.9): the P-Care referral number and BPJS card on
the letter, the SEP number by the receiving hospital, photos and PDFs per letter, what the receiver's screen
shows, and the accessibility marker in the inbox."""

import io
import re
import subprocess
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.rujukan.models import Referral, ReferralAttachment, ReferralEvent
from tests.clock import TODAY
from tests.sidilan.test_documents import minimal_pdf, phone_photo

from .conftest import form_data, key, org, patient_named

PCARE = "0050B1070223P000004"
SEP = "0301R0011124V000123"


def _patient_id(app, name="Rosmaniar") -> int:
    with app.app_context():
        return patient_named(name).id


def _new(client, app, issue=False, **over):
    data = form_data(app, **over)
    if issue:
        data["terbitkan"] = "1"
    return client.post(f"/rujukan/pasien/{_patient_id(app)}/rujukan/baru", data=data)


def _ref_id(resp) -> int:
    assert resp.status_code in (302, 303), re.findall(r'class="err"[^>]*>[^<]*', resp.text)
    return int(re.search(r"/rujukan/(\d+)$", resp.headers["Location"]).group(1))


def _upload(client, ref_id, data: bytes, name="ekg.jpg", kind="ekg", submission=None):
    return client.post(
        f"/rujukan/{ref_id}/lampiran",
        data={"kind": kind, "berkas": (io.BytesIO(data), name), **(submission or key())},
        content_type="multipart/form-data",
    )


def _pdftotext(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _stored(app, att: ReferralAttachment) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "rujukan" / att.stored_name


def test_bpjs_numbers_are_checked_by_format_at_the_field(app, faskes):
    resp = _new(faskes, app, pcare_number="0050B10702", bpjs_card="12345")
    assert resp.status_code == 422
    assert "No. rujukan P-Care harus 19 karakter" in resp.text
    assert "No. Kartu JKN harus tepat 13 digit angka." in resp.text
    assert 'value="0050B10702"' in resp.text and 'value="12345"' in resp.text  # typed values kept
    assert 'aria-invalid="true"' in resp.text
    # 19 characters that do not follow the (unverified) BPJS shape: saved, with a warning only
    odd = _new(faskes, app, pcare_number="ABCDEFGHIJKLMNOPQRS", bpjs_card="0002035020396")
    ref_id = _ref_id(odd)
    assert "pola belum terverifikasi" in faskes.get(f"/rujukan/{ref_id}").text
    ok = _ref_id(
        _new(faskes, app, pcare_number=PCARE.lower()[:4] + " " + PCARE[4:], bpjs_card="0002-0350-20396")
    )
    with app.app_context():
        ref = db.session.get(Referral, ok)
        assert (ref.pcare_number, ref.bpjs_card) == (PCARE, "0002035020396")


def test_new_letter_form_starts_with_the_patients_card_number(app, faskes):
    page = faskes.get(f"/rujukan/pasien/{_patient_id(app)}/rujukan/baru").text
    assert 'name="pcare_number"' in page and 'name="bpjs_card"' in page
    assert 'value="0002035020396"' in page  # Rosmaniar's No. JKN


def test_sep_only_by_the_receiver_after_arrival(app, client, auth):
    auth.login("faskes.solok")
    ref_id = _ref_id(_new(client, app, issue=True))
    with app.app_context():
        version = str(db.session.get(Referral, ref_id).version)
    assert (
        client.post(f"/rujukan/{ref_id}/sep", data={"sep_number": SEP, "version": version}).status_code == 404
    )
    auth.logout()
    auth.login("faskes.sijunjung")  # a third facility
    assert (
        client.post(f"/rujukan/{ref_id}/sep", data={"sep_number": SEP, "version": version}).status_code == 404
    )
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    early = client.post(f"/rujukan/{ref_id}/sep", data={"sep_number": SEP, "version": version})
    assert early.status_code == 409 and "setelah pasien tiba" in early.text
    arrive = client.post(f"/rujukan/{ref_id}/aksi/arrive", data={"channel": "web", "note": "", **key()})
    assert arrive.status_code == 302
    page = client.get(f"/rujukan/{ref_id}").text
    assert 'name="sep_number"' in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    bad = client.post(f"/rujukan/{ref_id}/sep", data={"sep_number": "0301R00111", "version": version})
    assert bad.status_code == 422 and "No. SEP harus 19 karakter" in bad.text
    assert 'value="0301R00111"' in bad.text
    good = client.post(f"/rujukan/{ref_id}/sep", data={"sep_number": SEP, "version": version})
    assert good.status_code == 303
    with app.app_context():
        ref = db.session.get(Referral, ref_id)
        assert ref.sep_number == SEP and ref.sep_at is not None
        assert db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "rujukan",
                AuditEvent.object_id == str(ref_id),
                AuditEvent.summary.like("mencatat No. SEP%"),
            )
        )
    stale = client.post(f"/rujukan/{ref_id}/sep", data={"sep_number": SEP, "version": version})
    assert stale.status_code == 409  # the version moved on
    assert SEP in client.get(f"/rujukan/{ref_id}").text


def test_photo_is_resized_and_stripped_of_exif_and_audited(app, faskes):
    ref_id = _ref_id(_new(faskes, app))
    resp = _upload(faskes, ref_id, phone_photo(4000, 3000))
    assert resp.status_code == 303
    with app.app_context():
        att = db.session.scalar(select(ReferralAttachment).where(ReferralAttachment.referral_id == ref_id))
        stored = _stored(app, att).read_bytes()
        assert oct(_stored(app, att).stat().st_mode & 0o777) == "0o600"
        assert "static" not in str(_stored(app, att))
        att_id = att.id
    image = Image.open(io.BytesIO(stored))
    assert max(image.size) <= 1600 and image.size == (1600, 1200)
    assert not image.getexif() and b"PhoneMaker" not in stored
    shown = faskes.get(f"/rujukan/{ref_id}/lampiran/{att_id}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data == stored
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "rujukan_lampiran", AuditEvent.object_id == str(att_id)
            )
        ).all()
        assert "create" in actions and "view" in actions


def test_pdf_is_checked_and_a_wrong_file_refused_at_the_field(app, faskes):
    ref_id = _ref_id(_new(faskes, app))
    fake = _upload(faskes, ref_id, b"%PDF-1.4 not really a pdf", name="lab.pdf", kind="lab")
    assert fake.status_code == 422 and "bukan PDF yang sah" in fake.text
    text = _upload(faskes, ref_id, b"hello", name="lab.txt", kind="lab")
    assert text.status_code == 422 and "lampirkan foto (JPG, PNG) atau PDF" in text.text
    none = _upload(faskes, ref_id, minimal_pdf(), name="lab.pdf", kind="")
    assert none.status_code == 422 and "Pilih jenis lampiran." in none.text
    assert _upload(faskes, ref_id, minimal_pdf(), name="lab.pdf", kind="lab").status_code == 303
    with app.app_context():
        att = db.session.scalar(select(ReferralAttachment).where(ReferralAttachment.referral_id == ref_id))
        assert att.mime == "application/pdf" and att.kind == "lab"
        att_id = att.id
    got = faskes.get(f"/rujukan/{ref_id}/lampiran/{att_id}")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert "attachment" in got.headers["Content-Disposition"]


def test_replayed_upload_stores_one_attachment(app, faskes):
    ref_id = _ref_id(_new(faskes, app))
    submission = key()
    assert _upload(faskes, ref_id, minimal_pdf(), "lab.pdf", "lab", submission).status_code == 303
    assert _upload(faskes, ref_id, minimal_pdf(), "lab.pdf", "lab", submission).status_code in (302, 303)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(ReferralAttachment.id)).where(ReferralAttachment.referral_id == ref_id)
            )
            == 1
        )


def test_receiver_sees_the_attachments_and_every_clinical_field_others_get_404(app, client, auth):
    auth.login("faskes.solok")
    ref_id = _ref_id(
        _new(
            client,
            app,
            allergy="Penisilin (ruam)",
            escort="Suami pasien, Pak Darman",
            ambulance="y",
            condition="Sadar, sesak berkurang",
            note="Mohon dikabari bila rawat inap",
            bmhp="Kanula oksigen",
            pcare_number=PCARE,
        )
    )
    draft_att = _upload(client, ref_id, phone_photo(800, 600), "ekg.jpg", "ekg")
    assert draft_att.status_code == 303
    with app.app_context():
        att_id = db.session.scalar(
            select(ReferralAttachment.id).where(ReferralAttachment.referral_id == ref_id)
        )
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    assert client.get(f"/rujukan/{ref_id}/lampiran/{att_id}").status_code == 404  # a draft is the sender's
    auth.logout()
    auth.login("faskes.solok")
    issue = client.post(f"/rujukan/{ref_id}/terbitkan", data=key())
    assert issue.status_code == 302
    assert _upload(client, ref_id, minimal_pdf(), "lab.pdf", "lab").status_code == 303
    auth.logout()
    auth.login("faskes.rsud.sijunjung")
    page = client.get(f"/rujukan/{ref_id}").text
    for text in (
        "Penisilin (ruam)",
        "Suami pasien, Pak Darman",
        "Ambulans: ya",
        "Sadar, sesak berkurang",
        "Mohon dikabari bila rawat inap",
        "Kanula oksigen",
        tanggal(TODAY),  # the planned visit
        PCARE,
        "EKG (foto)",
        "Hasil lab (PDF)",
    ):
        assert text in page, text
    assert "Lampirkan" not in page and "/hapus" not in page  # only the sender attaches and removes
    assert client.get(f"/rujukan/{ref_id}/lampiran/{att_id}").status_code == 200
    assert _upload(client, ref_id, minimal_pdf(), "x.pdf", "lab").status_code == 404
    auth.logout()
    auth.login("faskes.sijunjung")  # Puskesmas Kumanis: neither sender nor receiver
    assert client.get(f"/rujukan/{ref_id}/lampiran/{att_id}").status_code == 404
    assert _upload(client, ref_id, minimal_pdf(), "x.pdf", "lab").status_code == 404
    assert client.post(f"/rujukan/{ref_id}/lampiran/{att_id}/hapus", data={"reason": "x"}).status_code == 404


def test_letter_lists_the_attachments_and_the_pcare_number(app, faskes):
    ref_id = _ref_id(_new(faskes, app, pcare_number=PCARE))
    _upload(faskes, ref_id, phone_photo(800, 600), "ekg.jpg", "ekg")
    _upload(faskes, ref_id, minimal_pdf(), "lab.pdf", "lab")
    text = _pdftotext(faskes.get(f"/rujukan/{ref_id}/cetak").data)
    assert "Lampiran: EKG (foto), Hasil lab (PDF)" in text
    assert f"No. rujukan P-Care: {PCARE}" in text


def test_removal_draft_goes_issued_needs_a_reason_in_the_history(app, faskes):
    ref_id = _ref_id(_new(faskes, app))
    _upload(faskes, ref_id, minimal_pdf(), "lab.pdf", "lab")
    _upload(faskes, ref_id, phone_photo(800, 600), "ekg.jpg", "ekg")
    with app.app_context():
        lab, ekg = db.session.scalars(
            select(ReferralAttachment)
            .where(ReferralAttachment.referral_id == ref_id)
            .order_by(ReferralAttachment.id)
        ).all()
        lab_id, ekg_id, lab_path = lab.id, ekg.id, _stored(app, lab)
    assert faskes.post(f"/rujukan/{ref_id}/lampiran/{lab_id}/hapus", data={}).status_code == 303
    assert not lab_path.exists()
    assert faskes.post(f"/rujukan/{ref_id}/lampiran/{lab_id}/hapus", data={}).status_code == 303  # a repeat
    assert faskes.post(f"/rujukan/{ref_id}/terbitkan", data=key()).status_code == 302
    refused = faskes.post(f"/rujukan/{ref_id}/lampiran/{ekg_id}/hapus", data={"reason": ""})
    assert refused.status_code == 422 and "tulis alasan menghapus lampiran" in refused.text
    done = faskes.post(f"/rujukan/{ref_id}/lampiran/{ekg_id}/hapus", data={"reason": "Foto EKG salah pasien"})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(ReferralAttachment, lab_id) is None
        ekg = db.session.get(ReferralAttachment, ekg_id)
        assert ekg.removed_at is not None and ekg.removed_reason == "Foto EKG salah pasien"
        assert _stored(app, ekg).exists()
        assert (
            db.session.scalar(
                select(ReferralEvent.note).where(
                    ReferralEvent.referral_id == ref_id, ReferralEvent.note.like("Lampiran%")
                )
            )
            == "Lampiran EKG dihapus: Foto EKG salah pasien"
        )
    page = faskes.get(f"/rujukan/{ref_id}").text
    assert "Lampiran EKG dihapus: Foto EKG salah pasien" in page and "Tidak ada lampiran." in page


def test_inbox_marks_a_wheelchair_user(app, client, auth):
    with app.app_context():
        accessibility = patient_named("Rosmaniar").accessibility
        other = db.session.scalar(
            select(func.count(Referral.id)).where(Referral.destination_id == org("rsud").id)
        )
    assert accessibility and "kursi roda" in accessibility.lower()
    assert other
    auth.login("faskes.rsud.sijunjung")
    page = client.get("/rujukan/masuk").text
    row = next(r for r in page.split("<tr>") if "Rosmaniar" in r)
    assert "♿" in row and "kursi roda" in row.lower()
    plain = next(r for r in page.split("<tr>") if "Baharuddin" in r)
    assert "♿" not in plain
