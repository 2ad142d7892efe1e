"""Reading a clerk's spreadsheet (.xlsx / .csv) into plain rows, finding the header row and guessing the
column mapping (docs/sidilan.md §7.4: title rows, merged cells, numeric NIKs, mixed date and sex spellings)."""

import re
from dataclasses import dataclass

from blueprints.core import sheets
from blueprints.core.sheets import MAX_CHARS  # noqa: F401  (the temporary area's bound, re-exported)
from blueprints.core.sheets import SheetError as ImportFileError  # a file we cannot read

from .parse import normalise_header

MAX_ROWS = 20_000  # a regency's register; the run commits in chunks (apply.CHUNK), the dry run is set-based
TOO_MANY_ROWS = sheets.too_many_rows_message(MAX_ROWS)


@dataclass
class Field:
    key: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False


# What an import row may carry. Synonyms are compared after parse.normalise_header().
FIELDS = (
    Field("nik", "NIK", ("nik", "no nik", "nomor nik", "nomor induk kependudukan", "no ktp", "nik ktp")),
    Field(
        "alasan_tanpa_nik", "Alasan tanpa NIK", ("alasan tanpa nik", "alasan nik kosong", "keterangan nik")
    ),
    Field("no_kk", "No. KK", ("no kk", "nomor kk", "kk", "no kartu keluarga", "nomor kartu keluarga", "nkk")),
    Field(
        "nama",
        "Nama lengkap",
        (
            "nama",
            "nama lengkap",
            "nama penyandang",
            "nama lansia",
            "nama penyandang disabilitas",
            "nama anggota",
        ),
        required=True,
    ),
    Field("jenis_kelamin", "Jenis kelamin", ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender")),
    Field(
        "ttl",
        "Tempat/tgl lahir (satu kolom)",
        ("tempat tgl lahir", "tempat tanggal lahir", "ttl", "tempat dan tanggal lahir", "tempat tgl lahir"),
    ),
    Field("tempat_lahir", "Tempat lahir", ("tempat lahir",)),
    Field("tanggal_lahir", "Tanggal lahir", ("tanggal lahir", "tgl lahir", "tgl lhr", "lahir")),
    Field("umur", "Umur (tahun), bila tanggal lahir tidak ada", ("umur", "usia", "umur tahun", "usia tahun")),
    Field(
        "hubungan",
        "Hubungan dalam keluarga (SHDK)",
        ("hubungan keluarga", "shdk", "hubungan", "status dalam keluarga", "hub keluarga"),
    ),
    Field("alamat", "Alamat", ("alamat", "alamat lengkap")),
    Field("kecamatan", "Kecamatan", ("kecamatan", "kec")),
    Field("nagari", "Nagari", ("nagari", "desa", "desa nagari", "nagari desa", "kelurahan"), required=True),
    Field("jorong", "Jorong", ("jorong", "dusun")),
    Field("rt", "RT", ("rt",)),
    Field("rw", "RW", ("rw",)),
    Field(
        "ragam",
        "Ragam / jenis disabilitas",
        (
            "ragam",
            "ragam disabilitas",
            "jenis disabilitas",
            "disabilitas",
            "jenis kecacatan",
            "kecacatan",
            "jenis cacat",
        ),
    ),
    Field(
        "derajat", "Derajat disabilitas", ("derajat", "tingkat", "tingkat keparahan", "derajat disabilitas")
    ),
    Field("no_hp", "No. HP", ("no hp", "hp", "nomor hp", "telepon", "no telp", "telp")),
    # remarks: a no-NIK reason written in words is read from them (parse.read_remarks), the rest become notes
    Field("keterangan", "Keterangan / catatan", ("keterangan", "ket", "catatan", "keterangan catatan")),
    Field("keterangan_lain", "Keterangan lain", ("keterangan lain", "ket lain", "catatan lain", "lain lain")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}


@dataclass
class Sheet:
    """Rows as text. ``numeric`` holds, per row, the column indexes that were number cells, so a NIK
    that a spreadsheet turned into 1.30218E+15 is caught instead of trusted (docs/sidilan.md §7.4)."""

    rows: list[list[str]]
    numeric: list[list[int]]
    filename: str = ""
    header_row: int = 0  # index into rows

    @property
    def headers(self) -> list[str]:
        if not self.rows:
            return []
        return self.rows[self.header_row]

    def data_rows(self):
        """(row number as the clerk sees it in the file, cells, numeric columns) below the header, skipping blanks."""
        for i in range(self.header_row + 1, len(self.rows)):
            cells = self.rows[i]
            if any(c.strip() for c in cells):
                yield i + 1, cells, set(self.numeric[i])

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "numeric": self.numeric,
            "filename": self.filename,
            "header_row": self.header_row,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Sheet":
        return cls(
            rows=data["rows"],
            numeric=data["numeric"],
            filename=data.get("filename", ""),
            header_row=data.get("header_row", 0),
        )


def _finish(rows: list[list[str]], numeric: list[list[int]], filename: str) -> Sheet:
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
        numeric.pop()
    if not rows:
        raise ImportFileError("Berkas tidak berisi data (kosong).")
    width = max(len(r) for r in rows)
    for r in rows:
        r.extend([""] * (width - len(r)))
    sheet = Sheet(rows=rows, numeric=numeric, filename=filename)
    sheet.header_row = guess_header_row(sheet)
    if sum(1 for _ in sheet.data_rows()) > MAX_ROWS:
        raise ImportFileError(TOO_MANY_ROWS)
    return sheet


def read_upload(filename: str, data: bytes) -> Sheet:
    """The shared reader (core/sheets.py: upload checks, then .xlsx or .csv) and this import's header guess."""
    name = (filename or "").strip()
    return _finish(*sheets.read_table(name, data, MAX_ROWS, TOO_MANY_ROWS), name)


def guess_header_row(sheet: Sheet) -> int:
    """The row (of the first 20) whose cells look most like known column names."""
    known = {s for f in FIELDS for s in f.synonyms}
    best, best_score = None, 0
    for i, row in enumerate(sheet.rows[:20]):
        score = sum(1 for c in row if normalise_header(c) in known)
        if score > best_score:
            best, best_score = i, score
    if best is not None and best_score >= 2:
        return best
    for i, row in enumerate(sheet.rows):
        if any(c.strip() for c in row):
            return i
    return 0


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """field key -> column index, by exact synonym first, then by a synonym contained in the header."""
    norm = [normalise_header(h) for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for f in FIELDS:
            if f.key in mapping:
                continue
            for col, h in enumerate(norm):
                if col in used or not h:
                    continue
                hit = (
                    h in f.synonyms
                    if exact
                    else any(len(s) > 3 and re.search(rf"\b{re.escape(s)}\b", h) for s in f.synonyms)
                )
                if hit:
                    mapping[f.key] = col
                    used.add(col)
                    break
    if "ttl" in mapping and "tanggal_lahir" in mapping and mapping["ttl"] == mapping["tanggal_lahir"]:
        del mapping["tanggal_lahir"]
    return mapping


# Where an imported file may come from (values.SUMBER_DATA codes).
SOURCES = ("impor_sidilan", "impor_dtks", "usulan_nagari", "lapangan")


def read_mapping(form, width: int) -> tuple[dict[str, int], dict[str, str]]:
    """The column mapping the clerk chose (``map_<field>`` = column index): the mapping and, per field, what
    is wrong with it (a required field without a column, one column for two fields, no NIK nor reason...)."""
    mapping, errors, used = {}, {}, {}
    for f in FIELDS:
        raw = (form.get("map_" + f.key) or "").strip()
        if not raw:
            if f.required:
                errors[f.key] = f"Pilih kolom untuk {f.label}."
            continue
        if not raw.isdigit() or int(raw) >= width:
            errors[f.key] = "Pilihan kolom tidak sah."
            continue
        col = int(raw)
        if col in used:
            errors[f.key] = f"Kolom ini sudah dipakai untuk {FIELD_BY_KEY[used[col]].label}."
            continue
        used[col] = f.key
        mapping[f.key] = col
    reasons = ("alasan_tanpa_nik", "keterangan", "keterangan_lain")
    if "nik" not in mapping and not any(k in mapping for k in reasons) and not form.get("alasan_default"):
        errors.setdefault("nik", "Pilih kolom NIK (atau kolom alasan tanpa NIK).")
    if not any(k in mapping for k in ("tanggal_lahir", "ttl", "nik", "umur")):
        errors.setdefault("tanggal_lahir", "Pilih kolom tanggal lahir (atau tempat/tgl lahir, atau umur).")
    return mapping, errors
