"""Time the SIDILAN list rows (bench/pages_sidilan.py) on a kept scale database, SQLite or PostgreSQL.

    .venv/bin/python bench/time_sidilan.py build sqlite:////tmp/x.sqlite     # demo + data_sidilan, once
    .venv/bin/python bench/time_sidilan.py time sqlite:////tmp/x.sqlite [repeats]
    .venv/bin/python bench/time_sidilan.py build postgresql+psycopg://postgres@127.0.0.1:5432/hb_search

``time`` first brings the schema up to the models (tables, indexes, the search triggers) without rebuilding the
data, so a new index can be timed on the kept data set. Facts are kept next to the data (``<db>.facts.json``).
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app import create_app  # noqa: E402
from blueprints.core.extensions import db  # noqa: E402
from blueprints.demo import DEMO_PASSWORD, load_demo  # noqa: E402


def _app(url: str):
    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def _facts_path(url: str) -> Path:
    name = url.rsplit("/", 1)[-1]
    return Path("/tmp") / f"bench_sidilan_{name}.facts.json"


def build(url: str) -> None:
    import data_sidilan

    app = _app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo()
        db.session.commit()
        t0 = time.perf_counter()
        facts = data_sidilan.build()
        print(f"data_sidilan.build: {time.perf_counter() - t0:.1f} s")
        _analyze()
        db.engine.dispose()
    _facts_path(url).write_text(json.dumps(facts))


def _analyze() -> None:
    from sqlalchemy import text

    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _upgrade_schema() -> None:
    """Create what the models have and the kept database lacks (indexes, search tables)."""
    from sqlalchemy import inspect

    db.create_all()
    insp = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        have = {ix["name"] for ix in insp.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in have:
                index.create(db.engine)
                print("created", index.name)


def timing(url: str, repeats: int = 15, only: str = "") -> None:
    from pages_sidilan import PAGES

    facts = json.loads(_facts_path(url).read_text())
    app = _app(url)
    with app.app_context():
        _upgrade_schema()
        _analyze()
    rows = []
    for label, user, target, budget in PAGES:
        if only and only not in label:
            continue
        client = app.test_client()
        client.post("/masuk", data={"username": user, "password": DEMO_PASSWORD})
        page = target(facts) if callable(target) else target
        r = client.get(page)
        assert r.status_code == 200, (page, r.status_code)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            client.get(page)
            times.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(times)
        rows.append((label, med, budget))
        print(f"{label:<28} {med:>8.1f} ms  budget {budget:>4} {'ok' if med <= budget else 'OVER'}  {page}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    cmd, url = sys.argv[1], sys.argv[2]
    if cmd == "build":
        build(url)
    else:
        timing(url, int(sys.argv[3]) if len(sys.argv) > 3 else 15, sys.argv[4] if len(sys.argv) > 4 else "")
