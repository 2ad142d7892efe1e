"""The app numbers the versions of an agreement's documents (v1, v2, ... per kind; a typed number counts for
nothing), one draft is marked final (marking another moves the mark), and a document is withdrawn with a
reason: it stays listed, struck through, with its file and hash, and no longer counts as the current text."""

import hashlib
import io
import re
from pathlib import Path

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Document

from .conftest import key, real_pdf


def _upload(client, aid, data, name, kind="draf", **extra):
    form = {**key(), "kind": kind, "berkas": (io.BytesIO(data), name), **extra}
    r = client.post(f"/pks/{aid}/dokumen", data=form, content_type="multipart/form-data")
    return r


def _doc(app, aid, filename) -> Document:
    with app.app_context():
        return db.session.scalar(
            select(Document).where(Document.agreement_id == aid, Document.filename == filename)
        )


def _version_on_page(page: str, action: str) -> str:
    form = re.search(rf'action="{re.escape(action)}".*?name="version" value="(\d+)"', page, re.S)
    assert form, f"no form posting to {action}"
    return form.group(1)


def _row_of(page: str, filename: str) -> str:
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return next(row for row in table.split("<tr") if filename in row)


def test_versions_are_numbered_by_the_app_per_kind(app, solok, ids):
    aid = ids["pks1"]
    r = _upload(solok, aid, real_pdf("satu"), "draf-awal.pdf")
    assert r.status_code == 302
    assert "Berkas diunggah sebagai v1." in solok.get(r.headers["Location"]).get_data(as_text=True)
    assert (
        _upload(solok, aid, real_pdf("dua"), "draf-kedua.pdf", versi="1").status_code == 302
    )  # typed: ignored
    assert _upload(solok, aid, real_pdf("foto"), "foto-rapat.pdf", kind="foto").status_code == 302
    page = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    assert "Versi draf v1" in _row_of(page, "draf-awal.pdf")
    assert "Versi draf v2" in _row_of(page, "draf-kedua.pdf")
    assert "Foto v1" in _row_of(page, "foto-rapat.pdf")
    assert 'name="versi"' not in page  # no field to type one


def test_one_version_is_final_and_marking_another_moves_the_mark(app, solok, ids):
    aid = ids["pks1"]
    _upload(solok, aid, real_pdf("satu"), "draf-v1.pdf")
    _upload(solok, aid, real_pdf("dua"), "draf-v2.pdf")
    first, second = _doc(app, aid, "draf-v1.pdf"), _doc(app, aid, "draf-v2.pdf")
    page = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    action = f"/pks/{aid}/dokumen/{first.id}/final"
    r = solok.post(action, data={"version": _version_on_page(page, action)})
    assert r.status_code == 302
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "Versi draf v1 (draf-v1.pdf) ditandai final." in page
    assert "final</span>" in _row_of(page, "draf-v1.pdf") and "final</span>" not in _row_of(
        page, "draf-v2.pdf"
    )
    action = f"/pks/{aid}/dokumen/{second.id}/final"
    assert solok.post(action, data={"version": _version_on_page(page, action)}).status_code == 302
    page = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    assert "final</span>" in _row_of(page, "draf-v2.pdf") and "final</span>" not in _row_of(
        page, "draf-v1.pdf"
    )
    story = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "Versi draf v2 (draf-v2.pdf) ditandai final (sebelumnya Versi draf v1 (draf-v1.pdf))" in story
    with app.app_context():
        finals = db.session.scalars(select(Document.id).where(Document.is_final.is_(True))).all()
        assert finals == [second.id]
        marks = db.session.scalars(
            select(AuditEvent.object_id)
            .where(AuditEvent.summary.like("%ditandai final%"))
            .order_by(AuditEvent.id)
        ).all()
        assert marks == [str(first.id), str(second.id)]


def test_only_a_draft_is_marked_final(app, solok, ids):
    aid = ids["pks1"]
    _upload(solok, aid, real_pdf("foto"), "foto.pdf", kind="foto")
    doc = _doc(app, aid, "foto.pdf")
    r = solok.post(f"/pks/{aid}/dokumen/{doc.id}/final", data={"version": str(doc.version)})
    assert r.status_code == 422 and "Hanya versi draf yang dapat ditandai final." in r.get_data(as_text=True)


