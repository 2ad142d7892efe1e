"""SIDILAN dashboards, report lists and record pages at scale (bench, not a test), read by bench/scale.py.

Two tables:

- ``PAGES``: rows ``(label, username, url_or_callable(facts) -> str, budget_ms)``, like every
  ``bench/pages_<module>.py``: bench/scale.py times the median server time of the URL through the Flask test
  client, logged in as ``username``, on the app holding the demo data plus ``bench/data_sidilan.build()``
  (``facts`` is what that build returned: ``person_id``, ``household_id``, ...).
- ``RATIOS``: rows ``(label, callable(app) -> float, budget_ratio)``. bench/scale.py calls the callable once
  with the same app and compares the number it returns (a ratio, not milliseconds) with ``budget_ratio``.
  ``blank_form_ratio`` returns the median render time of the blank paper form PDF divided by the median of a
  one-paragraph PDF (bench/paragraph.html) measured in the same call; the budget is 10x (issue 12 item 6).

Run alone for a quick look on the demo data (no scale data): ``.venv/bin/python bench/pages_sidilan_reports.py``.
"""

import gc
import statistics
import time
from pathlib import Path

PARAGRAPH = Path(__file__).resolve().parent / "paragraph.html"
LIST_MS, DASHBOARD_MS = 20, 100


def _cursor(key) -> str:
    from blueprints.core.pagination import encode_cursor

    return encode_cursor(key)


PAGES = [
    ("SIDILAN dashboard", "operator.solok", "/sidilan/dasbor", DASHBOARD_MS),
    ("SIDILAN dashboard (pimpinan)", "pimpinan.solok", "/sidilan/dasbor", DASHBOARD_MS),
    ("SIDILAN home panels", "operator.solok", "/", DASHBOARD_MS),
    ("SIDILAN tanpa bantuan, page 1", "operator.solok", "/sidilan/tanpa-bantuan", LIST_MS),
    # keyset pages: a deep page starts after a name in the middle of the list (a page number alone is page 1)
    (
        "SIDILAN tanpa bantuan, page 20",
        "operator.solok",
        lambda facts: f"/sidilan/tanpa-bantuan?hal=20&setelah={_cursor(('m', 0))}",
        LIST_MS,
    ),
    ("SIDILAN bantuan ganda", "operator.solok", "/sidilan/bantuan-ganda", LIST_MS),
    ("SIDILAN duplicate pairs", "operator.solok", "/sidilan/duplikat", LIST_MS),
    (
        "SIDILAN person page (busy person)",
        "operator.solok",
        lambda facts: f"/sidilan/orang/{facts['person_id']}",
        LIST_MS,
    ),
    (
        "SIDILAN household page",
        "operator.solok",
        lambda facts: f"/sidilan/keluarga/{facts['household_id']}",
        LIST_MS,
    ),
]


def _cpu_ms(fn) -> float:
    """CPU time of one call (this process), with the garbage collector held off as ``timeit`` does: a collection
    of the whole bench's heap landing inside a 10 ms paragraph would count as the paragraph's."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.process_time()
        fn()
        return (time.process_time() - t0) * 1000
    finally:
        gc.enable()


def _median_ms(fn, repeats: int) -> float:
    """Median CPU time (this process): on a shared, loaded machine wall time mostly measures the neighbours."""
    fn()  # warm
    return statistics.median(_cpu_ms(fn) for _ in range(repeats))


def _median_ratio(fn, base, repeats: int) -> float:
    """Median of ``fn``'s time over ``base``'s, the two timed in turn (so a slower spell of the machine
    slows both sides of a pair alike)."""
    fn(), base()  # warm
    return statistics.median(_cpu_ms(fn) / _cpu_ms(base) for _ in range(repeats))


def _blank_form_times(app, repeats: int = 15) -> dict:
    """Median ms of the blank paper form of the first jorong of a Solok nagari, rendered alone (the same call the
    print route makes) and through the route (as operator.solok: the request, its queries and its audit), and of a
    one-paragraph PDF, in the same run."""
    from sqlalchemy import select

    from blueprints.auth.models import Regency
    from blueprints.core.extensions import db
    from blueprints.core.pdf import PAPER, html_to_pdf
    from blueprints.demo import DEMO_PASSWORD
    from blueprints.sidilan.paper_form import paper_form_pdf
    from blueprints.wilayah.models import Jorong, Wilayah

    with app.app_context():
        jorong = db.session.scalars(
            select(Jorong)
            .join(Wilayah, Wilayah.code == Jorong.nagari_code)
            .where(Wilayah.code.like("13.02.%"))
        ).first()
        nagari = db.session.get(Wilayah, jorong.nagari_code)
        args = {"kecamatan": nagari.parent_code, "nagari": nagari.code, "jorong": jorong.id, "cetak": "1"}
        jorong_id, nagari_code = jorong.id, nagari.code
    client = app.test_client()
    client.post("/masuk", data={"username": "operator.solok", "password": DEMO_PASSWORD})

    def render():
        with app.test_request_context("/sidilan/"):
            regency = db.session.scalars(select(Regency).where(Regency.code == "13.02")).one()
            paper_form_pdf(regency, db.session.get(Wilayah, nagari_code), db.session.get(Jorong, jorong_id))

    def route():
        response = client.get("/sidilan/cetak/formulir", query_string=args)
        assert response.mimetype == "application/pdf", response.status_code

    def paragraph():
        html = app.jinja_env.from_string(PARAGRAPH.read_text()).render(
            page_size=PAPER["A4"],
            text="Satu paragraf uji untuk mengukur biaya dasar WeasyPrint pada mesin ini.",
        )
        html_to_pdf(html, Path(app.root_path) / "static")

    def in_app(fn):
        def run():
            with app.app_context():
                fn()

        return run

    return {
        "render": _median_ratio(render, in_app(paragraph), repeats),
        "route": _median_ratio(route, in_app(paragraph), repeats),
    }


def blank_form_ratio(app) -> float:
    """The blank form's render over a one-paragraph PDF's (as the letter's ratio in bench/rujukan_pdf.py)."""
    return _blank_form_times(app)["render"]


def blank_form_request_ratio(app) -> float:
    """The whole print request (session, queries, audit, render) over a one-paragraph PDF's render."""
    return _blank_form_times(app)["route"]


RATIOS = [
    ("SIDILAN blank form PDF / one-paragraph PDF", blank_form_ratio, 10.0),
    ("SIDILAN blank form print request / one-paragraph PDF", blank_form_request_ratio, None),
]


def main() -> None:
    from _setup import demo_app, login

    with demo_app() as app:
        for label, user, url, budget in PAGES:
            if callable(url):
                continue  # needs the scale data's facts
            client = login(app, user)
            ms = _median_ms(lambda client=client, url=url: client.get(url), 9)
            print(f"{label:<45} {ms:8.1f} ms  (budget {budget} ms)")
        for label, fn, budget in RATIOS:
            print(f"{label:<45} {fn(app):8.1f} x   (budget {budget}x)")


if __name__ == "__main__":
    main()
