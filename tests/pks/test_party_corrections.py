"""Correcting parties, signatories and numbers: edit (with the version) and delete (with a reason) before
signing, each in the agreement's history and the audit log; after signing only a "koreksi" of facts, with a
reason, old -> new in the history."""

import gzip
import re

from sqlalchemy import func, select

from blueprints.auth.models import Organisation
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, DocNumber, Party, Signatory

from .conftest import key, make_signable, regency_id, version_of


def _solok_party(app, agreement_id, nth=0) -> int:
    sol = regency_id(app, "13.02")
    with app.app_context():
        a = db.session.get(Agreement, agreement_id)
        return [p.id for p in a.parties if p.regency_id == sol][nth]


def _history(client, agreement_id) -> str:
    return client.get(f"/pks/{agreement_id}").get_data(as_text=True)


def _audited(app, action, object_type, object_id) -> bool:
    with app.app_context():
        return bool(
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == action,
                    AuditEvent.object_type == object_type,
                    AuditEvent.object_id == str(object_id),
                )
            )
        )


def _add_signatory(client, agreement_id, party_id, nama="Drs. Yuniarto", **extra):
    return client.post(
        f"/pks/{agreement_id}/pihak",
        data={
            **key("s"),
            "bagian": "penandatangan",
            "s-party_id": party_id,
            "s-nama": nama,
            "s-jabatan": "Kepala Dinas Sosial",
            **extra,
        },
    )


def _signatory_id(app, party_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Signatory.id)).where(Signatory.party_id == party_id))


def test_a_signatory_saved_without_a_surat_kuasa_is_completed(app, solok, ids):
    aid, party = ids["pks1"], _solok_party(app, ids["pks1"])
    assert _add_signatory(solok, aid, party).status_code == 302
    page = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert "Drs. Yuniarto, Kepala Dinas Sosial" in page and "surat kuasa belum dicatat" in page
    sid = _signatory_id(app, party)
    edit_url = f"/pks/{aid}/penandatangan/{sid}"
    assert f'href="{edit_url}"' in page
    form = solok.get(edit_url)
    assert form.status_code == 200 and 'value="Drs. Yuniarto"' in form.text
    assert len(gzip.compress(form.data)) < 5000
    done = solok.post(
        edit_url,
        data={
            "version": version_of(app, Signatory, sid),
            "nama": "Drs. Yuniarto",
            "jabatan": "Kepala Dinas Sosial",
            "kuasa_nomor": "180/12/SK-2024",
            "kuasa_tanggal": "2024-09-02",
        },
        follow_redirects=True,
    )
    assert "Penandatangan diperbarui." in done.text
    assert "surat kuasa 180/12/SK-2024 2 September 2024" in done.text
    history = _history(solok, aid)
    assert "nomor surat kuasa: — → 180/12/SK-2024; tanggal surat kuasa: — → 2 September 2024" in history
    assert _audited(app, "update", "pks_signatory", sid)


def test_a_stale_edit_gets_the_conflict_page_and_a_repeat_changes_nothing(app, solok, ids):
    aid, party = ids["pks1"], _solok_party(app, ids["pks1"])
    _add_signatory(solok, aid, party)
    sid = _signatory_id(app, party)
    first = version_of(app, Signatory, sid)
    typed = {"version": first, "nama": "Drs. Yuniarto, M.Si", "jabatan": "Kepala Dinas Sosial"}
    assert solok.post(f"/pks/{aid}/penandatangan/{sid}", data=typed).status_code == 302
    again = solok.post(f"/pks/{aid}/penandatangan/{sid}", data=typed, follow_redirects=True)
    assert again.status_code == 200 and "sudah tersimpan" in again.text
    stale = solok.post(f"/pks/{aid}/penandatangan/{sid}", data={**typed, "nama": "Yuniarto"})
    assert stale.status_code == 409
    assert "Drs. Yuniarto, M.Si" in stale.text and "Yuniarto" in stale.text
    with app.app_context():
        assert db.session.get(Signatory, sid).nama == "Drs. Yuniarto, M.Si"


