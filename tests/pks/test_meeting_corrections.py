"""A clerk corrects the minutes of a meeting: attendees, decisions and action items are edited on the version
shown or deleted with a reason (both kept in the agreements' history and in the audit log), the notulen is typed
on the meeting, and files are attached from the meeting page. Once every agreement the meeting discussed is
signed, a meeting held before the signing keeps its attendees, decisions and notulen; its action items may still
change owner and due date (implementation work)."""

import gzip
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import (
    ActionItem,
    Agreement,
    Attendee,
    Decision,
    Document,
    Meeting,
    MeetingDocument,
)
from tests.clock import TODAY

from .conftest import key, real_pdf, version_of
from .conftest import meeting_history as _history

DEMO_DAY = date(2024, 8, 29)


def _meeting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Meeting.id).where(Meeting.tanggal == DEMO_DAY))


def _first(app, model, mid) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).where(model.meeting_id == mid).order_by(model.id))


def _sign_both(app, ids, on: date):
    with app.app_context():
        for aid in (ids["pks1"], ids["pks2"]):
            a = db.session.get(Agreement, aid)
            a.tahap, a.tgl_ttd = "ditandatangani", on
        db.session.commit()


def test_an_attendee_is_corrected_and_the_history_says_what_changed(app, ids, solok):
    mid = _meeting(app)
    pid = _first(app, Attendee, mid)
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    edit_url = f"/pks/rapat/{mid}/peserta/{pid}/ubah"
    assert edit_url in page
    form = solok.get(edit_url).get_data(as_text=True)
    assert "Safrudin, S.Sos, M.Si" in form and "Alasan penghapusan" in form

    r = solok.post(
        edit_url,
        data={
            "version": version_of(app, Attendee, pid),
            "nama": "Safrudin, S.Sos., M.Si.",
            "jabatan": "Staf Ahli Bidang Pemerintahan, Hukum dan Politik",
            "opd": "Setda Kabupaten Solok",
            "regency_id": 0,
            "keterangan": "memimpin rapat",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pks/rapat/{mid}")
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "Peserta diperbarui." in page and "Safrudin, S.Sos., M.Si." in page
    for aid in (ids["pks1"], ids["pks2"]):  # the meeting discussed both
        (line,) = _history(app, aid)
        assert "Peserta diubah" in line and "Nama: Safrudin, S.Sos, M.Si → Safrudin, S.Sos., M.Si." in line
        assert "Daerah: Solok → —" in line
    detail = solok.get(f"/pks/{ids['pks1']}").get_data(as_text=True)
    assert "Peserta diubah" in detail
    with app.app_context():
        ev = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "pks_attendee"))
        assert ev.action == "update" and "nama" in ev.summary and "Safrudin" not in ev.summary


def test_a_stale_edit_gets_the_conflict_page_and_changes_nothing(app, solok):
    mid = _meeting(app)
    did = _first(app, Decision, mid)
    url = f"/pks/rapat/{mid}/keputusan/{did}/ubah"
    v = version_of(app, Decision, did)
    assert (
        solok.post(url, data={"version": v, "text": "Penandatanganan pada minggu ketiga."}).status_code == 302
    )
    # the same submit again (a double tap): what it typed is stored, so the clerk lands with the replay note
    again = solok.post(url, data={"version": v, "text": "Penandatanganan pada minggu ketiga."})
    assert again.status_code == 303
    stale = solok.post(url, data={"version": v, "text": "Penandatanganan pada minggu keempat."})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "minggu ketiga" in body and "minggu keempat" in body
    with app.app_context():
        assert db.session.get(Decision, did).text == "Penandatanganan pada minggu ketiga."
    empty = solok.post(url, data={"version": v + 1, "text": "  "})
    assert empty.status_code == 422 and "Keputusan wajib diisi." in empty.get_data(as_text=True)


