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
from datetime import date, datetime
from pathlib import Path

from flask import current_app

MAX_ROWS = 5000
MAX_COLS = 60
MAX_CELL = 1000  # longer cell text is cut here; the field checks then reject it with a clear reason
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
    truncated: bool = False

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
                "header_row": self.header_row, "truncated": self.truncated}

    @classmethod
    def from_json(cls, data: dict) -> "Sheet":
        return cls(rows=data["rows"], numeric=data["numeric"], filename=data.get("filename", ""),
                   header_row=data.get("header_row", 0), truncated=data.get("truncated", False))


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


def _finish(rows: list[list[str]], numeric: list[list[int]], filename: str, truncated: bool) -> Sheet:
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
        numeric.pop()
    if not rows:
        raise ImportFileError("Berkas tidak berisi data (kosong).")
    width = max(len(r) for r in rows)
    for r in rows:
        r.extend([""] * (width - len(r)))
    sheet = Sheet(rows=rows, numeric=numeric, filename=filename, truncated=truncated)
    sheet.header_row = guess_header_row(sheet)
    return sheet


def read_xlsx(data: bytes, filename: str) -> Sheet:
    from openpyxl import load_workbook

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
        rows, numeric, truncated = [], [], False
        for values in sheet.iter_rows(values_only=True):
            if len(rows) >= MAX_ROWS + 20:
                truncated = True
                break
            cells, nums = [], []
            for col, value in enumerate(values[:MAX_COLS]):
                text, is_num = _cell_text(value)
                cells.append(text)
                if is_num:
                    nums.append(col)
            rows.append(cells)
            numeric.append(nums)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError("Isi berkas .xlsx tidak dapat dibaca.") from exc
    finally:
        book.close()
    return _finish(rows, numeric, filename, truncated)


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
    rows, numeric, truncated = [], [], False
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= MAX_ROWS + 20:
                truncated = True
                break
            rows.append([c[:MAX_CELL].replace("\x00", "") for c in record[:MAX_COLS]])
            numeric.append([])
    except csv.Error as exc:
        raise ImportFileError("Berkas CSV tidak dapat dibaca (format baris rusak).") from exc
    return _finish(rows, numeric, filename, truncated)


def read_upload(filename: str, data: bytes) -> Sheet:
    name = (filename or "").strip()
    lower = name.lower()
    if not data:
        raise ImportFileError("Berkas kosong (0 byte).")
    if lower.endswith(".xls"):
        raise ImportFileError("Format .xls lama tidak didukung. Simpan ulang sebagai .xlsx atau .csv.")
    if lower.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return read_xlsx(data, name)
    if lower.endswith((".csv", ".txt")):
        return read_csv(data, name)
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

    def save(self) -> None:
        path = _area() / f"{self.token}.json"
        payload = {"user_id": self.user_id, "regency_id": self.regency_id, "sheet": self.sheet.to_json(),
                   "mapping": self.mapping, "mapped": self.mapped}
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
                   mapped=payload.get("mapped", False))


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
        from datetime import timedelta
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
