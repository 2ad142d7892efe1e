"""Every page each demo role can reach, in Chromium: 0 serious/critical axe-core violations, 0 Nu HTML Checker
errors, and no sideways scrolling on a 360 x 740 phone (issue 11).

The walk starts at each role's home page and follows the links inside the app (tests/crawl.py's rules: no logout,
no static files), at most PER_ENDPOINT URLs of one endpoint, so a new page is checked without a test naming it.
Each page is loaded once, at phone size: the width is measured, axe-core runs on it, and the HTML the server sent
is kept for the Nu checker, which runs once over all of them (it is slow to start).
"""

import json
import os
import subprocess
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import NODE_MODULES, PHONE, java_skip_reason, login
from tests.crawl import SKIP

ROLES = [
    "superadmin",
    "admin.solok",
    "admin.sijunjung",
    "operator.solok",
    "operator.sijunjung",
    "verifikator.solok",
    "verifikator.sijunjung",
    "pimpinan.solok",
    "pimpinan.sijunjung",
    "dinkes.solok",
    "dinkes.sijunjung",
    "faskes.solok",
    "faskes.sijunjung",
    "faskes.rsud.sijunjung",
    "kerjasama.solok",
    "kerjasama.sijunjung",
]
# SINERGI_CRAWL_ROLES=operator.solok,kerjasama.solok: only those (while fixing what the crawl found).
ROLES = [r for r in os.environ.get("SINERGI_CRAWL_ROLES", "").split(",") if r] or ROLES
PER_ENDPOINT = 2
MAX_PAGES_PER_ROLE = 80
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING = {"serious", "critical"}

LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"
WIDTH_JS = "() => document.documentElement.scrollWidth"
AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


@dataclass
class Page:
    role: str
    url: str
    html: str
    width: int
    violations: list = field(default_factory=list)


def _internal(href: str, base: str) -> str | None:
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc or not parts.path.startswith("/") or SKIP.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _walk(page, role: str, adapter) -> list[Page]:
    """Breadth first from "/", as the logged-in ``page``; at most PER_ENDPOINT URLs per endpoint."""
    seen, queue, per, out = set(), deque(["/"]), {}, []
    while queue and len(out) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
        except Exception:  # noqa: BLE001  (a link the app answers 404/405 to is still visited once)
            endpoint = url
        per[endpoint] = per.get(endpoint, 0) + 1
        if per[endpoint] > PER_ENDPOINT:
            continue
        try:
            response = page.goto(url, wait_until="load")
        except Exception as exc:  # noqa: BLE001  (a download: not a page)
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status != 200:
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        html = response.text()
        width = page.evaluate(WIDTH_JS)
        violations = [v for v in page.evaluate(AXE_JS) if v["impact"] in BLOCKING]
        out.append(Page(role, url, html, width, violations))
        for href in page.evaluate(LINKS_JS):
            target = _internal(href, url)
            if target and target not in seen:
                queue.append(target)
    return out


@pytest.fixture(scope="module")
def crawled(browser, live_server, live_app) -> list[Page]:
    if not AXE.is_file():
        pytest.skip("axe-core belum terpasang (npm ci --prefix tests/browser)")
    adapter = live_app.url_map.bind("127.0.0.1")
    pages = []
    for role in ROLES:
        context = browser.new_context(
            base_url=live_server, viewport=PHONE, bypass_csp=True
        )  # axe is injected
        context.set_default_timeout(15_000)
        context.add_init_script(path=str(AXE))  # in every document, before its own scripts
        page = context.new_page()
        login(page, role)
        pages += _walk(page, role, adapter)
        context.close()
    return pages


def _summary(pages) -> str:
    roles = {}
    for p in pages:
        roles[p.role] = roles.get(p.role, 0) + 1
    return ", ".join(f"{r}: {n}" for r, n in roles.items())


def test_every_role_reaches_pages(crawled):
    reached = {p.role for p in crawled}
    assert reached == set(ROLES), f"roles that reached no page: {set(ROLES) - reached}"
    print(f"\npages crawled per role: {_summary(crawled)} (total {len(crawled)})")


def test_no_serious_or_critical_axe_violation(crawled):
    found = [
        f"{v['id']} ({v['impact']}) {p.url} as {p.role}: {', '.join(v['targets'])}"
        for p in crawled
        for v in p.violations
    ]
    pages = {(p.role, p.url) for p in crawled if p.violations}
    assert not found, f"{len(pages)} of {len(crawled)} pages with serious/critical violations:\n" + "\n".join(
        found
    )


def test_every_page_fits_a_360_px_phone(crawled):
    wide = [f"{p.url} as {p.role}: {p.width} px" for p in crawled if p.width > PHONE["width"]]
    assert not wide, f"{len(wide)} of {len(crawled)} pages wider than 360 px:\n" + "\n".join(wide)


def test_every_page_is_valid_html(crawled, tmp_path):
    reason = java_skip_reason()
    if reason:
        pytest.skip(reason)
    names = {}
    for p in crawled:  # one file per distinct document
        key = hash(p.html)
        if key not in names:
            name = f"page{len(names):04d}.html"
            (tmp_path / name).write_text(p.html, encoding="utf-8")
            names[key] = (name, p)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    by_name = {name: p for name, p in names.values()}
    errors = []
    for m in messages:
        p = by_name.get(m.get("url", "").rsplit("/", 1)[-1])
        where = f"{p.url} as {p.role}" if p else m.get("url", "?")
        errors.append(
            f"{where} line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()}]"
        )
    assert not errors, f"{len(errors)} HTML errors in {len(names)} documents:\n" + "\n".join(errors)
