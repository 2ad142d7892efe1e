"""Reading a clerk's spreadsheet (.xlsx / .csv) into plain rows, finding the header row and guessing the
column mapping (sidilan.md §7.4: title rows, merged cells, numeric NIKs, mixed date and sex spellings).

The parsed rows live in a server-side temporary area under UPLOAD_DIR, keyed by a random token, between
the upload, the column-mapping step and the dry run; never in the cookie session.
"""
import csv
import io
import json
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.fmt import tanggal
from blueprints.core.forms import date_range_message, out_of_range
from blueprints.core.nik import check_kk, check_nik
from blueprints.core.scope import scoped
from blueprints.core.uploads import spreadsheet_problem
from blueprints.wilayah.models import LEVEL_KECAMATAN, LEVEL_NAGARI, Jorong, Wilayah

from . import service as S
from . import values as V
from .models import ChangeLog, Disability, Person

MAX_ROWS = 2000  # one request must finish well inside a worker timeout, duplicate checks included
MAX_COLS = 60
HEADER_ROWS = 20  # rows a file may have above and in its header (the header is guessed among the first 20)
MAX_CELL = 1000  # longer cell text is cut here; the field checks then reject it with a clear reason
MAX_CHARS = 5_000_000  # all cells together: what one dry run may hold in the temporary area
TOO_MANY_ROWS = (f"Berkas berisi lebih dari {MAX_ROWS:,} baris data. Pecah menjadi beberapa berkas lalu impor "
                 "satu per satu.").replace(",", ".")
TOO_MUCH_TEXT = ("Isi berkas terlalu besar untuk diimpor sekaligus (terlalu banyak teks). Hapus kolom yang tidak "
                 "perlu atau pecah menjadi beberapa berkas.")
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")


class ImportFileError(Exception):
    """A file we cannot read; the message is shown to the clerk as is."""


@dataclass
class Field:
    key: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False


