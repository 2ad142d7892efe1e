"""Time the Rujukan pages at scale while working on them (bench only).

Usage: .venv/bin/python bench/time_rujukan.py [DATABASE_URL] [scale] [repeats]
Without a URL: a throwaway SQLite file. With a PostgreSQL URL the database is emptied and rebuilt first.
"""

import statistics
import sys
import tempfile
import time

from _setup import login

from app import create_app
from blueprints.core.extensions import db
from blueprints.demo import load_demo
from tests.queries import statements


def main(url: str | None, scale: float, repeats: int) -> None:
    import data_rujukan
    import pages_rujukan

    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app(
            {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
             "RATELIMIT_ENABLED": False}
        )  # fmt: skip
        with app.app_context():
            db.drop_all()
            db.create_all()
            load_demo()
            db.session.commit()
            t0 = time.perf_counter()
            facts = data_rujukan.build(scale=scale)
            print(
                f"build: {time.perf_counter() - t0:.1f} s, {facts['referrals']} referrals, {facts['states']}"
            )
        if repeats == 0:
            return
        clients = {}
        print(f"{'page':<48} {'median ms':>9} {'stmts':>5} {'budget':>6}")
        for label, user, url_or_fn, budget in pages_rujukan.PAGES:
            page_url = url_or_fn(facts) if callable(url_or_fn) else url_or_fn
            client = clients.get(user) or clients.setdefault(user, login(app, user))
            resp = client.get(page_url)
            assert resp.status_code == 200, (page_url, resp.status_code)
            with statements(app) as seen:
                client.get(page_url)
            n = repeats if budget is not None else max(1, repeats // 5)
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                client.get(page_url)
                times.append((time.perf_counter() - t0) * 1000)
            med = statistics.median(times)
            mark = "" if budget is None else ("ok" if med <= budget else "SLOW")
            print(f"{label:<48} {med:>9.1f} {len(seen):>5} {budget or '-':>6} {mark}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args and "://" in args[0] else None,
         float(args[1]) if len(args) > 1 else 1.0, int(args[2]) if len(args) > 2 else 7)  # fmt: skip
