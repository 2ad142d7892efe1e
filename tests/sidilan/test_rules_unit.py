"""SIDILAN's pure rules, run without an app or a database: the importer's cell parsers and per-field row
rules, the mapping check, and the person / assessment / disability / access rules."""

from datetime import date

import pytest

from blueprints.core.nik import NO_NIK_REASON_MESSAGE
from blueprints.sidilan import access, importer
from blueprints.sidilan.assessments import age_problem, barthel_category, barthel_maxima, barthel_result
from blueprints.sidilan.disability import ragam_data, wgss_flag
from blueprints.sidilan.importer import plan
from blueprints.sidilan.person import death_problem

TODAY = date(2026, 6, 15)
NIK_WOMAN_1984 = "1302185203840001"  # Tigo Lurah (13.02.18), 12 March 1984, woman
KK = "1302012003150007"
HEADERS = [
    "nama",
    "jk",
    "tgl lahir",
    "nik",
    "alasan tanpa nik",
    "no kk",
    "nagari",
    "umur",
    "ragam",
    "rt",
    "no hp",
]


def regions() -> plan.Regions:
    """Two kecamatan with a nagari each; 'Koto Baru' exists in both (ambiguous without the kecamatan)."""
    return plan.Regions(
        kecamatan={"gunung talang": "13.02.05", "kubung": "13.02.06"},
        kecamatan_name={"13.02.05": "Gunung Talang", "13.02.06": "Kubung"},
        nagari={
            "cupak": [("13.02.05.2001", "13.02.05", "Cupak")],
            "koto baru": [
                ("13.02.05.2002", "13.02.05", "Koto Baru"),
                ("13.02.06.2001", "13.02.06", "Koto Baru"),
            ],
        },
        jorong={("13.02.05.2001", "galogandang"): (7, "Galogandang")},
    )


def row_of(numeric: set[int] = frozenset(), **cells) -> tuple[plan.RowResult, plan.Cells]:
    mapping = importer.guess_mapping(HEADERS)
    values = [""] * len(HEADERS)
    keys = {
        "nama": "nama",
        "jenis_kelamin": "jk",
        "tanggal_lahir": "tgl lahir",
        "nik": "nik",
        "alasan_tanpa_nik": "alasan tanpa nik",
        "no_kk": "no kk",
        "nagari": "nagari",
        "umur": "umur",
        "ragam": "ragam",
        "rt": "rt",
        "no_hp": "no hp",
    }
    for key, text in cells.items():
        values[HEADERS.index(keys[key])] = text
    return plan.RowResult(line=2, cells=values), plan.Cells(values, mapping, set(numeric))


def checked(**cells) -> plan.RowResult:
    row, c = row_of(**cells)
    plan.check_row(row, c, regions(), "13.02", TODAY)
    return row


# ---- cell parsers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, numeric, expected",
    [
        ("12-03-1984", False, date(1984, 3, 12)),
        ("12/3/1984", False, date(1984, 3, 12)),
        ("1984-03-12", False, date(1984, 3, 12)),
        ("12 Agustus 1970", False, date(1970, 8, 12)),
        ("12 ags 1970", False, date(1970, 8, 12)),
        ("30753", True, date(1984, 3, 12)),
        ("", False, None),
    ],
)
def test_dates_in_the_spellings_clerks_type(text, numeric, expected):
    assert importer.parse_date(text, numeric=numeric) == expected


@pytest.mark.parametrize("text", ["31-02-1970", "kemarin", "30770"])
def test_a_date_that_is_not_one_raises(text):
    with pytest.raises(ValueError):
        importer.parse_date(text)  # a serial day number only counts in a number cell


def test_place_and_date_in_one_column():
    assert importer.split_ttl("Solok, 12-08-1970") == ("Solok", "12-08-1970")
    assert importer.split_ttl("Muaro Sijunjung 3 Mei 1950") == ("Muaro Sijunjung", "3 Mei 1950")
    assert importer.split_ttl("12-08-1970") == ("", "12-08-1970")
    assert importer.split_ttl("Solok") == ("Solok", "")


@pytest.mark.parametrize(
    "text, sex",
    [
        ("L", "L"),
        ("Laki-laki", "L"),
        ("pria", "L"),
        ("P", "P"),
        ("PEREMPUAN", "P"),
        ("wanita", "P"),
        ("x", None),
        ("", None),
    ],
)
def test_sex_spellings(text, sex):
    assert importer.parse_sex(text) == sex


def test_old_and_new_disability_words():
    assert importer.parse_ragam("Tuna Netra") == ({"sensorik": "netra"}, [])
    assert importer.parse_ragam("tunarungu, tunawicara") == ({"sensorik": "rungu-wicara"}, [])
    assert importer.parse_ragam("tunadaksa dan ODGJ") == ({"fisik": None, "mental": None}, [])
    assert importer.parse_ragam("cacat ganda") == ({}, ["cacat ganda"])