# What an import row may carry. Synonyms are compared after normalise_header().
FIELDS = (
    Field("nik", "NIK", ("nik", "no nik", "nomor nik", "nomor induk kependudukan", "no ktp", "nik ktp")),
    Field("alasan_tanpa_nik", "Alasan tanpa NIK", ("alasan tanpa nik", "alasan nik kosong", "keterangan nik")),
    Field("no_kk", "No. KK", ("no kk", "nomor kk", "kk", "no kartu keluarga", "nomor kartu keluarga", "nkk")),
    Field("nama", "Nama lengkap", ("nama", "nama lengkap", "nama penyandang", "nama lansia",
                                   "nama penyandang disabilitas", "nama anggota"), required=True),
    Field("jenis_kelamin", "Jenis kelamin", ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender")),
    Field("ttl", "Tempat/tgl lahir (satu kolom)", ("tempat tgl lahir", "tempat tanggal lahir", "ttl",
                                                    "tempat dan tanggal lahir", "tempat tgl lahir")),
    Field("tempat_lahir", "Tempat lahir", ("tempat lahir",)),
    Field("tanggal_lahir", "Tanggal lahir", ("tanggal lahir", "tgl lahir", "tgl lhr", "lahir")),
    Field("umur", "Umur (tahun), bila tanggal lahir tidak ada", ("umur", "usia", "umur tahun", "usia tahun")),
    Field("hubungan", "Hubungan dalam keluarga (SHDK)", ("hubungan keluarga", "shdk", "hubungan",
                                                        "status dalam keluarga", "hub keluarga")),
    Field("alamat", "Alamat", ("alamat", "alamat lengkap")),
    Field("kecamatan", "Kecamatan", ("kecamatan", "kec")),
    Field("nagari", "Nagari", ("nagari", "desa", "desa nagari", "nagari desa", "kelurahan"), required=True),
    Field("jorong", "Jorong", ("jorong", "dusun")),
    Field("rt", "RT", ("rt",)),
    Field("rw", "RW", ("rw",)),
    Field("ragam", "Ragam / jenis disabilitas", ("ragam", "ragam disabilitas", "jenis disabilitas",
                                                "disabilitas", "jenis kecacatan", "kecacatan", "jenis cacat")),
    Field("derajat", "Derajat disabilitas", ("derajat", "tingkat", "tingkat keparahan", "derajat disabilitas")),
    Field("no_hp", "No. HP", ("no hp", "hp", "nomor hp", "telepon", "no telp", "telp")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}


def normalise_header(text: str) -> str:
    text = re.sub(r"[^0-9a-z]+", " ", (text or "").lower())
    return " ".join(text.split())


@dataclass
class Sheet:
    """Rows as text. ``numeric`` holds, per row, the column indexes that were number cells, so a NIK
    that a spreadsheet turned into 1.30218E+15 is caught instead of trusted (§7.4)."""
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
        return {"rows": self.rows, "numeric": self.numeric, "filename": self.filename,
                "header_row": self.header_row}

    @classmethod
    def from_json(cls, data: dict) -> "Sheet":
        return cls(rows=data["rows"], numeric=data["numeric"], filename=data.get("filename", ""),
                   header_row=data.get("header_row", 0))


def _cell_text(value) -> tuple[str, bool]:
    """(text, was a number cell)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("Ya" if value else "Tidak"), False
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()), False
    if isinstance(value, date):
        return value.isoformat(), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), True
    return str(value)[:MAX_CELL].replace("\x00", ""), False


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


def read_xlsx(data: bytes, filename: str) -> Sheet:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise ImportFileError("Berkas tidak dapat dibaca sebagai spreadsheet .xlsx. "
                              "Simpan ulang dari Excel/LibreOffice sebagai .xlsx atau .csv.") from exc
    except Exception as exc:  # openpyxl raises assorted errors on corrupt packages
        raise ImportFileError("Berkas .xlsx rusak atau tidak didukung.") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportFileError("Berkas .xlsx tidak berisi lembar kerja.")
        rows, numeric, size = [], [], 0
        for values in sheet.iter_rows(values_only=True):
            if len(rows) >= MAX_ROWS + HEADER_ROWS:
                raise ImportFileError(TOO_MANY_ROWS)
            cells, nums = [], []
            for col, value in enumerate(values[:MAX_COLS]):
                text, is_num = _cell_text(value)
                cells.append(text)
                size += len(text)
                if is_num:
                    nums.append(col)
            if size > MAX_CHARS:
                raise ImportFileError(TOO_MUCH_TEXT)
            rows.append(cells)
            numeric.append(nums)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError("Isi berkas .xlsx tidak dapat dibaca.") from exc
    finally:
        book.close()
    return _finish(rows, numeric, filename)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ImportFileError("Berkas bukan teks CSV (berisi data biner). Unggah .xlsx atau .csv.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_csv(data: bytes, filename: str) -> Sheet:
    text = _decode(data)
    if not text.strip():
        raise ImportFileError("Berkas tidak berisi data (kosong).")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    csv.field_size_limit(MAX_CELL * 20)
    rows, numeric, size = [], [], 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= MAX_ROWS + HEADER_ROWS:
                raise ImportFileError(TOO_MANY_ROWS)
            cells = [c[:MAX_CELL].replace("\x00", "") for c in record[:MAX_COLS]]
            size += sum(len(c) for c in cells)
            if size > MAX_CHARS:
                raise ImportFileError(TOO_MUCH_TEXT)
            rows.append(cells)
            numeric.append([])
    except csv.Error as exc:
        raise ImportFileError("Berkas CSV tidak dapat dibaca (format baris rusak).") from exc
    return _finish(rows, numeric, filename)


def read_upload(filename: str, data: bytes) -> Sheet:
    name = (filename or "").strip()
    lower = name.lower()
    if not data:
        raise ImportFileError("Berkas kosong (0 byte).")
    if lower.endswith(".xls"):
        raise ImportFileError("Format .xls lama tidak didukung. Simpan ulang sebagai .xlsx atau .csv.")
    is_xlsx = lower.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    if is_xlsx or lower.endswith((".csv", ".txt")):
        # the shared guard first: a zip bomb or a sheet of a million rows is refused before openpyxl opens it
        problem = spreadsheet_problem(data, name, max_rows=MAX_ROWS + HEADER_ROWS, rows_message=TOO_MANY_ROWS)
        if problem:
            raise ImportFileError(problem)
        return read_xlsx(data, name) if is_xlsx else read_csv(data, name)
    raise ImportFileError("Jenis berkas tidak dikenali. Unggah spreadsheet .xlsx atau .csv.")


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
                hit = h in f.synonyms if exact else any(
                    len(s) > 3 and re.search(rf"\b{re.escape(s)}\b", h) for s in f.synonyms)
                if hit:
                    mapping[f.key] = col
                    used.add(col)
                    break
    if "ttl" in mapping and "tanggal_lahir" in mapping and mapping["ttl"] == mapping["tanggal_lahir"]:
        del mapping["tanggal_lahir"]
    return mapping


# ---- the temporary area ------------------------------------------------------------------------

def _area() -> Path:
    root = current_app.config.get("UPLOAD_DIR") or str(Path(current_app.instance_path) / "uploads")
    path = Path(root) / "sidilan_import"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(area: Path) -> None:
    """Uploads are personal data: drop the ones nobody finished within a day."""
    limit = time.time() - KEEP_SECONDS
    for p in area.glob("*.json"):
        try:
            if p.stat().st_mtime < limit:
                p.unlink()
        except OSError:
            pass


@dataclass
class Pending:
    token: str
    user_id: int
    regency_id: int
    sheet: Sheet
    mapping: dict[str, int] = field(default_factory=dict)
    mapped: bool = False
    source: str = "impor_sidilan"  # sumber_data of the created records

    def save(self) -> None:
        path = _area() / f"{self.token}.json"
        payload = {"user_id": self.user_id, "regency_id": self.regency_id, "sheet": self.sheet.to_json(),
                   "mapping": self.mapping, "mapped": self.mapped, "source": self.source}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)

    def discard(self) -> None:
        try:
            (_area() / f"{self.token}.json").unlink()
        except OSError:
            pass


def create_pending(sheet: Sheet, user) -> Pending:
    area = _area()
    _sweep(area)
    pending = Pending(token=secrets.token_urlsafe(18), user_id=user.id, regency_id=user.regency_id, sheet=sheet,
                      mapping=guess_mapping(sheet.headers))
    pending.save()
    return pending


def load_pending(token: str, user) -> Pending | None:
    """The pending upload of this user, or None (unknown, expired, or someone else's)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    path = _area() / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user_id") != user.id or payload.get("regency_id") != user.regency_id:
        return None
    return Pending(token=token, user_id=payload["user_id"], regency_id=payload["regency_id"],
                   sheet=Sheet.from_json(payload["sheet"]),
                   mapping={k: int(v) for k, v in payload.get("mapping", {}).items()},
                   mapped=payload.get("mapped", False), source=payload.get("source", "impor_sidilan"))


# ---- cell values -> field values (sidilan.md §7.4) ---------------------------------------------

BULAN_NAMA = {m.lower(): i + 1 for i, m in enumerate(
    ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
     "November", "Desember"])}
BULAN_NAMA.update({k[:3]: v for k, v in list(BULAN_NAMA.items())})
BULAN_NAMA.update({"agust": 8, "ags": 8, "okt": 10, "des": 12, "nop": 11, "pebruari": 2})
_DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?"), ("y", "m", "d")),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"), ("d", "m", "y")),
)
_DATE_WORDS = re.compile(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})")
_TRAILING_DATE = re.compile(r"^(.*?)[,\s]+(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}-\d{1,2}-\d{1,2}|"
                            r"\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})\s*$")


