"""Meetings, letters, implementation records and rule levels through the pages; demo idempotency; coverage API."""

from datetime import date, timedelta

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.demo import load_demo
from blueprints.pks import reminders, signing
from blueprints.pks.models import ActionItem, Agreement, Attendee, Meeting, Obligation, Party, ScopeItem, Slip
from blueprints.pks.public import covering_agreements
from blueprints.pks.settings import DEFAULTS
from blueprints.wilayah.models import Jorong
from tests.conftest import AuthActions

from .conftest import key, make_signable, real_pdf, regency_id, version_of

DEFAULT_LADDER = DEFAULTS["PKS_REMINDER_LADDER"]


def test_demo_load_is_idempotent(app):
    with app.app_context():
        counts = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Agreement, Party, ScopeItem, Slip, Meeting, Attendee, ActionItem)
        ]
        load_demo()
        db.session.commit()
        again = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Agreement, Party, ScopeItem, Slip, Meeting, Attendee, ActionItem)
        ]
        assert counts == again == [3, 8, 4, 2, 1, 7, 2]


def test_coverage_in_force_only_when_signed_and_valid(app, ids):
    with app.app_context():
        jorong = db.session.scalar(select(Jorong.id).where(Jorong.name == "Tigo Jangko"))
        a = db.session.get(Agreement, ids["pks2"])
        make_signable(a)
        assert signing.sign(
            a, date(2024, 9, 12), "", None, date(2027, 9, 11), None, None, date(2024, 9, 12)
        ).ok
        db.session.commit()
        [cov] = covering_agreements("13.02.18.2004", jorong, date(2025, 1, 1))
        assert cov.signed and cov.in_force and cov.status_berlaku == "aktif"
        assert cov.numbers.count("/PKS-") == 2
        assert cov.other_regency_ids == {regency_id(app, "13.03")}
        [late] = covering_agreements("13.02.18.2004", jorong, date(2027, 9, 12))
        assert late.status_berlaku == "kedaluwarsa" and not late.in_force
        [before] = covering_agreements("13.02.18.2004", jorong, date(2024, 9, 1))
        assert before.status_berlaku == "belum_berlaku" and not before.in_force
        a.tahap = "dibatalkan"
        db.session.commit()
        assert covering_agreements("13.02.18.2004", jorong, date(2025, 1, 1)) == []


def test_meeting_attendees_decisions_and_action_items(app, solok, ids):
    r = solok.post(
        f"/pks/{ids['pks2']}/rapat/baru",
        data={
            **key(),
            "tanggal": "2024-10-03",
            "jam": "09:30",
            "tempat": "Aula Setda Sijunjung",
            "agenda": "Finalisasi",
        },
    )
    assert r.status_code == 302
    url = r.headers["Location"]
    solok.post(
        url,
        data={
            **key("h"),
            "bagian": "hadir",
            "h-nama": "Kabag Hukum",
            "h-regency_id": str(regency_id(app, "13.03")),
        },
    )
    solok.post(url, data={**key("k"), "bagian": "keputusan", "k-text": "Naskah final disepakati"})
    solok.post(
        url,
        data={
            **key("l"),
            "bagian": "tindak",
            "l-text": "Kirim naskah final",
            "l-due": "2024-10-10",
            "l-owner": "Bagian Hukum",
        },
    )
    page = solok.get(url).get_data(as_text=True)
    assert "pukul 09.30" in page and "Kabag Hukum" in page and "Naskah final disepakati" in page
    assert "Kirim naskah final" in page and "lewat" in page
    with app.app_context():
        item = db.session.scalar(select(ActionItem).where(ActionItem.text == "Kirim naskah final"))
        mid, iid = item.meeting_id, item.id
    solok.post(f"/pks/rapat/{mid}/tindak-lanjut/{iid}", data={"done": "1"})
    with app.app_context():
        assert db.session.get(ActionItem, iid).done
    r = solok.post(f"/pks/rapat/{mid}/kesepakatan", data={**key(), "agreement_id": str(ids["pks1"])})
    assert "Replikasi Aplikasi" in solok.get(url).get_data(as_text=True)
    tl = solok.get(f"/pks/{ids['pks2']}").get_data(as_text=True)
    assert "3 Oktober 2024" in tl and "Aula Setda Sijunjung" in tl


