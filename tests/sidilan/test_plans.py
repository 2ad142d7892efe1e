"""Query plans of the SIDILAN list: every filter, search and keyset page reads the person table (and the
disability / assistance tables of its IN (ids) subqueries) through an index, never by a full scan, on SQLite
(EXPLAIN QUERY PLAN) and on PostgreSQL (EXPLAIN with sequential scans priced out, as on a large table: the demo
is too small for the planner to prefer an index by itself)."""

import re

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.core.pagination import encode_cursor
from blueprints.sidilan.models import Person, Program
from tests.queries import page_statements

from .conftest import TIGO_JANGKO_NAGARI, person_id_of

TABLES = ("sidilan_person", "sidilan_disability", "sidilan_assistance")
PG_SEQ_SCAN = re.compile(r"Seq Scan on (" + "|".join(TABLES) + r")\b")


def _urls(app) -> list[str]:
    with app.app_context():
        p = db.session.get(Person, person_id_of(app, "Rosmaniar"))
        pkh = db.session.scalar(
            select(Program.id).where(Program.kode == "PKH", Program.regency_id == p.regency_id)
        )
        nik, kk, jorong = p.nik, p.no_kk, p.jorong_id
    return [
        "/sidilan/",
        "/sidilan/?ragam=fisik",
        "/sidilan/?ragam=ganda",
        f"/sidilan/?program={pkh}",
        "/sidilan/?lansia=ya",
        "/sidilan/?status=disetujui",
        "/sidilan/?kecamatan=13.02.18",
        f"/sidilan/?nagari={TIGO_JANGKO_NAGARI}",
        f"/sidilan/?jorong={jorong}",
        "/sidilan/?q=rosm",
        "/sidilan/?q=ro",
        "/sidilan/?q=kayo",
        f"/sidilan/?q={nik}",
        f"/sidilan/?q={kk}",
        f"/sidilan/?q={nik[-6:]}",
        f"/sidilan/?hal=5&setelah={encode_cursor(('rusli', 0))}",
        f"/sidilan/?hal=5&sebelum={encode_cursor(('rusli', 0))}&ragam=fisik",
    ]


def _captured(app, client, url, table="sidilan_person") -> list[tuple[str, object]]:
    """The SELECTs on the person table (or ``table``) a list request runs, with their parameters."""
    return page_statements(
        app,
        client,
        url,
        lambda statement: statement.lstrip().upper().startswith("SELECT") and table in statement,
    )


def _full_scans(app, statement, parameters) -> list[str]:
    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            details = [row[-1] for row in rows]
            return [
                d
                for d in details
                if (m := re.fullmatch(r"SCAN (\w+)(?: AS \w+)?", d)) and m.group(1) in TABLES
            ]
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return [row[0] for row in rows if PG_SEQ_SCAN.search(row[0])]


def test_every_list_query_uses_an_index(app, client, auth):
    auth.login("operator.solok")
    checked = 0
    for url in _urls(app):
        for statement, parameters in _captured(app, client, url):
            assert _full_scans(app, statement, parameters) == [], (url, statement)
            checked += 1
    # one query per list: the page carries its capped count (a name search: a window count)
    assert checked >= len(_urls(app))


