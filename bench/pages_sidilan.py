"""SIDILAN list rows for bench/scale.py: (label, username, url or callable(facts) -> url, budget ms).
The facts come from bench/data_sidilan.build (Solok, logged in as its operator)."""

from urllib.parse import urlencode

USER = "operator.solok"
LIST_MS = 20


def _list(**args) -> str:
    return "/sidilan/" + (f"?{urlencode(args)}" if args else "")


def _deep(facts) -> str:
    """Far into the list: the page after the row sorted at 'rusli' (about 60 % of the way down)."""
    try:
        from blueprints.core.pagination import encode_cursor
    except ImportError:  # offset paging
        return _list(hal=500)
    return _list(hal=500, setelah=encode_cursor(("rusli", 0)))


PAGES = [
    ("sidilan list page 1", USER, _list(), LIST_MS),
    ("sidilan ragam fisik", USER, _list(ragam="fisik"), LIST_MS),
    ("sidilan ganda", USER, _list(ragam="ganda"), LIST_MS),
    ("sidilan program PKH", USER, lambda f: _list(program=f["pkh_program_id"]), LIST_MS),
    ("sidilan lansia", USER, _list(lansia="ya"), LIST_MS),
    (
        "sidilan status + nagari",
        USER,
        lambda f: _list(status="ditolak", nagari=f["regencies"]["solok"]["nagari"]),
        LIST_MS,
    ),
    ("sidilan deep page", USER, _deep, LIST_MS),
    ("sidilan name prefix", USER, _list(q="syamsul"), LIST_MS),
    ("sidilan name any word", USER, _list(q="kayo"), LIST_MS),
    ("sidilan name variant", USER, _list(q="samsul"), LIST_MS),
    ("sidilan NIK", USER, lambda f: _list(q=f["nik"]), LIST_MS),
    ("sidilan No. KK", USER, lambda f: _list(q=f["no_kk"]), LIST_MS),
    ("sidilan NIK suffix", USER, lambda f: _list(q=f["nik"][-6:]), LIST_MS),
]