def test_deleting_a_signatory_needs_a_reason_kept_in_the_history(app, solok, ids):
    aid, party = ids["pks1"], _solok_party(app, ids["pks1"])
    _add_signatory(solok, aid, party, nama="Uji Format")
    sid = _signatory_id(app, party)
    v = version_of(app, Signatory, sid)
    no_reason = solok.post(f"/pks/{aid}/penandatangan/{sid}/hapus", data={"version": v, "d-alasan": "  "})
    assert no_reason.status_code == 422 and "Alasan wajib diisi." in no_reason.text
    assert 'value="Uji Format"' in no_reason.text  # the record's form stays as stored
    gone = solok.post(
        f"/pks/{aid}/penandatangan/{sid}/hapus",
        data={"version": v, "d-alasan": "Salah input"},
        follow_redirects=True,
    )
    assert "Penandatangan dihapus." in gone.text and "Uji Format" not in gone.text.split("<h1>")[1]
    with app.app_context():
        assert db.session.get(Signatory, sid) is None
    assert "Penandatangan dihapus: Uji Format, Kepala Dinas Sosial. Alasan: Salah input" in _history(
        solok, aid
    )
    assert _audited(app, "delete", "pks_signatory", sid)


def test_a_number_is_edited_and_deleted_before_signing(app, solok, ids):
    aid, party = ids["pks1"], _solok_party(app, ids["pks1"])
    solok.post(
        f"/pks/{aid}/pihak",
        data={**key("n"), "bagian": "nomor", "n-party_id": party, "n-nomor": "12/PKS-SLK/2O24"},
    )
    with app.app_context():
        nid = db.session.scalar(select(DocNumber.id).where(DocNumber.party_id == party))
    assert f'href="/pks/{aid}/nomor/{nid}"' in solok.get(f"/pks/{aid}/pihak").text
    fixed = solok.post(
        f"/pks/{aid}/nomor/{nid}",
        data={
            "version": version_of(app, DocNumber, nid),
            "nomor": "12/PKS-SLK/2024",
            "tanggal": "2024-09-10",
        },
        follow_redirects=True,
    )
    assert "Nomor diperbarui." in fixed.text and "12/PKS-SLK/2024" in fixed.text
    assert "nomor: 12/PKS-SLK/2O24 → 12/PKS-SLK/2024; tanggal: — → 10 September 2024" in _history(solok, aid)
    v = version_of(app, DocNumber, nid)
    solok.post(f"/pks/{aid}/nomor/{nid}/hapus", data={"version": v, "d-alasan": "Nomor belum terbit"})
    with app.app_context():
        assert db.session.get(DocNumber, nid) is None
    assert "dihapus: 12/PKS-SLK/2024. Alasan: Nomor belum terbit" in _history(solok, aid)
    assert _audited(app, "delete", "pks_doc_number", nid)


def test_deleting_a_party_takes_its_signatories_and_number_with_it(app, solok, ids):
    aid = ids["pks1"]
    party = _solok_party(app, aid, nth=1)  # Solok's second party (its Dinas Kominfo)
    _add_signatory(solok, aid, party, nama="Kepala Kominfo", **{"s-is_bupati": ""})
    solok.post(
        f"/pks/{aid}/pihak", data={**key("n"), "bagian": "nomor", "n-party_id": party, "n-nomor": "77/PKS"}
    )
    page = solok.get(f"/pks/{aid}/pihak/{party}")
    assert page.status_code == 200 and "Hapus" in page.text
    v = version_of(app, Party, party)
    done = solok.post(
        f"/pks/{aid}/pihak/{party}/hapus", data={"version": v, "d-alasan": "Kominfo tidak ikut"}
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Party, party) is None
        assert db.session.scalar(select(func.count(Signatory.id)).where(Signatory.party_id == party)) == 0
        assert db.session.scalar(select(func.count(DocNumber.id)).where(DocNumber.party_id == party)) == 0
    history = _history(solok, aid)
    assert "beserta penandatangan Kepala Kominfo, nomor 77/PKS. Alasan: Kominfo tidak ikut" in history
    assert _audited(app, "delete", "pks_party", party)


def _new_ksb(client) -> int:
    r = client.post("/pks/baru", data={**key(), "jenis": "KSB", "judul": "KSB Kota Solok"})
    assert r.status_code == 302, r.text
    return int(re.search(r"/pks/(\d+)", r.headers["Location"]).group(1))