def parse_date(text: str, numeric: bool = False) -> date | None:
    """dd-mm-yyyy, dd/mm/yyyy, yyyy-mm-dd, '12 Agustus 1970', or an Excel serial day number.
    Raises ValueError when the text is there but is not a real date (e.g. 31-02-1970)."""
    text = (text or "").strip()
    if not text:
        return None
    if numeric and text.isdigit() and 1 < int(text) < 80000:
        return date(1899, 12, 30) + timedelta(days=int(text))
    for pattern, order in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups())))
            return date(parts["y"], parts["m"], parts["d"])
    m = _DATE_WORDS.fullmatch(text.lower())
    if m and m.group(2) in BULAN_NAMA:
        return date(int(m.group(3)), BULAN_NAMA[m.group(2)], int(m.group(1)))
    raise ValueError(text)


def split_ttl(text: str) -> tuple[str, str]:
    """'Solok, 12-08-1970' -> ('Solok', '12-08-1970')."""
    text = (text or "").strip()
    try:
        if parse_date(text):
            return "", text
    except ValueError:
        pass
    m = _TRAILING_DATE.match(text)
    if m:
        return m.group(1).strip(" ,"), m.group(2)
    return text, ""


def parse_sex(text: str) -> str | None:
    t = normalise_header(text)
    if t in ("l", "lk", "laki laki", "laki", "lakilaki", "pria", "lelaki"):
        return "L"
    if t in ("p", "pr", "perempuan", "wanita", "pr perempuan"):
        return "P"
    return None


