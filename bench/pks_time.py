"""Kerja Sama pages at 500 agreements: median server time and statement count (a working tool, not a test).

Usage: .venv/bin/python bench/pks_time.py [database URL] [repeats]
(default: a throwaway SQLite file; e.g. postgresql+psycopg://postgres@127.0.0.1:5432/hb_pks)
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import data_pks  # noqa: E402
import pages_pks  # noqa: E402
from _setup import login  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from blueprints.core.extensions import db  # noqa: E402
from blueprints.demo import load_demo  # noqa: E402


def main(url: str | None, repeats: int) -> None:
    tmp = tempfile.TemporaryDirectory()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp.name}/bench.sqlite",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo()
        db.session.commit()
        t0 = time.perf_counter()
        facts = data_pks.build()
        print(f"build: {time.perf_counter() - t0:.1f} s  {facts}")
        engine = db.engine
    seen = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(1))
    clients = {}
    print(f"{'page':<34} {'ms':>7} {'budget':>7} {'stmts':>6} {'bytes':>8}")
    for label, user, target, budget in pages_pks.PAGES:
        client = clients.get(user) or clients.setdefault(user, login(app, user))
        path = target(facts) if callable(target) else target
        headers = {"HX-Request": "true"} if "fragment" in label else {}
        r = client.get(path, headers=headers)
        times = []
        for _ in range(repeats):
            seen.clear()
            t0 = time.perf_counter()
            r = client.get(path, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(times)
        mark = "ok" if med <= budget else "SLOW"
        print(f"{label:<34} {med:>7.1f} {budget:>7} {len(seen):>6} {len(r.data):>8} {r.status_code} {mark}")


if __name__ == "__main__":
    args = sys.argv[1:]
    url = args[0] if args and not args[0].isdigit() else None
    reps = int(args[-1]) if args and args[-1].isdigit() else 7
    main(url, reps)
