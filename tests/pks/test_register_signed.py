"""Registering what already happened: an agreement signed before the app, with its past dates, left open for its
parties, numbers and signatories until the officer finishes ("Selesai dicatat"), then locked."""

from datetime import timedelta

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Party
from tests.clock import TODAY

from .conftest import key, regency_id


def _register(client, **fields):
    data = {**key(), "jenis": "KSB", "judul": "KSB Solok–Sijunjung bidang pariwisata", **fields}
    return client.post("/pks/baru", data=data)


def _new_id(app, title="KSB Solok–Sijunjung bidang pariwisata"):
    with app.app_context():
        return db.session.scalar(select(Agreement.id).where(Agreement.judul == title))


def test_a_signed_ksb_is_registered_with_its_past_dates_then_locked(app, solok, sijunjung):
    r = _register(
        solok,
        tahap="ditandatangani",
        tgl_ttd="2023-03-01",
        tempat_ttd="Muaro Sijunjung",
        jangka_bulan="60",
        dprd_perlu="tidak",
        pemrakarsa_regency_id=str(regency_id(app, "13.03")),
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(r.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Lengkapi pihak, nomor, penandatangan dan scan" in page
    assert "1 Maret 2023, Muaro Sijunjung" in page  # signed on the day it happened, not today
    assert "1 Maret 2023 s.d. " in page and "29 Februari 2028" in page  # five years from the signing
    assert "Dicatat susulan" in page and "Selesai dicatat" in page
    assert "terkunci" not in page  # still open for its parties, numbers and signatories
    assert "(Kabupaten Sijunjung)" in page  # the initiator chosen, not the creator's regency
    aid = _new_id(app)

    # the partner regency is added on the (still open) parties page
    r = solok.post(
        f"/pks/{aid}/pihak",
        data={
            **key("p"),
            "bagian": "pihak",
            "p-regency_id": str(regency_id(app, "13.03")),
            "p-organisation_id": "0",  # the regency itself
            "p-urutan": "2",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)

    # finishing too early says what is missing and locks nothing
    r = solok.post(f"/pks/{aid}/selesai-dicatat", follow_redirects=True)
    assert "Belum dapat diselesaikan" in r.get_data(as_text=True)
    assert "Nomor naskah dari" in r.get_data(as_text=True)
    with app.app_context():
        parties = [
            (p.id, p.regency.short_name)
            for p in db.session.scalars(select(Party).where(Party.agreement_id == aid))
        ]
        assert not db.session.get(Agreement, aid).is_locked
    for pid, name in parties:  # each regency records its own party's number and signatory
        officer = solok if name == "Solok" else sijunjung
        for data in (
            {**key("n"), "bagian": "nomor", "n-party_id": str(pid), "n-nomor": f"01/KSB/{name.upper()}/2023"},
            {
                **key("s"),
                "bagian": "penandatangan",
                "s-party_id": str(pid),
                "s-nama": f"Bupati {name}",
                "s-jabatan": f"Bupati {name}",
                "s-is_bupati": "y",
            },
        ):
            assert officer.post(f"/pks/{aid}/pihak", data=data).status_code == 302
    r = solok.post(f"/pks/{aid}/selesai-dicatat")
    assert r.status_code == 302, r.headers
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "Pencatatan selesai; naskah kini terkunci." in page
    assert "terkunci" in page and "Selesai dicatat" not in page
    assert "01/KSB/SOLOK/2023" in page and "Pencatatan susulan selesai" in page  # in the history
    with app.app_context():
        assert db.session.get(Agreement, aid).is_locked
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.summary.like(f"%#{aid}: selesai dicatat"))
        )
    # locked now: the parties page takes no more entries, a second finish changes nothing
    r = solok.post(
        f"/pks/{aid}/pihak",
        data={
            **key("p"),
            "bagian": "pihak",
            "p-regency_id": str(regency_id(app, "13.03")),
            "p-urutan": "3",
            "p-opd": "Dinas Pariwisata",
        },
    )
    with app.app_context():
        assert len(db.session.scalars(select(Party).where(Party.agreement_id == aid)).all()) == 2
    r = solok.post(f"/pks/{aid}/selesai-dicatat", follow_redirects=True)
    assert "Data ini sudah tersimpan" in r.get_data(as_text=True)


def test_a_pks_in_implementation_is_registered_with_each_stage_dated(app, solok, ids):
    r = solok.post(
        "/pks/baru",
        data={
            **key(),
            "jenis": "PKS",
            "parent_id": str(ids["ksb"]),
            "judul": "PKS Pengembangan SDM aparatur",
            "tahap": "pelaksanaan",
            "tgl_ttd": "2024-02-10",
            "tahap_sejak": "2024-03-01",
            "tgl_berakhir": "2026-02-09",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "10 Februari 2024" in page and "Pelaksanaan" in page
    assert "1 Maret 2024" in page  # the day implementation began, on the timeline


def test_registering_refuses_future_and_inconsistent_dates_and_keeps_what_was_typed(app, solok):
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    r = _register(solok, tahap="ditandatangani", tgl_ttd=tomorrow, tempat_ttd="Solok")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Tanggal penandatanganan tidak boleh di masa depan." in page and 'value="Solok"' in page
    r = _register(solok, tahap="ditandatangani")
    assert "Tanggal penandatanganan wajib diisi" in r.get_data(as_text=True)
    r = _register(solok, tahap="berakhir", tgl_ttd="2023-01-25", tahap_sejak="2022-12-31")
    assert "Tanggal tahap tidak boleh sebelum penandatanganan (25 Januari 2023)." in r.get_data(as_text=True)
    r = _register(solok, tahap="pelaksanaan", tgl_ttd="2023-01-25")
    assert "Tahap Pelaksanaan bukan tahap Kesepakatan Bersama." in r.get_data(as_text=True)
    r = _register(solok, tahap="penyusunan", tgl_ttd="2023-01-25")
    assert "Tanggal penandatanganan hanya untuk naskah yang sudah ditandatangani." in r.get_data(as_text=True)
    r = _register(
        solok, tahap="ditandatangani", tgl_ttd="2023-01-25", tgl_mulai="2023-02-01", tgl_berakhir="2023-01-30"
    )
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in r.get_data(as_text=True)
    assert _new_id(app) is None


def test_an_unsigned_agreement_registered_at_a_later_stage_is_not_held_open(app, solok):
    r = _register(solok, tahap="penyusunan", tahap_sejak="2024-06-03")
    assert r.status_code == 302
    page = solok.get(r.headers["Location"]).get_data(as_text=True)
    assert "Penyusunan naskah" in page and "3 Juni 2024" in page and "Selesai dicatat" not in page