def test_a_decision_is_deleted_only_with_a_reason_kept_in_the_history(app, ids, solok):
    mid = _meeting(app)
    did = _first(app, Decision, mid)
    url = f"/pks/rapat/{mid}/keputusan/{did}/hapus"
    v = version_of(app, Decision, did)
    refused = solok.post(url, data={"version": v, "x-alasan": ""})
    assert refused.status_code == 422 and "Alasan penghapusan wajib diisi." in refused.get_data(as_text=True)
    r = solok.post(url, data={"version": v, "x-alasan": "Tercatat dua kali"})
    assert r.status_code == 302
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "Keputusan dihapus." in page and "minggu kedua September 2024" not in page
    (line,) = _history(app, ids["pks2"])
    assert (
        "Keputusan dihapus (Penandatanganan kedua PKS ditargetkan" in line
        and "Alasan: Tercatat dua kali" in line
    )
    with app.app_context():
        assert db.session.get(Decision, did) is None
        ev = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "pks_decision"))
        assert ev.action == "delete" and ev.object_id == str(did)
    # a second tap finds it gone: back on the meeting page, saying so
    twice = solok.post(url, data={"version": v, "x-alasan": "Tercatat dua kali"}, follow_redirects=True)
    assert twice.status_code == 200 and "sudah tidak ada" in twice.get_data(as_text=True)


def test_an_action_item_changes_owner_and_due_date(app, ids, solok):
    mid = _meeting(app)
    tid = _first(app, ActionItem, mid)
    due = TODAY + timedelta(days=10)
    r = solok.post(
        f"/pks/rapat/{mid}/tindak-lanjut/{tid}/ubah",
        data={
            "version": version_of(app, ActionItem, tid),
            "text": "Koordinasi jadwal penandatanganan dengan Sekda Kab. Solok",
            "owner_regency_id": 0,
            "owner": "Bagian Kerjasama Setda Kab. Solok",
            "due": due.isoformat(),
        },
    )
    assert r.status_code == 302
    with app.app_context():
        item = db.session.get(ActionItem, tid)
        assert item.due == due and item.owner == "Bagian Kerjasama Setda Kab. Solok"
    (line,) = _history(app, ids["pks1"])
    assert "Tindak lanjut diubah" in line and "Tenggat: 6 September 2024 → " in line


def test_the_notulen_is_typed_on_the_meeting(app, ids, solok):
    mid = _meeting(app)
    url = f"/pks/rapat/{mid}/notulen"
    v = version_of(app, Meeting, mid)
    assert "Tulis notulen" in solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert 'name="notulen"' in solok.get(url).get_data(as_text=True)
    text = "1. Rapat dibuka pukul 09.00 WIB.\n2. Kedua pihak sepakat menandatangani PKS."
    r = solok.post(url, data={"version": v, "notulen": text})
    assert r.status_code == 302
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "Notulen disimpan." in page and "Kedua pihak sepakat menandatangani PKS." in page
    assert "Ubah notulen" in page
    stale = solok.post(url, data={"version": v, "notulen": "Versi lain"})
    assert stale.status_code == 409
    assert "Notulen diubah: — → 1. Rapat dibuka" in _history(app, ids["pks1"])[0]
    assert solok.get(f"/pks/rapat/{mid}/paket.pdf").status_code == 200  # the meeting pack still prints