# Legacy and current disability words -> (ragam, jenis or None). Longest keys are tried first.
RAGAM_TERMS = {
    "tunarungu wicara": ("sensorik", "rungu-wicara"), "rungu wicara": ("sensorik", "rungu-wicara"),
    "bisu tuli": ("sensorik", "rungu-wicara"), "tuli bisu": ("sensorik", "rungu-wicara"),
    "netra tuli": ("sensorik", "netra-tuli"),
    "tunadaksa": ("fisik", None), "daksa": ("fisik", None), "fisik": ("fisik", None),
    "cacat fisik": ("fisik", None), "lumpuh": ("fisik", "lumpuh layuh/kaku"), "amputasi": ("fisik", "amputasi"),
    "cerebral palsy": ("fisik", "cerebral palsy"), "stroke": ("fisik", "akibat stroke"),
    "tunanetra": ("sensorik", "netra"), "netra": ("sensorik", "netra"), "buta": ("sensorik", "netra"),
    "tunarungu": ("sensorik", "rungu"), "rungu": ("sensorik", "rungu"), "tuli": ("sensorik", "rungu"),
    "tunawicara": ("sensorik", "wicara"), "wicara": ("sensorik", "wicara"), "bisu": ("sensorik", "wicara"),
    "sensorik": ("sensorik", None),
    "tunagrahita": ("intelektual", "grahita"), "grahita": ("intelektual", "grahita"),
    "intelektual": ("intelektual", None), "down syndrome": ("intelektual", "down syndrome"),
    "lambat belajar": ("intelektual", "lambat belajar"), "retardasi mental": ("intelektual", "grahita"),
    "tunalaras": ("mental", None), "psikososial": ("mental", None), "mental": ("mental", None),
    "odgj": ("mental", None), "gangguan jiwa": ("mental", None), "skizofrenia": ("mental", "skizofrenia"),
    "autis": ("mental", "autis"), "bipolar": ("mental", "bipolar"), "depresi": ("mental", "depresi"),
}
_RAGAM_NOISE = re.compile(r"\b(penyandang|cacat|disabilitas|difabel|ragam|jenis)\b")
_RAGAM_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\bdan\b)\s*")


def parse_ragam(text: str) -> tuple[dict[str, str | None], list[str]]:
    """{ragam: jenis} and the words not understood. 'cacat ganda' alone tells no ragam: it is returned
    as not understood, so the clerk completes the record (ganda is always derived, never typed)."""
    raw = (text or "").lower()
    raw = re.sub(r"\btuna\s+", "tuna", raw)
    found: dict[str, str | None] = {}
    unknown: list[str] = []
    for part in _RAGAM_SPLIT.split(raw):
        words = " ".join(_RAGAM_NOISE.sub(" ", normalise_header(part)).split())
        if not words:
            continue
        hit = None
        for term in sorted(RAGAM_TERMS, key=len, reverse=True):
            if re.search(rf"\b{re.escape(term)}\b", words):
                hit = RAGAM_TERMS[term]
                break
        if hit is None:
            unknown.append(part.strip())
            continue
        ragam, jenis = hit
        if found.get(ragam) is None:
            found[ragam] = jenis
        elif jenis and found[ragam] != jenis and ragam == "sensorik":
            pair = {found[ragam], jenis}
            found[ragam] = "rungu-wicara" if pair == {"rungu", "wicara"} else (
                "netra-tuli" if pair == {"netra", "rungu"} else found[ragam])
    return found, unknown


def clean_name(text: str) -> str:
    """Single spaces; an ALL-CAPS name becomes Title Case, as clerks type them on the KK."""
    name = " ".join((text or "").split())
    if name.isupper():
        name = " ".join(w.capitalize() if "'" not in w else w.title() for w in name.split())
    return name


def strip_prefix(text: str, *words: str) -> str:
    t = normalise_header(text)
    for w in words:
        if t.startswith(w + " "):
            t = t[len(w) + 1:]
    return t


# ---- dry run and import --------------------------------------------------------------------------

