"""The scope rule of every PKS list ("the user's regency is a party", an EXISTS per agreement) probes the parties
through the (agreement, regency) index: EXPLAIN of the very statements each page ran, with their parameters.

Checked on SQLite, whose planner otherwise probes by regency alone (half of all parties for each agreement:
55 ms of the board's query at 500 agreements). PostgreSQL hashes the user's parties once for the whole list
(a semi-join), so the index does not decide its plan there."""

import pytest

from blueprints.core.extensions import db
from tests.queries import page_statements
from tests.replay import logged_in

USER = "kerjasama.solok"
SCOPE = "pks_party.agreement_id = pks_agreement.id"
INDEX = "ix_pks_party_agreement_regency"
PAGES = ["/pks/papan?jenis=PKS", "/pks/papan?jenis=KSB", "/pks/daftar", "/pks/menunggu", "/pks/cakupan"]


def _scoped_statements(app, client, url: str) -> list[tuple[str, object]]:
    seen = page_statements(app, client, url, lambda statement: SCOPE in statement)
    assert seen, f"{url}: no statement with the scope rule"
    return seen


@pytest.mark.parametrize("url", PAGES)
def test_scope_rule_probes_the_party_index(app, url):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL hashes the user's parties once per list (see above)")
    client = logged_in(app, USER)
    for statement, parameters in _scoped_statements(app, client, url):
        with app.app_context():
            rows = (
                db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            )
        plan = "\n".join(str(r[-1]) for r in rows)
        party = [line for line in plan.splitlines() if "pks_party" in line]
        assert party and all(INDEX in line for line in party), f"{url}\n{statement}\n{plan}"