def test_names_and_lookups():
    assert importer.clean_name("  SITI   AMINAH ") == "Siti Aminah"
    assert importer.clean_name("Nur Hayati") == "Nur Hayati"
    assert importer.lookup([("belum_rekam", "Belum rekam")], "BELUM REKAM") == "belum_rekam"
    assert importer.lookup([("belum_rekam", "Belum rekam")], "hilang") is None


# ---- the column mapping -------------------------------------------------------------------------


def test_mapping_is_guessed_from_headers_and_checked():
    assert importer.guess_mapping(["No", "Nama Lengkap", "NIK", "Tempat, Tgl Lahir"]) == {
        "nama": 1,
        "nik": 2,
        "ttl": 3,
    }
    mapping, errors = importer.read_mapping({"map_nama": "0", "map_nagari": "0"}, width=3)
    assert mapping == {"nama": 0}
    assert errors == {
        "nagari": "Kolom ini sudah dipakai untuk Nama lengkap.",
        "nik": "Pilih kolom NIK (atau kolom alasan tanpa NIK).",
        "tanggal_lahir": "Pilih kolom tanggal lahir (atau tempat/tgl lahir, atau umur).",
    }
    assert importer.read_mapping({"map_nama": "9"}, width=3)[1]["nama"] == "Pilihan kolom tidak sah."


def test_a_csv_upload_finds_its_header_below_the_title():
    sheet = importer.read_upload(
        "data.csv", b"DAFTAR PENYANDANG DISABILITAS\n\nNama;NIK;Nagari\nAni;;Cupak\n"
    )
    assert sheet.headers == ["Nama", "NIK", "Nagari"]
    assert [cells for _, cells, _ in sheet.data_rows()] == [["Ani", "", "Cupak"]]
    with pytest.raises(importer.ImportFileError):
        importer.read_upload("lama.xls", b"\xd0\xcf")


# ---- one row's field rules ----------------------------------------------------------------------


def test_a_good_row_is_read_into_the_person_values():
    row = checked(
        nama="SITI AMINAH",
        jenis_kelamin="P",
        tanggal_lahir="12-03-1984",
        nik=NIK_WOMAN_1984,
        no_kk=KK,
        nagari="Cupak",
        ragam="tunanetra",
        rt="3",
        no_hp="0812 3456 789",
    )
    assert row.status == plan.BARU, row.reasons
    v = row.values
    assert (v["nama_lengkap"], v["jenis_kelamin"], v["tanggal_lahir"], v["nik"]) == (
        "Siti Aminah",
        "P",
        date(1984, 3, 12),
        NIK_WOMAN_1984,
    )
    assert (v["no_kk"], v["nagari_code"], v["kecamatan_code"], v["rt"], v["no_hp"]) == (
        KK,
        "13.02.05.2001",
        "13.02.05",
        "3",
        "0812 3456 789",
    )
    assert v["ragam"] == {"sensorik": "netra"}


def test_without_nik_the_row_needs_the_shared_reason():
    row = checked(nama="Ani", jenis_kelamin="P", tanggal_lahir="01-01-1950", nagari="Cupak")
    assert row.status == plan.DITOLAK and row.reasons == [NO_NIK_REASON_MESSAGE]
    row = checked(
        nama="Ani",
        jenis_kelamin="P",
        tanggal_lahir="01-01-1950",
        nagari="Cupak",
        alasan_tanpa_nik="belum rekam",
    )
    assert row.status == plan.BARU and row.values["alasan_tanpa_nik"] == "belum_rekam"


def test_sex_and_birth_date_come_from_the_nik_when_missing():
    row, c = row_of(nama="Ani", nik=NIK_WOMAN_1984, nagari="Cupak")
    plan.check_row(row, c, regions(), "13.02", TODAY)
    assert row.status == plan.BARU, row.reasons
    assert row.values["jenis_kelamin"] == "P" and row.values["tanggal_lahir"] == date(1984, 3, 12)
    assert row.values["tgl_lahir_perkiraan"] is True
    assert "Jenis kelamin diambil dari NIK." in row.warnings


def test_a_nik_stored_as_a_number_that_lost_its_last_digit_is_imported_flagged():
    row, c = row_of(
        numeric={HEADERS.index("nik")},
        nama="Ani",
        jenis_kelamin="P",
        tanggal_lahir="12-03-1984",
        nik="1302185203840000",
        nagari="Cupak",
    )
    plan.check_row(row, c, regions(), "13.02", TODAY)
    # the 16th digit was lost (…0000): imported without the NIK, flagged for checking, never rejected for that
    assert row.status == plan.BARU and row.values.get("nik") is None
    assert plan.DIGIT_LOST in row.warnings


def test_birth_dates_follow_the_one_core_rule():
    future = checked(
        nama="Ani", jenis_kelamin="P", tanggal_lahir="01-01-2027", nagari="Cupak", alasan_tanpa_nik="hilang"
    )
    assert future.reasons == ["Tanggal lahir tidak boleh melewati hari ini."]
    old = checked(
        nama="Ani", jenis_kelamin="P", tanggal_lahir="31-12-1899", nagari="Cupak", alasan_tanpa_nik="hilang"
    )
    assert old.reasons[0].startswith("Tanggal lahir: Tanggal di luar rentang yang wajar")


