"""Uploads are checked by content, hashed, stored outside static/ and downloaded only through a scoped, audited route."""

import hashlib
import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Document
from tests.conftest import AuthActions

from .conftest import key, real_pdf

PDF = real_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _upload(client, aid, data, name, kind="draf", **extra):
    form = {**key(), "kind": kind, "berkas": (io.BytesIO(data), name), **extra}
    return client.post(f"/pks/{aid}/dokumen", data=form, content_type="multipart/form-data")


def test_upload_hash_and_audited_scoped_download(app, solok, ids, tmp_path):
    aid = ids["pks1"]
    r = _upload(solok, aid, PDF, "draf-v1.pdf", versi="1")
    assert r.status_code == 302
    digest = hashlib.sha256(PDF).hexdigest()
    page = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    assert digest in page and "draf-v1.pdf" in page
    with app.app_context():
        doc = db.session.scalar(select(Document).where(Document.agreement_id == aid))
        stored = Path(app.config["UPLOAD_DIR"]) / "pks" / doc.stored_name
        assert stored.read_bytes() == PDF and "static" not in stored.parts
        did = doc.id
    r = solok.get(f"/pks/dokumen/{did}/unduh")
    assert r.status_code == 200 and r.data == PDF and "attachment" in r.headers["Content-Disposition"]
    with app.app_context():
        ev = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "download"))
        assert ev.object_id == str(did) and ev.user.username == "kerjasama.solok"
    for username in ("operator.solok", "faskes.sijunjung"):
        other = app.test_client()
        AuthActions(other).login(username)
        assert other.get(f"/pks/dokumen/{did}/unduh").status_code == 404
    assert solok.get("/pks/dokumen/99999/unduh").status_code == 404


def test_docx_and_png_accepted_by_content(solok, ids):
    assert _upload(solok, ids["pks1"], _docx(), "draf.docx").status_code == 302
    assert _upload(solok, ids["pks1"], PNG, "foto.png", kind="foto").status_code == 302


def test_bad_files_refused_with_a_message(app, solok, ids):
    aid = ids["pks1"]
    cases = [
        (PNG, "naskah.pdf", "Isi berkas tidak sesuai dengan ekstensi .pdf (isinya PNG)."),
        (b"MZ\x90\x00 not a pdf", "naskah.pdf", "isi tidak dikenali"),
        (PDF, "naskah.exe", "Jenis berkas tidak diizinkan"),
        (b"", "kosong.pdf", "Berkas kosong."),
        (PDF, "../../etc/passwd.pdf", "Nama berkas tidak sah"),
        (b"PK\x03\x04 broken zip", "draf.docx", "Isi berkas tidak sesuai"),
    ]
    for data, name, message in cases:
        r = _upload(solok, aid, data, name)
        assert r.status_code == 422 and message in r.get_data(as_text=True), name
    with app.app_context():
        assert db.session.scalar(select(Document.id)) is None


def test_size_limit_message_and_413(make_app, ids):
    app = make_app(MAX_CONTENT_LENGTH=200 * 1024)  # 136 KB of file after the 64 KB form allowance
    client = app.test_client()
    AuthActions(client).login("kerjasama.solok")
    from blueprints.pks.demo import PKS1_TITLE

    from .conftest import agreement_id

    aid = agreement_id(app, PKS1_TITLE)
    r = _upload(client, aid, PDF + b"0" * 150 * 1024, "besar.pdf")
    assert r.status_code == 422 and "Berkas melebihi batas" in r.get_data(as_text=True)
    r = _upload(client, aid, PDF + b"0" * 400 * 1024, "sangat-besar.pdf")
    assert r.status_code == 413 and "Berkas terlalu besar" in r.get_data(as_text=True)


def test_signed_agreement_refuses_new_drafts(solok, ids):
    r = _upload(solok, ids["ksb"], PDF, "draf-baru.pdf")
    assert r.status_code == 422 and "terkunci" in r.get_data(as_text=True)
    assert _upload(solok, ids["ksb"], PDF, "scan-ksb.pdf", kind="ttd").status_code == 302
    r = _upload(solok, ids["ksb"], real_pdf("Scan lain"), "scan-lain.pdf", kind="ttd")
    assert r.status_code == 422


def test_a_file_that_only_starts_like_a_pdf_is_refused(app, solok, ids):
    """Starting with %PDF- does not make a file a PDF: an HTML page (or a truncated PDF) behind that prefix is
    refused at the file field with 422, and nothing is stored or written."""
    aid = ids["pks1"]
    fakes = [
        b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        PDF[: len(PDF) // 2],
    ]
    for fake in fakes:
        r = _upload(solok, aid, fake, "naskah.pdf")
        body = r.get_data(as_text=True)
        assert r.status_code == 422, fake[:30]
        assert "bukan PDF yang sah" in body or "tidak berisi halaman" in body, fake[:30]
    with app.app_context():
        assert db.session.scalar(select(Document.id)) is None
    folder = Path(app.config["UPLOAD_DIR"]) / "pks"
    assert not folder.exists() or not list(folder.iterdir())


def test_a_real_pdf_is_stored_and_downloaded_never_cached(app, solok, ids):
    aid = ids["pks1"]
    pdf = real_pdf("Draf kesepakatan v3")
    r = _upload(solok, aid, pdf, "draf-v3.pdf", versi="3")
    assert r.status_code == 302
    with app.app_context():
        did = db.session.scalar(select(Document.id).where(Document.agreement_id == aid))
    r = solok.get(f"/pks/dokumen/{did}/unduh")
    assert r.status_code == 200 and r.data == pdf and r.mimetype == "application/pdf"
    assert "no-store" in r.headers["Cache-Control"]
