"""Every page runs at most QUERY_BUDGET statements (docs/architecture.md §6.2): the crawl of tests/crawl.py as every
demo account, a few URLs per endpoint (two person pages tell as much as thirty), plus the pages no link reaches
(list filters, cascade steps). One failure lists every offender, so a fix elsewhere shows here at once.

Counted as tests/queries.py counts: the session store's bookkeeping is left out, the audit row of a read is in.
That the counts stay flat as rows grow is tested per module at two sizes (e.g. tests/test_admin_queries.py)."""

from urllib.parse import parse_qs, urlsplit

from flask import url_for
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer_group

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.modules import installed, may_use
from blueprints.core.session import SESSION_GROUP
from blueprints.notify.panels import panels as notify_panels
from blueprints.wilayah.models import Wilayah
from tests.crawl import DEMO_ACCOUNTS, crawl
from tests.queries import statements
from tests.replay import logged_in

QUERY_BUDGET = 6
PAGES_PER_USER = 60
URLS_PER_ENDPOINT = 2
FILES_PER_SHAPE = 1  # one PDF or spreadsheet of each kind of URL per kind of account (slow to render)


class _Counting:
    """A test client whose GETs note how many statements each ran, keyed by endpoint. Files (PDF, spreadsheets)
    are slow to render: after FILES_PER_SHAPE of one endpoint and set of query arguments, the next such link is
    answered by the last one instead of the app (the crawl only follows the links of HTML pages)."""

    def __init__(self, app, client, adapter, counts: dict, files: dict):
        self.app, self.client, self.adapter, self.counts, self.files = app, client, adapter, counts, files

    def get(self, url: str, **kwargs):
        parts = urlsplit(url)
        try:
            endpoint = self.adapter.match(parts.path, method="GET")[0]
        except Exception:  # noqa: BLE001  (a URL no rule answers is named by itself)
            endpoint = parts.path
        shape = (endpoint, tuple(sorted(parse_qs(parts.query))))
        done = self.files.get(shape)
        if done and done[0] >= FILES_PER_SHAPE:
            return done[1]
        with statements(self.app) as seen:
            response = self.client.get(url, **kwargs)
        if response.mimetype != "text/html":
            self.files[shape] = ((done[0] if done else 0) + 1, response)
        if response.status_code < 400:
            best = self.counts.get(endpoint)
            if best is None or len(seen) > best[0]:
                self.counts[endpoint] = (len(seen), url)
        return response


def _unlinked_pages(app) -> dict[str, list[str]]:
    """Pages a crawl reaches only by a form (GET filters, the cascade's htmx steps), per account."""
    with app.app_context():
        nagari = db.session.scalar(select(Wilayah).where(Wilayah.level == 4).order_by(Wilayah.code).limit(1))
        kecamatan = nagari.code.rsplit(".", 1)[0]
    with app.test_request_context():
        pages = {
            "operator.solok": [
                url_for("sidilan.index", q="a"),
                url_for("sidilan.index", ragam="fisik"),
                url_for("sidilan.index", hal=2),
                url_for("sidilan.index", lansia="ya", status="terverifikasi"),
                url_for("wilayah.cascade", kecamatan=kecamatan),
                url_for("wilayah.cascade", kecamatan=kecamatan, nagari=nagari.code),
            ],
            "faskes.solok": [
                url_for("rujukan.index", q="a"),
                url_for("rujukan.patients", q="a"),
                url_for("rujukan.icd_search", q="demam"),
            ],
            "kerjasama.solok": [url_for("pks.agreements", q="a")],
            "admin.solok": [
                url_for("admin.users", q="a"),
                url_for("admin.audit_log", action="view"),
                url_for("admin.jorong", kecamatan=kecamatan, nagari=nagari.code),
            ],
        }
        if "jobs.index" in app.view_functions:  # "Pekerjaan saya", when the job queue is installed
            for username in ("operator.solok", "faskes.solok", "kerjasama.solok"):
                pages[username].append(url_for("jobs.index"))
        return pages


def test_every_page_runs_at_most_six_statements(app):
    counts: dict[str, tuple[int, str]] = {}
    adapter = app.url_map.bind("localhost")
    extra = _unlinked_pages(app)
    files: dict = {}  # per kind of account (role, kind of organisation): both regencies print alike
    with app.app_context():
        kinds = {
            u.username: (u.role, u.organisation and u.organisation.kind)
            for u in db.session.scalars(select(User).where(User.username.in_(DEMO_ACCOUNTS)))
        }
    for username in DEMO_ACCOUNTS:
        shared = files.setdefault(kinds[username], {})
        counting = _Counting(app, logged_in(app, username), adapter, counts, shared)
        for url, response in crawl(counting, "/", PAGES_PER_USER, adapter, URLS_PER_ENDPOINT):
            assert response.status_code < 500, f"{username} {url}"
        for url in extra.get(username, []):
            assert counting.get(url).status_code < 500, f"{username} {url}"
    assert len(counts) > 50, sorted(counts)
    over = sorted(
        ((n, endpoint, url) for endpoint, (n, url) in counts.items() if n > QUERY_BUDGET), reverse=True
    )
    assert not over, (
        f"{len(over)} of {len(counts)} endpoints run more than {QUERY_BUDGET} statements:\n"
        + "\n".join(f"  {n:3}  {endpoint}  {url}" for n, endpoint, url in over)
    )


def _panel_counts(app, username: str) -> dict[str, tuple[int, int]]:
    """module -> (statements its home panels ran, panels it gave) for one account."""
    out = {}
    with app.test_request_context():
        user = db.session.scalar(  # as core.session loads the logged-in user
            select(User)
            .where(User.username == username)
            .options(joinedload(User.regency), joinedload(User.organisation), undefer_group(SESSION_GROUP))
        )
        login_user(user)
        for module in installed().values():
            if module.panels is None or not may_use(module.name, user):
                continue
            with statements(app) as seen:
                panels = module.panels(user)
            out[module.name] = (len(seen), len(panels))
        with statements(app) as seen:  # the foundation notifications' panel (blueprints.notify), one query
            panels = notify_panels(user)
        out["notify"] = (len(seen), len(panels))
    return out


# The Kerja Sama panel reads two sets of rows of different shapes: the agreements with their children, then the
# rows the work reminders read with the uncovered scope items (one UNION); the rules apply to them in Python,
# written once (validity, reminders), so it runs two statements, however many agreements.
# The notifications give two panels of different orders (the oldest letters waiting for the facility to act; the
# newest news the user has not read, asked only when the top bar's count, loaded with the user, is not 0).
PANEL_CEILING = {"pks": 2, "notify": 2}


def test_home_panels_run_one_statement_per_panel_and_the_home_page_nothing_more(app):
    """Issue 12 item 2: one query per panel at most. The home page adds only its audit row to what the
    modules' panels run (core.panels collects them, it queries nothing itself)."""
    over = []
    for username in DEMO_ACCOUNTS:
        counts = _panel_counts(app, username)
        client = logged_in(app, username)
        client.get("/")
        with statements(app) as seen:
            assert client.get("/").status_code == 200
        assert len(seen) == 1 + sum(n for n, _ in counts.values()), (username, counts, seen)
        over += [
            f"  {username}: {name} ran {n} statements for {k} panels"
            for name, (n, k) in counts.items()
            if n > PANEL_CEILING.get(name, max(k, 1))
        ]
    assert not over, "home panels over one statement per panel:\n" + "\n".join(over)