def test_a_withdrawn_document_stays_listed_with_its_file_and_hash(app, solok, ids):
    aid = ids["pks1"]
    data = real_pdf("salah unggah")
    _upload(solok, aid, real_pdf("satu"), "draf-v1.pdf")
    _upload(solok, aid, data, "draf-salah.pdf")
    doc = _doc(app, aid, "draf-salah.pdf")
    solok.post(f"/pks/{aid}/dokumen/{doc.id}/final", data={"version": str(doc.version)})
    page = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    action = f"/pks/{aid}/dokumen/{doc.id}/tarik"
    version = _version_on_page(page, action)
    bare = solok.post(action, data={"version": version, "alasan": " "})
    assert bare.status_code == 422 and "Tulis alasan penarikan." in bare.get_data(as_text=True)
    r = solok.post(action, data={"version": version, "alasan": "Berkas keliru: draf kabupaten lain"})
    assert r.status_code == 302
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "Dokumen ditarik; berkas dan hash-nya tetap tersimpan." in page
    row = _row_of(page, "draf-salah.pdf")
    digest = hashlib.sha256(data).hexdigest()
    assert "<s>" in row and "ditarik" in row and "Berkas keliru: draf kabupaten lain" in row and digest in row
    assert "final</span>" not in row and "tandai final" not in row and "Tarik dokumen" not in row
    stored = Path(app.config["UPLOAD_DIR"]) / "pks" / doc.stored_name
    assert stored.read_bytes() == data and solok.get(f"/pks/dokumen/{doc.id}/unduh").data == data
    story = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert f"Versi draf v2 (draf-salah.pdf) ditarik (SHA-256 {digest[:12]}…): Berkas keliru" in story
    assert digest in story  # the upload itself, with its full hash, stays in the history
    with app.app_context():
        assert db.session.get(Document, doc.id).is_final is False
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_id == str(doc.id), AuditEvent.summary.like("%ditarik%")
            )
        )
    assert _upload(solok, aid, real_pdf("tiga"), "draf-baru.pdf").status_code == 302
    assert "Versi draf v3" in _row_of(
        solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True), "draf-baru.pdf"
    )
    again = solok.post(action, data={"version": version, "alasan": "dua kali"})  # a double tap
    assert again.status_code == 303 and "sudah tersimpan" in solok.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_a_withdrawn_scan_no_longer_counts_as_the_signed_text(app, solok, ids):
    aid = ids["ksb"]  # signed and locked: one signed scan at most
    assert _upload(solok, aid, real_pdf("scan keliru"), "scan-keliru.pdf", kind="ttd").status_code == 302
    assert _upload(solok, aid, real_pdf("scan benar"), "scan-benar.pdf", kind="ttd").status_code == 422
    doc = _doc(app, aid, "scan-keliru.pdf")
    r = solok.post(
        f"/pks/{aid}/dokumen/{doc.id}/tarik",
        data={"version": str(doc.version), "alasan": "Halaman 3 terlewat"},
    )
    assert r.status_code == 302
    assert _upload(solok, aid, real_pdf("scan benar"), "scan-benar.pdf", kind="ttd").status_code == 302


def test_a_draft_of_a_signed_text_is_not_withdrawn(app, solok, ids):
    aid = ids["ksb"]
    with app.app_context():
        db.session.add(
            Document(
                agreement_id=aid,
                kind="draf",
                versi=1,
                filename="draf-ksb.pdf",
                stored_name="uji-draf-ksb.pdf",
                mime="application/pdf",
                size=10,
                sha256="0" * 64,
            )
        )
        db.session.commit()
    doc = _doc(app, aid, "draf-ksb.pdf")
    page = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    assert "Tarik dokumen" not in _row_of(page, "draf-ksb.pdf")
    r = solok.post(f"/pks/{aid}/dokumen/{doc.id}/tarik", data={"version": str(doc.version), "alasan": "uji"})
    assert r.status_code == 422 and "tidak dapat ditarik" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, doc.id).withdrawn_at is None


def test_a_withdrawal_on_an_old_version_gets_the_conflict_page(app, solok, sijunjung, ids):
    aid = ids["pks1"]
    _upload(solok, aid, real_pdf("satu"), "draf-v1.pdf")
    doc = _doc(app, aid, "draf-v1.pdf")
    assert (
        sijunjung.post(f"/pks/{aid}/dokumen/{doc.id}/final", data={"version": str(doc.version)}).status_code
        == 302
    )
    r = solok.post(
        f"/pks/{aid}/dokumen/{doc.id}/tarik", data={"version": str(doc.version), "alasan": "keliru"}
    )
    assert r.status_code == 409
    with app.app_context():
        assert db.session.get(Document, doc.id).withdrawn_at is None


def test_withdraw_and_final_stay_in_scope(app, solok, ids):
    _upload(solok, ids["pks1"], real_pdf("satu"), "draf-v1.pdf")
    doc = _doc(app, ids["pks1"], "draf-v1.pdf")
    other = f"/pks/{ids['pks2']}/dokumen/{doc.id}"  # the document under another agreement's address
    assert solok.post(other + "/tarik", data={"version": "1", "alasan": "uji"}).status_code == 404
    assert solok.post(other + "/final", data={"version": "1"}).status_code == 404
    assert solok.post(f"/pks/{ids['pks1']}/dokumen/999999/tarik", data={"version": "1"}).status_code == 404