BARU, COCOK, DITOLAK = "baru", "cocok", "ditolak"
STATUS_LABELS = {BARU: "Akan dibuat", COCOK: "Cocok dengan data yang ada", DITOLAK: "Ditolak"}
LIMITS = {"nama": 120, "tempat_lahir": 80, "alamat": 250, "no_hp": 20}


@dataclass
class RowResult:
    line: int  # row number in the file, as the clerk sees it
    cells: list[str]
    status: str = BARU
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    match_id: int | None = None
    match_by: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def reject(self, reason: str) -> None:
        self.status = DITOLAK
        self.reasons.append(reason)

    @property
    def read_as(self) -> list[str]:
        """How the row was understood: sex, birth date, place, disability (for the dry-run table)."""

        v = self.values
        parts = [v.get("jenis_kelamin") or "", tanggal(v.get("tanggal_lahir")), v.get("place", "")]
        ragam = ", ".join(r + (f" ({j})" if j else "") for r, j in (v.get("ragam") or {}).items())
        if ragam:
            parts.append(ragam + (f", {v['derajat']}" if v.get("derajat") else ""))
        return [p for p in parts if p]


@dataclass
class DryRun:
    rows: list[RowResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (BARU, COCOK, DITOLAK)}


class _Regions:
    """Name lookups for the user's regency, loaded once per run."""
    def __init__(self, regency_id: int):
        rows = db.session.execute(select(Wilayah.code, Wilayah.name, Wilayah.level, Wilayah.parent_code)
                                  .where(Wilayah.regency_id == regency_id)).all()
        self.kecamatan: dict[str, str] = {}
        self.kecamatan_name: dict[str, str] = {}
        self.nagari: dict[str, list[tuple[str, str, str]]] = {}
        for code, name, level, parent in rows:
            if level == LEVEL_KECAMATAN:
                self.kecamatan[normalise_header(name)] = code
                self.kecamatan_name[code] = name
            elif level == LEVEL_NAGARI:
                self.nagari.setdefault(normalise_header(name), []).append((code, parent, name))
        self.jorong: dict[tuple[str, str], tuple[int, str]] = {}
        for jid, nagari_code, name in db.session.execute(
                select(Jorong.id, Jorong.nagari_code, Jorong.name).where(Jorong.regency_id == regency_id,
                                                                        Jorong.active.is_(True))):
            self.jorong[(nagari_code, normalise_header(name))] = (jid, name)

    def find(self, kecamatan: str, nagari: str, jorong: str, row: RowResult) -> None:
        kec_code = None
        if kecamatan.strip():
            kec_code = self.kecamatan.get(strip_prefix(kecamatan, "kecamatan", "kec"))
            if kec_code is None:
                row.reject(f"Kecamatan '{kecamatan.strip()[:60]}' tidak dikenal di kabupaten ini.")
                return
        if not nagari.strip():
            row.reject("Nagari kosong.")
            return
        options = self.nagari.get(strip_prefix(nagari, "nagari", "kenagarian", "desa"), [])
        if kec_code:
            options = [o for o in options if o[1] == kec_code]
        if not options:
            where = f" di Kecamatan {self.kecamatan_name[kec_code]}" if kec_code else " di kabupaten ini"
            row.reject(f"Nagari '{nagari.strip()[:60]}' tidak dikenal{where}.")
            return
        if len(options) > 1:
            row.reject(f"Nagari '{nagari.strip()[:60]}' ada di beberapa kecamatan; isi kolom kecamatan.")
            return
        nagari_code, kec_code, nagari_name = options[0]
        row.values.update(nagari_code=nagari_code, kecamatan_code=kec_code, jorong_id=None, place=nagari_name)
        if jorong.strip():
            found = self.jorong.get((nagari_code, strip_prefix(jorong, "jorong")))
            if found is None:
                row.warnings.append(f"Jorong '{jorong.strip()[:60]}' belum terdaftar di nagari ini; jorong dikosongkan.")
            else:
                row.values["jorong_id"] = found[0]
                row.values["place"] = f"{nagari_name} / Jorong {found[1]}"


def _lookup(values, text: str) -> str | None:
    t = normalise_header(text)
    for code, lab in values:
        if t in (normalise_header(code), normalise_header(lab)):
            return code
    return None


