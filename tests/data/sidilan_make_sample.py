"""Writes sidilan_import_sample.xlsx and .csv: a Solok register laid out the way field spreadsheets are
(title rows, header on row 3, UPPERCASE names, birth place and date in one cell, legacy 'tuna-' words),
with good rows and the bad ones the import must reject. Run: .venv/bin/python tests/data/sidilan_make_sample.py"""

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
TITLE = ["DATA PENYANDANG DISABILITAS DAN LANSIA KABUPATEN SOLOK TAHUN 2025"]
SUBTITLE = ["Sumber: rekap nagari (contoh sintetis untuk uji impor)"]
HEADER = [
    "NO",
    "NIK",
    "NO KK",
    "NAMA",
    "L/P",
    "TEMPAT/TGL LAHIR",
    "HUBUNGAN KELUARGA",
    "ALAMAT",
    "JORONG",
    "NAGARI",
    "KECAMATAN",
    "JENIS DISABILITAS",
    "DERAJAT",
    "ALASAN TANPA NIK",
    "NO HP",
    "KETERANGAN",
]
KK1, KK2, KK3 = "1302180101240101", "1302040101240102", "1302050101240103"
NUMERIC_NIK = 1302070101600012  # typed into a number cell: Excel shows 1.30207E+15

ROWS = [
    # good: woman, physical disability, Jorong Tigo Jangko
    [
        1,
        "1302185208700003",
        KK1,
        "SITI  AMINAH ",
        "P",
        "Solok, 12-08-1970",
        "Istri",
        "Jl. Tigo Jangko No. 3",
        "Tigo Jangko",
        "Nagari Tanjung Balik Sumiso",
        "Kec. Tigo Lurah",
        "TUNA DAKSA",
        "berat",
        "",
        "0812 6600 1234",
        "",
    ],
    # good: elderly blind man in the same household
    [
        2,
        "1302180503500004",
        KK1,
        "NASRUL",
        "L",
        "Alahan Panjang, 05/03/1950",
        "Kepala Keluarga",
        "Jl. Tigo Jangko No. 3",
        "Tigo Jangko",
        "Tanjung Balik Sumiso",
        "Tigo Lurah",
        "tunanetra",
        "sedang",
        "",
        "",
        "",
    ],
    # good: real date cell; a jorong not yet in the list (warning)
    [
        3,
        "1302046207010005",
        KK2,
        "Rahmi Yulia",
        "Perempuan",
        None,
        "Anak",
        "Jorong Pasar",
        "Pasar Alahan",
        "Alahan Panjang",
        "Lembah Gumanti",
        "tunarungu wicara",
        "sedang",
        "",
        "",
        "",
    ],
    # good: no NIK yet, with the reason
    [
        4,
        "",
        KK2,
        "BUJANG SATI",
        "L",
        "Alahan Panjang, 17-04-1988",
        "Anak",
        "Jorong Pasar",
        "",
        "Alahan Panjang",
        "",
        "tunagrahita",
        "ringan",
        "belum rekam",
        "",
        "",
    ],
    # bad: 15-digit NIK
    [
        5,
        "130207150365001",
        "",
        "DARMAWAN",
        "L",
        "Cupak, 15-03-1965",
        "",
        "",
        "",
        "Cupak",
        "Gunung Talang",
        "tunadaksa",
        "",
        "",
        "",
        "",
    ],
    # bad: no name
    [
        6,
        "1302075509580006",
        "",
        "",
        "P",
        "Talang, 15-09-1958",
        "",
        "",
        "",
        "Talang",
        "Gunung Talang",
        "",
        "",
        "",
        "",
        "",
    ],
    # bad: same NIK as row 1
    [
        7,
        "1302185208700003",
        KK1,
        "Siti Aminah",
        "P",
        "Solok, 12-08-1970",
        "Istri",
        "",
        "",
        "Tanjung Balik Sumiso",
        "Tigo Lurah",
        "tuna daksa",
        "",
        "",
        "",
        "dobel",
    ],
    # bad: unknown nagari
    [
        8,
        "1302091003450007",
        "",
        "MARZUKI",
        "Laki-laki",
        "Solok, 10-03-1945",
        "",
        "",
        "",
        "Nagari Antah Berantah",
        "IX Koto Sungai Lasi",
        "",
        "",
        "",
        "",
        "",
    ],
    # bad: 31 February
    [
        9,
        "1302104102800008",
        "",
        "YUSNIMAR",
        "P",
        "Koto Baru, 31-02-1980",
        "",
        "",
        "",
        "Koto Baru",
        "Kubung",
        "tunarungu",
        "",
        "",
        "",
        "",
    ],
    # good with a warning: birth date differs from the NIK (NIK says 5 June 1955)
    [
        10,
        "1302114506550010",
        "",
        "ROSMANIAR",
        "P",
        "Sumani, 06-06-1955",
        "",
        "",
        "",
        "Sumani",
        "X Koto Singkarak",
        "lumpuh",
        "berat",
        "",
        "",
        "",
    ],
    # bad: nagari name found in two kecamatan, no kecamatan given
    [
        11,
        "1302185802450011",
        "",
        "FATIMAH",
        "P",
        "Solok, 18-02-1945",
        "",
        "",
        "",
        "Batu Bajanjang",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    # bad: NIK stored as a number (last digit lost in Excel)
    [
        12,
        NUMERIC_NIK,
        "",
        "HENDRI",
        "L",
        "Cupak, 01-01-1960",
        "",
        "",
        "",
        "Cupak",
        "Gunung Talang",
        "",
        "",
        "",
        "",
        "",
    ],
    # good: markup in the address is kept as text and shown escaped
    [
        13,
        "1302050707770013",
        KK3,
        "Afrizal",
        "L",
        "Sirukam, 07-07-1977",
        "Kepala Keluarga",
        "<script>alert(1)</script>",
        "",
        "Sirukam",
        "Payung Sekaki",
        "tunalaras",
        "",
        "",
        "",
        "",
    ],
    # bad: a Sijunjung address in the Solok register
    [
        14,
        "1303040101700014",
        "",
        "JASMAN",
        "L",
        "Muaro, 01-01-1970",
        "",
        "",
        "",
        "Muaro",
        "Sijunjung",
        "",
        "",
        "",
        "",
        "",
    ],
    # good with a warning: 'cacat ganda' names no ragam
    [
        15,
        "1302125012480015",
        "",
        "HASNAH",
        "P",
        "Sulit Air, 10-12-1948",
        "",
        "",
        "",
        "Sulit Air",
        "X Koto Diatas",
        "cacat ganda",
        "",
        "",
        "",
        "",
    ],
]
BIRTH_ROW3 = date(2001, 7, 22)


def write_xlsx(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(TITLE)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(SUBTITLE)
    sheet.append(HEADER)
    for row in ROWS:
        cells = list(row)
        if cells[0] == 3:
            cells[5] = None
        sheet.append(cells)
        r = sheet.max_row
        if cells[0] == 3:  # birth place and date in separate real cells is also common; here a real date cell
            sheet.cell(row=r, column=6, value=BIRTH_ROW3).number_format = "DD-MM-YYYY"
        for col in (2, 3):
            if isinstance(cells[col - 1], str):
                sheet.cell(row=r, column=col).number_format = "@"
    sheet.append([])
    book.save(path)


def write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(TITLE)
        w.writerow(SUBTITLE)
        w.writerow(HEADER)
        for row in ROWS:
            cells = ["" if c is None else c for c in row]
            if cells[0] == 3:
                cells[5] = "Alahan Panjang, " + BIRTH_ROW3.strftime("%d-%m-%Y")
            if cells[0] == 12:
                cells[1] = "1.30207E+15"
            w.writerow(cells)


if __name__ == "__main__":
    write_xlsx(HERE / "sidilan_import_sample.xlsx")
    write_csv(HERE / "sidilan_import_sample.csv")
