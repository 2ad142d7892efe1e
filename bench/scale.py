"""Regency-scale bench (`make bench`): build the data set, time every page row, serve one list under gunicorn.

1. On a throwaway SQLite file, and on a throwaway PostgreSQL database when the server answers: the schema by
   `flask db upgrade`, the demo, then every `bench/data_*.py` module's ``build(seed, scale)`` (each adds its
   module's rows in bulk and returns facts; the facts of all builds are merged into one dict).
2. Every row of every `bench/pages_*.py` ``PAGES`` list, ``(label, username, url or url(facts), budget)``, is
   timed as the median of several warm requests through a Flask test client logged in as that demo user
   (in-process server time). Budget: milliseconds, or ``None`` (measured only). A label ending in "fragment"
   is asked for as an htmx partial. A row whose facts are missing (its data module is not there) is skipped.
   A pages module may also hold ``RATIOS = [(label, callable(app) -> float, budget_ratio), ...]``: called
   once on the same app, the number it returns (e.g. a PDF's render time over a one-paragraph PDF's) is
   compared with ``budget_ratio`` (None: shown, not judged).
3. gunicorn (``-w 2``) on the SQLite data set, and ``wrk`` against the SIDILAN list (a logged-in cookie) and
   ``/healthz`` in the same run: requests/s of each and their ratio.

One table: page, database, median ms, budget, PASS/FAIL. The exit status is 1 when a row fails. The "cpu ms"
column (median CPU time of this process's thread; PostgreSQL's own work is not in it) tells a slow page from a busy
machine: the budget is judged on the wall-clock median.

Settings (environment): BENCH_SCALE (1.0; multiplies every data set size), BENCH_SEED (12), BENCH_REPEATS (7),
BENCH_PG=0 (skip PostgreSQL), BENCH_PG_URL (the server, default postgresql+psycopg://postgres@127.0.0.1:5432/
postgres: a database is created there and dropped at the end), BENCH_PG_DB (use this existing database
instead, emptied first and kept; with BENCH_PG_FACTS=file the facts are kept in that file and, once it exists, the
database is only migrated, as with BENCH_SQLITE_FILE), BENCH_WRK=0 (skip gunicorn + wrk), BENCH_WRK_SECONDS (10),
BENCH_ONLY (run only rows whose label contains this text), BENCH_SQLITE_FILE (keep the SQLite data set in this
file and its facts beside it, ``<file>.facts.json``; when both exist the next run only migrates it to the newest
schema and times the rows: for working on one page without rebuilding the data set each time).
"""

import importlib.util
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from app import create_app  # noqa: E402
from blueprints.core.extensions import db  # noqa: E402
from blueprints.demo import DEMO_PASSWORD, load_demo  # noqa: E402

HX = {"HX-Request": "true"}
SLOW_MS = 2000  # a row slower than this on its warm-up is timed fewer times
LIST_USER = "operator.solok"  # whose SIDILAN list gunicorn serves to wrk


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


# ---- the data set ----------------------------------------------------------------------------------------


def _modules(pattern: str) -> list:
    """The bench modules matching ``pattern`` (data_*.py, pages_*.py), in name order."""
    out = []
    for path in sorted(BENCH.glob(pattern)):
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out.append(module)
    return out


def make_app(url: str):
    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def build(app, seed: int, scale: float) -> dict:
    """Schema, demo, then every data module; returns the merged facts."""
    facts: dict = {}
    with app.app_context():
        t0 = time.perf_counter()
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        load_demo()
        db.session.commit()
        print(f"   schema + demo {time.perf_counter() - t0:7.1f} s", flush=True)
        for module in _modules("data_*.py"):
            t0 = time.perf_counter()
            facts.update(module.build(seed=seed, scale=scale) or {})
            db.session.commit()
            print(f"   {module.__name__[6:]:<13} {time.perf_counter() - t0:7.1f} s", flush=True)
        settle()
        db.session.remove()
    return facts


