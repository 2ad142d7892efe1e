"""Steering SQLite's planner, which has no table statistics (no ANALYZE): a unary plus on a column is a no-op
that keeps SQLite from choosing that column's index, so the query reads the index that was made for it.
PostgreSQL plans from its statistics and gets the column as it is (it has no unary plus for text)."""

from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from blueprints.core.extensions import db


def unindexed(column):
    """``column`` such that SQLite will not read its index to serve the term or the ORDER BY."""
    if db.session.get_bind().dialect.name != "sqlite":
        return column
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)
