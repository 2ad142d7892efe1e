"""Time the Rujukan pages at scale while working on them (bench only).

Usage: .venv/bin/python bench/time_rujukan.py [DATABASE_URL] [scale] [repeats]
Without a URL: a throwaway SQLite file. With a URL the database is emptied and rebuilt first, unless
RUJUKAN_BENCH_KEEP=1 and it already holds the data (then only missing indexes are added; the facts are kept in
a JSON file beside this script's temporary directory).
"""

import hashlib
import json
import os
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
        digest = hashlib.md5(url.encode()).hexdigest()
        facts_file = os.path.join(tempfile.gettempdir(), f"rujukan-facts-{digest}.json")
        with app.app_context():
            if os.environ.get("RUJUKAN_BENCH_KEEP") and os.path.exists(facts_file):
                for table in db.metadata.sorted_tables:
                    for index in table.indexes:
                        index.create(db.engine, checkfirst=True)
                with open(facts_file) as f:
                    facts = json.load(f)
            else:
                db.drop_all()
                db.create_all()
                load_demo()
                db.session.commit()
                t0 = time.perf_counter()
                facts = data_rujukan.build(scale=scale)
                took = time.perf_counter() - t0
                print(f"build: {took:.1f} s, {facts['referrals']} referrals, {facts['states']}")
                with open(facts_file, "w") as f:
                    json.dump(facts, f)
        if repeats == 0:
            return
        clients = {}
        health = login(app, pages_rujukan.PKM)
        health.get("/healthz")
        ticks = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            health.get("/healthz")
            ticks.append((time.perf_counter() - t0) * 1000)
        print(f"/healthz median {statistics.median(ticks):.1f} ms (the machine's floor in this run)")
        print(f"{'page':<48} {'median ms':>9} {'stmts':>5} {'budget':>6}")
        for label, user, url_or_fn, budget in pages_rujukan.PAGES:
            if budget is None and os.environ.get("RUJUKAN_BENCH_NO_PDF"):
                continue
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
