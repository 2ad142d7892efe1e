"""Median warm render time of the main pages per demo user (bench, not a test: run `make bench`).

Usage: .venv/bin/python bench/pages.py [repeats]
"""

import statistics
import sys
import time

from _setup import demo_app, login

PAGES = {
    "admin.solok": ["/", "/admin/pengguna", "/admin/audit", "/admin/jorong"],
    "operator.solok": ["/", "/sidilan/"],
    "kerjasama.solok": ["/", "/pks/"],
    "faskes.solok": ["/", "/rujukan/"],
}


def main(repeats: int = 30) -> None:
    with demo_app() as app:
        print(f"{'user':<18} {'page':<24} {'median ms':>10} {'p90 ms':>8}")
        for user, urls in PAGES.items():
            client = login(app, user)
            for url in urls:
                client.get(url)  # warm
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                print(
                    f"{user:<18} {url:<24} {statistics.median(times):>10.1f} {times[int(len(times) * 0.9)]:>8.1f}"
                )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
