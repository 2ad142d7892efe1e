"""Cancelling, postponing or ending a PKS both regencies are party to: one side proposes with a reason, the
other side's Bagian Kerjasama confirms or rejects; both are in the history, and nothing changes until then."""

from datetime import timedelta

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, StageProposal
from tests.clock import TODAY

from .conftest import key


def _propose(client, aid, to, reason, day=""):
    return client.post(
        f"/pks/{aid}/tahap",
        data={"t-dari": "siap_ttd", "t-to": to, "t-reason": reason, "t-tanggal": day},
    )


def _open_id(app, aid):
    with app.app_context():
        return db.session.scalar(
            select(StageProposal.id).where(StageProposal.agreement_id == aid, StageProposal.keputusan == "")
        )


def test_solok_proposes_a_postponement_and_sijunjung_confirms_it(app, solok, sijunjung, ids):
    aid = ids["pks1"]  # both regencies are parties
    day = (TODAY - timedelta(days=3)).isoformat()
    r = _propose(solok, aid, "ditunda", "Menunggu anggaran perubahan", day)
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "Usulan ditunda dicatat; tahap berubah setelah dikonfirmasi Kab. Sijunjung." in page
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"  # nothing changed yet
    stage = solok.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert "Menunggu konfirmasi Bagian Kerjasama Kab. Sijunjung" in stage and "Setujui" not in stage
    pid = _open_id(app, aid)

    # the proposer cannot confirm its own proposal, nor stack a second one
    assert solok.post(f"/pks/{aid}/usulan/{pid}", data={"keputusan": "setuju"}).status_code == 404
    r = _propose(solok, aid, "dibatalkan", "Batal saja")
    assert "Masih ada usulan ditunda yang menunggu keputusan Kab. Sijunjung." in r.get_data(as_text=True)

    assert "menunggu keputusan daerah mitra" in sijunjung.get(f"/pks/{aid}").get_data(as_text=True)
    stage = sijunjung.get(f"/pks/{aid}/tahap").get_data(as_text=True)
    assert "Menunggu anggaran perubahan" in stage and "Setujui" in stage and "Tolak" in stage
    r = sijunjung.post(f"/pks/{aid}/usulan/{pid}", data={"keputusan": "setuju", "alasan": "Sepakat"})
    assert r.status_code == 302
    page = sijunjung.get(r.headers["Location"]).get_data(as_text=True)
    assert "Usulan ditunda disetujui; tahap sekarang: Ditunda." in page
    assert "Usulan ditunda: Menunggu anggaran perubahan" in page  # the proposal, in the history
    assert "Usulan ditunda disetujui: Sepakat" in page  # and the confirmation
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.tahap == "ditunda" and a.tahap_sejak.isoformat() == day  # on the day it happened
    r = sijunjung.post(f"/pks/{aid}/usulan/{pid}", data={"keputusan": "setuju"}, follow_redirects=True)
    assert "Usulan ini sudah disetujui." in r.get_data(as_text=True)


def test_a_rejected_cancel_changes_nothing_and_is_kept(app, solok, sijunjung, ids):
    aid = ids["pks1"]
    assert _propose(sijunjung, aid, "dibatalkan", "Dinas belum siap").status_code == 302
    pid = _open_id(app, aid)
    assert sijunjung.post(f"/pks/{aid}/usulan/{pid}", data={"keputusan": "tolak"}).status_code == 404
    r = solok.post(f"/pks/{aid}/usulan/{pid}", data={"keputusan": "tolak", "alasan": ""})
    assert r.status_code == 422 and "Tulis alasan penolakan." in r.get_data(as_text=True)
    r = solok.post(
        f"/pks/{aid}/usulan/{pid}", data={"keputusan": "tolak", "alasan": "Masih dibutuhkan warga"}
    )
    assert r.status_code == 302
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert (
        "Usulan dibatalkan ditolak: Masih dibutuhkan warga" in page
        and "Usulan dibatalkan: Dinas belum siap" in page
    )
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"
    assert _open_id(app, aid) is None


def test_the_move_still_checks_reason_and_date_before_proposing(app, solok, ids):
    aid = ids["pks1"]
    r = _propose(solok, aid, "ditunda", "")
    assert "Alasan wajib diisi untuk ditunda." in r.get_data(as_text=True)
    r = _propose(solok, aid, "ditunda", "Alasan", (TODAY + timedelta(days=1)).isoformat())
    assert "Tanggal tidak boleh setelah hari ini." in r.get_data(as_text=True)
    assert _open_id(app, aid) is None


def test_an_agreement_of_one_regency_moves_directly(app, solok):
    r = solok.post("/pks/baru", data={**key(), "jenis": "KSB", "judul": "KSB internal uji"})
    aid = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    r = solok.post(
        f"/pks/{aid}/tahap", data={"t-dari": "identifikasi", "t-to": "dibatalkan", "t-reason": "Tidak jadi"}
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "dibatalkan"
    assert _open_id(app, aid) is None


def test_ending_the_shared_ksb_early_is_confirmed_by_the_other_side(app, solok, sijunjung, ids):
    aid = ids["ksb"]  # signed 25 January 2023 by both Bupati, in force until 24 January 2028
    day = "2025-06-30"  # ended before its term ran out, recorded later
    r = solok.post(
        f"/pks/{aid}/tahap",
        data={
            "t-dari": "ditandatangani",
            "t-to": "berakhir",
            "t-reason": "Disepakati diakhiri",
            "t-tanggal": day,
        },
    )
    assert r.status_code == 302
    pid = _open_id(app, aid)
    assert sijunjung.post(f"/pks/{aid}/usulan/{pid}", data={"keputusan": "setuju"}).status_code == 302
    with app.app_context():
        a = db.session.get(Agreement, aid)
        assert a.tahap == "berakhir" and a.tgl_diakhiri.isoformat() == day and a.alasan_akhir == "diakhiri"


def test_the_board_proposes_too(app, sijunjung, ids):
    aid = ids["pks2"]
    r = sijunjung.post(
        f"/pks/papan/{aid}/pindah", data={"dari": "siap_ttd", "to": "ditunda", "reason": "Bupati berhalangan"}
    )
    assert r.status_code == 302
    page = sijunjung.get(r.headers["Location"]).get_data(as_text=True)
    assert "tahap berubah setelah dikonfirmasi Kab. Solok" in page
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "siap_ttd"
    assert _open_id(app, aid) is not None


def test_an_agreement_with_an_outside_partner_only_moves_directly(app, solok):
    """Solok and the Kota Solok (no account here): nobody else could confirm, so the cancel is not a proposal."""
    r = solok.post("/pks/baru", data={**key(), "jenis": "KSB", "judul": "KSB dengan Kota Solok uji"})
    aid = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    added = solok.post(
        f"/pks/{aid}/pihak",
        data={
            **key("p"),
            "bagian": "pihak",
            "p-regency_id": "0",
            "p-urutan": "2",
            "p-mitra_jenis": "kota",
            "p-mitra_nama": "Pemerintah Kota Solok",
            "p-menandatangani": "y",
        },
    )
    assert added.status_code == 302
    r = solok.post(
        f"/pks/{aid}/tahap", data={"t-dari": "identifikasi", "t-to": "dibatalkan", "t-reason": "Tidak jadi"}
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Agreement, aid).tahap == "dibatalkan"
    assert _open_id(app, aid) is None
