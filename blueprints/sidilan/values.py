"""Value lists of docs/sidilan.md §6 as (code, label) pairs. Lists marked (unverified) there are kept in one
place so Dinsos can adjust them without touching the logic."""

from blueprints.core import fmt

JENIS_KELAMIN = [("L", "Laki-laki"), ("P", "Perempuan")]
SHDK = [
    (v, v)
    for v in (
        "Kepala Keluarga",
        "Suami",
        "Istri",
        "Anak",
        "Menantu",
        "Cucu",
        "Orang Tua",
        "Mertua",
        "Famili Lain",
        "Lainnya",
    )
]
ALASAN_TANPA_NIK = [
    ("belum_rekam", "Belum rekam"),
    ("hilang", "Hilang"),
    ("tidak_terdaftar", "Tidak terdaftar adminduk"),
]
AGAMA = [(v, v) for v in ("Islam", "Kristen", "Katolik", "Hindu", "Buddha", "Konghucu", "Lainnya")]
STATUS_PERKAWINAN = [(v, v) for v in ("Belum Kawin", "Kawin", "Cerai Hidup", "Cerai Mati")]
STATUS_HIDUP = [("hidup", "Hidup"), ("meninggal", "Meninggal")]
STATUS_DOMISILI = [("menetap", "Menetap"), ("pindah", "Pindah"), ("tidak_ditemukan", "Tidak ditemukan")]
KEPESERTAAN_JKN = [("PBI-JK", "PBI-JK"), ("mandiri", "Mandiri"), ("PPU", "PPU"), ("tidak_ada", "Tidak ada")]
SUMBER_DATA = [
    ("lapangan", "Pendataan lapangan"),
    ("usulan_nagari", "Usulan nagari"),
    ("impor_sidilan", "Impor SIDILAN"),
    ("impor_dtks", "Impor DTKS-DTSEN"),
    ("permohonan", "Permohonan mandiri"),
]
TAGS = [
    ("terlantar", "Terlantar"),
    ("tinggal_sendiri", "Tinggal sendiri"),
    ("belum_rekam", "Belum rekam e-KTP"),
]

RAGAM = [("fisik", "Fisik"), ("intelektual", "Intelektual"), ("mental", "Mental"), ("sensorik", "Sensorik")]
JENIS = {
    "fisik": [
        "amputasi",
        "lumpuh layuh/kaku",
        "paraplegi",
        "cerebral palsy",
        "akibat stroke",
        "akibat kusta",
        "orang kecil",
    ],
    "intelektual": ["lambat belajar", "grahita", "down syndrome"],
    "mental": [
        "skizofrenia",
        "bipolar",
        "depresi",
        "anxietas",
        "gangguan kepribadian",
        "autis",
        "hiperaktif",
    ],
    "sensorik": ["netra", "rungu", "wicara", "rungu-wicara", "netra-tuli"],
}
# Sub-types that are already a combination (docs/sidilan.md §6 "jenis, ganda") make the record ganda.
JENIS_GANDA = {"rungu-wicara", "netra-tuli"}
DERAJAT = [("ringan", "Ringan"), ("sedang", "Sedang"), ("berat", "Berat")]
SEJAK = [("bawaan", "Bawaan lahir"), ("didapat", "Didapat")]
WG_QUESTIONS = [
    ("wg_melihat", "Melihat (walaupun memakai kacamata)"),
    ("wg_mendengar", "Mendengar (walaupun memakai alat bantu dengar)"),
    ("wg_berjalan", "Berjalan atau naik tangga"),
    ("wg_mengingat", "Mengingat atau berkonsentrasi"),
    ("wg_merawat_diri", "Merawat diri (mandi atau berpakaian)"),
    ("wg_komunikasi", "Berkomunikasi dalam bahasa sehari-hari"),
]
WG_ANSWERS = [
    (1, "1 Tidak ada kesulitan"),
    (2, "2 Sedikit kesulitan"),
    (3, "3 Banyak kesulitan"),
    (4, "4 Tidak bisa sama sekali"),
]
ALAT_BANTU = [
    ("kursi_roda", "Kursi roda"),
    ("kruk", "Kruk"),
    ("tongkat", "Tongkat"),
    ("tongkat_netra", "Tongkat netra"),
    ("alat_bantu_dengar", "Alat bantu dengar"),
    ("kaki_palsu", "Kaki palsu"),
    ("tangan_palsu", "Tangan palsu"),
    ("walker", "Walker"),
    ("kacamata", "Kacamata"),
    ("lainnya", "Lainnya"),
]
KEBUTUHAN_LAYANAN = [
    ("juru_bahasa_isyarat", "Juru bahasa isyarat"),
    ("terapi", "Terapi"),
    ("perawatan_rumah", "Perawatan di rumah"),
    ("rehabilitasi", "Rehabilitasi sosial"),
    ("pendidikan", "Pendidikan"),
    ("pelatihan_kerja", "Pelatihan kerja"),
    ("adminduk", "Perekaman e-KTP di rumah"),
]

