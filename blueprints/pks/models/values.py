"""Value lists of Kerja Sama (docs/pks.md §5): codes stored, labels shown."""

# ---- value lists (docs/pks.md §5) ---------------------------------------------------------------
JENIS = {
    "KSB": "Kesepakatan Bersama",
    "PKS": "Perjanjian Kerja Sama",
    "ADENDUM": "Adendum",
    "PERPANJANGAN": "Perpanjangan",
}
KATEGORI = {"wajib": "Wajib", "sukarela": "Sukarela"}
URUSAN = {
    "sosial": "Sosial",
    "kesehatan": "Kesehatan",
    "kominfo": "Komunikasi dan informatika",
    "pariwisata": "Pariwisata",
    "sdm": "Pengembangan SDM",
    "pemerintahan": "Pemerintahan",
}
PERAN_PIHAK = {
    1: "Pihak kesatu",
    2: "Pihak kedua",
    3: "Pihak ketiga",
    4: "Pihak keempat",
    5: "Pihak kelima",
    6: "Pihak keenam",
}
# an outside partner: an organisation that is not one of the app's regencies (its kind, for the party list)
MITRA_JENIS = {
    "kabupaten": "Pemerintah kabupaten lain",
    "kota": "Pemerintah kota",
    "provinsi": "Pemerintah provinsi",
    "pusat": "Kementerian / lembaga",
    "universitas": "Perguruan tinggi",
    "perusahaan": "Badan usaha",
    "lainnya": "Organisasi lain",
}
KLAUSUL = {
    "subjek": "Subjek",
    "objek": "Objek",
    "ruang_lingkup": "Ruang lingkup",
    "hak_kewajiban": "Hak dan kewajiban",
    "jangka_waktu": "Jangka waktu",
    "pembiayaan": "Pembiayaan",
    "kahar": "Keadaan kahar",
    "perselisihan": "Penyelesaian perselisihan",
    "pengakhiran": "Pengakhiran",
}
MENUNGGU_TETAP = {"dprd": "menunggu DPRD", "pimpinan": "menunggu pimpinan"}
NOTE_KINDS = {"catatan": "Catatan", "disposisi": "Disposisi", "telaahan": "Telaahan staf"}

# Stage labels. "ditandatangani" is shown as "Ditandatangani / Berlaku".
TAHAP = {
    "identifikasi": "Identifikasi & pemetaan urusan",
    "persiapan": "Persiapan",
    "penawaran": "Penawaran",
    "diusulkan": "Diusulkan",
    "penyusunan": "Penyusunan naskah",
    "review_hukum": "Review hukum",
    "dprd": "Persetujuan DPRD",
    "surat_kuasa": "Surat kuasa",
    "siap_ttd": "Siap tanda tangan",
    "ditunda": "Ditunda",
    "ditandatangani": "Ditandatangani / berlaku",
    "pelaksanaan": "Pelaksanaan",
    "pelaporan": "Pelaporan",
    "evaluasi": "Evaluasi",
    "berakhir": "Berakhir",
    "dibatalkan": "Dibatalkan",
}
SIGNED_STAGES = {"ditandatangani", "pelaksanaan", "pelaporan", "evaluasi", "berakhir"}
FINAL_STAGES = {"berakhir", "dibatalkan"}

STATUS_BERLAKU = {
    "belum_berlaku": "Belum berlaku",
    "aktif": "Aktif",
    "akan_berakhir": "Akan berakhir",
    "kedaluwarsa": "Kedaluwarsa",
    "diakhiri": "Diakhiri",
    "dibatalkan": "Dibatalkan",
}
ALASAN_AKHIR = {"habis_waktu": "Habis waktu", "kesepakatan": "Kesepakatan para pihak", "diakhiri": "Diakhiri"}

DOC_KINDS = {
    "draf": "Versi draf",
    "ttd": "Naskah ditandatangani (scan)",
    "notulen": "Notulen",
    "daftar_hadir": "Daftar hadir",
    "undangan": "Undangan",
    "foto": "Foto",
    "laporan": "Laporan",
    "berita_acara": "Berita acara",
    "surat_kuasa": "Surat kuasa",
    "lainnya": "Lainnya",
}
OBLIGATION_STATUS = {
    "belum": "Belum dipenuhi",
    "sebagian": "Sebagian",
    "dipenuhi": "Dipenuhi",
    "lewat": "Lewat tenggat",
}
REKOMENDASI = {
    "dilanjutkan": "Dilanjutkan",
    "diperpanjang": "Diperpanjang",
    "diubah": "Diubah (adendum)",
    "diakhiri": "Diakhiri",
}
ACTIVITY_STATUS = {
    "direncanakan": "Direncanakan",
    "berjalan": "Berjalan",
    "selesai": "Selesai",
    "batal": "Batal",
}
REPORT_TO = {"bupati": "Bupati", "gubernur": "Gubernur", "kemendagri": "Kemendagri"}
MEETING_DOC_ROLES = {
    "berkas": "Berkas rapat",
    "dibahas": "Draf yang dibahas",
    "dihasilkan": "Draf yang dihasilkan",
}
LETTER_DIRECTION = {"keluar": "Keluar", "masuk": "Masuk"}
