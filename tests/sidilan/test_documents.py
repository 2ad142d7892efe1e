"""Documents and photos of a person or a household (docs/sidilan.md §5.3, §11): a phone photo is kept upright,
small and without EXIF/GPS; non-images and fake PDFs are refused with a message at the field; other regencies
get 404; every read is audited; a withdrawn document stays in the history; the verifier sees the documents."""

import io
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.sidilan.document_models import SidilanDocument
from blueprints.sidilan.models import Person

from .conftest import browser_form, person_id_of

ROSMANIAR = "Rosmaniar"


def phone_photo(width=4000, height=3000, orientation=None) -> bytes:
    """A JPEG as a phone camera writes it: large, with EXIF holding the camera, a date and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, width // 4, height // 4))  # a blue corner, to see the orientation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2024:08:29 10:00:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (0.0, 54.0, 0.0)  # latitude
    gps[3], gps[4] = "E", (100.0, 39.0, 0.0)  # longitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=85)
    return out.getvalue()


def minimal_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _upload_url(pid):
    return f"/sidilan/orang/{pid}/dokumen"


def _form(client, pid, url=None) -> dict:
    """The upload form as the person page renders it (CSRF, submission key), without a file."""
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    return dict(browser_form(page, url or _upload_url(pid)))


def _upload(client, pid, data: bytes, name="foto.jpg", kind="ktp", note="", url=None, page=None):
    body = _form(client, pid, url) if page is None else page
    body.update({"dokumen-kind": kind, "dokumen-note": note, "dokumen-berkas": (io.BytesIO(data), name)})
    return client.post(url or _upload_url(pid), data=body, content_type="multipart/form-data")


def _docs(app, **where) -> list[SidilanDocument]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(SidilanDocument).filter_by(**where).order_by(SidilanDocument.id))
        )
        for r in rows:
            db.session.expunge(r)
        return rows


def _stored(app, name) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "sidilan" / name


def _audits(app, action, object_type="sidilan_document", object_id=None) -> int:
    with app.app_context():
        stmt = select(func.count(AuditEvent.id)).where(
            AuditEvent.action == action, AuditEvent.object_type == object_type
        )
        if object_id is not None:
            stmt = stmt.where(AuditEvent.object_id == str(object_id))
        return db.session.scalar(stmt)


def test_phone_photo_is_resized_and_stripped_of_exif(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    original = phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the original has a GPS position
    response = _upload(client, pid, original, name="IMG_20240829.jpg", note="KTP depan")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    (doc,) = _docs(app, person_id=pid)
    assert doc.kind == "ktp" and doc.mime == "image/jpeg" and doc.note == "KTP depan"
    stored = _stored(app, doc.stored_name).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert max(image.size) <= 1600 and image.size == (1600, 1200)
    assert len(image.getexif()) == 0  # no EXIF at all, so no GPS
    assert b"Exif" not in stored[:4096] and b"PhoneMaker" not in stored
    assert "exif" not in image.info and "icc_profile" not in image.info
    thumb = Image.open(io.BytesIO(_stored(app, doc.thumb_name).read_bytes()))
    assert max(thumb.size) <= 240
    assert oct(_stored(app, doc.stored_name).stat().st_mode & 0o777) == "0o600"
    # the person page shows it, with a lazy thumbnail
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert f'src="/sidilan/dokumen/{doc.id}/kecil"' in page and 'loading="lazy"' in page


def test_orientation_is_applied_before_the_exif_goes(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    # orientation 6: the camera was held upright; the stored pixels are landscape, shown rotated 90° clockwise
    assert _upload(client, pid, phone_photo(2000, 1000, orientation=6), kind="foto").status_code == 303
    (doc,) = _docs(app, person_id=pid)
    image = Image.open(io.BytesIO(_stored(app, doc.stored_name).read_bytes()))
    assert image.size == (800, 1600)  # portrait now
    assert (doc.width, doc.height) == (800, 1600)


def test_fake_image_and_fake_pdf_are_refused_at_the_field(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    for data, name, message in [
        (
            b"\xff\xd8\xff\xe0 this is no photo at all" * 20,
            "foto.jpg",
            "Berkas bukan gambar yang dapat dibaca",
        ),
        (b"%PDF-1.4\n not really a pdf\n%%EOF", "surat.pdf", "bukan PDF yang sah"),
        (b"MZ\x90\x00 an executable", "foto.jpg", "Jenis berkas tidak diizinkan"),
        (b"", "kosong.jpg", "Berkas kosong."),
    ]:
        response = _upload(client, pid, data, name=name)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert message in html, (name, re.findall(r'class="err">([^<]*)', html))
        assert re.search(r'id="dokumen-berkas-err"><span class="err">', html)
    body = _form(client, pid)
    body["dokumen-kind"] = "ktp"
    nothing = client.post(_upload_url(pid), data=body, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Pilih berkas atau ambil foto" in nothing.get_data(as_text=True)
    assert _docs(app, person_id=pid) == []


def test_pdf_is_kept_and_downloaded(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    pdf = minimal_pdf()
    assert _upload(client, pid, pdf, name="surat dokter.pdf", kind="surat_disabilitas").status_code == 303
    (doc,) = _docs(app, person_id=pid)
    assert doc.mime == "application/pdf" and doc.thumb_name is None
    before = _audits(app, "download", object_id=doc.id)
    response = client.get(f"/sidilan/dokumen/{doc.id}/unduh")
    assert response.status_code == 200 and response.data == pdf
    assert "attachment" in response.headers["Content-Disposition"]
    assert _audits(app, "download", object_id=doc.id) == before + 1


def test_replayed_upload_stores_one_document(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    body = _form(client, pid)
    photo = phone_photo(800, 600)
    assert _upload(client, pid, photo, page=dict(body)).status_code == 303
    again = _upload(client, pid, photo, page=dict(body))
    assert again.status_code == 303
    assert len(_docs(app, person_id=pid)) == 1


def test_view_is_audited_and_other_regency_gets_404(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    _upload(client, pid, phone_photo(1000, 800))
    (doc,) = _docs(app, person_id=pid)
    views = _audits(app, "view", object_id=doc.id)
    response = client.get(f"/sidilan/dokumen/{doc.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert _audits(app, "view", object_id=doc.id) == views + 1
    assert client.get(f"/sidilan/dokumen/{doc.id}/kecil").status_code == 200
    assert _audits(app, "view", object_id=doc.id) == views + 2
    auth.logout()
    auth.login("operator.sijunjung")
    for url in (
        f"/sidilan/dokumen/{doc.id}",
        f"/sidilan/dokumen/{doc.id}/kecil",
        f"/sidilan/dokumen/{doc.id}/unduh",
        f"/sidilan/orang/{pid}/dokumen",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/sidilan/dokumen/{doc.id}/tarik", data={"version": "1", "reason": "x"}).status_code
        == 404
    )
    auth.logout()
    # pimpinan (masked NIK) sees that documents exist, not the files
    auth.login("pimpinan.solok")
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert "1 dokumen (hanya untuk petugas)" in page and f"/sidilan/dokumen/{doc.id}" not in page
    assert client.get(f"/sidilan/dokumen/{doc.id}").status_code == 404


def test_withdraw_keeps_history(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    _upload(client, pid, phone_photo(1000, 800))
    (doc,) = _docs(app, person_id=pid)
    url = f"/sidilan/dokumen/{doc.id}/tarik"
    refused = client.post(url, data={"version": str(doc.version), "reason": ""})
    assert refused.status_code == 422 and "Tulis alasan penarikan dokumen." in refused.get_data(as_text=True)
    stale = client.post(url, data={"version": "99", "reason": "Foto KTP tidak terbaca"})
    assert stale.status_code == 409
    done = client.post(url, data={"version": str(doc.version), "reason": "Foto KTP tidak terbaca"})
    assert done.status_code == 303
    (doc,) = _docs(app, person_id=pid)
    assert doc.withdrawn_at and doc.withdrawn_reason == "Foto KTP tidak terbaca" and doc.withdrawn_by_id
    assert _stored(app, doc.stored_name).is_file()  # the file stays
    history = client.get(f"/sidilan/orang/{pid}/dokumen").get_data(as_text=True)
    assert "Ditarik" in history and "Foto KTP tidak terbaca" in history
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    assert f"/sidilan/dokumen/{doc.id}/kecil" not in page  # no longer beside the record
    assert client.get(f"/sidilan/dokumen/{doc.id}/unduh").status_code == 200  # still readable as history
    assert _audits(app, "update", object_id=doc.id) == 1


def test_household_document(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    with app.app_context():
        hid = db.session.get(Person, pid).household_id
    assert hid
    url = f"/sidilan/keluarga/{hid}/dokumen"
    page = client.get(f"/sidilan/keluarga/{hid}").get_data(as_text=True)
    assert 'capture="environment"' in page and 'accept="image/*,application/pdf"' in page
    body = dict(browser_form(page, url))
    body.update({"dokumen-kind": "kk", "dokumen-berkas": (io.BytesIO(phone_photo(1200, 900)), "kk.jpg")})
    assert client.post(url, data=body, content_type="multipart/form-data").status_code == 303
    (doc,) = _docs(app, household_id=hid)
    assert doc.kind == "kk" and doc.person_id is None
    assert f"/sidilan/dokumen/{doc.id}/kecil" in client.get(f"/sidilan/keluarga/{hid}").get_data(as_text=True)
    auth.logout()
    auth.login("operator.sijunjung")
    assert client.get(url).status_code == 404
    assert client.get(f"/sidilan/dokumen/{doc.id}/kecil").status_code == 404


def test_verification_page_lists_the_documents(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    _upload(client, pid, phone_photo(1000, 800), kind="ktp")
    _upload(client, pid, minimal_pdf(), name="sk.pdf", kind="surat_disabilitas")
    ktp, sk = _docs(app, person_id=pid)
    auth.logout()
    auth.login("verifikator.solok")
    page = client.get(f"/sidilan/orang/{pid}").get_data(as_text=True)
    docs = page[page.index('id="dokumen"') : page.index("<h2>Verifikasi</h2>")]
    assert f'src="/sidilan/dokumen/{ktp.id}/kecil"' in docs and "KTP" in docs
    assert f"/sidilan/dokumen/{sk.id}/unduh" in docs and "Surat keterangan disabilitas" in docs
    assert "Unggah dokumen" not in docs  # the verifier reads, the operator uploads


def test_size_limit_from_config(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, ROSMANIAR)
    app.config["SIDILAN_MAX_UPLOAD_BYTES"] = 20_000
    try:
        response = _upload(client, pid, phone_photo(1600, 1200))
    finally:
        app.config.pop("SIDILAN_MAX_UPLOAD_BYTES")
    assert response.status_code == 422 and "Berkas melebihi batas 19 KB." in response.get_data(as_text=True)
    assert _docs(app, person_id=pid) == []
