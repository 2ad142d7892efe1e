"""The real case (Kabaminang.com, 29 Aug 2024), plus clearly-marked invented states. Idempotent.

Facts from the article carry ``SUMBER``. Invented items say "(demo, dikarang)": the KSB's five-year
period, the earlier signing target that slipped, the action items' owners and due dates, and the
Kominfo OPDs signing as parties.
"""

from datetime import date

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.wilayah.models import Jorong

from .models import (
    ActionItem,
    Agreement,
    Attendee,
    Decision,
    DocNumber,
    Event,
    Meeting,
    Party,
    ScopeItem,
    ScopeLink,
    ServiceArea,
    Signatory,
    Slip,
)

SUMBER = (
    'Kabaminang.com, "Pemkab Solok dan Pemkab Sijunjung bahas PKS", rapat Kamis 29 Agustus 2024 '
    "di Ruang Rapat Sekda Kab. Solok"
)
DIKARANG = "(demo, dikarang)"
KSB_TITLE = "Kesepakatan Bersama Pemerintah Kabupaten Solok dan Pemerintah Kabupaten Sijunjung"
PKS1_TITLE = "Replikasi Aplikasi Sistem Informasi Disabilitas dan Lanjut Usia (SIDILAN)"
PKS2_TITLE = "Pelayanan Kesehatan Masyarakat di Wilayah Perbatasan"
NAGARI_TANJUNG_BALIK_SUMISO = "13.02.18.2004"


def _agreement(title: str, **kw) -> tuple[Agreement, bool]:
    found = db.session.scalar(select(Agreement).where(Agreement.judul == title, Agreement.is_demo.is_(True)))
    if found is not None:
        return found, False
    a = Agreement(judul=title, is_demo=True, **kw)
    db.session.add(a)
    db.session.flush()
    return a, True


def _party(a, regency, urutan, org=None, opd="", peran="", signs=True):
    db.session.add(
        Party(
            agreement_id=a.id,
            regency_id=regency.id,
            urutan=urutan,
            organisation_id=org.id if org else None,
            opd=opd,
            peran=peran,
            menandatangani=signs,
        )
    )


# Each regency's register number of the KSB is not public: invented, and marked so. The two Bupati signed it.
KSB_SIGNING = {
    "solok": ("100.3/01/KSB-SLK/I/2023 (contoh)", "Epyardi Asda", "Bupati Solok"),
    "sijunjung": ("100.3/01/KSB-SJJ/I/2023 (contoh)", "Benny Dwifa Yuswir", "Bupati Sijunjung"),
}


def _ksb_signing(ksb, regencies: dict) -> None:
    """The KSB's number in each party's register and its signatory, once (a demo loaded before they were known
    gets them too)."""
    if db.session.scalar(select(DocNumber.id).where(DocNumber.agreement_id == ksb.id)) is not None:
        return
    by_regency = {
        p.regency_id: p for p in db.session.scalars(select(Party).where(Party.agreement_id == ksb.id))
    }
    for slug, (nomor, nama, jabatan) in KSB_SIGNING.items():
        party = by_regency.get(regencies[slug].id)
        if party is None:
            continue
        db.session.add(
            DocNumber(agreement_id=ksb.id, party_id=party.id, nomor=nomor, tanggal=date(2023, 1, 25))
        )
        db.session.add(Signatory(party_id=party.id, nama=nama, jabatan=jabatan, is_bupati=True))
    db.session.flush()


