"""The initiator of an agreement: a regency of the app and an OPD chosen from that regency's organisation list
(grouped by regency without JavaScript, the pair checked by the server), corrected on the edit form before
signing and logged field by field; and a signed agreement registered after the fact with the scan of its signed
text in the same POST."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from blueprints.auth.models import Organisation
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Document
from tests.clock import TODAY

from .conftest import key, real_pdf, regency_id, version_of

PDF = real_pdf("Naskah PKS bertanda tangan")
TITLE = "PKS Pengembangan SDM aparatur"


def _org(app, name) -> int:
    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def _new(app, ids, **fields) -> dict:
    return {
        **key(),
        "jenis": "PKS",
        "parent_id": str(ids["ksb"]),
        "judul": TITLE,
        "scope_item_id": "0",
        "pemrakarsa_regency_id": str(regency_id(app, "13.02")),
        "pemrakarsa_organisation_id": "0",
        **fields,
    }


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _edit(app, aid, **changes) -> dict:
    with app.app_context():
        a = db.session.get(Agreement, aid)
        return {
            "version": str(a.version),
            "judul": a.judul,
            "objek": a.objek,
            "urusan": a.urusan,
            "klausul": a.klausul,
            "kategori": a.kategori or "",
            "rujukan_rpjmd": a.rujukan_rpjmd,
            "scope_item_id": str(a.scope_item.id if a.scope_item else 0),
            "dprd_perlu": {True: "ya", False: "tidak"}.get(a.dprd_perlu, ""),
            "dprd_alasan": a.dprd_alasan,
            "pemrakarsa_regency_id": str(a.pemrakarsa_regency_id or 0),
            "pemrakarsa_organisation_id": str(a.pemrakarsa_organisation_id or 0),
            **changes,
        }


# ---- the initiating OPD from the list --------------------------------------------------------------------


def test_the_new_form_lists_each_regencys_offices_under_its_name(solok):
    page = solok.get("/pks/baru").get_data(as_text=True)
    select_html = page.split('name="pemrakarsa_organisation_id"')[1].split("</select>")[0]
    solok_group = select_html.split('<optgroup label="Kabupaten Solok">')[1].split("</optgroup>")[0]
    sijunjung_group = select_html.split('<optgroup label="Kabupaten Sijunjung">')[1].split("</optgroup>")[0]
    assert "Dinas Sosial Kabupaten Solok" in solok_group and "Sijunjung" not in solok_group
    assert "Dinas Sosial Kabupaten Sijunjung" in sijunjung_group
    assert "— tanpa OPD (pemerintah kabupaten) —" in select_html
    assert 'enctype="multipart/form-data"' in page


def test_an_agreement_is_created_with_its_initiating_opd(app, solok, ids):
    dinsos = _org(app, "Dinas Sosial Kabupaten Solok")
    r = solok.post("/pks/baru", data=_new(app, ids, pemrakarsa_organisation_id=str(dinsos)))
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "<dt>Pemrakarsa</dt><dd>Dinas Sosial Kabupaten Solok (Kabupaten Solok)</dd>" in page
    with app.app_context():
        a = db.session.scalar(select(Agreement).where(Agreement.judul == TITLE))
        assert (a.pemrakarsa_organisation_id, a.pemrakarsa_opd) == (dinsos, "")


def test_an_opd_of_another_regency_is_refused_next_to_the_field(app, solok, ids):
    other = _org(app, "Dinas Sosial Kabupaten Sijunjung")
    before = _count(app, Agreement)
    r = solok.post("/pks/baru", data=_new(app, ids, pemrakarsa_organisation_id=str(other)))
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    field = body.split('name="pemrakarsa_organisation_id"')[1].split("</label>")[0]
    assert "Dinas Sosial Kabupaten Sijunjung adalah OPD Kabupaten Sijunjung, bukan Kabupaten Solok." in field
    assert f'value="{TITLE}"' in body and f'selected value="{other}"' in field  # what was typed stays
    assert _count(app, Agreement) == before
    # the same on the edit form: nothing changes
    aid = ids["pks1"]
    r = solok.post(f"/pks/{aid}/ubah", data=_edit(app, aid, pemrakarsa_organisation_id=str(other)))
    assert r.status_code == 422 and "bukan Kabupaten Solok" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, aid).pemrakarsa_organisation_id is None


def test_a_facility_or_unknown_id_is_not_an_initiating_opd(app, solok, ids):
    with app.app_context():
        facility = db.session.scalar(
            select(Organisation.id).where(Organisation.facility_level.is_not(None)).limit(1)
        )
    for bad in (str(facility), "999999", "-1"):
        r = solok.post("/pks/baru", data=_new(app, ids, pemrakarsa_organisation_id=bad))
        assert r.status_code == 422 and "Pilih OPD pemrakarsa dari daftar organisasi." in r.get_data(
            as_text=True
        )
    assert _count(app, Agreement, Agreement.judul == TITLE) == 0


def test_the_initiator_is_changed_before_signing_and_logged_field_by_field(app, solok, ids):
    aid = ids["pks1"]  # the demo's, recorded with the initiating OPD in free text
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert (
        "<dd>Bagian Kerjasama Setda Kabupaten Solok (Kabupaten Solok)</dd>" in page
    )  # the old text is shown
    form = solok.get(f"/pks/{aid}/ubah").get_data(as_text=True)
    assert "— tercatat sebagai isian bebas: Bagian Kerjasama Setda Kabupaten Solok —" in form
    dinkes = _org(app, "Dinas Kesehatan Kabupaten Sijunjung")
    r = solok.post(
        f"/pks/{aid}/ubah",
        data=_edit(
            app,
            aid,
            pemrakarsa_regency_id=str(regency_id(app, "13.03")),
            pemrakarsa_organisation_id=str(dinkes),
        ),
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "<dd>Dinas Kesehatan Kabupaten Sijunjung (Kabupaten Sijunjung)</dd>" in page
    assert "Daerah pemrakarsa: Kabupaten Solok → Kabupaten Sijunjung" in page
    assert (
        "OPD pemrakarsa: — tercatat sebagai isian bebas: Bagian Kerjasama Setda Kabupaten Solok — → "
        "Dinas Kesehatan Kabupaten Sijunjung"
    ) in page
    assert "Judul:" not in page  # only what changed is in the history
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.pemrakarsa_regency_id, a.pemrakarsa_organisation_id) == (regency_id(app, "13.03"), dinkes)
        assert a.pemrakarsa_opd == ""  # the chosen OPD replaces the free text
    # a stale save shows both initiators on the conflict page
    stale = solok.post(
        f"/pks/{aid}/ubah",
        data={**_edit(app, aid, pemrakarsa_organisation_id="0"), "version": "1"},
    )
    assert stale.status_code == 409
    assert "Dinas Kesehatan Kabupaten Sijunjung" in stale.get_data(as_text=True)


def test_after_signing_the_edit_form_does_not_change_the_initiator(app, solok, ids):
    r = solok.post(
        "/pks/baru",
        data=_new(app, ids, tahap="ditandatangani", tgl_ttd="2024-02-10", tempat_ttd="Arosuka"),
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        aid = db.session.scalar(select(Agreement.id).where(Agreement.judul == TITLE))
    form = solok.get(f"/pks/{aid}/ubah").get_data(as_text=True)  # still open: registered after the fact
    assert 'name="pemrakarsa_regency_id"' not in form
    assert "Tidak dapat diubah setelah naskah ditandatangani" in form
    dinkes = _org(app, "Dinas Kesehatan Kabupaten Sijunjung")
    data = _edit(
        app, aid, pemrakarsa_regency_id=str(regency_id(app, "13.03")), pemrakarsa_organisation_id=str(dinkes)
    )
    r = solok.post(f"/pks/{aid}/ubah", data={**data, "objek": "Pengembangan SDM"})
    assert r.status_code == 302
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.pemrakarsa_regency_id, a.pemrakarsa_organisation_id) == (regency_id(app, "13.02"), None)
        assert a.objek == "Pengembangan SDM"
    assert version_of(app, Agreement, aid) > 1


# ---- a signed agreement registered with its scan ---------------------------------------------------------


def _signed(app, ids, scan, name="pks-ttd.pdf", **fields):
    return {
        **_new(
            app,
            ids,
            **{"tahap": "ditandatangani", "tgl_ttd": "2024-02-10", "tempat_ttd": "Arosuka", **fields},
        ),
        "scan_ttd": (io.BytesIO(scan), name),
    }


def test_a_signed_registration_stores_its_scan_as_the_documents_page_does(app, solok, ids):
    data = _signed(app, ids, PDF)
    r = solok.post("/pks/baru", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    digest = hashlib.sha256(PDF).hexdigest()
    with app.app_context():
        aid = db.session.scalar(select(Agreement.id).where(Agreement.judul == TITLE))
        doc = db.session.scalar(select(Document).where(Document.agreement_id == aid))
        assert (doc.kind, doc.versi, doc.sha256, doc.filename) == ("ttd", 1, digest, "pks-ttd.pdf")
        did = doc.id
    page = solok.get(f"/pks/{aid}", follow_redirects=True).get_data(as_text=True)
    assert f"SHA-256: {digest}" in page  # the message after saving
    docs = solok.get(f"/pks/{aid}/dokumen").get_data(as_text=True)
    assert digest in docs and "pks-ttd.pdf" in docs
    download = solok.get(f"/pks/dokumen/{did}/unduh")
    assert download.status_code == 200 and download.data == PDF
    # the same submission key again (a double tap, a reload) stores no second record and no second file
    files = len(list((Path(app.config["UPLOAD_DIR"]) / "pks").iterdir()))
    again = solok.post("/pks/baru", data={**data, "scan_ttd": (io.BytesIO(PDF), "pks-ttd.pdf")})
    assert again.status_code in (302, 303)
    assert _count(app, Document, Document.sha256 == digest) == 1
    assert _count(app, Agreement, Agreement.judul == TITLE) == 1
    assert len(list((Path(app.config["UPLOAD_DIR"]) / "pks").iterdir())) == files


def test_a_bad_scan_keeps_the_typed_form_and_asks_for_the_file_again(app, solok, ids):
    docs, agreements = _count(app, Document), _count(app, Agreement)
    for scan, name, reason in (
        (b"bukan pdf", "pks-ttd.pdf", "Isi berkas tidak sesuai dengan ekstensi .pdf"),
        (PDF, "pks-ttd.exe", "Jenis berkas tidak diizinkan"),
    ):
        r = solok.post("/pks/baru", data=_signed(app, ids, scan, name), content_type="multipart/form-data")
        body = r.get_data(as_text=True)
        assert r.status_code == 422
        field = body.split('name="scan_ttd"')[1].split("</label>")[0]
        assert reason in field and "Pilih berkas scan lagi" in field
        assert f'value="{TITLE}"' in body and 'value="2024-02-10"' in body and 'value="Arosuka"' in body
    # a good file on a form refused for another reason (by a field, by the use case) must be chosen again too
    r = solok.post("/pks/baru", data=_signed(app, ids, PDF, judul=""), content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Judul wajib diisi." in body
    assert "Pilih berkas scan lagi" in body.split('name="scan_ttd"')[1].split("</label>")[0]
    r = solok.post(
        "/pks/baru",
        data=_signed(app, ids, PDF, tgl_ttd=(TODAY + timedelta(days=3)).isoformat()),
        content_type="multipart/form-data",
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "tidak boleh di masa depan" in body
    assert "Pilih berkas scan lagi" in body.split('name="scan_ttd"')[1].split("</label>")[0]
    # a scan of a text not yet signed belongs on the documents page
    data = {**_new(app, ids), "scan_ttd": (io.BytesIO(PDF), "draf.pdf")}
    r = solok.post("/pks/baru", data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "hanya untuk kesepakatan yang sudah ditandatangani" in r.get_data(
        as_text=True
    )
    assert (_count(app, Document), _count(app, Agreement)) == (docs, agreements)


# ---- the initiator is one of the parties -------------------------------------------------------------------


def _sijunjung_becomes_an_outside_partner(app, aid) -> None:
    """PKS 1 without Kabupaten Sijunjung as a party: its party row becomes an outside partner."""
    from blueprints.pks.models import Party

    with app.app_context():
        for p in db.session.scalars(
            select(Party).where(Party.agreement_id == aid, Party.regency_id == regency_id(app, "13.03"))
        ):
            p.regency_id, p.organisation_id, p.mitra_nama, p.mitra_jenis = (
                None,
                None,
                f"Universitas {p.id}",
                "pt",
            )
        db.session.commit()


def test_the_edit_form_offers_only_regencies_that_are_parties(app, solok, ids):
    aid = ids["pks1"]
    form = solok.get(f"/pks/{aid}/ubah").get_data(as_text=True)
    offered = form.split('name="pemrakarsa_regency_id"')[1].split("</select>")[0]
    assert "Kabupaten Sijunjung" in offered  # a party
    _sijunjung_becomes_an_outside_partner(app, aid)
    form = solok.get(f"/pks/{aid}/ubah").get_data(as_text=True)
    offered = form.split('name="pemrakarsa_regency_id"')[1].split("</select>")[0]
    assert "Kabupaten Solok" in offered and "Kabupaten Sijunjung" not in offered
    opds = form.split('name="pemrakarsa_organisation_id"')[1].split("</select>")[0]
    assert "Dinas Kesehatan Kabupaten Solok" in opds and "Kabupaten Sijunjung" not in opds


def test_a_regency_that_is_not_a_party_is_refused_next_to_the_field(app, solok, ids):
    aid = ids["pks1"]
    _sijunjung_becomes_an_outside_partner(app, aid)
    data = _edit(
        app,
        aid,
        judul="Judul yang diketik",
        pemrakarsa_regency_id=str(regency_id(app, "13.03")),
        pemrakarsa_organisation_id=str(_org(app, "Dinas Kesehatan Kabupaten Sijunjung")),
    )
    r = solok.post(f"/pks/{aid}/ubah", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    field = body.split('name="pemrakarsa_regency_id"')[1].split("</label>")[0]
    assert "Daerah pemrakarsa harus salah satu daerah yang menjadi pihak kesepakatan ini" in field
    assert 'value="Judul yang diketik"' in body  # what was typed stays
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.pemrakarsa_regency_id == regency_id(app, "13.02") and a.judul != "Judul yang diketik"


def test_a_current_initiator_that_is_not_a_party_still_saves_unchanged(app, solok, ids):
    """An older record whose initiator is no party (the edit form once took any regency) saves as it is."""
    aid = ids["pks1"]
    _sijunjung_becomes_an_outside_partner(app, aid)
    with app.app_context():
        db.session.get(Agreement, aid).pemrakarsa_regency_id = regency_id(app, "13.03")
        db.session.commit()
    r = solok.post(f"/pks/{aid}/ubah", data=_edit(app, aid, objek="Pengembangan SDM aparatur"))
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert (a.pemrakarsa_regency_id, a.objek) == (regency_id(app, "13.03"), "Pengembangan SDM aparatur")