def _check_row(row: RowResult, get, numeric_col, regions: _Regions, regency_code: str, today: date) -> None:
    v = row.values
    name = clean_name(get("nama"))
    if not name:
        row.reject("Nama kosong.")
    elif len(name) > LIMITS["nama"]:
        row.reject(f"Nama terlalu panjang (maksimal {LIMITS['nama']} karakter).")
    v.update(nama_lengkap=name[:LIMITS["nama"]], name_search=S.name_search(name), name_key=S.name_key(name))

    sex_text = get("jenis_kelamin")
    sex = parse_sex(sex_text)
    if sex_text.strip() and sex is None:
        row.reject(f"Jenis kelamin '{sex_text.strip()[:20]}' tidak dikenali (gunakan L/P).")

    place, date_text = get("tempat_lahir"), get("tanggal_lahir")
    if get("ttl").strip():
        p2, d2 = split_ttl(get("ttl"))
        place, date_text = place or p2, date_text or d2
    birth = None
    try:
        birth = parse_date(date_text, numeric=numeric_col("tanggal_lahir"))
    except ValueError:
        row.reject(f"Tanggal lahir '{date_text.strip()[:30]}' tidak terbaca atau bukan tanggal yang ada "
                   "(gunakan hh-bb-tttt).")
    if birth and birth > today:
        row.reject("Tanggal lahir di masa depan.")
    elif birth and out_of_range(birth):  # the range every form keeps (before 1900)
        row.reject("Tanggal lahir: " + date_range_message())
    place = " ".join(place.split())
    if len(place) > LIMITS["tempat_lahir"]:
        row.reject(f"Tempat lahir terlalu panjang (maksimal {LIMITS['tempat_lahir']} karakter).")

    nik_text = get("nik").strip().lstrip("'")
    if nik_text and numeric_col("nik"):
        row.reject("NIK tersimpan sebagai angka di spreadsheet (digit terakhir bisa hilang). "
                   "Ketik ulang sebagai teks, diawali tanda petik (').")
    elif nik_text:
        check = check_nik(nik_text, sex=sex, birth_date=birth, regency_code=regency_code)
        if check.errors:
            for e in check.errors:
                row.reject(e)
        else:
            v["nik"] = check.value
            row.warnings.extend(check.warnings)
            if sex is None:
                sex = check.sex
                row.warnings.append("Jenis kelamin diambil dari NIK.")
            if birth is None and check.birth_date and not date_text.strip():
                birth = check.birth_date
                v["tgl_lahir_perkiraan"] = True
                row.warnings.append("Tanggal lahir diambil dari NIK (ditandai perkiraan).")
    else:
        reason = _lookup(V.ALASAN_TANPA_NIK, get("alasan_tanpa_nik"))
        if reason is None:
            row.reject("NIK kosong dan alasan tanpa NIK tidak diisi (belum rekam / hilang / tidak terdaftar).")
        v["alasan_tanpa_nik"] = reason
    if sex is None and not sex_text.strip():
        row.reject("Jenis kelamin kosong.")
    age_text = get("umur").strip()
    if birth is None and not date_text.strip() and age_text:
        if age_text.isdigit() and int(age_text) <= 120:
            birth = min(date(today.year - int(age_text), 7, 1), today)  # mid-year: at most half a year off
            v["tgl_lahir_perkiraan"] = True
            row.warnings.append(f"Tanggal lahir diperkirakan dari umur {int(age_text)} tahun (ditandai perkiraan).")
        else:
            row.reject(f"Umur '{age_text[:10]}' bukan angka tahun 0–120.")
    if birth is None and not date_text.strip() and not age_text and row.status != DITOLAK:
        row.reject("Tanggal lahir kosong.")
    v.update(jenis_kelamin=sex, tanggal_lahir=birth, tempat_lahir=place or None)

    kk_text = get("no_kk").strip().lstrip("'")
    if kk_text and numeric_col("no_kk"):
        row.reject("No. KK tersimpan sebagai angka di spreadsheet (digit terakhir bisa hilang). "
                   "Ketik ulang sebagai teks, diawali tanda petik (').")
    elif kk_text:
        kk = check_kk(kk_text)
        for e in kk.errors:
            row.reject(e)
        row.warnings.extend(kk.warnings)
        v["no_kk"] = kk.value if kk.ok else None

    regions.find(get("kecamatan"), get("nagari"), get("jorong"), row)

    shdk = get("hubungan")
    if shdk.strip():
        code = _lookup(V.SHDK, shdk) or ("Kepala Keluarga" if normalise_header(shdk) in ("kk", "kepala") else None)
        if code is None:
            row.warnings.append(f"Hubungan keluarga '{shdk.strip()[:30]}' tidak dikenali; dikosongkan.")
        v["hubungan_keluarga"] = code
    alamat = " ".join(get("alamat").split())
    if len(alamat) > LIMITS["alamat"]:
        row.reject(f"Alamat terlalu panjang (maksimal {LIMITS['alamat']} karakter).")
    v["alamat"] = alamat or None
    for key in ("rt", "rw"):
        text = get(key).strip()
        if text and not (text.isdigit() and len(text) <= 3):
            row.warnings.append(f"{key.upper()} '{text[:10]}' bukan angka 1–3 digit; dikosongkan.")
            text = ""
        v[key] = text or None
    hp = get("no_hp").strip()
    if hp and not re.fullmatch(r"\+?[0-9 \-]{6,20}", hp):
        row.warnings.append("No. HP tidak sah; dikosongkan.")
        hp = ""
    v["no_hp"] = hp or None

    ragam_text = get("ragam").strip()
    found, unknown = parse_ragam(ragam_text)
    if unknown:
        row.warnings.append("Ragam disabilitas tidak dikenali: " + ", ".join(u[:30] for u in unknown[:3])
                            + "; lengkapi pada data orang.")
    derajat_text = get("derajat").strip()
    derajat = _lookup(V.DERAJAT, derajat_text) if derajat_text else None
    if derajat_text and derajat is None:
        row.warnings.append(f"Derajat '{derajat_text[:20]}' tidak dikenali; dikosongkan.")
    v.update(ragam=found, ragam_text=ragam_text[:200], derajat=derajat)


