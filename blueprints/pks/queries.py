"""Reads shared by several pages of Kerja Sama: constant query counts, no writes."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.core.extensions import db
from blueprints.core.scope import scoped

from .models import Agreement, DocNumber, Party, ScopeItem


def by_agreement(model, ids, *order_by) -> dict[int, list]:
    """Rows of ``model`` for many agreements in one query, grouped by agreement id."""
    out: dict[int, list] = {}
    if not ids:
        return out
    stmt = select(model).where(model.agreement_id.in_(ids)).order_by(*(order_by or (model.id,)))
    for row in db.session.scalars(stmt):
        out.setdefault(row.agreement_id, []).append(row)
    return out


def list_options(joined_children: bool = False):
    """What list rows show: numbers, and the children that may extend validity. Constant query count.
    ``joined_children``: the children in the agreements' own query (one statement fewer; only for a query
    without LIMIT, whose result is then read with ``unique()``)."""
    children = joinedload(Agreement.children) if joined_children else selectinload(Agreement.children)
    return (selectinload(Agreement.numbers), children)


def party_options(with_signatories: bool = False):
    """An agreement's parties with their regency (and ``with_signatories`` their signatories), one query each."""
    parties = selectinload(Agreement.parties)
    signatories = (
        parties.selectinload(Party.signatories) if with_signatories else parties.lazyload(Party.signatories)
    )
    return (parties.joinedload(Party.regency), signatories)


def record_options(with_scope_items: bool = True, with_signatories: bool = False):
    """What an agreement's record pages show of it, each part in one query however many rows: parent,
    initiating regency, its KSB scope item, parties (regency, organisation; ``with_signatories`` their
    signatories), numbers, children and (``with_scope_items``) a KSB's scope items with their PKS."""
    options = [
        joinedload(Agreement.parent),
        joinedload(Agreement.pemrakarsa_regency),
        selectinload(Agreement.scope_item),
        *party_options(with_signatories),
        selectinload(Agreement.numbers),
        selectinload(Agreement.children),
    ]
    if with_scope_items:
        # named here: the mapper-level selectin of ScopeItem.agreements stops at the Agreement -> Agreement cycle
        options.append(selectinload(Agreement.scope_items).selectinload(ScopeItem.agreements))
    return tuple(options)


def children_of(a: Agreement) -> list[Agreement]:
    """The adendum and perpanjangan of ``a`` the user can see."""
    return list(
        db.session.scalars(scoped(Agreement).where(Agreement.parent_id == a.id).order_by(Agreement.id))
    )


def find_number(agreement_id: int, party_id: int) -> DocNumber | None:
    return db.session.scalar(
        select(DocNumber).where(DocNumber.agreement_id == agreement_id, DocNumber.party_id == party_id)
    )