KATEGORI_POTENSI = [("potensial", "Potensial"), ("tidak_potensial", "Tidak potensial")]
TINGGAL_DENGAN = [("sendiri", "Sendiri"), ("pasangan", "Pasangan"), ("anak", "Anak"), ("lainnya", "Lainnya")]
# Barthel items (field, label, maximum) - maxima are (unverified), overridable via SIDILAN_BARTHEL_MAXIMA.
BARTHEL_ITEMS = [
    ("barthel_bab", "Mengendalikan BAB", 2),
    ("barthel_bak", "Mengendalikan BAK", 2),
    ("barthel_kebersihan_diri", "Membersihkan diri (wajah, rambut, gigi)", 1),
    ("barthel_toilet", "Penggunaan toilet", 2),
    ("barthel_makan", "Makan", 2),
    ("barthel_berpindah", "Berpindah (tempat tidur ke kursi)", 3),
    ("barthel_mobilitas", "Mobilitas (berjalan)", 3),
    ("barthel_berpakaian", "Berpakaian", 2),
    ("barthel_tangga", "Naik turun tangga", 2),
    ("barthel_mandi", "Mandi", 1),
]
# What each score means, per item, in the usual wording of the Indonesian modified Barthel form (0-20 scale);
# list index = score. Used while an item keeps its default maximum; see service.barthel_options.
BARTHEL_MEANINGS = {
    "barthel_bab": [
        "tidak terkendali / tidak teratur (perlu pencahar)",
        "kadang tidak terkendali (1× seminggu)",
        "terkendali / teratur",
    ],
    "barthel_bak": [
        "tidak terkendali / pakai kateter",
        "kadang tidak terkendali (maks. 1× sehari)",
        "terkendali / mandiri",
    ],
    "barthel_kebersihan_diri": ["perlu bantuan orang lain", "mandiri"],
    "barthel_toilet": ["tergantung orang lain", "perlu bantuan pada sebagian kegiatan", "mandiri"],
    "barthel_makan": ["tidak mampu", "perlu bantuan (mis. memotong makanan)", "mandiri"],
    "barthel_berpindah": [
        "tidak mampu",
        "perlu banyak bantuan (2 orang)",
        "perlu sedikit bantuan (1 orang)",
        "mandiri",
    ],
    "barthel_mobilitas": [
        "tidak mampu",
        "dengan kursi roda",
        "berjalan dibantu 1 orang",
        "mandiri (boleh dengan tongkat)",
    ],
    "barthel_berpakaian": ["tergantung orang lain", "sebagian dibantu (mis. mengancingkan)", "mandiri"],
    "barthel_tangga": ["tidak mampu", "perlu bantuan", "mandiri"],
    "barthel_mandi": ["tergantung orang lain", "mandiri"],
}
BARTHEL_KATEGORI = [
    ("mandiri", "Mandiri"),
    ("ringan", "Ketergantungan ringan"),
    ("sedang", "Ketergantungan sedang"),
    ("berat", "Ketergantungan berat"),
    ("total", "Ketergantungan total"),
]

