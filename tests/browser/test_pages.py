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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, NODE_MODULES, PHONE, _pw, java_skip_reason, login
from tests.crawl import DEMO_ACCOUNTS, SKIP
from tests.test_form_access import form_page_urls

ROLES = DEMO_ACCOUNTS
# SINERGI_CRAWL_ROLES=operator.solok,kerjasama.solok: only those (while fixing what the crawl found).
ROLES = [r for r in os.environ.get("SINERGI_CRAWL_ROLES", "").split(",") if r] or ROLES
ANONYMOUS = "(tanpa masuk)"
PER_ENDPOINT = 2
MAX_PAGES_PER_ROLE = 120
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING = {"serious", "critical"}
# The crawl is one module fixture for the four checks: `make test` runs pytest-xdist with --dist loadfile, so they
# run on one worker and the crawl runs once.

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


def _walk(page, role: str, adapter, starts, then=(), statuses=(200,)) -> list[Page]:
    """Breadth first from ``starts`` as ``page``'s user, then ``then`` (URLs no link may lead to); at most
    PER_ENDPOINT checked pages per endpoint. Pages answering one of ``statuses`` are checked; links are followed
    from pages answering 200."""
    seen, queue, later, per, out = set(), deque(starts), deque(then), {}, []
    while (queue or later) and len(out) < MAX_PAGES_PER_ROLE:
        linked = bool(queue)
        url = queue.popleft() if linked else later.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
        except Exception:  # noqa: BLE001  (a link the app answers 404/405 to is still visited once)
            endpoint = url
        if per.get(endpoint, 0) >= (PER_ENDPOINT if linked else 1):  # an unlinked page: one is enough
            continue
        if not linked:  # most are another regency's record or another role's form: ask before opening
            probe = page.request.get(url, max_redirects=0)
            if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
                continue
        try:
            response = page.goto(url, wait_until="load")
        except Exception as exc:  # noqa: BLE001  (a download: not a page)
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status not in statuses:
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        html = response.text()
        width = page.evaluate(WIDTH_JS)
        violations = [v for v in page.evaluate(AXE_JS) if v["impact"] in BLOCKING]
        out.append(Page(role, url, html, width, violations))
        if response.status != 200:
            continue
        for href in page.evaluate(LINKS_JS):
            target = _internal(href, url)
            if target and target not in seen:
                queue.append(target)
    return out


def _crawl_roles(live_server, adapter, jobs) -> list[Page]:
    """Each job (role, starts, then, statuses) in a context of its own, in one Chromium of this thread (the
    sync Playwright API belongs to the thread that started it)."""
    pages = []
    with _pw.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for role, starts, then, statuses in jobs:
            # axe is injected into every document, before its own scripts (so past the page's CSP)
            context = chromium.new_context(base_url=live_server, viewport=PHONE, bypass_csp=True)
            context.set_default_timeout(20_000)
            context.add_init_script(path=str(AXE))
            page = context.new_page()
            if role != ANONYMOUS:
                login(page, role)
            pages += _walk(page, role, adapter, starts, then, statuses)
            context.close()
        chromium.close()
    return pages


@pytest.fixture(scope="module")
def crawled(live_server, live_app) -> list[Page]:
    if not AXE.is_file():
        pytest.skip("axe-core belum terpasang (npm ci --prefix tests/browser)")
    adapter = live_app.url_map.bind("127.0.0.1")
    # After the links: the form pages no link may lead to (a draft's edit page, ...), built with the demo's ids
    # as tests/test_form_access.py does: the lowest and the highest ids (the demo's two regencies).
    form_pages = [url for urls in form_page_urls(live_app) for url in dict.fromkeys(urls[:2] + urls[-2:])]
    # nobody logged in: the login page, the public QR check, the error pages
    jobs = [(ANONYMOUS, _public_urls(live_app), (), (200, 404))]
    jobs += [(role, ["/"], form_pages, (200,)) for role in ROLES]
    # Two browsers side by side (one per thread): the server, Chromium and axe take turns, not one at a time.
    halves = [jobs[0::2], jobs[1::2]]
    with ThreadPoolExecutor(max_workers=len(halves)) as pool:
        results = list(pool.map(lambda part: _crawl_roles(live_server, adapter, part), halves))
    order = {job[0]: n for n, job in enumerate(jobs)}
    return sorted((p for part in results for p in part), key=lambda p: order[p.role])


def _public_urls(app) -> list[str]:
    from sqlalchemy import select

    from blueprints.core.extensions import db
    from blueprints.rujukan.models import Referral
    from blueprints.rujukan.verification import verify_code

    with app.test_request_context():
        issued = db.session.scalar(select(Referral.id).where(Referral.number.is_not(None)).limit(1))
        return ["/masuk", f"/v/{verify_code(issued)}", "/v/R1-AAAA-AAAA", "/tidak-ada"]


def _summary(pages) -> str:
    roles = {}
    for p in pages:
        roles[p.role] = roles.get(p.role, 0) + 1
    return ", ".join(f"{r}: {n}" for r, n in roles.items())


def test_every_role_reaches_pages(crawled):
    reached = {p.role for p in crawled}
    assert reached == {ANONYMOUS, *ROLES}, f"roles that reached no page: {set(ROLES) - reached}"
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