def test_tembusan_warning_then_blocking(app, solok, ids):
    with app.app_context():
        ksb = Agreement(jenis="KSB", judul="KSB Pariwisata", tahap="penawaran", rujukan_rpjmd="RPJMD")
        db.session.add(ksb)
        db.session.flush()
        for k, code in enumerate(("13.02", "13.03"), 1):  # one party per position
            db.session.add(
                Party(agreement_id=ksb.id, regency_id=regency_id(app, code), urutan=k, opd="Pemkab")
            )
        db.session.commit()
        kid = ksb.id
    admin = app.test_client()
    AuthActions(admin).login("admin.solok")  # Solok's admin switches the rule for Solok
    admin.post("/pks/aturan", data={"version": "0", "code": "tembusan", "blocking": "1"})
    r = solok.post(f"/pks/{kid}/tahap", data={"t-dari": "penawaran", "t-to": "penyusunan"})
    assert (
        r.status_code == 422
        and "Belum ada surat penawaran keluar dengan tembusan kepada Gubernur." in r.get_data(as_text=True)
        and "Permendagri 22/2009" in r.get_data(as_text=True)
    )
    solok.post(
        f"/pks/{kid}/surat",
        data={
            **key(),
            "arah": "keluar",
            "nomor": "180/12/KSD-2024",
            "tanggal": "2024-05-02",
            "perihal": "Penawaran kerja sama pariwisata",
            "tembusan": "Gubernur Sumatera Barat\nMenteri Dalam Negeri",
        },
    )
    r = solok.post(
        f"/pks/{kid}/tahap", data={"t-dari": "penawaran", "t-to": "penyusunan"}, follow_redirects=True
    )
    assert "Tahap sekarang: Penyusunan naskah." in r.get_data(as_text=True)
    assert "180/12/KSD-2024" in r.get_data(as_text=True)  # the letter is on the timeline


def test_unverified_warning_shown_not_blocking_on_the_page(app, solok, ids):
    with app.app_context():
        a = Agreement(
            jenis="PKS", parent_id=ids["ksb"], judul="PKS SDM", tahap="penyusunan", dprd_perlu=False
        )
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=regency_id(app, "13.02"), opd="BKPSDM"))
        db.session.commit()
        aid = a.id
    r = solok.post(
        f"/pks/{aid}/tahap", data={"t-dari": "penyusunan", "t-to": "siap_ttd"}, follow_redirects=True
    )
    text = r.get_data(as_text=True)
    assert "Peringatan: Klausul belum dicentang" in text and "Tahap sekarang: Siap tanda tangan." in text


def test_implementation_records_and_overdue_obligation(app, solok, ids):
    ksb = ids["ksb"]
    url = f"/pks/{ksb}/pelaksanaan"
    solok.post(
        url,
        data={
            **key("k"),
            "bagian": "kegiatan",
            "k-tanggal": "2024-03-01",
            "k-jenis": "Rapat koordinasi",
            "k-peserta": "12",
            "k-status": "selesai",
        },
    )
    solok.post(
        url,
        data={
            **key("o"),
            "bagian": "kewajiban",
            "o-text": "Menyediakan data",
            "o-due": "2024-01-31",
            "o-status": "belum",
        },
    )
    solok.post(
        url,
        data={
            **key("r"),
            "bagian": "laporan",
            "r-periode": "Semester II 2024",
            "r-jatuh_tempo": "2025-01-15",
            "r-disampaikan_pada": "2025-01-10",
            "r-kepada": "bupati",
        },
    )
    solok.post(
        url,
        data={
            **key("e"),
            "bagian": "evaluasi",
            "e-tanggal": "2025-02-01",
            "e-temuan": "Berjalan",
            "e-rekomendasi": "dilanjutkan",
        },
    )
    page = solok.get(url).get_data(as_text=True)
    for text in ("Rapat koordinasi", "Lewat tenggat", "Semester II 2024", "Dilanjutkan"):
        assert text in page
    assert "kewajiban lewat tenggat: Menyediakan data" in solok.get("/pks/").get_data(as_text=True)
    with app.app_context():
        oid = db.session.scalar(select(Obligation.id))
    solok.post(
        f"/pks/{ksb}/kewajiban/{oid}",
        data={"version": str(version_of(app, Obligation, oid)), "status": "dipenuhi"},
    )
    assert "kewajiban lewat tenggat" not in solok.get("/pks/").get_data(as_text=True)
    r = solok.post(
        f"/pks/{ids['pks1']}/pelaksanaan",
        data={
            **key("k"),
            "bagian": "kegiatan",
            "k-tanggal": "2024-03-01",
            "k-jenis": "x",
            "k-status": "selesai",
        },
    )
    assert "setelah naskah ditandatangani" in r.get_data(as_text=True)


