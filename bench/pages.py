"""Median warm render time of the main pages per demo user (bench, not a test: run `make bench`).

Usage: .venv/bin/python bench/pages.py [repeats]
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from blueprints.core.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from blueprints.core.extensions import db  # noqa: E402

PAGES = {
    "admin.solok": ["/", "/admin/pengguna", "/admin/audit", "/admin/jorong"],
    "operator.solok": ["/", "/sidilan/"],
    "kerjasama.solok": ["/", "/pks/"],
    "faskes.solok": ["/", "/rujukan/"],
}


def main(repeats: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            load_demo()
            db.session.commit()
        print(f"{'user':<18} {'page':<24} {'median ms':>10} {'p90 ms':>8}")
        for user, urls in PAGES.items():
            client = app.test_client()
            client.post("/masuk", data={"username": user, "password": DEMO_PASSWORD})
            for url in urls:
                client.get(url)  # warm
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                print(f"{user:<18} {url:<24} {statistics.median(times):>10.1f} {times[int(len(times) * .9)]:>8.1f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
