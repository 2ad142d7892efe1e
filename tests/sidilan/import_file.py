"""A large import file made on the spot (the ideas of tests/data/sidilan_make_sample.py, at regency scale):
households of one to four members with valid NIKs and No. KK of the regency's kecamatan, names, birth dates,
nagari by name, legacy disability words. Reproducible from the seed. Used by the import tests and by
bench/import_20k.py."""

import csv
import io
import random
from datetime import date, timedelta

from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.wilayah.models import LEVEL_KECAMATAN, LEVEL_NAGARI, Wilayah

HEADER = [
    "NIK",
    "NO KK",
    "NAMA",
    "L/P",
    "TGL LAHIR",
    "HUBUNGAN",
    "ALAMAT",
    "NAGARI",
    "KECAMATAN",
    "DISABILITAS",
]
FIRST_L = [
    "Ahmad",
    "Budi",
    "Candra",
    "Darmawi",
    "Efendi",
    "Fauzan",
    "Gusrizal",
    "Hendri",
    "Irwan",
    "Joni",
    "Khairul",
    "Lukman",
    "Mardius",
    "Nasrul",
    "Oyong",
    "Putra",
    "Rizal",
    "Syafrizal",
    "Taufik",
    "Usman",
    "Wendi",
    "Yusri",
    "Zulkifli",
    "Arif",
    "Bujang",
    "Datuak",
    "Edi",
]
FIRST_P = [
    "Aminah",
    "Bainar",
    "Cici",
    "Desi",
    "Elvi",
    "Fitri",
    "Gusnawati",
    "Hayati",
    "Indah",
    "Juliarni",
    "Kartini",
    "Lili",
    "Mardiana",
    "Nurhayati",
    "Oktavia",
    "Puti",
    "Rahmi",
    "Siti",
    "Tini",
    "Upik",
    "Vivi",
    "Wati",
    "Yusnidar",
    "Zuraida",
    "Asnimar",
    "Erna",
    "Yanti",
]
LAST = [
    "Chaniago",
    "Piliang",
    "Koto",
    "Tanjung",
    "Sikumbang",
    "Jambak",
    "Melayu",
    "Caniago",
    "Pitopang",
    "Guci",
    "Sipisang",
    "Simabur",
    "Bendang",
    "Kampai",
    "Panai",
    "Mandailiang",
    "Supayang",
    "Sumagek",
    "Dalimo",
    "Balai",
]
RAGAM = [
    "",
    "",
    "tunadaksa",
    "tunanetra",
    "tunarungu wicara",
    "tunagrahita",
    "gangguan jiwa",
    "lumpuh",
    "buta",
]


def places(regency_id: int) -> list[tuple[str, str, str]]:
    """(kecamatan code digits, kecamatan name, nagari name) of the regency's nagari whose name is unique."""
    kec = dict(
        db.session.execute(
            select(Wilayah.code, Wilayah.name).where(
                Wilayah.regency_id == regency_id, Wilayah.level == LEVEL_KECAMATAN
            )
        ).all()
    )
    out = []
    for name, parent in db.session.execute(
        select(Wilayah.name, Wilayah.parent_code)
        .where(Wilayah.regency_id == regency_id, Wilayah.level == LEVEL_NAGARI)
        .order_by(Wilayah.code)
    ):
        if parent in kec:
            out.append((parent.replace(".", ""), kec[parent], name))
    return out


def make_rows(
    n: int, where: list[tuple[str, str, str]], seed: int = 12, serial_base: int = 1
) -> list[list[str]]:
    """``n`` data rows (no header), every one valid and distinct."""
    rnd = random.Random(seed)
    rows: list[list[str]] = []
    serial = serial_base
    family = 0
    while len(rows) < n:
        family += 1
        kec_digits, kec_name, nagari = where[rnd.randrange(len(where))]
        kk = f"{kec_digits}{family % 100_000_000:08d}{rnd.randrange(10, 99)}"
        size = min(rnd.choice((1, 1, 2, 2, 3, 4)), n - len(rows))
        last = rnd.choice(LAST)
        used: set[str] = set()
        for member in range(size):
            sex = "L" if (member == 0) == (rnd.random() < 0.7) else "P"
            first = rnd.choice(FIRST_L if sex == "L" else FIRST_P)
            while first in used:
                first = rnd.choice(FIRST_L if sex == "L" else FIRST_P)
            used.add(first)
            born = date(1940, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 80))
            day = born.day + (40 if sex == "P" else 0)
            nik = f"{kec_digits}{day:02d}{born.month:02d}{born.year % 100:02d}{serial % 10000 or 1:04d}"
            serial += 1
            rows.append(
                [
                    nik,
                    kk,
                    f"{first} {last}".upper() if rnd.random() < 0.5 else f"{first} {last}",
                    sex,
                    born.strftime("%d-%m-%Y"),
                    "Kepala Keluarga"
                    if member == 0
                    else rnd.choice(("Istri", "Anak", "Orang Tua", "Famili Lain")),
                    f"Jl. {last} No. {rnd.randrange(1, 200)}",
                    nagari,
                    kec_name,
                    rnd.choice(RAGAM),
                ]
            )
    return rows


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def clerk_person(i: int, jorong_id: int) -> dict:
    """The new-person form another clerk sends while an import runs: the ``i``-th of a series, each with its
    own NIK and No. KK (a woman born 12-03-1984 in Jorong Tigo Jangko, serials from 9000)."""
    return {
        "nik": f"130218520384{9000 + i:04d}",
        "no_kk": f"13021801{990000 + i:08d}",
        "hubungan_keluarga": "Kepala Keluarga",
        "nama_lengkap": "Marlinda",
        "jenis_kelamin": "P",
        "tempat_lahir": "Solok",
        "tanggal_lahir": "1984-03-12",
        "kecamatan": "13.02.18",
        "nagari": "13.02.18.2004",
        "jorong": str(jorong_id),
        "status_hidup": "hidup",
        "status_domisili": "menetap",
        "sumber_data": "lapangan",
        "persetujuan": "y",
        "tgl_persetujuan": "2024-08-29",
        "pemberi_persetujuan": "Marlinda",
        "nama_ibu_kandung": "Rahmah",
    }


def mapped_upload(rows: list[list[str]], user):
    """The 20,000-row file in the temporary area, mapped as the mapping page guesses it (as a clerk accepts)."""
    from blueprints.sidilan import importer

    pending = importer.create_pending(importer.read_upload("register-20000.csv", csv_file(rows)), user)
    pending.mapped = True
    pending.save()
    return pending