def _find_matches(results: list[RowResult], user) -> None:
    """Existing records in the user's scope: by NIK first, then by No. KK + similar name; and the same
    person twice within the file."""



    live = [r for r in results if r.status != DITOLAK]
    niks = sorted({r.values["nik"] for r in live if r.values.get("nik")})
    kks = sorted({r.values["no_kk"] for r in live if r.values.get("no_kk")})
    by_nik: dict[str, int] = {}
    by_kk: dict[str, list[tuple[int, str, str | None]]] = {}
    for chunk in range(0, len(niks), 500):
        stmt = scoped(Person, user, Person.id, Person.nik, Person.merged_into_id).where(
            Person.nik.in_(niks[chunk:chunk + 500])).order_by(Person.id)
        for pid, nik, merged in db.session.execute(stmt):
            by_nik.setdefault(nik, merged or pid)
    for chunk in range(0, len(kks), 500):
        stmt = scoped(Person, user, Person.id, Person.no_kk, Person.nama_lengkap, Person.nik,
                      Person.merged_into_id).where(Person.no_kk.in_(kks[chunk:chunk + 500])).order_by(Person.id)
        for pid, kk, name, other_nik, merged in db.session.execute(stmt):
            by_kk.setdefault(kk, []).append((merged or pid, name, other_nik))
    def same(name, other_name, nik, other_nik) -> bool:
        """KK + similar name, unless both carry a NIK and the NIKs differ (then they are two people)."""
        return S.names_similar(other_name, name) and not (nik and other_nik and nik != other_nik)

    seen_nik: dict[str, int] = {}
    seen_kk_name: list[tuple[str, str, str | None, int]] = []
    for r in live:
        nik, kk, name = r.values.get("nik"), r.values.get("no_kk"), r.values["nama_lengkap"]
        if nik and nik in seen_nik:
            r.reject(f"NIK sama dengan baris {seen_nik[nik]} dalam berkas ini.")
            continue
        if kk:
            twin = next((line for k, n, other_nik, line in seen_kk_name if k == kk and same(name, n, nik, other_nik)),
                        None)
            if twin:
                r.reject(f"No. KK dan nama sama dengan baris {twin} dalam berkas ini.")
                continue
        if nik:
            seen_nik[nik] = r.line
        if kk:
            seen_kk_name.append((kk, name, nik, r.line))
        if nik and nik in by_nik:
            r.status, r.match_id, r.match_by = COCOK, by_nik[nik], "NIK"
        elif kk:
            hit = next((pid for pid, other, other_nik in by_kk.get(kk, []) if same(name, other, nik, other_nik)),
                       None)
            if hit:
                r.status, r.match_id, r.match_by = COCOK, hit, "No. KK + nama"