def settle() -> None:
    """On PostgreSQL, what autovacuum does after a bulk load or a new index: the statistics, and the visibility map
    that index-only scans need, so the plans and timings are those of a settled database."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.remove()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


@contextmanager
def sqlite_database():
    kept = os.environ.get("BENCH_SQLITE_FILE")
    if kept:
        yield f"sqlite:///{Path(kept).resolve()}"
        return
    with tempfile.TemporaryDirectory(prefix="sinergi-bench-") as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite"


def _kept_facts(url: str) -> Path | None:
    """Where the facts of a kept data set live (BENCH_SQLITE_FILE, or BENCH_PG_DB with BENCH_PG_FACTS), or None
    for a data set built afresh."""
    if url.startswith("sqlite:"):
        kept = os.environ.get("BENCH_SQLITE_FILE")
        return Path(f"{Path(kept).resolve()}.facts.json") if kept else None
    kept = os.environ.get("BENCH_PG_FACTS")
    return Path(kept).resolve() if kept and os.environ.get("BENCH_PG_DB") else None


def build_or_reuse(app, url: str, seed: int, scale: float) -> dict:
    """A kept data set is only migrated (new indexes, new columns) and its facts read; otherwise it is built."""
    facts_file = _kept_facts(url)
    if facts_file and facts_file.exists():
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            settle()
            db.session.remove()
        print(f"   data set kept ({facts_file}): migrated, not rebuilt", flush=True)
        return json.loads(facts_file.read_text())
    facts = build(app, seed, scale)
    if facts_file:
        facts_file.write_text(json.dumps(facts, default=str))
    return facts


def _pg_server() -> str | None:
    if env("BENCH_PG", "1") == "0":
        return None
    url = env("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001  (no server: the bench runs on SQLite only)
        print(f"PostgreSQL tidak menjawab ({type(exc).__name__}): dilewati", flush=True)
        return None
    return url


@contextmanager
def pg_database(server: str):
    """A database of the bench's own (dropped afterwards), or BENCH_PG_DB emptied and kept."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    keep = os.environ.get("BENCH_PG_DB")
    name = keep or f"sinergi_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    facts = _kept_facts(url)
    if keep and not (facts and facts.exists()):
        engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif not keep:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---- timing the rows -------------------------------------------------------------------------------------


def login(app, username: str):
    client = app.test_client()
    response = client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed ({response.status_code})")
    return client


def rows(table: str = "PAGES") -> list[tuple]:
    only = os.environ.get("BENCH_ONLY", "")
    out = []
    for module in _modules("pages_*.py"):
        out += [row for row in getattr(module, table, []) if only in row[0]]
    return out


def time_ratios(app, database: str) -> list[dict]:
    results = []
    for label, measure, budget in rows("RATIOS"):
        value = measure(app)
        results.append(
            {
                "label": label,
                "database": database,
                "budget": ("ratio", budget),
                "median": value,
                "cpu": None,
                "note": "",
                "verdict": "-" if budget is None else "PASS" if value <= budget else "FAIL",
            }
        )
    return results


def _fetch(client, url: str, label: str):
    response = client.get(url, headers=HX if label.endswith("fragment") else None)
    location = response.headers.get("Location", "")
    if response.status_code >= 400 or "/masuk" in location:
        return f"HTTP {response.status_code}{' ' + location if location else ''}"
    return None


def time_rows(app, database: str, facts: dict, repeats: int) -> list[dict]:
    clients: dict = {}
    results = []
    for label, username, target, budget in rows():
        result = {
            "label": label,
            "database": database,
            "budget": budget,
            "median": None,
            "cpu": None,
            "note": "",
        }
        results.append(result)
        try:
            url = target(facts) if callable(target) else target
        except (KeyError, IndexError, TypeError) as exc:
            result["note"] = f"dilewati: fakta {exc} tidak ada"
            continue
        if username not in clients:
            clients[username] = login(app, username)
        client = clients[username]
        t0 = time.perf_counter()
        error = _fetch(client, url, label)
        first = (time.perf_counter() - t0) * 1000
        if error:
            result["note"] = error
            continue
        times, cpu = [], []
        for _ in range(3 if first > SLOW_MS else repeats):
            t0, c0 = time.perf_counter(), time.thread_time()
            _fetch(client, url, label)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        result["median"], result["cpu"] = statistics.median(times), statistics.median(cpu)
    for r in results:
        r["verdict"] = verdict(r)
    return results


def verdict(row: dict) -> str:
    budget, median = row["budget"], row["median"]
    if median is None:
        return "SKIP" if row["note"].startswith("dilewati") else "FAIL"
    if budget is None:
        return "-"
    return "PASS" if median <= budget else "FAIL"


def budget_text(budget) -> str:
    if budget is None:
        return "-"
    if isinstance(budget, tuple):  # a RATIOS row: the "median" column holds the ratio
        return f"≤ {budget[1]}× (rasio)" if budget[1] is not None else "- (rasio)"
    return f"{budget} ms"


