"""Registering what happened, in the record's history: the way back from "Siap tanda tangan" with a reason, the
review hukum's reviewer, notes and cleared date, and edits logged field by field."""

from datetime import timedelta

from blueprints.core.extensions import db
from blueprints.pks.demo import PKS1_TITLE
from blueprints.pks.models import Agreement
from tests.clock import TODAY

from .conftest import key, regency_id, version_of


def _move(client, aid, to, reason="", day="", dari="siap_ttd"):
    return client.post(
        f"/pks/{aid}/tahap", data={"t-dari": dari, "t-to": to, "t-reason": reason, "t-tanggal": day}
    )


def test_back_from_ready_to_sign_to_drafting_needs_a_reason(app, solok, ids):
    aid = ids["pks2"]
    r = _move(solok, aid, "penyusunan")
    assert r.status_code == 422
    assert "Alasan wajib diisi untuk kembali ke penyusunan naskah." in r.get_data(as_text=True)
    day = (TODAY - timedelta(days=2)).isoformat()
    r = _move(solok, aid, "penyusunan", "Pasal pembiayaan harus diubah", day)
    assert r.status_code == 302
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "Siap tanda tangan → Penyusunan naskah: Pasal pembiayaan harus diubah" in page
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.tahap == "penyusunan" and a.tahap_sejak.isoformat() == day


def test_review_hukum_records_reviewer_notes_and_the_cleared_date(app, solok, ids):
    aid = ids["pks2"]
    began = TODAY - timedelta(days=10)
    assert (
        _move(solok, aid, "review_hukum", "Perlu telaah Bagian Hukum", began.isoformat()).status_code == 302
    )
    stage = solok.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert "Hasil review hukum" in stage

    def post(**fields):
        data = {
            "version": version_of(app, Agreement, aid),
            "r-review_oleh": "Kabag Hukum Setda Solok",
            **fields,
        }
        return solok.post(f"/pks/{aid}/review-hukum", data=data)

    r = post(**{"r-review_tanggal": (began - timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and "Tanggal tidak boleh sebelum tahap Review hukum dimulai" in r.get_data(
        as_text=True
    )
    r = post(**{"r-review_tanggal": (TODAY + timedelta(days=1)).isoformat()})
    assert "Tanggal tidak boleh setelah hari ini." in r.get_data(as_text=True)
    r = solok.post(f"/pks/{aid}/review-hukum", data={"version": version_of(app, Agreement, aid)})
    assert r.status_code == 422 and "Peninjau wajib diisi." in r.get_data(as_text=True)
    cleared = began + timedelta(days=4)
    r = post(**{"r-review_catatan": "Pasal kahar dilengkapi", "r-review_tanggal": cleared.isoformat()})
    assert r.status_code == 302
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "Hasil review hukum dicatat." in page
    assert "Kabag Hukum Setda Solok" in page and "Pasal kahar dilengkapi" in page
    assert "Selesai direview oleh Kabag Hukum Setda Solok: Pasal kahar dilengkapi" in page  # the history
    with app.app_context():
        assert db.session.get(Agreement, aid).review_tanggal == cleared


def test_an_edit_is_logged_field_by_field(app, solok, ids):
    aid = ids["pks1"]
    with app.app_context():
        a = db.session.get(Agreement, aid)
        objek, urusan, klausul = a.objek, a.urusan, a.klausul
    r = solok.post(
        f"/pks/{aid}/ubah",
        data={
            "version": version_of(app, Agreement, aid),
            "judul": "Replikasi SIDILAN di Kabupaten Solok",
            "objek": objek,
            "urusan": urusan,
            "klausul": klausul,
            "kategori": "sukarela",
            "dprd_perlu": "tidak",
            "dprd_alasan": "Tidak membebani masyarakat dan daerah (demo, dikarang)",
            "pemrakarsa_regency_id": str(regency_id(app, "13.02")),
            "pemrakarsa_organisation_id": "0",  # the free text recorded before the list stays
            "scope_item_id": "0",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert f"Judul: {PKS1_TITLE} → Replikasi SIDILAN di Kabupaten Solok" in page
    assert "Data kesepakatan diubah" not in page


def test_a_meeting_is_recorded_on_the_day_it_took_place_never_a_future_one(app, solok, ids):
    aid = ids["pks1"]
    form = solok.get(f"/pks/{aid}/rapat/baru").get_data(as_text=True)
    assert f'value="{TODAY.isoformat()}"' in form  # today unless changed
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    r = solok.post(f"/pks/{aid}/rapat/baru", data={**key(), "tanggal": tomorrow, "tempat": "Aula Setda"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Tanggal rapat tidak boleh setelah hari ini" in page and 'value="Aula Setda"' in page
    r = solok.post(f"/pks/{aid}/rapat/baru", data={**key(), "tanggal": "2024-10-03", "tempat": "Aula Setda"})
    assert r.status_code == 302


def test_a_postponement_takes_the_day_it_was_decided(app, solok, ids):
    aid = ids["pks2"]  # target "minggu ke-2 September 2024", slipped before

    def post(target, day):
        data = {**key("g"), "g-target": target, "g-alasan": "Jadwal Bupati", "g-tanggal": day}
        return solok.post(f"/pks/{aid}/target", data=data)

    r = post("Desember 2024", (TODAY + timedelta(days=1)).isoformat())
    assert r.status_code == 422 and "Tanggal tidak boleh setelah hari ini." in r.get_data(as_text=True)
    r = post("Desember 2024", "2024-01-02")
    assert r.status_code == 422 and "Tanggal tidak boleh sebelum penundaan sebelumnya" in r.get_data(
        as_text=True
    )
    r = post("Desember 2024", "2024-10-21")
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert '<b>21 Oktober 2024</b> <span class="badge">Penundaan</span>' in page
