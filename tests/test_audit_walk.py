"""Audit, complete (core/audit.py). Every GET view is marked: ``reads`` (one "view" row per 2xx answer) or
``not_sensitive``; a new page that forgets fails here. The walk crawls from home as each demo role and holds
every 200 on a ``reads`` page to an audit row, then submits the forms it found with their default values and
holds every successful POST to an audit row. The write guard (AUDIT_STRICT under TESTING) is tested on its own:
it refuses an unaudited write inside a request, and outside strict mode patches it with a generic row."""

import time
from urllib.parse import urlsplit

import pytest
from flask_login import login_user
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from blueprints.auth.models import User
from blueprints.core import audit
from blueprints.core.audit import AuditEvent, UnauditedWrite
from blueprints.core.extensions import db
from blueprints.demo import DEMO_PASSWORD
from blueprints.sidilan.models import Person, Program
from tests.crawl import DEMO_ACCOUNTS, crawl, post_forms
from tests.test_fuzz import _seed, _upload_import

ROLES = DEMO_ACCOUNTS
PAGES_PER_ROLE = 60
NOT_POSTED = {"auth.logout", "auth.login", "auth.sessions_end"}  # would end the walk's own session
REFUSED = ("error",)  # flash categories of a refusal (nothing written, nothing to audit)
REPLAY = "sudah tersimpan"  # the replay note: the first submit wrote, this one did not


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def _endpoint(adapter, path: str, method: str):
    try:
        return adapter.match(urlsplit(path).path, method=method)[0]
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None


def test_every_get_view_is_marked(app):
    unmarked = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint != "static"
        and audit.mark_of(app.view_functions[rule.endpoint]) not in ("reads", "not_sensitive")
    )
    assert not unmarked, f"GET views without @audit.reads or @audit.not_sensitive: {unmarked}"


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


class WriteSpy:
    """Which domain tables the app wrote (flushed objects and bulk statements), independently of the guard:
    a submit that changes nothing (an edit saved unchanged) writes nothing and owes no audit row."""

    def __init__(self):
        self.tables: set[str] = set()

    def flushed(self, session, flush_context):
        dirty = [o for o in session.dirty if session.is_modified(o)]
        for obj in [*session.new, *session.deleted, *dirty]:
            self.tables.add(obj.__table__.name)

    def executed(self, state):
        if state.is_insert or state.is_update or state.is_delete:
            self.tables.add(getattr(getattr(state.statement, "table", None), "name", ""))

    def take(self) -> set[str]:
        out, self.tables = self.tables - audit.EXEMPT_TABLES - {""}, set()
        return out


@pytest.fixture
def spy():
    s = WriteSpy()
    event.listen(Session, "after_flush", s.flushed)
    event.listen(Session, "do_orm_execute", s.executed)
    yield s
    event.remove(Session, "after_flush", s.flushed)
    event.remove(Session, "do_orm_execute", s.executed)


def _defaults(form) -> dict[str, list[str]]:
    """What a browser sends for the main submit: first values, without the helper buttons (``_cascade``
    'Pilih', ``_reread``) that only redraw the form."""
    return {
        name: values[:1]
        for name, values in form.fields.items()
        if not (form.kinds.get(name) == "button" and name.startswith("_"))
    }


def _succeeded(response, flashes) -> bool:
    if response.status_code in (302, 303):
        return not any(cat in REFUSED or REPLAY in msg for cat, msg in flashes)
    if 200 <= response.status_code < 300 and response.mimetype == "text/html":
        text = response.get_data(as_text=True)
        return 'class="err"' not in text and 'role="alert"' not in text
    return False


def test_walk_every_read_and_write_leaves_an_audit_row(app, spy):
    adapter = app.url_map.bind("localhost")
    reads = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if audit.mark_of(app.view_functions[rule.endpoint]) == "reads"
    }
    problems, seen_reads, posted, succeeded = [], set(), {}, []
    started = time.monotonic()
    seeds = _seed(app)  # records links alone do not reach: an obligation, a referral in each state, an import
    seeds["operator.solok"] = seeds.get("operator.solok", []) + ["/sidilan/cek-nik?nik=1302185203840001"]
    for role in ROLES:
        client = app.test_client()
        assert client.post("/masuk", data={"username": role, "password": DEMO_PASSWORD}).status_code == 302, (
            role
        )
        forms = []
        starts = [("/", PAGES_PER_ROLE)] + [(url, 4) for url in seeds.get(role, [])]
        if role == "operator.solok":
            starts += [(url, 3) for url in _upload_import(client)]
        for start, limit in starts:
            last = _count(app)
            for url, response in crawl(client, start, limit, adapter, per_endpoint=1):
                now = _count(app)
                endpoint = _endpoint(adapter, url, "GET")
                if endpoint in reads and response.status_code == 200:
                    seen_reads.add(endpoint)
                    if now <= last:
                        problems.append(f"{role} GET {url} ({endpoint}): 200 without an audit row")
                last = now
                if response.status_code == 200 and response.mimetype == "text/html":
                    forms.extend(post_forms(response.get_data(as_text=True), url))
        for form in forms:
            endpoint = _endpoint(adapter, form.action, "POST")
            if endpoint is None or endpoint in NOT_POSTED or posted.get(endpoint, 0) >= 2:
                continue
            posted[endpoint] = posted.get(endpoint, 0) + 1
            with client.session_transaction() as session:
                session.pop("_flashes", None)  # what the crawl left is not this POST's
            before = _count(app)
            spy.take()
            response = client.post(form.action, data=_defaults(form))
            assert response.status_code < 500, f"{role} POST {form.action}: {response.status_code}"
            written = spy.take()
            if _succeeded(response, _flashes(client)):
                succeeded.append(endpoint)
                if written and _count(app) <= before:
                    problems.append(
                        f"{role} POST {form.action} ({endpoint}): {response.status_code}, wrote "
                        f"{sorted(written)} without an audit row"
                    )
            elif written and _count(app) <= before:
                problems.append(
                    f"{role} POST {form.action} ({endpoint}): refused but wrote {sorted(written)}"
                )
    elapsed = time.monotonic() - started
    assert not problems, "\n".join(problems)
    # the walk must really have walked: most audited pages and many write forms were reached
    assert len(seen_reads) >= 0.8 * len(reads), " ".join(sorted(reads - seen_reads))
    assert len(posted) >= 20 and len(set(succeeded)) >= 10, (sorted(posted), sorted(set(succeeded)))
    print(
        f"audit walk: {len(seen_reads)}/{len(reads)} audited pages, {len(posted)} POST endpoints "
        f"({len(set(succeeded))} succeeded), {elapsed:.1f}s; not reached: {sorted(reads - seen_reads)}; "
        f"succeeded: {sorted(set(succeeded))}"
    )


