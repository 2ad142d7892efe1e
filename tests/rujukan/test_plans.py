"""The main query of each Rujukan list, worklist and home panel reads the index made for it (EXPLAIN of the very
statement the page ran, with its parameters), on SQLite and on PostgreSQL.

On PostgreSQL the demo's tables are tiny, so a sequential scan would always win; the test turns it off for its
own transaction and checks that the index the page needs exists and serves the query. With a handful of rows
PostgreSQL reads a receiver's worklist through the incoming list's (destination, issued_at) index to skip the
sort, which is right for that size; there it accepts either destination index (at 20,000 letters it takes the
worklist index). A sender's worklists are checked on SQLite only: on PostgreSQL's tiny tables the origin and
status indexes cost the same and the planner's pick among them changes from run to run."""

import re

import pytest
from sqlalchemy import select

from blueprints.core.extensions import db
from blueprints.rujukan.worklists import LABELS
from tests.clock import TODAY
from tests.queries import page_statements
from tests.replay import logged_in

PKM, RSUD, DINKES = "faskes.solok", "faskes.rsud.sijunjung", "dinkes.solok"
SENDER_IX = "ix_rujukan_referral_origin_status_valid"
RECEIVER_IX = "ix_rujukan_referral_destination_status_valid"
RECEIVER_PG = "ix_rujukan_referral_destination_"
# one state's letters of a receiver: either (destination, status, ...) index serves the equality
WAITING_IX = f"{RECEIVER_IX}|ix_rujukan_referral_destination_status_issued"
REGISTER_IX = "ix_rujukan_referral_origin_issued"
MONTH = f"{TODAY.year}-{TODAY.month:02d}"
NAME_IX = "rujukan_patient_fts|ix_trgm_rujukan_patient_name_key"  # SQLite FTS5 table | PostgreSQL pg_trgm
NUMBER_IX = "rujukan_referral_fts|ix_trgm_rujukan_referral_number"
WALK = re.compile(r"SCAN rujukan_referral\b(?!_fts)")  # every letter read (not the numbers' FTS table)

PAGES = [
    (PKM, "/rujukan/", "LIMIT", ["ix_rujukan_referral_origin_created"]),
    (PKM, "/rujukan/?status=kedaluwarsa", "LIMIT", ["ix_rujukan_referral_origin_"]),
    (RSUD, "/rujukan/masuk", "LIMIT", ["ix_rujukan_referral_destination_issued"]),
    (PKM, "/rujukan/daftar-kerja?daftar=belum_tiba", "LIMIT", [SENDER_IX]),
    (PKM, "/rujukan/daftar-kerja?daftar=belum_dijawab", "LIMIT", [SENDER_IX]),
    (PKM, "/rujukan/daftar-kerja?daftar=segera_kedaluwarsa", "LIMIT", [SENDER_IX]),
    (PKM, "/rujukan/daftar-kerja?daftar=kedaluwarsa", "LIMIT", [SENDER_IX]),
    (RSUD, "/rujukan/daftar-kerja?daftar=masuk_hari_ini", "LIMIT", [RECEIVER_IX]),
    (RSUD, "/rujukan/daftar-kerja?daftar=menunggu_jawaban", "LIMIT", [WAITING_IX]),
    (PKM, "/", "UNION ALL", [SENDER_IX, RECEIVER_IX]),  # the home panels: every worklist in one query
    (
        PKM,
        f"/rujukan/register?bulan={MONTH}",
        "LIMIT",
        [REGISTER_IX],
    ),
    (DINKES, f"/rujukan/rekap?bulan={MONTH}", "GROUP BY", ["ix_rujukan_referral_"]),
    # the search (search.py): the trigram index of the folded names, the NIK's index, the numbers' index
    (PKM, "/rujukan/?q=Rosmaniar", "LIMIT", [NAME_IX]),
    (RSUD, "/rujukan/masuk?q=rosmaniar", "LIMIT", [NAME_IX]),
    (PKM, "/rujukan/?q=1302185203840001", "LIMIT", ["ix_rujukan_patient_nik", NUMBER_IX]),
    (PKM, "/rujukan/?q=840001", "LIMIT", ["rujukan_patient_fts|ix_trgm_rujukan_patient_nik", NUMBER_IX]),
]


def _main_query(app, client, url: str, marker: str) -> tuple[str, object]:
    """The last statement of the page on rujukan_referral holding ``marker`` (the rows, after the count), with its
    parameters."""
    seen = page_statements(
        app,
        client,
        url,
        lambda s: "rujukan_referral" in s and marker in s and not s.startswith("SELECT count("),
    )
    assert seen, f"{url}: no query with {marker}"
    return seen[-1]


def _plan(statement: str, parameters) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(r[-1]) for r in rows)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize(("user", "url", "marker", "indexes"), PAGES, ids=[p[1] for p in PAGES])
def test_page_query_reads_its_index(app, user, url, marker, indexes):
    client = logged_in(app, user)
    statement, parameters = _main_query(app, client, url, marker)
    with app.app_context():
        plan = _plan(statement, parameters)
        sqlite = db.engine.dialect.name == "sqlite"
    if not sqlite:
        if NAME_IX in indexes or NUMBER_IX in indexes:
            pytest.skip("PostgreSQL, tiny tables: the search's own queries are checked below")
        if SENDER_IX in indexes or REGISTER_IX in indexes:
            pytest.skip(
                "PostgreSQL, tiny tables: a sender's worklist and register indexes are checked on SQLite"
            )
        pg_names = {RECEIVER_IX: RECEIVER_PG, WAITING_IX: RECEIVER_PG}
        indexes = [pg_names.get(index, index) for index in indexes]
    for index in indexes:  # "a|b": either name (SQLite names a unique constraint's index itself)
        assert any(name in plan for name in index.split("|")), f"{url}: {index} not in the plan\n{plan}"
    if sqlite and "UNION ALL" not in statement:
        assert not WALK.search(plan), plan  # never a walk over every letter