def test_the_creators_office_is_not_made_a_party_and_the_first_party_can_be_corrected(app, solok):
    aid = _new_ksb(solok)
    page = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert "Pemkab Solok" in page and "Bagian Kerjasama" not in page.split("<h1>")[1].split("Tambah pihak")[0]
    party = _solok_party(app, aid)
    # the regency's only party cannot go: the regency would no longer see the agreement
    v = version_of(app, Party, party)
    refused = solok.post(f"/pks/{aid}/pihak/{party}/hapus", data={"version": v, "d-alasan": "Salah"})
    assert refused.status_code == 422 and "satu-satunya pihak Kabupaten Solok" in refused.text
    with app.app_context():
        bappeda = db.session.scalar(
            select(Organisation.id).where(
                Organisation.regency_id == regency_id(app, "13.02"), Organisation.facility_level.is_(None)
            )
        )
        org_name = db.session.get(Organisation, bappeda).name
    done = solok.post(
        f"/pks/{aid}/pihak/{party}",
        data={
            "version": version_of(app, Party, party),
            "regency_id": regency_id(app, "13.02"),
            "organisation_id": bappeda,
            "urutan": "2",
            "menandatangani": "y",
        },
        follow_redirects=True,
    )
    assert "Perubahan pihak disimpan." in done.text and org_name in done.text
    assert f"kedudukan: Pihak kesatu → Pihak kedua; OPD: — → {org_name}" in _history(solok, aid)


def test_one_party_per_position_and_no_party_twice_also_on_edit(app, solok, ids):
    aid = ids["pks1"]
    party = _solok_party(app, aid)
    with app.app_context():
        p = db.session.get(Party, party)
        org = p.organisation_id
    base = {
        "version": version_of(app, Party, party),
        "regency_id": regency_id(app, "13.02"),
        "menandatangani": "y",
    }
    taken = solok.post(f"/pks/{aid}/pihak/{party}", data={**base, "organisation_id": org, "urutan": "1"})
    assert taken.status_code == 422 and "Pihak kesatu sudah diisi oleh" in taken.text
    other = _solok_party(app, aid, nth=1)
    with app.app_context():
        other_org = db.session.get(Party, other).organisation_id
    twice = solok.post(
        f"/pks/{aid}/pihak/{party}", data={**base, "organisation_id": other_org, "urutan": "6"}
    )
    assert twice.status_code == 422 and "sudah menjadi pihak kesepakatan ini (Pihak keempat)" in twice.text
    moved = solok.post(f"/pks/{aid}/pihak/{party}", data={**base, "regency_id": "0", "urutan": "6"})
    assert moved.status_code == 422 and "Daerah pihak tidak dapat diubah" in moved.text
    with app.app_context():
        assert db.session.get(Party, party).urutan == 2


def _signed(app, ids) -> int:
    """PKS 2 signed with Solok's and Sijunjung's numbers and signatories (set up as stored)."""
    with app.app_context():
        a = make_signable(db.session.get(Agreement, ids["pks2"]))
        a.tahap = "ditandatangani"
        a.tgl_ttd = a.tgl_mulai = a.tahap_sejak
        db.session.commit()
    return ids["pks2"]


def test_after_signing_only_a_koreksi_of_facts_with_a_reason(app, solok, ids):
    aid = _signed(app, ids)
    party = _solok_party(app, aid)
    sid = _signatory_id(app, party)
    with app.app_context():
        row = db.session.get(Signatory, sid)
        old_name = row.nama
        nid = db.session.scalar(select(DocNumber.id).where(DocNumber.party_id == party))
        old_number = db.session.get(DocNumber, nid).nomor
    page = solok.get(f"/pks/{aid}/pihak").get_data(as_text=True)
    assert "Koreksi" in page and f"/pks/{aid}/pihak/{party}" not in page and "Tambah pihak" not in page
    form = solok.get(f"/pks/{aid}/penandatangan/{sid}")
    assert "Simpan koreksi" in form.text and "Hapus" not in form.text.split("</form>")[1]
    typed = {
        "version": version_of(app, Signatory, sid),
        "nama": old_name + " S.Sos",
        "jabatan": "Kepala Dinas",
    }
    typed |= {"kuasa_nomor": "SK-1", "kuasa_tanggal": "2024-09-01"}
    no_reason = solok.post(f"/pks/{aid}/penandatangan/{sid}", data=typed)
    assert no_reason.status_code == 422 and "Alasan koreksi wajib diisi" in no_reason.text
    content = solok.post(f"/pks/{aid}/penandatangan/{sid}", data={**typed, "is_bupati": "y", "alasan": "x"})
    assert content.status_code == 422 and "perubahan isi melalui adendum" in content.text
    done = solok.post(
        f"/pks/{aid}/penandatangan/{sid}",
        data={**typed, "alasan": "Salah ketik gelar"},
        follow_redirects=True,
    )
    assert "Koreksi dicatat." in done.text
    number = solok.post(
        f"/pks/{aid}/nomor/{nid}",
        data={
            "version": version_of(app, DocNumber, nid),
            "nomor": old_number + "-A",
            "alasan": "Salah ketik",
        },
    )
    assert number.status_code == 302
    history = _history(solok, aid)
    assert f"dikoreksi: nama: {old_name} → {old_name} S.Sos. Alasan: Salah ketik gelar" in history
    assert f"nomor: {old_number} → {old_number}-A" in history and "Koreksi" in history
    # no delete and no party edit after signing
    gone = solok.post(f"/pks/{aid}/penandatangan/{sid}/hapus", data={"d-alasan": "Salah"})
    assert gone.status_code == 422 and "terkunci" in gone.text
    assert solok.get(f"/pks/{aid}/pihak/{party}").status_code == 302
    with app.app_context():
        assert db.session.get(Signatory, sid) is not None
        assert db.session.get(Party, party) is not None