def load(ctx) -> None:
    solok, sijunjung = ctx.regencies["solok"], ctx.regencies["sijunjung"]
    o = ctx.orgs

    ksb, new = _agreement(
        KSB_TITLE,
        jenis="KSB",
        objek="Kerja sama daerah Kab. Solok – Kab. Sijunjung",
        kategori="sukarela",
        tahap="ditandatangani",
        tahap_sejak=date(2023, 1, 25),
        tgl_ttd=date(2023, 1, 25),
        tgl_mulai=date(2023, 1, 25),
        tgl_berakhir=date(2028, 1, 24),
        jangka_waktu_bulan=60,
        dprd_perlu=False,
        dprd_alasan="Tidak membebani masyarakat dan daerah " + DIKARANG,
        urusan_codes=",sosial,kesehatan,pariwisata,sdm,",
        sumber=SUMBER + "; tanggal tanda tangan 25 Januari 2023 dari sambutan Roni, S.SSTP. "
        "Masa berlaku 5 tahun " + DIKARANG + "; nomor di register masing-masing belum diperoleh: nomor yang "
        "tercatat bertanda (contoh). Penandatangan: Bupati Solok dan Bupati Sijunjung masa jabatan 2021–2025 "
        "(nama belum dicocokkan dengan naskah).",
    )
    if new:
        _party(ksb, solok, 1, opd="Pemerintah Kabupaten Solok")
        _party(ksb, sijunjung, 2, opd="Pemerintah Kabupaten Sijunjung")
        db.session.add(
            Event(
                agreement_id=ksb.id,
                kind="ttd",
                to_state="ditandatangani",
                on_date=date(2023, 1, 25),
                reason="Kesepakatan Bersama ditandatangani (dicatat dari sumber berita)",
            )
        )
        items = [
            ("Replikasi aplikasi SIDILAN", "sosial", date(2023, 1, 25), SUMBER),
            ("Pelayanan kesehatan masyarakat di wilayah perbatasan", "kesehatan", date(2023, 1, 25), SUMBER),
            (
                "Pariwisata",
                "pariwisata",
                date(2024, 8, 29),
                SUMBER + "; harapan Kab. Sijunjung (Roni, S.SSTP)",
            ),
            (
                "Pengembangan sumber daya manusia",
                "sdm",
                date(2024, 8, 29),
                SUMBER + "; harapan Kab. Sijunjung (Roni, S.SSTP)",
            ),
        ]
        for nama, urusan, since, src in items:
            db.session.add(
                ScopeItem(ksb_id=ksb.id, nama=nama, urusan_code=urusan, dicatat_pada=since, sumber=src)
            )
        db.session.flush()
    _ksb_signing(ksb, ctx.regencies)
    scope = {s.urusan_code: s for s in ksb.scope_items}

    common = dict(
        jenis="PKS",
        parent_id=ksb.id,
        tahap="siap_ttd",
        tahap_sejak=date(2024, 8, 29),
        menunggu="pimpinan",
        menunggu_sejak=date(2024, 8, 29),
        pemrakarsa_regency_id=solok.id,
        pemrakarsa_opd="Bagian Kerjasama Setda Kabupaten Solok",
        target_mulai=date(2024, 9, 8),
        target_selesai=date(2024, 9, 14),
        target_presisi="minggu",
        target_acara="Penandatanganan PKS, dikoordinasikan melalui Sekda masing-masing",
        target_awal_selesai=date(2024, 7, 31),
        dprd_perlu=False,
        dprd_alasan="Tidak membebani masyarakat dan daerah " + DIKARANG,
    )
    pks1, new1 = _agreement(
        PKS1_TITLE,
        objek="Replikasi SIDILAN",
        urusan_codes=",sosial,kominfo,",
        kategori="sukarela",
        sumber=SUMBER + ". Kategori sukarela (belum diverifikasi).",
        **common,
    )
    pks2, new2 = _agreement(
        PKS2_TITLE,
        objek="Pelayanan kesehatan wilayah perbatasan",
        urusan_codes=",kesehatan,",
        kategori="wajib",
        sumber=SUMBER + ". Kategori wajib dan Dinas Kesehatan sebagai OPD utama (belum diverifikasi).",
        **common,
    )
    if new1:
        db.session.add(ScopeLink(agreement_id=pks1.id, scope_item_id=scope["sosial"].id))
        _party(pks1, sijunjung, 1, o[("sijunjung", "dinsos")], peran="Pengembang SIDILAN")
        _party(pks1, solok, 2, o[("solok", "dinsos")], peran="Pengadopsi")
        _party(pks1, sijunjung, 3, o[("sijunjung", "kominfo")], peran="Dukungan teknis " + DIKARANG)
        _party(pks1, solok, 4, o[("solok", "kominfo")], peran="Dukungan teknis " + DIKARANG)
    if new2:
        db.session.add(ScopeLink(agreement_id=pks2.id, scope_item_id=scope["kesehatan"].id))
        _party(
            pks2,
            solok,
            1,
            o[("solok", "dinkes")],
            peran="Wilayah layanan: warga Jorong Tigo Jangko (OPD utama belum diverifikasi)",
        )
        _party(
            pks2,
            sijunjung,
            2,
            o[("sijunjung", "dinkes")],
            peran="FKTP dan FKTL Kab. Sijunjung (OPD utama belum diverifikasi)",
        )
        jorong = db.session.scalar(
            select(Jorong).where(
                Jorong.nagari_code == NAGARI_TANJUNG_BALIK_SUMISO, Jorong.name == "Tigo Jangko"
            )
        )
        db.session.add(
            ServiceArea(
                agreement_id=pks2.id,
                nagari_code=NAGARI_TANJUNG_BALIK_SUMISO,
                jorong_id=jorong.id if jorong else None,
            )
        )
    db.session.flush()

    meeting = db.session.scalar(
        select(Meeting).where(Meeting.tanggal == date(2024, 8, 29), Meeting.sumber == SUMBER)
    )
    if meeting is None:
        meeting = Meeting(
            tanggal=date(2024, 8, 29),
            jam=None,
            tempat="Ruang Rapat Sekretaris Daerah Kabupaten Solok",
            host_regency_id=solok.id,
            sumber=SUMBER,
            agenda="Pembahasan lanjutan PKS replikasi aplikasi SIDILAN dan PKS pelayanan kesehatan "
            "masyarakat di wilayah perbatasan",
        )
        meeting.agreements = [pks1, pks2]
        db.session.add(meeting)
        db.session.flush()
        people = [
            (
                "Safrudin, S.Sos, M.Si",
                "Staf Ahli Bidang Pemerintahan Hukum dan Politik",
                "Setda Kabupaten Solok",
                solok,
                "memimpin rapat",
            ),
            (
                "Roni, S.SSTP",
                "Kepala Bagian Pemerintahan dan Otonomi Daerah",
                "Bagian Pemerintahan dan Otonomi Daerah Setda Kabupaten Sijunjung",
                sijunjung,
                "mewakili Sekda Kab. Sijunjung",
            ),
            (
                "Elvian Hart, ST, MT",
                "Kepala Bagian Kerjasama",
                "Bagian Kerjasama Setda Kabupaten Solok",
                solok,
                "",
            ),
            ("Perwakilan Dinas Sosial", "", o[("solok", "dinsos")].name, solok, ""),
            ("Perwakilan Dinas Kominfo", "", o[("solok", "kominfo")].name, solok, ""),
            ("Perwakilan Dinas Sosial", "", o[("sijunjung", "dinsos")].name, sijunjung, ""),
            ("Perwakilan Dinas Kominfo", "", o[("sijunjung", "kominfo")].name, sijunjung, ""),
        ]
        for nama, jabatan, opd, regency, ket in people:
            db.session.add(
                Attendee(
                    meeting_id=meeting.id,
                    nama=nama,
                    jabatan=jabatan,
                    opd=opd,
                    regency_id=regency.id,
                    keterangan=ket,
                )
            )
        for text in [
            "Penandatanganan kedua PKS ditargetkan pada minggu kedua September 2024.",
            "Penandatanganan dikoordinasikan dengan Sekretaris Daerah masing-masing kabupaten, mengingat "
            "keterlibatan Dinas Sosial dan Dinas Kominfo.",
            "Kab. Sijunjung berharap kerja sama diperluas ke pariwisata dan pengembangan sumber daya "
            "manusia.",
        ]:
            db.session.add(Decision(meeting_id=meeting.id, text=text))
        db.session.add(
            ActionItem(
                meeting_id=meeting.id,
                owner_regency_id=solok.id,
                owner="Bagian Kerjasama Setda Kab. Solok " + DIKARANG,
                text="Koordinasi jadwal penandatanganan dengan Sekda Kab. Solok " + DIKARANG,
                due=date(2024, 9, 6),
            )
        )
        db.session.add(
            ActionItem(
                meeting_id=meeting.id,
                owner_regency_id=sijunjung.id,
                owner="Bagian Pemerintahan dan Otda Setda Kab. Sijunjung " + DIKARANG,
                text="Koordinasi jadwal penandatanganan dengan Sekda Kab. Sijunjung " + DIKARANG,
                due=date(2024, 9, 6),
            )
        )
        for a in (pks1, pks2):
            db.session.add(
                Slip(
                    agreement_id=a.id,
                    old_mulai=date(2024, 7, 1),
                    old_selesai=date(2024, 7, 31),
                    old_presisi="bulan",
                    new_mulai=date(2024, 9, 8),
                    new_selesai=date(2024, 9, 14),
                    new_presisi="minggu",
                    meeting_id=meeting.id,
                    is_demo=True,
                    diputuskan_oleh="Rapat 29 Agustus 2024 (pimpinan: Safrudin, S.Sos, M.Si)",
                    alasan='PKS tertunda; "masing-masing Kepala Daerah memiliki kegiatan lain yang sama '
                    'pentingnya" (sumber berita). Target semula Juli 2024 ' + DIKARANG + ".",
                )
            )
            db.session.add(
                Event(
                    agreement_id=a.id,
                    kind="tahap",
                    from_state="penyusunan",
                    to_state="siap_ttd",
                    on_date=date(2024, 8, 29),
                    reason="Rapat 29 Agustus 2024 menyepakati penandatanganan minggu kedua September 2024",
                )
            )
        db.session.flush()