def print_table(results: list[dict]) -> None:
    """One line per row and database, the databases of a row together, in the order of the pages files."""
    order = {label: i for i, label in enumerate(dict.fromkeys(r["label"] for r in results))}
    results = sorted(results, key=lambda r: order[r["label"]])  # stable: SQLite before PostgreSQL
    width = max([len(r["label"]) for r in results] + [4])
    print()
    print(f"{'page':<{width}}  {'database':<10} {'median ms':>10} {'cpu ms':>8}  {'budget':<16} result")
    for r in results:
        median = f"{r['median']:.1f}" if r["median"] is not None else ""
        cpu = f"{r['cpu']:.1f}" if r["cpu"] is not None else ""
        note = f"  ({r['note']})" if r["note"] else ""
        print(
            f"{r['label']:<{width}}  {r['database']:<10} {median:>10} {cpu:>8}  "
            f"{budget_text(r['budget']):<16} {r['verdict']}{note}"
        )


# ---- gunicorn + wrk --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, server, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


def _wrk(url: str, seconds: int, cookie: str | None = None) -> tuple[float, str]:
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, f"{bad.group(1)} jawaban bukan 2xx/3xx" if bad else ""


def serve_and_load(app, url: str) -> dict | None:
    """gunicorn -w 2 on the SQLite data set; wrk on the SIDILAN list (logged in) and on /healthz."""
    if env("BENCH_WRK", "1") == "0":
        return None
    seconds = int(env("BENCH_WRK_SECONDS", "10"))
    client = login(app, LIST_USER)
    name = app.session_interface.get_cookie_name(app)
    cookie = f"{name}={client.get_cookie(name).value}"
    with app.test_request_context():
        list_path = app.url_for("sidilan.index")
        db.engine.dispose()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}"]
    server_env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "SINERGI_RATELIMIT_ENABLED": "false",
    }
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(
            [*gunicorn, "app:create_app()"], cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            try:
                _wait(base + "/healthz", server)
            except RuntimeError:
                log.seek(0)
                print(log.read()[-3000:], file=sys.stderr)
                raise
            check = urllib.request.Request(base + list_path, headers={"Cookie": cookie})
            with urllib.request.urlopen(check, timeout=30) as page:
                if page.status != 200 or "/masuk" in page.url:
                    raise RuntimeError(f"the list page answered {page.status} {page.url}")
            list_rate, list_note = _wrk(base + list_path, seconds, cookie)
            health_rate, health_note = _wrk(base + "/healthz", seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "list": list_rate,
        "healthz": health_rate,
        "ratio": health_rate / list_rate if list_rate else float("inf"),
        "notes": [n for n in (list_note, health_note) if n],
    }


def print_wrk(load: dict | None) -> None:
    if load is None:
        return
    print()
    print("gunicorn -w 2 + wrk -t2 -c8 (SQLite data set)")
    print(f"  SIDILAN list  {load['list']:9.1f} req/s")
    print(f"  /healthz      {load['healthz']:9.1f} req/s")
    print(f"  /healthz ÷ list   {load['ratio']:5.1f}×")
    for note in load["notes"]:
        print(f"  PERHATIAN: {note}")


# ---- main ------------------------------------------------------------------------------------------------


def run_on(label: str, url: str, seed: int, scale: float, repeats: int, with_load: bool):
    print(f"== {label}: data set (seed {seed}, scale {scale})", flush=True)
    app = make_app(url)
    try:
        facts = build_or_reuse(app, url, seed, scale)
        print(f"== {label}: timing {len(rows()) + len(rows('RATIOS'))} rows", flush=True)
        results = time_rows(app, label, facts, repeats) + time_ratios(app, label)
        load = serve_and_load(app, url) if with_load else None
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results, load, facts


def main() -> int:
    seed = int(env("BENCH_SEED", "12"))
    scale = float(env("BENCH_SCALE", "1.0"))
    repeats = int(env("BENCH_REPEATS", "7"))
    results, load = [], None
    with sqlite_database() as url:
        part, load, facts = run_on("SQLite", url, seed, scale, repeats, with_load=True)
        results += part
    server = _pg_server()
    if server:
        with pg_database(server) as url:
            part, _, _ = run_on("PostgreSQL", url, seed, scale, repeats, with_load=False)
            results += part
    print_table(results)
    print_wrk(load)
    if os.environ.get("BENCH_FACTS"):
        Path(os.environ["BENCH_FACTS"]).write_text(json.dumps(facts, default=str, indent=1))
    failed = [r for r in results if r["verdict"] == "FAIL"]
    print(
        f"\n{len(results) - len(failed)} of {len(results)} rows within budget; {len(failed)} FAIL", flush=True
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