@pytest.mark.parametrize("q", ["kayo", "samsul"])
def test_name_search_reads_the_trigram_index(app, client, auth, q):
    """SQLite: the page's query reads the FTS5 table. PostgreSQL: the name condition alone is served by the GIN
    trigram index (on the demo the planner may still prefer the regency index for the whole page)."""
    auth.login("operator.solok")
    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            (statement, parameters), *_ = [
                s for s in _captured(app, client, f"/sidilan/?q={q}") if "LIMIT" in s[0].upper()
            ]
            plan = " | ".join(
                r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
            assert "sidilan_person_fts VIRTUAL TABLE" in plan, plan
        else:
            from blueprints.sidilan.search import _name_condition

            stmt = select(Person.id).where(_name_condition(q))
            compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " | ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
            assert "ix_trgm_sidilan_person_name_key" in plan, plan


def _plan(app, statement, parameters) -> list[str]:
    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return [row[-1] for row in rows]
        return [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()]


def _searches(app) -> list[str]:
    with app.app_context():
        p = db.session.get(Person, person_id_of(app, "Rosmaniar"))
        nik, kk = p.nik, p.no_kk
    return [f"/sidilan/?q={nik}", f"/sidilan/?q={kk}", f"/sidilan/?q={nik[-6:]}", "/sidilan/?q=kayo"]


WHOLE_REGENCY = re.compile(r"SEARCH sidilan_person USING (COVERING )?INDEX \w+ \(regency_id=\?\)$")


def test_a_search_reads_its_matches_by_id_not_the_whole_regency(app, client, auth):
    """SQLite without statistics takes ``regency_id = ?`` for a selective index: a search's count and page
    would walk every person of the regency and test each against the matching ids. Both read the matches by id."""
    auth.login("operator.solok")
    with app.app_context():
        if db.session.connection().dialect.name != "sqlite":
            pytest.skip("SQLite's planner")
    for url in _searches(app):
        captured = _captured(app, client, url)
        assert captured, url
        for statement, parameters in captured:
            plan = _plan(app, statement, parameters)
            assert not [d for d in plan if WHOLE_REGENCY.fullmatch(d)], (url, plan)
            assert "SEARCH sidilan_person USING INTEGER PRIMARY KEY (rowid=?)" in plan, (url, plan)


def test_the_lansia_page_walks_the_name_order(app, client, auth):
    """The elderly are a third of the registry: the page reads the name index until it has its rows, instead of
    every birth date before the cut-off and then sorting them all."""
    auth.login("operator.solok")
    with app.app_context():
        if db.session.connection().dialect.name != "sqlite":
            pytest.skip("SQLite's planner")
    (statement, parameters), *_ = [
        s
        for s in _captured(app, client, "/sidilan/?lansia=ya")
        if "LIMIT" in s[0].upper() and "sidilan_person.nama_lengkap" in s[0]
    ]
    plan = _plan(app, statement, parameters)
    assert "SEARCH sidilan_person USING INDEX ix_sidilan_person_regency_name (regency_id=?)" in plan, plan


def test_a_search_page_joins_its_related_rows_after_the_limit(app, client, auth):
    """The page's rows are chosen first (LIMIT in a subquery) and only they are joined to their disability and
    nagari: joined before the LIMIT, every match of the search is joined (PostgreSQL hash-joins the whole
    disability table)."""
    auth.login("operator.solok")
    with app.app_context():
        dialect = db.engine.dialect.name
    for url in _searches(app):
        (statement, parameters), *_ = [
            s
            for s in _captured(app, client, url)
            if "LIMIT" in s[0].upper() and "sidilan_person.nama_lengkap" in s[0]
        ]
        after_limit = statement.upper().rpartition("LIMIT")[2]
        # the LIMIT closes a subquery (the page's ids): the join to the disability rows is outside it
        assert "JOIN SIDILAN_DISABILITY" in statement.upper() and ")" in after_limit, (url, statement)
        plan = _plan(app, statement, parameters)
        if dialect == "postgresql":  # the plan's nodes, outermost first; not the count the page carries
            plan = _without_init_plans(plan)
            limit = next(i for i, line in enumerate(plan) if "Limit" in line)
            join = next(i for i, line in enumerate(plan) if "Join" in line or "Nested Loop" in line)
            assert join < limit, (url, plan)


def _without_init_plans(plan: list[str]) -> list[str]:
    """A PostgreSQL plan without its InitPlan subtrees (an uncorrelated subquery, e.g. the page's count)."""
    out, within = [], None
    for line in plan:
        indent = len(line) - len(line.lstrip())
        if within is not None and indent > within:
            continue
        within = None
        if line.lstrip().startswith("InitPlan"):
            within = indent
            continue
        out.append(line)
    return out


def test_home_worklist_panels_read_an_index(app, client, auth):
    """The worklist panels of the home page (operator and both verifiers): the newest five of one status and the
    capped count read the person table through an index."""
    checked = 0
    for username in ("operator.solok", "verifikator.solok", "verifikator-nagari.solok"):
        auth.login(username)
        for statement, parameters in _captured(app, client, "/"):
            assert _full_scans(app, statement, parameters) == [], (username, statement)
            checked += 1
        auth.logout()
    assert checked >= 4  # the operator's two panels, one for each verifier


def test_unassisted_pages_look_each_person_up_by_index(app, client, auth):
    """'Tanpa bantuan', first and a keyset page: the page walks the name index and looks each person's aid up
    by index; on PostgreSQL "no aid" is an anti-join, never a hashed subplan that reads the whole assistance
    table before the first row."""
    auth.login("operator.solok")
    checked = 0
    for url in ("/sidilan/tanpa-bantuan", f"/sidilan/tanpa-bantuan?hal=2&setelah={encode_cursor(('m', 0))}"):
        for statement, parameters in _captured(app, client, url):
            assert _full_scans(app, statement, parameters) == [], (url, statement)
            with app.app_context():
                conn = db.session.connection()
                if conn.dialect.name == "postgresql":
                    plan = " | ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
                    assert "hashed SubPlan" not in plan, plan
            checked += 1
    assert checked >= 2


def test_unassisted_probes_aid_received_by_the_status_indexes(app, client, auth):
    """'Tanpa bantuan' asks for aid paid out (status disalurkan): each person's own aid and their household's
    are probed in the (person, status) and (household, status) indexes, not read row by row for their status."""
    auth.login("operator.solok")
    (statement, parameters), *_ = _captured(app, client, "/sidilan/tanpa-bantuan", table="sidilan_assistance")
    plan = " | ".join(_plan(app, statement, parameters))
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        assert "ix_sidilan_assistance_person_status (person_id=? AND status=?)" in plan, plan
        assert "ix_sidilan_assistance_household_status (household_id=? AND status=?)" in plan, plan
    else:
        with app.app_context():
            conn = db.session.connection()
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            text = " | ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert "hashed SubPlan" not in text and "Seq Scan on sidilan_assistance" not in text, text
            # which index PostgreSQL takes for the probes depends on its estimates, and on the demo's few rows
            # every index costs the same: the anti-joins are asserted here, the indexes on SQLite above


def test_double_aid_groups_the_recipient_index_alone(app, client, auth):
    """'Bantuan ganda' (first page and a later one): the grouping reads the (regency, recipient household,
    program, year, month, tahap, status) index in its order, with no join to the person table and no sort for
    the GROUP BY (SQLite: the only temporary B-tree orders the capped groups; PostgreSQL: no sequential scan)."""
    auth.login("operator.solok")
    checked = 0
    for url in ("/sidilan/bantuan-ganda", "/sidilan/bantuan-ganda?hal=3"):
        for statement, parameters in _captured(app, client, url, table="sidilan_assistance"):
            assert "sidilan_person" not in statement, statement
            plan = _plan(app, statement, parameters)
            with app.app_context():
                dialect = db.engine.dialect.name
            if dialect == "sqlite":
                assert any(
                    d.startswith(
                        "SEARCH sidilan_assistance USING COVERING INDEX ix_sidilan_assistance_regency_recipient"
                    )
                    for d in plan
                ), plan
                assert not [d for d in plan if "GROUP BY" in d], plan
            else:
                assert _full_scans(app, statement, parameters) == [], plan
                with app.app_context():
                    conn = db.session.connection()
                    # on the test's few rows any index is as cheap as another: leave the planner only the plans
                    # that read an index alone, so the test asks whether the covering index serves the grouping
                    for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
                        conn.exec_driver_sql(f"SET LOCAL {setting} = off")
                    text = " | ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
                assert "Index Only Scan using ix_sidilan_assistance_regency_recipient" in text, text
                assert "Sort" not in text.split("GroupAggregate", 1)[-1], text
            checked += 1
    assert checked >= 2  # past the last page a count follows the empty page


def _count_plan(app, client, url, index_only: bool = False) -> str:
    """``index_only``: only index-alone plans left (on the demo's few rows the planner may take any index)."""
    (statement, parameters), *_ = [s for s in _captured(app, client, url) if "count(*)" in s[0]]
    with app.app_context():
        conn = db.session.connection()
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        if index_only:
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        return " | ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))


def test_the_capped_count_of_a_filter_reads_the_live_person_index(app, client, auth):
    """PostgreSQL: the count of a ragam filter reads a regency's active persons from the (regency, id, active,
    household) index alone (merged with the disability index in id order), and a program's recipients (its
    persons, its households) are each collected once into a hash, not probed per person of the regency."""
    auth.login("operator.solok")
    with app.app_context():
        if db.session.connection().dialect.name == "sqlite":
            pytest.skip("PostgreSQL's planner")
        pkh = db.session.scalar(select(Program.id).where(Program.kode == "PKH"))
    plan = _count_plan(app, client, "/sidilan/?ragam=ganda", index_only=True)
    assert "Index Only Scan using ix_sidilan_person_regency_live_id" in plan, plan
    plan = _count_plan(app, client, f"/sidilan/?program={pkh}")
    assert "(household_id IS NOT NULL) AND (hashed SubPlan" in plan, plan
