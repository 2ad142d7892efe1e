"""Cell values -> field values (docs/sidilan.md §7.4): dates in the spellings clerks type, sex, the old and new
disability words, names. Pure functions of the text."""

import re
from datetime import date, timedelta

from blueprints.core.fmt import BULAN
from blueprints.core.sheets import normalise_header

BULAN_NAMA = {m.lower(): i + 1 for i, m in enumerate(BULAN)}
BULAN_NAMA.update({k[:3]: v for k, v in list(BULAN_NAMA.items())})
BULAN_NAMA.update({"agust": 8, "ags": 8, "okt": 10, "des": 12, "nop": 11, "pebruari": 2})
_DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?"), ("y", "m", "d")),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"), ("d", "m", "y")),
)
_DATE_WORDS = re.compile(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})")
_TRAILING_DATE = re.compile(
    r"^(.*?)[,\s]+(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}-\d{1,2}-\d{1,2}|"
    r"\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})\s*$"
)


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
            parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
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
    "tunarungu wicara": ("sensorik", "rungu-wicara"),
    "rungu wicara": ("sensorik", "rungu-wicara"),
    "bisu tuli": ("sensorik", "rungu-wicara"),
    "tuli bisu": ("sensorik", "rungu-wicara"),
    "netra tuli": ("sensorik", "netra-tuli"),
    "tunadaksa": ("fisik", None),
    "daksa": ("fisik", None),
    "fisik": ("fisik", None),
    "cacat fisik": ("fisik", None),
    "lumpuh": ("fisik", "lumpuh layuh/kaku"),
    "amputasi": ("fisik", "amputasi"),
    "cerebral palsy": ("fisik", "cerebral palsy"),
    "stroke": ("fisik", "akibat stroke"),
    "tunanetra": ("sensorik", "netra"),
    "netra": ("sensorik", "netra"),
    "buta": ("sensorik", "netra"),
    "tunarungu": ("sensorik", "rungu"),
    "rungu": ("sensorik", "rungu"),
    "tuli": ("sensorik", "rungu"),
    "tunawicara": ("sensorik", "wicara"),
    "wicara": ("sensorik", "wicara"),
    "bisu": ("sensorik", "wicara"),
    "sensorik": ("sensorik", None),
    "tunagrahita": ("intelektual", "grahita"),
    "grahita": ("intelektual", "grahita"),
    "intelektual": ("intelektual", None),
    "down syndrome": ("intelektual", "down syndrome"),
    "lambat belajar": ("intelektual", "lambat belajar"),
    "retardasi mental": ("intelektual", "grahita"),
    "tunalaras": ("mental", None),
    "psikososial": ("mental", None),
    "mental": ("mental", None),
    "odgj": ("mental", None),
    "gangguan jiwa": ("mental", None),
    "skizofrenia": ("mental", "skizofrenia"),
    "autis": ("mental", "autis"),
    "bipolar": ("mental", "bipolar"),
    "depresi": ("mental", "depresi"),
}
_RAGAM_NOISE = re.compile(r"\b(penyandang|cacat|disabilitas|difabel|ragam|jenis)\b")
_RAGAM_PATTERNS = [
    (term, re.compile(rf"\b{re.escape(term)}\b")) for term in sorted(RAGAM_TERMS, key=len, reverse=True)
]  # longest first
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
        hit = next((RAGAM_TERMS[term] for term, pattern in _RAGAM_PATTERNS if pattern.search(words)), None)
        if hit is None:
            unknown.append(part.strip())
            continue
        ragam, jenis = hit
        if found.get(ragam) is None:
            found[ragam] = jenis
        elif jenis and found[ragam] != jenis and ragam == "sensorik":
            pair = {found[ragam], jenis}
            found[ragam] = (
                "rungu-wicara"
                if pair == {"rungu", "wicara"}
                else ("netra-tuli" if pair == {"netra", "rungu"} else found[ragam])
            )
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
            t = t[len(w) + 1 :]
    return t


def lookup(values, text: str) -> str | None:
    """The code of a (code, label) list whose code or label the text spells, loosely; None if none."""
    t = normalise_header(text)
    for code, lab in values:
        if t in (normalise_header(code), normalise_header(lab)):
            return code
    return None


# The one synonym table of no-NIK reasons as clerks write them in a remarks column (values.ALASAN_TANPA_NIK
# codes). A phrase matches as whole words of a remark part; a ``=`` phrase only as the whole part (so "anak"
# alone is a child without an e-KTP, while "tinggal dengan anak" stays a note).
NO_NIK_SYNONYMS = {
    "belum_rekam": (
        "belum rekam",
        "blm rekam",
        "belum perekaman",
        "blm perekaman",
        "belum rekam e ktp",
        "belum punya ktp",
        "blm punya ktp",
        "belum punya nik",
        "belum ada ktp",
        "belum ada nik",
        "belum memiliki ktp",
        "tidak punya ktp",
        "tdk punya ktp",
        "belum ktp",
        "blm ktp",
        "=anak",
        "=anak anak",
        "=masih anak",
        "=balita",
        "=bayi",
        "=di bawah umur",
        "=dibawah umur",
    ),
    "hilang": ("ktp hilang", "kk hilang", "nik hilang", "dokumen hilang", "=hilang"),
    "tidak_terdaftar": (
        "tidak terdaftar",
        "tdk terdaftar",
        "belum terdaftar",
        "tidak terdaftar adminduk",
        "odgj terlantar",
        "terlantar",
        "tidak diketahui",
        "tdk diketahui",
        "tidak tahu",
        "tanpa identitas",
        "tidak ada identitas",
        "tidak ada dokumen",
        "tanpa dokumen",
    ),
}
_REASON_PATTERNS = sorted(
    (
        (phrase.lstrip("="), code, phrase.startswith("="))
        for code, phrases in NO_NIK_SYNONYMS.items()
        for phrase in phrases
    ),
    key=lambda t: len(t[0]),
    reverse=True,
)
_REMARK_SPLIT = re.compile(r"\s*(?:,|;|/|\n|\|)\s*")


def _reason_of(part: str) -> str | None:
    words = normalise_header(part)
    for phrase, code, whole in _REASON_PATTERNS:
        if words == phrase or (not whole and re.search(rf"\b{re.escape(phrase)}\b", words)):
            return code
    return None


def read_remarks(*texts: str) -> tuple[str | None, list[str]]:
    """(no-NIK reason code recognised in the remarks, or None; the remark parts that are not a reason), from
    any number of remarks cells: 'Belum rekam KTP, tinggal sendiri' -> ('belum_rekam', ['tinggal sendiri'])."""
    reason, notes = None, []
    for text in texts:
        for part in _REMARK_SPLIT.split(" ".join((text or "").split())):
            if not part.strip(" .-"):
                continue
            code = _reason_of(part)
            if code and reason is None:
                reason = code
            elif code is None:
                notes.append(part.strip())
    return reason, notes


def reason_in(text: str) -> str | None:
    """The no-NIK reason a remark spells (read_remarks' table), or None."""
    return read_remarks(text)[0]


_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+")


def is_scientific(text: str) -> bool:
    """'1.30218E+15' (or '1,30218E+15'): a number a spreadsheet wrote in scientific notation; its digits are lost."""
    return bool(_SCIENTIFIC.fullmatch((text or "").strip()))