def test_age_gives_an_estimated_birth_date():
    row = checked(nama="Ani", jenis_kelamin="P", umur="70", nagari="Cupak", alasan_tanpa_nik="hilang")
    assert row.status == plan.BARU and row.values["tanggal_lahir"] == date(1956, 7, 1)
    assert row.values["tgl_lahir_perkiraan"] is True
    assert checked(
        nama="Ani", jenis_kelamin="P", umur="tua", nagari="Cupak", alasan_tanpa_nik="hilang"
    ).reasons == ["Umur 'tua' bukan angka tahun 0–120."]
    assert checked(nama="Ani", jenis_kelamin="P", nagari="Cupak", alasan_tanpa_nik="hilang").reasons == [
        "Tanggal lahir kosong."
    ]


def test_place_names_must_be_known_and_unambiguous():
    assert checked(
        nama="Ani", jenis_kelamin="P", umur="70", nagari="Atlantis", alasan_tanpa_nik="hilang"
    ).reasons == ["Nagari 'Atlantis' tidak dikenal di kabupaten ini."]
    assert checked(
        nama="Ani", jenis_kelamin="P", umur="70", nagari="Koto Baru", alasan_tanpa_nik="hilang"
    ).reasons == ["Nagari 'Koto Baru' ada di beberapa kecamatan; isi kolom kecamatan."]


def test_bad_optional_cells_are_dropped_with_a_warning():
    row = checked(
        nama="Ani",
        jenis_kelamin="P",
        umur="70",
        nagari="Cupak",
        alasan_tanpa_nik="hilang",
        rt="12345",
        no_hp="hubungi kantor",
        ragam="entah",
    )
    assert row.status == plan.BARU
    assert row.values["rt"] is None and row.values["no_hp"] is None and row.values["ragam"] == {}
    assert any(w.startswith("RT '12345'") for w in row.warnings)
    assert "No. HP tidak sah; dikosongkan." in row.warnings
    assert any(w.startswith("Ragam disabilitas tidak dikenali: entah") for w in row.warnings)


def test_a_row_without_name_or_sex_is_refused():
    row = checked(nagari="Cupak", umur="70", alasan_tanpa_nik="hilang", jenis_kelamin="?")
    assert row.reasons == ["Nama kosong.", "Jenis kelamin '?' tidak dikenali (gunakan L/P)."]


# ---- person, assessment, disability and access rules ------------------------------------------


def test_a_deceased_person_needs_a_date_of_death_after_the_birth():
    assert death_problem({"status_hidup": "hidup"}) is None
    assert death_problem({"status_hidup": "meninggal"}) == "Status meninggal: isi tanggal meninggal."
    assert (
        death_problem(
            {
                "status_hidup": "meninggal",
                "tanggal_lahir": date(1950, 1, 2),
                "tgl_meninggal": date(1950, 1, 1),
            }
        )
        == "Tanggal meninggal tidak boleh sebelum tanggal lahir."
    )
    assert death_problem({"status_hidup": "meninggal", "tgl_meninggal": date(2020, 1, 1)}) is None


def test_elderly_assessment_age_and_barthel_outside_an_app():
    assert age_problem(60) is None
    assert (
        age_problem(59)
        == "Usia pada tanggal asesmen 59 tahun; asesmen lansia hanya untuk usia 60 tahun ke atas."
    )
    assert "tidak diketahui" in age_problem(None)
    maxima = barthel_maxima()  # the defaults, no app config
    assert sum(maxima.values()) == 20
    assert barthel_result(maxima) == (20, "mandiri")
    assert [barthel_category(t) for t in (19, 11, 8, 4)] == ["ringan", "sedang", "berat", "total"]


def test_disability_columns_and_wgss_default_cutoff():
    data = ragam_data({"sensorik": "netra", "fisik": ""})
    assert data["ragam_sensorik"] and data["jenis_sensorik"] == "netra"
    assert data["ragam_fisik"] and data["jenis_fisik"] is None
    assert data["ragam_mental"] is False and data["jenis_mental"] is None
    assert wgss_flag([1, 3, 1, 1, 1, 1]) is True and wgss_flag([2, 2, 2, 2, 2, 2]) is False


class _User:
    def __init__(self, role):
        self.role = role


def test_nik_visibility_and_roles_by_default():
    assert access.may_see_nik(_User("operator_dinsos")) and access.may_see_nik(_User("verifikator_dinsos"))
    assert not access.may_see_nik(_User("pimpinan"))
    assert access.may_write(_User("operator_dinsos")) and not access.may_write(_User("verifikator_dinsos"))
    assert access.may_edit_programs(_User("verifikator_dinsos"))
    assert not access.may_edit_programs(_User("operator_dinsos"))