def test_ksb_expiry_near_while_pks_draft_reminds(app, ids):
    with app.app_context():
        pks = db.session.get(Agreement, ids["pks1"])
        near = date(2028, 1, 24) - timedelta(days=60)
        kinds = [r.kind for r in reminders.reminders_for(pks, near, DEFAULT_LADDER)]
        assert "ksb_berakhir" in kinds


def test_service_area_form_feeds_coverage(app, solok, ids):
    aid = ids["pks1"]
    r = solok.post(f"/pks/{aid}/wilayah", data={**key(), "wkecamatan": ""})
    assert r.status_code == 422 and "Pilih kecamatan." in r.get_data(as_text=True)
    r = solok.post(
        f"/pks/{aid}/wilayah", data={**key(), "wkecamatan": "13.02.18", "wnagari": "13.02.18.2004"}
    )
    assert r.status_code == 302
    assert "seluruh nagari" in solok.get(f"/pks/{aid}/wilayah").get_data(as_text=True)
    with app.app_context():
        titles = {c.title for c in covering_agreements("13.02.18.2004", None, date(2025, 1, 1))}
        assert any("SIDILAN" in t for t in titles)


def test_done_means_signing_recorded_through_the_pages(app, solok, sijunjung, ids):
    """Numbers of both regencies (each records its own), signatories with surat kuasa, the date and the scan;
    then the ladder counts."""
    import io as _io

    from blueprints.core.timeutil import today_local

    aid = ids["pks2"]
    with app.app_context():
        a = db.session.get(Agreement, aid)
        parties = [(p.id, p.regency.short_name) for p in a.parties]
    for pid, name in parties:
        client = solok if name == "Solok" else sijunjung
        client.post(
            f"/pks/{aid}/pihak",
            data={
                **key("n"),
                "bagian": "nomor",
                "n-party_id": str(pid),
                "n-nomor": f"445/{pid}/{name.upper()}/2026",
            },
        )
        client.post(
            f"/pks/{aid}/pihak",
            data={
                **key("s"),
                "bagian": "penandatangan",
                "s-party_id": str(pid),
                "s-nama": f"Kadinkes {name}",
                "s-jabatan": "Kepala Dinas Kesehatan",
                "s-kuasa_nomor": f"SK/{pid}/2026",
                "s-kuasa_tanggal": "2026-01-05",
            },
        )
    today = today_local()
    end = today + timedelta(days=100)
    r = solok.post(
        f"/pks/{aid}/tandatangan",
        data={"ttd-tgl_ttd": today.isoformat(), "ttd-tempat": "Solok", "ttd-tgl_berakhir": end.isoformat()},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    scan = real_pdf("PKS 2 ditandatangani")
    r = solok.post(
        f"/pks/{aid}/dokumen",
        data={**key(), "kind": "ttd", "berkas": (_io.BytesIO(scan), "pks2-ttd.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    page = solok.get(f"/pks/{aid}").get_data(as_text=True)
    assert "445/" in page and "berakhir dalam 100 hari" in page and "Akan berakhir" in page
    import hashlib

    assert hashlib.sha256(scan).hexdigest() in page  # on the timeline
    home = solok.get("/").get_data(as_text=True)
    assert "Wilayah Perbatasan: menunggu tanda tangan" not in home
    assert "Wilayah Perbatasan: berakhir dalam 100 hari" in home
