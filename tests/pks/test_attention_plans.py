"""The attention lists (home panel, the module's home, each list in full) read the open action items of the meetings
that discussed the user's agreements from the link by agreement: EXPLAIN of the very statement each page ran, with
its parameters, on SQLite and on PostgreSQL.

The link's primary key leads with the meeting; without the (agreement, meeting) index SQLite scanned every action
item and probed the link once per item and agreement (14 ms at 500 agreements). On PostgreSQL the demo's tables
are tiny, so the test turns sequential scans off for its own transaction and checks that the index serves the
query."""

import pytest

from blueprints.core.extensions import db
from tests.queries import page_statements
from tests.replay import logged_in

USER = "kerjasama.solok"
WORK_ROWS = "pks_action_item.meeting_id = pks_meeting_agreement.meeting_id"
INDEX = "ix_pks_meeting_agreement_agreement"
PAGES = ["/", "/pks/", "/pks/perhatian/reminders"]


def _work_rows_statement(app, client, url: str) -> tuple[str, object]:
    seen = page_statements(app, client, url, lambda statement: WORK_ROWS in statement)
    assert len(seen) == 1, f"{url}: {len(seen)} statements read the work rows"
    return seen[0]


def _plan(statement: str, parameters) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(r[-1]) for r in rows)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize("url", PAGES)
def test_attention_reads_the_meetings_of_the_agreements_by_agreement(app, url):
    client = logged_in(app, USER)
    statement, parameters = _work_rows_statement(app, client, url)
    with app.app_context():
        plan = _plan(statement, parameters)
        sqlite = db.engine.dialect.name == "sqlite"
    assert INDEX in plan, f"{url}\n{plan}"
    if sqlite:
        assert "SCAN pks_action_item" not in plan, plan  # never every action item, probed per agreement