STATUS_VERIFIKASI = [
    ("draf", "Draf"),
    ("diajukan", "Diajukan"),
    ("diverifikasi", "Diverifikasi nagari"),
    ("disetujui", "Disetujui dinas"),
    ("ditolak", "Ditolak"),
]
# re-verification outcomes (docs/sidilan.md §9.5, §12 "Daftar verval"; status_hidup / status_domisili, §6)
HASIL_VERVAL = [
    ("masih_layak", "Masih layak (hidup, menetap)"),
    ("meninggal", "Meninggal"),
    ("pindah", "Pindah"),
    ("tidak_ditemukan", "Tidak ditemukan"),
]
STATUS_BANTUAN = [
    ("diusulkan", "Diusulkan"),
    ("disetujui", "Disetujui"),
    ("disalurkan", "Disalurkan"),
    ("ditolak", "Ditolak"),
    ("dihentikan", "Dihentikan"),
]
# Which statuses mean the aid reached the person (cair / diterima): only these take a person off "tanpa bantuan".
STATUS_DITERIMA = ("disalurkan",)
# How a program counts its aid out (an entry records the period; "bantuan ganda" is the same program twice in
# one period for one household).
PERIODE_PROGRAM = [
    ("bulanan", "Bulanan"),
    ("tahap", "Per tahap"),
    ("tahunan", "Tahunan"),
    ("sekali", "Sekali (tidak berulang)"),
]
# the seeded programs' periods (unverified: BPNT/Sembako and PBI-JK monthly, PKH four tahap a year); the rest
# are tahunan. An admin changes them on the program form.
PERIODE_SEED = {"PKH": "tahap", "BPNT": "bulanan", "PBI-JK": "bulanan", "ALAT-BANTU": "sekali"}
BULAN = list(enumerate(fmt.BULAN, 1))  # (1, "Januari") … for the period select and its labels
TAHAP_MAX = 12
SUMBER_DANA = [
    ("APBN", "APBN"),
    ("APBD Prov", "APBD Provinsi"),
    ("APBD Kab", "APBD Kabupaten"),
    ("Baznas", "Baznas"),
    ("CSR", "CSR"),
    ("lainnya", "Lainnya"),
]
JENIS_PROGRAM = [("tunai", "Tunai"), ("barang", "Barang"), ("layanan", "Layanan")]
SASARAN_PROGRAM = [("individu", "Perorangan"), ("keluarga", "Keluarga (KPM)")]
KOMPONEN_ATENSI = [
    ("1", "1 Dukungan pemenuhan kebutuhan hidup layak"),
    ("2", "2 Perawatan sosial / pengasuhan anak"),
    ("3", "3 Dukungan keluarga"),
    ("4", "4 Terapi fisik, psikososial, mental spiritual"),
    ("5", "5 Pelatihan vokasional / pembinaan kewirausahaan"),
    ("6", "6 Bantuan sosial dan asistensi sosial"),
    ("7", "7 Dukungan aksesibilitas"),
]
# Seeded per regency (kode, nama, sumber_dana, jenis, sasaran, punya_komponen).
SEED_PROGRAMS = [
    ("PKH", "Program Keluarga Harapan", "APBN", "tunai", "keluarga", False),
    ("BPNT", "BPNT / Program Sembako", "APBN", "barang", "keluarga", False),
    ("PBI-JK", "Penerima Bantuan Iuran Jaminan Kesehatan", "APBN", "layanan", "individu", False),
    ("ATENSI", "Asistensi Rehabilitasi Sosial (ATENSI)", "APBN", "layanan", "individu", True),
    ("ASPD", "Asistensi Sosial Penyandang Disabilitas Berat", "APBN", "tunai", "individu", False),
    ("ALAT-BANTU", "Bantuan alat bantu", "APBD Kab", "barang", "individu", False),
    ("APBD", "Bantuan sosial daerah (APBD)", "APBD Kab", "tunai", "individu", False),
]


def label(values, code) -> str:
    """Label of a code in a (code, label) list; the code itself when unknown."""
    if code is None:
        return ""
    for c, lab in values:
        if c == code:
            return lab
    return str(code)


# Age from which a person counts as elderly (lansia): the assessments, the lansia filter and the reports.
LANSIA_AGE = 60