SEARCHES = [
    ("Rosmaniar", "patients", NAME_IX),
    ("840001", "patients", "rujukan_patient_fts|ix_trgm_rujukan_patient_nik"),
    ("1302185203840001", "patients", "ix_rujukan_patient_nik"),
    ("0001/RJK", "letters", NUMBER_IX),
]


@pytest.mark.parametrize(("q", "what", "index"), SEARCHES, ids=[s[0] for s in SEARCHES])
def test_search_reads_its_index(app, q, what, index):
    """What the search looks up (search.py) is read from its index on both databases, whatever the size of the
    tables (on PostgreSQL's tiny tables the page's plan may rightly read a facility's few letters instead)."""
    from blueprints.rujukan.models import Referral
    from blueprints.rujukan.search import patient_ids, referral_condition

    with app.test_request_context():
        stmt = patient_ids(q) if what == "patients" else select(Referral.id).where(referral_condition(q))
        compiled = stmt.compile(db.session.get_bind())
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            parameters = tuple(compiled.params[k] for k in compiled.positiontup)
        else:
            parameters = compiled.params
        plan = _plan(str(compiled), parameters)
    assert any(name in plan for name in index.split("|")), plan
    # neither every letter nor every patient read (SQLite "SCAN <table>", PostgreSQL "Seq Scan on <table>")
    assert not WALK.search(plan) and not re.search(
        r"SCAN rujukan_patient$|Seq Scan on rujukan_", plan, re.M
    ), plan


def _statements(app, client, url: str) -> list[str]:
    return [statement for statement, _ in page_statements(app, client, url, lambda s: True)]


ROW_PAGES = [
    (PKM, "/rujukan/daftar-kerja?daftar=belum_tiba"),
    (PKM, "/rujukan/daftar-kerja?daftar=kedaluwarsa"),
    (RSUD, "/rujukan/daftar-kerja?daftar=masuk_hari_ini"),
    (RSUD, "/rujukan/daftar-kerja?daftar=menunggu_jawaban"),
    (PKM, f"/rujukan/register?bulan={MONTH}"),
]


@pytest.mark.parametrize(("user", "url"), ROW_PAGES, ids=[p[1] for p in ROW_PAGES])
def test_page_reads_the_patients_of_its_rows_only(app, user, url):
    """A worklist's or the register's page of letters is cut (LIMIT) without its patients, whose names are then
    read by primary key: joined to the letters before the LIMIT, PostgreSQL hashed every patient of the regency
    (7,000 at 20,000 letters) to show 20 of them."""
    client = logged_in(app, user)
    seen = _statements(app, client, url)
    rows = [
        s for s in seen if "FROM rujukan_referral" in s and "LIMIT" in s and not s.startswith("SELECT count(")
    ]
    assert rows, seen
    assert all("rujukan_patient" not in s for s in rows), rows
    patients = [s for s in seen if "FROM rujukan_patient" in s]
    assert all("rujukan_patient.id IN" in s for s in patients), patients


def test_home_panels_read_the_patients_shown_by_primary_key(app):
    """The home panels name the patients of the few letters each worklist shows, each looked up by primary key
    after the worklist's LIMIT (never a join of every patient to every letter of the worklist)."""
    client = logged_in(app, RSUD)
    statement, parameters = _main_query(app, client, "/", "UNION ALL")
    with app.app_context():
        plan = _plan(statement, parameters)
        sqlite = db.engine.dialect.name == "sqlite"
    lookups = (
        re.findall(r"SEARCH rujukan_patient USING INTEGER PRIMARY KEY", plan)
        if sqlite
        else re.findall(r"Index Cond: \(id = anon_\d+\.patient_id\)", plan)
    )
    assert len(lookups) == len(LABELS), plan


def test_receiver_worklist_terms_read_their_index(app):
    """The receiver's worklist terms each have an index serving them on both databases: a day's planned visits
    (OR-ed on PostgreSQL with the issue day's index for "masuk hari ini"), and one state's letters in the
    worklists' order ("menunggu jawaban kita", not a walk of every letter received). At 20,000 letters
    PostgreSQL takes them (bench/scale.py); on the tests' tiny tables its pick among indexes is any, so the
    term is asked alone here, reading the index's columns only."""
    from blueprints.rujukan.models import Referral

    # the columns of the index only: read from it alone (an index-only scan), whatever the size of the table
    planned = select(Referral.destination_id, Referral.planned_visit).where(
        Referral.destination_id == 14, Referral.planned_visit == TODAY
    )
    waiting = (
        select(Referral.id)
        .where(Referral.destination_id == 14, Referral.status == "tiba")
        .order_by(Referral.issued_at, Referral.id)
    )
    with app.test_request_context():
        for stmt, index in [
            (planned, "ix_rujukan_referral_destination_planned"),
            (waiting, "ix_rujukan_referral_destination_status_issued"),
        ]:
            compiled = stmt.compile(db.session.get_bind())
            conn = db.session.connection()
            if conn.dialect.name == "sqlite":
                parameters = tuple(compiled.params[k] for k in compiled.positiontup)
            else:
                parameters = compiled.params
            if conn.dialect.name != "sqlite":  # tiny tables: any index of the destination costs the same
                assert conn.exec_driver_sql(
                    "SELECT 1 FROM pg_indexes WHERE indexname = %(name)s", {"name": index}
                ).scalar(), index
                continue
            plan = _plan(str(compiled), parameters)
            assert index in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # in the worklists' order, no sort