def test_a_double_tap_on_a_party_edit_is_no_conflict(app, solok, ids):
    aid, party = ids["pks1"], _solok_party(app, ids["pks1"])
    with app.app_context():
        org = db.session.get(Party, party).organisation_id
    typed = {
        "version": version_of(app, Party, party),
        "regency_id": regency_id(app, "13.02"),
        "organisation_id": org,
        "urutan": "2",
        "peran": "Pengadopsi SIDILAN",
        "menandatangani": "y",
    }
    assert solok.post(f"/pks/{aid}/pihak/{party}", data=typed).status_code == 302
    again = solok.post(f"/pks/{aid}/pihak/{party}", data=typed, follow_redirects=True)
    assert again.status_code == 200 and "sudah tersimpan" in again.text
    stale = solok.post(f"/pks/{aid}/pihak/{party}", data={**typed, "peran": "Pengguna"})
    assert stale.status_code == 409 and "Pengadopsi SIDILAN" in stale.text and "Pengguna" in stale.text
    assert "peran: Pengadopsi → Pengadopsi SIDILAN" in _history(solok, aid)


def test_a_delete_from_a_page_showing_an_older_version_gets_the_conflict_page(app, solok, ids):
    """A signatory, a number and a party changed since their page was opened are not deleted silently: the
    conflict page (409), the record stays; deleting on the version shown now goes through."""
    aid = ids["pks1"]
    party = _solok_party(app, aid, nth=1)
    _add_signatory(solok, aid, party, nama="Kepala Kominfo")
    sid = _signatory_id(app, party)
    solok.post(
        f"/pks/{aid}/pihak", data={**key("n"), "bagian": "nomor", "n-party_id": party, "n-nomor": "77/PKS"}
    )
    with app.app_context():
        nid = db.session.scalar(select(DocNumber.id).where(DocNumber.party_id == party))
    page = solok.get(f"/pks/{aid}/penandatangan/{sid}").text
    shown = version_of(app, Signatory, sid)
    assert f'id="d-version" name="version" type="hidden" value="{shown}"' in page
    edits = {
        f"/pks/{aid}/penandatangan/{sid}": (
            Signatory,
            sid,
            {"nama": "Kepala Kominfo Baru", "jabatan": "Kepala Dinas Sosial"},
        ),
        f"/pks/{aid}/nomor/{nid}": (DocNumber, nid, {"nomor": "78/PKS"}),
    }
    for url, (model, row_id, typed) in edits.items():
        old = version_of(app, model, row_id)
        assert solok.post(url, data={"version": old, **typed}).status_code == 302  # another tab saved
        stale = solok.post(url + "/hapus", data={"version": old, "d-alasan": "Salah input"})
        assert stale.status_code == 409 and "Data sudah diubah pengguna lain" in stale.text
        with app.app_context():
            assert db.session.get(model, row_id) is not None
        again = solok.post(
            url + "/hapus", data={"version": version_of(app, model, row_id), "d-alasan": "Salah input"}
        )
        assert again.status_code == 302
        with app.app_context():
            assert db.session.get(model, row_id) is None
    with app.app_context():
        org = db.session.get(Party, party).organisation_id
    old = version_of(app, Party, party)
    changed = solok.post(
        f"/pks/{aid}/pihak/{party}",
        data={
            "version": old,
            "regency_id": regency_id(app, "13.02"),
            "organisation_id": org,
            "urutan": "4",
            "peran": "Dukungan jaringan",
            "menandatangani": "y",
        },
    )
    assert changed.status_code == 302
    stale = solok.post(f"/pks/{aid}/pihak/{party}/hapus", data={"version": old, "d-alasan": "Tidak ikut"})
    assert stale.status_code == 409
    missing = solok.post(f"/pks/{aid}/pihak/{party}/hapus", data={"d-alasan": "Tidak ikut"})
    assert missing.status_code == 409  # a post without the version is no silent delete either
    with app.app_context():
        assert db.session.get(Party, party) is not None
    assert "Pihak dihapus" not in _history(solok, aid)
