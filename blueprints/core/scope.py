"""The one scoping rule every module uses: a user sees only rows of their regency (or facility).

Models opt in by defining ``scope_clause(cls, user)`` returning a SQL condition. The superadmin exception lives
here, once: ``scope_of`` never asks a model about a superadmin. Out-of-scope rows answer 404, never 403, so
nothing hints they exist.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, Select, bindparam, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .extensions import db
from .roles import SUPERADMIN


def scope_of(model, user=None):
    """The condition limiting ``model`` to what ``user`` may see, or None when they see everything."""
    user = user or current_user
    return None if user.role == SUPERADMIN else model.scope_clause(user)


def id_list(name: str = "ids", value=None):
    """A bound list of row ids for ``column.in_(...)`` (``value`` now, or by ``name`` when the statement runs),
    rendered into the SQL as integers: the ids of a whole scope (hundreds) as one placeholder each cost the
    PostgreSQL driver more to parse than the query takes to run."""
    return bindparam(name, value, type_=Integer, expanding=True, literal_execute=True)


def scoped(model, user=None, *columns) -> Select:
    """``select(model)`` restricted to the rows ``user`` may see."""
    stmt = select(*(columns or (model,)))
    if columns:
        stmt = stmt.select_from(model)
    clause = scope_of(model, user)
    return stmt if clause is None else stmt.where(clause)


def get_scoped_or_404(model, ident, user=None, options=()):
    """The row of ``model`` with primary key ``ident`` in the user's scope, loaded with ``options`` (which may
    join a collection: every row of the result is read); else 404."""
    pk = model.__mapper__.primary_key[0]
    try:
        ident = pk.type.python_type(ident)
    except (TypeError, ValueError, NotImplementedError, OverflowError):
        abort(404)
    if isinstance(ident, int) and not 0 <= ident <= 2**31 - 1:  # beyond INTEGER: the driver would overflow
        abort(404)
    row = db.session.scalars(scoped(model, user).where(pk == ident).options(*options)).unique().one_or_none()
    if row is None:
        abort(404)
    return row


class RegencyScoped:
    """Mixin: a row belongs to one regency; users see their own regency's rows. A model that declares its own
    ``regency_id`` (e.g. nullable) keeps that column and still gets the rule."""

    @declared_attr
    def regency_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("regency.id"), index=True)

    @classmethod
    def scope_clause(cls, user):
        return cls.regency_id == user.regency_id


class OrganisationScoped:
    """Mixin: a row belongs to one organisation (a facility); its staff see it."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisation.id"), index=True)

    @classmethod
    def scope_clause(cls, user):
        return cls.organisation_id == user.organisation_id
