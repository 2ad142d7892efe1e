"""Value lists of docs/rujukan.md §5 (value -> Indonesian label)."""

from wtforms.fields.choices import SelectChoice

JENIS = {"igd": "IGD (gawat darurat)", "rj": "Rawat jalan", "ri": "Rawat inap"}
KATEGORI = {"igd": "IGD", "rj": "Rawat jalan", "maternal": "Maternal", "neonatal": "Neonatal"}
TIPE = {"penuh": "Penuh", "partial": "Partial", "prb": "Rujuk balik (PRB)"}
# what a letter's attachment is (docs/rujukan.md §4.9); the letter prints "Lampiran: EKG (foto), Hasil lab (PDF)"
LAMPIRAN = {
    "ekg": "EKG",
    "lab": "Hasil lab",
    "rontgen": "Rontgen",
    "foto": "Foto klinis",
    "lainnya": "Lainnya",
}
ARAH = {"vertikal": "Vertikal", "horizontal": "Horizontal"}
DASAR = {
    "gawat_darurat": "Gawat darurat",
    "bencana": "Bencana",
    "kekhususan": "Kekhususan permasalahan kesehatan",
    "geografis": "Pertimbangan geografis",
    "fasilitas": "Ketersediaan fasilitas",
    "kompetensi": "Kompetensi",
}
TACC = {
    "tanpa": "Tanpa TACC",
    "time": "Time",
    "age": "Age",
    "complication": "Complication",
    "comorbidity": "Comorbidity",
}
TACC_TIME = {"lt3": "< 3 hari", "3to7": "≥ 3–7 hari", "ge7": "≥ 7 hari"}
STATUS_PESERTA = {"utama": "Utama", "tanggungan": "Tanggungan"}
KEPESERTAAN = {
    "pbi_apbn": "PBI APBN",
    "pbi_apbd": "PBI APBD",
    "pbpu": "PBPU",
    "ppu": "PPU",
    "non_jkn": "Non-JKN",
}
PAYER = {"bpjs": "BPJS Kesehatan", "apbd_solok": "APBD Kab. Solok", "pasien": "Pasien (umum)"}
CONSENT = {"setuju": "Setuju dirujuk", "menolak": "Menolak dirujuk"}
CHANNEL = {"web": "Web", "telepon": "Telepon", "kertas": "Kertas (sobekan balasan)", "sms": "SMS / WhatsApp"}
SEX = {"L": "Laki-laki", "P": "Perempuan"}
CONSCIOUSNESS = {
    "cm": "Compos mentis",
    "apatis": "Apatis",
    "somnolen": "Somnolen",
    "sopor": "Sopor",
    "koma": "Koma",
}

# Emergency mode (docs/rujukan.md §4.5): what was done to stabilise the patient before departure.
STABILISASI = {
    "airway": "Jalan napas bebas (airway)",
    "breathing": "Pernapasan adekuat (breathing)",
    "oksigen": "Oksigen terpasang",
    "infus": "Akses intravena / infus terpasang",
    "sirkulasi": "Sirkulasi stabil (circulation)",
    "perdarahan": "Perdarahan terkontrol",
    "imobilisasi": "Imobilisasi (leher/tulang) terpasang",
    "kateter": "Kateter urin terpasang",
    "ngt": "Selang lambung (NGT) terpasang",
    "obat": "Obat emergensi diberikan",
    "gula": "Gula darah diperiksa",
}
# The escort's role (pendamping).
PENDAMPING = {
    "dokter": "Dokter",
    "perawat": "Perawat",
    "bidan": "Bidan",
    "keluarga": "Keluarga",
    "lainnya": "Lainnya",
}


def dasar_label(value: str | None) -> str:
    return DASAR.get(value or "", "")


def C(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (raw tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(v, label) for v, label in pairs]


def choices(mapping: dict, blank: str | None = "— pilih —") -> list[SelectChoice]:
    out = [("", blank)] if blank is not None else []
    return C(out + list(mapping.items()))
