"""Rujukan PDF timings (bench, not a test): median warm render of the one-page letter and of a one-paragraph
PDF in the same run, their ratio (goal <= 12x), and the monthly recap with 500 referrals.

Usage: .venv/bin/python bench/rujukan_pdf.py [repeats]
"""

import logging
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _setup import demo_app, login

from blueprints.core.extensions import db

PARAGRAPH = Path(__file__).resolve().parent / "paragraph.html"


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _median(fn, repeats: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _add_referrals(n: int) -> None:
    """Copies of an arrived demo referral, all issued and arrived this month."""
    from sqlalchemy import select

    from blueprints.rujukan.models import Referral

    base = db.session.scalars(select(Referral).where(Referral.status == "dijawab")).first()
    skip = {"id", "number", "seq", "year"}
    cols = [c.key for c in Referral.__table__.columns if c.key not in skip]
    now = datetime.now(UTC)
    for _ in range(n):
        r = Referral(**{c: getattr(base, c) for c in cols})
        r.issued_on, r.issued_at, r.arrived_at = now.date(), now - timedelta(hours=3), now
        db.session.add(r)
    db.session.commit()


def main(repeats: int = 10) -> None:
    collect = _Collect()
    logging.getLogger("weasyprint").addHandler(collect)
    with demo_app() as app:
        with app.app_context():
            from sqlalchemy import select

            from blueprints.rujukan.models import Referral

            ref_id = db.session.scalars(select(Referral.id).where(Referral.status == "dijawab")).first()
        client = login(app, "faskes.solok")

        def letter():
            """The render alone (same renderer call as the print route, without its audit write)."""
            from blueprints.core.pdf import render_pdf
            from blueprints.rujukan import lists
            from blueprints.rujukan.models import Referral
            from blueprints.rujukan.views.printouts import letter_context

            with app.test_request_context("/rujukan/"):
                ref = db.session.get(Referral, ref_id)
                render_pdf("rujukan/pdf/letter.html", paper="A4", L=lists, **letter_context(ref, None))

        def letter_route():
            assert client.get(f"/rujukan/{ref_id}/cetak?kertas=A4").status_code == 200

        def paragraph():
            """A one-paragraph PDF (bench/paragraph.html, no app template): WeasyPrint's fixed cost here."""
            from blueprints.core.pdf import PAPER, html_to_pdf

            html = app.jinja_env.from_string(PARAGRAPH.read_text()).render(
                page_size=PAPER["A4"],
                text="Satu paragraf uji untuk mengukur biaya dasar WeasyPrint pada mesin ini.",
            )
            html_to_pdf(html, Path(app.root_path) / "static")

        t_letter, t_par = _median(letter, repeats), _median(paragraph, repeats)
        t_route = _median(letter_route, repeats)
        ratio = t_letter / t_par
        print(f"letter (A4, 1 page)   median {t_letter:8.1f} ms")
        print(f"one-paragraph PDF     median {t_par:8.1f} ms")
        print(f"letter via /cetak     median {t_route:8.1f} ms  (render + print log + audit commit)")
        print(
            f"ratio                        {ratio:8.1f}x  (goal <= 12x){'  OVER GOAL' if ratio > 12 else ''}"
        )

        with app.app_context():
            _add_referrals(500)
        dinkes = login(app, "dinkes.solok")
        month = datetime.now(UTC).strftime("%Y-%m")
        for fmt in ("", "csv", "xlsx", "pdf"):

            def recap(fmt=fmt):
                assert (
                    dinkes.get("/rujukan/rekap", query_string={"bulan": month, "format": fmt}).status_code
                    == 200
                )

            t = _median(recap, max(1, repeats // 5))
            label = "pdf (1 part of RUJUKAN_RECAP_PDF_ROWS rows)" if fmt == "pdf" else (fmt or "html")
            print(f"recap 500 referrals {label:<5} median {t:8.1f} ms")
    fallback = [m for m in collect.messages if "fontTools" in m]
    if fallback:
        print(
            "WARNING: WeasyPrint falls back to fontTools for subsetting (install libharfbuzz-subset0): "
            + fallback[0]
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