# ---- the reads decorator ------------------------------------------------------------------------------------


def _events(app, **where):
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return [(e.action, e.object_type, e.object_id, e.summary) for e in db.session.scalars(stmt)]


def test_a_search_is_audited_without_what_was_typed(app, client, auth):
    auth.login("operator.solok")
    before = len(_events(app, action="view"))
    assert client.get("/sidilan/?q=Rosmaniar&hal=1").status_code == 200
    assert client.get("/sidilan/cek-nik?nik=1302185203840001").status_code == 200
    rows = _events(app, action="view")[before:]
    assert rows == [
        ("view", "sidilan_person", None, "daftar orang dengan pencarian"),
        ("view", "sidilan_person", None, "cek NIK dengan pencarian"),
    ]
    assert client.get("/sidilan/verifikasi?status=draf").status_code == 200
    assert _events(app, action="view")[-1][3] == "daftar kerja verifikasi dengan filter"


def test_a_view_that_audits_itself_gets_no_second_row(app, client, auth):
    auth.login("operator.solok")
    with app.app_context():
        pid = db.session.scalar(select(Person.id).where(Person.active.is_(True)).order_by(Person.id))
    before = len(_events(app))
    assert client.get(f"/sidilan/orang/{pid}").status_code == 200
    assert _events(app)[before:] == [("view", "sidilan_person", str(pid), f"membuka profil orang #{pid}")]
    assert client.get(f"/sidilan/orang/{pid}/disabilitas").status_code in (200, 302)


def test_admin_reading_the_audit_log_is_logged(app, client, auth):
    auth.login("admin.solok")
    before = len(_events(app))
    assert client.get("/admin/audit?action=login").status_code == 200
    assert _events(app)[before:] == [("view", "audit_event", None, "log audit dengan filter")]


def test_a_refused_page_leaves_no_view_row(app, client, auth):
    auth.login("operator.solok")
    before = len(_events(app))
    assert client.get("/sidilan/orang/999999").status_code == 404
    assert len(_events(app)) == before


# ---- the write guard ----------------------------------------------------------------------------------------


def _as(app, username):
    ctx = app.test_request_context("/uji")
    ctx.push()
    login_user(db.session.scalar(select(User).where(User.username == username)))
    return ctx


def test_strict_guard_refuses_an_unaudited_write_in_a_request(app):
    ctx = _as(app, "verifikator.solok")
    try:
        program = db.session.scalars(select(Program).order_by(Program.id)).first()
        program.nama = program.nama + " (ubah)"
        with pytest.raises(UnauditedWrite, match="sidilan_program"):
            db.session.commit()
        db.session.rollback()
        db.session.commit()  # the rollback forgot the refused write: an empty commit passes
        db.session.execute(update(Program).where(Program.id == program.id).values(nama="Lain"))
        with pytest.raises(UnauditedWrite, match="sidilan_program"):
            db.session.commit()  # a bulk statement counts too
        db.session.rollback()
        program = db.session.get(Program, program.id)
        program.nama = "Dengan audit"
        audit.record("update", "sidilan_program", program.id, f"program #{program.id}")
        db.session.commit()
        assert db.session.get(Program, program.id).nama == "Dengan audit"
    finally:
        db.session.rollback()
        ctx.pop()


def test_lenient_guard_adds_a_generic_row(make_app, caplog):
    app = make_app(AUDIT_STRICT=False)
    ctx = _as(app, "verifikator.solok")
    try:
        program = db.session.scalars(select(Program).order_by(Program.id)).first()
        program.nama = "Tanpa audit"
        db.session.commit()
        row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (row.action, row.object_type, row.user.username) == (
            "update",
            "sidilan_program",
            "verifikator.solok",
        )
        assert "unaudited write" in caplog.text and "Tanpa audit" not in caplog.text
    finally:
        db.session.rollback()
        ctx.pop()


def test_guard_leaves_writes_outside_a_request_alone(app):
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEvent.id)))
        program = db.session.scalars(select(Program).order_by(Program.id)).first()
        program.nama = "Dari CLI"
        db.session.commit()
        assert db.session.scalar(select(func.count(AuditEvent.id))) == before