def test_a_file_is_attached_from_the_meeting_page(app, ids, solok):
    mid = _meeting(app)
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    submission = re.search(r'name="b-submission_key"[^>]*value="([^"]+)"', page).group(1)

    def body():
        return {
            "b-submission_key": submission,
            "b-agreement_id": ids["pks2"],
            "b-kind": "notulen",
            "b-meeting_role": "berkas",
            "b-meeting_id": 999999,  # the page's own meeting holds, whatever is posted
            "b-berkas": (io.BytesIO(real_pdf("Notulen rapat")), "notulen-29-agustus.pdf"),
        }

    url = f"/pks/rapat/{mid}/berkas"
    r = solok.post(url, data=body(), content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pks/rapat/{mid}")
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "Berkas diunggah sebagai v" in page and "notulen-29-agustus.pdf" in page
    replay = solok.post(url, data=body(), content_type="multipart/form-data")
    assert replay.status_code in (302, 303)
    with app.app_context():
        docs = db.session.scalars(select(Document).where(Document.filename == "notulen-29-agustus.pdf")).all()
        assert len(docs) == 1 and docs[0].agreement_id == ids["pks2"]
        assert db.session.get(MeetingDocument, (mid, docs[0].id)).role == "berkas"
    # the same use case checks the file: a renamed text file is refused next to the field
    bad = solok.post(
        url,
        data={**body(), **key("b"), "b-berkas": (io.BytesIO(b"bukan pdf"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Isi berkas tidak sesuai" in bad.get_data(as_text=True)
    foreign = solok.post(url, data={**body(), **key("b"), "b-agreement_id": ids["ksb"]})
    assert foreign.status_code == 422  # only an agreement the meeting discussed


def test_after_signing_the_minutes_stay_but_action_items_follow_up(app, ids, solok):
    mid = _meeting(app)
    _sign_both(app, ids, date(2024, 9, 12))
    pid, did, tid = (_first(app, m, mid) for m in (Attendee, Decision, ActionItem))
    page = solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    assert "tidak diubah lagi" in page and f"/peserta/{pid}/ubah" not in page and "Tulis notulen" not in page
    assert f"/tindak-lanjut/{tid}/ubah" in page
    refused = solok.post(
        f"/pks/rapat/{mid}/peserta/{pid}/ubah",
        data={"version": version_of(app, Attendee, pid), "nama": "Nama lain", "regency_id": 0},
    )
    assert refused.status_code == 422 and "sudah ditandatangani" in refused.get_data(as_text=True)
    gone = solok.post(
        f"/pks/rapat/{mid}/keputusan/{did}/hapus",
        data={"version": version_of(app, Decision, did), "x-alasan": "x"},
    )
    assert gone.status_code == 422
    notulen = solok.post(
        f"/pks/rapat/{mid}/notulen", data={"version": version_of(app, Meeting, mid), "notulen": "baru"}
    )
    assert notulen.status_code == 422
    action = {
        "version": version_of(app, ActionItem, tid),
        "text": "Koordinasi jadwal penandatanganan dengan Sekda Kab. Solok (dikarang untuk demo)",
        "owner_regency_id": 0,
        "owner": "Dinas Kominfo Kab. Solok",
        "due": (TODAY + timedelta(days=5)).isoformat(),
    }
    with app.app_context():
        action["text"] = db.session.get(ActionItem, tid).text
    assert solok.post(f"/pks/rapat/{mid}/tindak-lanjut/{tid}/ubah", data=action).status_code == 302
    reworded = {**action, "version": action["version"] + 1, "text": "Teks lain"}
    r = solok.post(f"/pks/rapat/{mid}/tindak-lanjut/{tid}/ubah", data=reworded)
    assert r.status_code == 422 and "teks tindak lanjut tetap" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attendee, pid).nama == "Safrudin, S.Sos, M.Si"
        assert db.session.get(ActionItem, tid).owner == "Dinas Kominfo Kab. Solok"
        assert db.session.get(Decision, did) is not None


def test_a_meeting_after_the_signing_stays_correctable(app, ids, solok):
    _sign_both(app, ids, date(2024, 9, 12))
    with app.app_context():
        later = Meeting(tanggal=date(2025, 3, 3), tempat="Aula Dinas Kominfo", agenda="Monitoring")
        later.agreements = [db.session.get(Agreement, ids["pks1"])]
        db.session.add(later)
        db.session.flush()
        db.session.add(Attendee(meeting_id=later.id, nama="Peserta uji"))
        db.session.commit()
        mid, pid = later.id, later.attendees[0].id
    assert f"/peserta/{pid}/ubah" in solok.get(f"/pks/rapat/{mid}").get_data(as_text=True)
    r = solok.post(f"/pks/rapat/{mid}/peserta/{pid}/hapus", data={"version": 1, "x-alasan": "Tidak hadir"})
    assert r.status_code == 302


def test_entries_of_another_meeting_or_for_a_reader_do_not_exist(app, ids, solok):
    mid = _meeting(app)
    pid = _first(app, Attendee, mid)
    with app.app_context():
        other = Meeting(tanggal=date(2024, 9, 2), tempat="Lain")
        other.agreements = [db.session.get(Agreement, ids["pks1"])]
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert solok.get(f"/pks/rapat/{other_id}/peserta/{pid}/ubah").status_code == 404
    assert solok.get(f"/pks/rapat/{mid}/rapat/{pid}/ubah").status_code == 404
    reader = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(reader).login("pimpinan.solok")
    assert reader.get(f"/pks/rapat/{mid}/peserta/{pid}/ubah").status_code == 404
    assert "/ubah" not in reader.get(f"/pks/rapat/{mid}").get_data(as_text=True)


def test_the_correction_pages_are_small(app, solok):
    mid = _meeting(app)
    pid = _first(app, Attendee, mid)
    sizes = {
        url: len(gzip.compress(solok.get(url).data))
        for url in (
            f"/pks/rapat/{mid}",
            f"/pks/rapat/{mid}/peserta/{pid}/ubah",
            f"/pks/rapat/{mid}/notulen",
        )
    }
    meeting, entry, notulen = sizes.values()
    assert meeting <= 4000 and entry <= 2000 and notulen <= 2000, sizes
