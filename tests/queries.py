"""Counting the statements a page runs. The session store's own reads and writes (one lookup per request, a
'last seen' touch at most every 30 s) are bookkeeping of the login, not of the page, and are left out, so a
count does not change with how long the test has been running."""

from contextlib import contextmanager

from sqlalchemy import event

from blueprints.core.extensions import db

BOOKKEEPING = ("user_session",)
# Transaction control is not a query (BEGIN and COMMIT never reach this listener; the savepoints a test's
# transaction wraps every session in would).
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def statements(app):
    """Collect the SQL of every page statement run inside the block."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, *args):
        if not any(name in statement for name in BOOKKEEPING) and not statement.startswith(
            TRANSACTION_CONTROL
        ):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def page_statements(app, client, url: str, keep) -> list[tuple[str, object]]:
    """The statements, with their parameters, that a GET of ``url`` runs and ``keep(statement)`` accepts (for
    the plan tests: EXPLAIN each one). The page must answer 200."""
    seen: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, parameters, context, executemany):
        if keep(statement):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen
