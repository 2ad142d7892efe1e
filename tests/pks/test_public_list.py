"""The public "Daftar kerja sama" page (issue 15 part 8): no login, the signed agreements in force with their
partners, scope, dates and status, and nothing internal."""

import gzip
from datetime import date

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.pks.models import Agreement, Note, Party, Signatory

URL = "/kerja-sama/"


def test_without_login_lists_the_signed_ksb_in_force_and_nothing_internal(app, client):
    r = client.get(URL)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah Kabupaten Solok dan Pemerintah Kabupaten Sijunjung" in page
    assert "Ditandatangani 25 Januari 2023" in page and "Aktif" in page
    assert "Replikasi aplikasi SIDILAN" in page  # its scope
    with app.app_context():
        ksb = db.session.scalar(select(Agreement).where(Agreement.jenis == "KSB"))
        drafts = db.session.scalars(select(Agreement.judul).where(Agreement.tgl_ttd.is_(None))).all()
        internal = [ksb.sumber[:40], "Roni, S.SSTP"]
    for text in internal:
        assert text not in page
    assert drafts and not any(title in page for title in drafts)  # PKS 1 and 2 are not signed yet
    assert "/pks/" not in page  # no link into the officers' pages
    assert len(gzip.compress(r.data)) <= 14_000


def test_an_agreement_past_its_end_or_ended_is_not_listed(app, client):
    with app.app_context():
        ksb = db.session.scalar(select(Agreement).where(Agreement.jenis == "KSB"))
        ksb.tgl_berakhir = date(2024, 1, 24)
        db.session.commit()
    assert "Kesepakatan Bersama Pemerintah" not in client.get(URL).get_data(as_text=True)
    assert "Belum ada kerja sama yang berlaku" in client.get(URL).get_data(as_text=True)


def test_filtered_by_a_party(app, client):
    solok = client.get(URL, query_string={"pihak": "13.02"}).get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah" in solok and 'value="13.02" selected' in solok
    other = client.get(URL, query_string={"pihak": "99.99"}).get_data(as_text=True)  # unknown: all
    assert "Kesepakatan Bersama Pemerintah" in other


def _ksb(app):
    return db.session.scalar(select(Agreement).where(Agreement.jenis == "KSB"))


def test_no_note_disposisi_pic_or_surat_kuasa_of_the_ksb_is_published(app, client):
    secrets = {
        "internal": "Catatan internal: Bupati minta ditunda sampai APBD-P",
        "shared": "Catatan bersama: naskah asli disimpan di Bagian Kerjasama Solok",
        "disposisi": "Disposisi Sekda: segera telaah pasal pembiayaan",
        "pic": "Yusril Datuak Bandaro",
        "pic_jabatan": "Kasubbag Kerja Sama Antar Daerah",
        "kuasa": "180/77/SK-KUASA/2023",
    }
    with app.app_context():
        ksb = _ksb(app)
        solok = next(p for p in ksb.parties if p.regency and p.regency.code == "13.02")
        db.session.add_all(
            [
                Note(
                    agreement_id=ksb.id, regency_id=solok.regency_id, kind="catatan", text=secrets["internal"]
                ),
                Note(agreement_id=ksb.id, regency_id=None, kind="catatan", text=secrets["shared"]),
                Note(
                    agreement_id=ksb.id,
                    regency_id=solok.regency_id,
                    kind="disposisi",
                    text=secrets["disposisi"],
                ),
                Signatory(
                    party_id=solok.id,
                    nama="Kepala Bagian Kerjasama Solok",
                    jabatan="Kepala Bagian",
                    kuasa_nomor=secrets["kuasa"],
                    kuasa_tanggal=date(2023, 1, 20),
                ),
            ]
        )
        solok.pic_nama, solok.pic_jabatan = secrets["pic"], secrets["pic_jabatan"]
        db.session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah Kabupaten Solok" in page  # still listed
    for what, text in secrets.items():
        assert text not in page, what


def _signed_pks(app, title, **kw):
    """A signed PKS under the demo KSB, with the Solok regency as its party."""
    with app.app_context():
        ksb = _ksb(app)
        fields = {
            "tahap": "pelaksanaan",
            "tgl_ttd": date(2025, 2, 3),
            "tgl_mulai": date(2025, 2, 3),
            "tgl_berakhir": date(2027, 2, 2),
            **kw,
        }
        a = Agreement(jenis="PKS", parent_id=ksb.id, judul=title, **fields)
        db.session.add(a)
        db.session.flush()
        db.session.add(Party(agreement_id=a.id, regency_id=ksb.parties[0].regency_id, urutan=1))
        db.session.commit()
        return a.id


def test_only_agreements_in_force_are_listed(app, client):
    _signed_pks(app, "PKS Berlaku Pariwisata Danau Singkarak")
    _signed_pks(app, "PKS Belum Berlaku Mulai Tahun Depan", tgl_mulai=date(2027, 1, 1))
    _signed_pks(app, "PKS Tanpa Tanggal Mulai", tgl_mulai=None)
    _signed_pks(app, "PKS Dibatalkan Sebelum Berlaku", tahap="dibatalkan")
    _signed_pks(app, "PKS Diakhiri Lebih Awal", tahap="berakhir", tgl_diakhiri=date(2026, 6, 30))
    _signed_pks(app, "PKS Diakhiri Pekan Depan", tgl_diakhiri=date(2026, 12, 5))
    _signed_pks(app, "PKS Masih Dicatat Susulan", tahap="ditandatangani", dicatat_susulan=True)
    page = client.get(URL).get_data(as_text=True)
    assert "PKS Berlaku Pariwisata Danau Singkarak" in page
    assert "PKS Diakhiri Pekan Depan" in page  # its early end is still ahead
    for title in (
        "PKS Belum Berlaku Mulai Tahun Depan",  # signed, not yet started
        "PKS Tanpa Tanggal Mulai",
        "PKS Dibatalkan Sebelum Berlaku",
        "PKS Diakhiri Lebih Awal",
        "PKS Masih Dicatat Susulan",  # registration after the fact not finished: parties, numbers may be missing
    ):
        assert title not in page, title


def test_a_signed_perpanjangan_keeps_its_parent_listed_to_its_new_end(app, client):
    with app.app_context():
        ksb = _ksb(app)
        ksb.tgl_berakhir = date(2026, 1, 24)
        for tahap, judul, end in (
            ("penyusunan", "Perpanjangan belum ditandatangani", date(2033, 1, 24)),
            ("ditandatangani", "Perpanjangan KSB Solok–Sijunjung", date(2031, 1, 24)),
        ):
            db.session.add(
                Agreement(
                    jenis="PERPANJANGAN",
                    parent_id=ksb.id,
                    judul=judul,
                    tahap=tahap,
                    tgl_ttd=date(2026, 1, 10) if tahap == "ditandatangani" else None,
                    tgl_mulai=date(2026, 1, 25),
                    tgl_berakhir=end,
                )
            )
        db.session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "Kesepakatan Bersama Pemerintah Kabupaten Solok" in page
    assert "s.d. 24 Januari 2031" in page  # the signed perpanjangan's end, not the draft's
    assert "24 Januari 2033" not in page