def dry_run(pending: Pending, user, today: date) -> DryRun:
    """What the import would do with each row; reads the database, writes nothing."""
    regions = _Regions(pending.regency_id)
    regency_code = user.regency.code
    mapping = pending.mapping
    results = []
    for line, cells, numeric in pending.sheet.data_rows():
        row = RowResult(line=line, cells=cells)

        def get(key, cells=cells):
            col = mapping.get(key)
            return cells[col] if col is not None and col < len(cells) else ""

        def numeric_col(key, numeric=numeric):
            return mapping.get(key) in numeric

        _check_row(row, get, numeric_col, regions, regency_code, today)
        results.append(row)
    _find_matches(results, user)
    _one_head_per_kk(results, pending.regency_id)
    return DryRun(rows=results)


def _one_head_per_kk(results: list[RowResult], regency_id: int) -> None:
    """A row that would add a second Kepala Keluarga to a No. KK is refused, as on the form: against the
    registry (the same rule as a manual save) and against an earlier row of the file."""
    rows = [r for r in results if r.status == BARU and r.values.get("no_kk")
            and r.values.get("hubungan_keluarga") == S.KEPALA_KELUARGA]
    if not rows:
        return
    heads = S.heads_of_kk(regency_id, [r.values["no_kk"] for r in rows])
    in_file: dict[str, RowResult] = {}
    for r in rows:
        kk = r.values["no_kk"]
        if kk in heads:
            r.reject(S.head_taken_message(heads[kk].nama_lengkap, f"#{heads[kk].id}"))
        elif kk in in_file:
            first = in_file[kk]
            r.reject(S.head_taken_message(first.values["nama_lengkap"], f"baris {first.line} dalam berkas ini"))
        else:
            in_file[kk] = r


# Where an imported file may come from (values.SUMBER_DATA codes).
SOURCES = ("impor_sidilan", "impor_dtks", "usulan_nagari", "lapangan")


def apply(run: DryRun, user, source: str = "impor_sidilan") -> list[int]:
    """Create the 'baru' rows (the caller commits, once). Duplicate review rows open as on a manual save.
    Rows are written in a few bulk flushes, not one per person, so a full file fits in one request."""
    todo = [r for r in run.rows if r.status == BARU]
    people = []
    with db.session.no_autoflush:
        for r in todo:
            v = r.values
            address = dict(alamat=v["alamat"], kecamatan_code=v["kecamatan_code"], nagari_code=v["nagari_code"],
                           jorong_id=v["jorong_id"], rt=v["rt"], rw=v["rw"])
            household = S.household_for(user.regency_id, v.get("no_kk"), address)
            person = Person(regency_id=user.regency_id, nik=v.get("nik"), alasan_tanpa_nik=v.get("alasan_tanpa_nik"),
                            household_id=household.id if household else None, no_kk=v.get("no_kk"),
                            hubungan_keluarga=v.get("hubungan_keluarga"), nama_lengkap=v["nama_lengkap"],
                            name_search=v["name_search"], name_key=v["name_key"], jenis_kelamin=v["jenis_kelamin"],
                            tempat_lahir=v["tempat_lahir"], tanggal_lahir=v["tanggal_lahir"],
                            tgl_lahir_perkiraan=bool(v.get("tgl_lahir_perkiraan")), no_hp=v["no_hp"],
                            sumber_data=source, status_verifikasi="draf", created_by_id=user.id,
                            updated_by_id=user.id, **address)
            db.session.add(person)
            people.append(person)
    db.session.flush()
    for r, person in zip(todo, people):
        v = r.values
        S.record_creation(person, user, "impor spreadsheet")
        if v["ragam"]:
            d = Disability(person_id=person.id, derajat=v["derajat"])
            for ragam, jenis in v["ragam"].items():
                setattr(d, f"ragam_{ragam}", True)
                setattr(d, f"jenis_{ragam}", jenis)
            d.ganda = S.derive_ganda(d)
            db.session.add(d)
        if v["ragam_text"]:  # the original wording stays on the record's history (sidilan.md §7.4)
            db.session.add(ChangeLog(person_id=person.id, entity="disability", field="ragam (teks asli impor)",
                                     old_value=None, new_value=v["ragam_text"], user_id=user.id))
    db.session.flush()
    with db.session.no_autoflush:  # everything is flushed; record_duplicates flushes what it adds
        for person in people:
            S.record_duplicates(person)
    return [p.id for p in people]
