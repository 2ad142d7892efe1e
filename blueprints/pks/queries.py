"""Reads shared by several pages of Kerja Sama: constant query counts, no writes."""

from datetime import date
from typing import NamedTuple

from sqlalchemy import String, cast, literal, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from blueprints.auth.models import Regency
from blueprints.core.extensions import db
from blueprints.core.scope import scope_of, scoped

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
    """An agreement's parties with their regency (and ``with_signatories`` their signatories, joined: a party has
    a few), in one query."""
    parties = selectinload(Agreement.parties)
    signatories = (
        parties.joinedload(Party.signatories) if with_signatories else parties.lazyload(Party.signatories)
    )
    return (parties.joinedload(Party.regency), signatories)


def record_options(with_signatories: bool = False):
    """What an agreement's record pages show of it, in one query: parent, initiating regency and its KSB scope
    item (one each), its parties (a few: regency, organisation, number; ``with_signatories`` their signatories)
    all joined. ``load_record`` reads the rest (a KSB's scope items: joined here they would multiply the
    parties' rows)."""
    parties = joinedload(Agreement.parties)
    signatories = (
        parties.joinedload(Party.signatories) if with_signatories else parties.lazyload(Party.signatories)
    )
    return (
        joinedload(Agreement.parent),
        joinedload(Agreement.pemrakarsa_regency),
        joinedload(Agreement.pemrakarsa_organisation),
        joinedload(Agreement.scope_item),
        parties.joinedload(Party.regency),
        signatories,
        parties.joinedload(Party.number),
    )


def load_record(a: Agreement) -> list[Agreement]:
    """The rest of a record page after ``record_options``: its numbers from its parties' rows, a KSB's scope
    items (``load_scope_items``) and its children (``children_of``, whose list it returns). Call it before
    anything reads them."""
    if "numbers" not in a.__dict__:
        numbers = [p.number for p in a.parties if p.number is not None]
        set_committed_value(a, "numbers", sorted(numbers, key=lambda n: n.id))
    load_scope_items(a)
    return children_of(a)


def children_of(a: Agreement) -> list[Agreement]:
    """The adendum and perpanjangan of ``a`` the user can see. The same query loads all the children of ``a``
    and of its parent (what validity reads of both) into their ``children``, unless already loaded: call it
    before anything reads them."""
    clause = scope_of(Agreement)
    visible = true() if clause is None else clause
    parents = [a.id] if a.parent_id is None else [a.id, a.parent_id]
    rows = db.session.execute(
        select(Agreement, visible.label("visible"))
        .where(Agreement.parent_id.in_(parents))
        .order_by(Agreement.id)
    ).all()
    for owner in (a, a.parent):
        if owner is not None and "children" not in owner.__dict__:
            set_committed_value(owner, "children", [c for c, _ in rows if c.parent_id == owner.id])
    return [c for c, is_visible in rows if is_visible and c.parent_id == a.id]


def load_scope_items(a: Agreement) -> None:
    """A KSB's scope items with their PKS joined (one query); nothing for another kind, whose pages do not show
    them."""
    if a.jenis == "KSB" and "scope_items" not in a.__dict__:
        items = db.session.scalars(
            select(ScopeItem)
            .where(ScopeItem.ksb_id == a.id)
            .order_by(ScopeItem.id)
            .options(joinedload(ScopeItem.agreements))
        ).unique()
        set_committed_value(a, "scope_items", list(items))


def find_number(agreement_id: int, party_id: int) -> DocNumber | None:
    return db.session.scalar(
        select(DocNumber).where(DocNumber.agreement_id == agreement_id, DocNumber.party_id == party_id)
    )


class ChildRow(NamedTuple):
    """What validity reads of an agreement's adendum or perpanjangan (``effective_end``)."""

    id: int
    jenis: str
    tahap: str
    tgl_ttd: date | None
    tgl_berakhir: date | None

    is_signed = Agreement.is_signed
    target_late_days = Agreement.target_late_days


ROW_COLUMNS = (  # what the rules (validity, reminders, waiting, slips) and the lists using them read of an agreement
    "id",
    "jenis",
    "parent_id",
    "judul",
    "tahap",
    "tgl_ttd",
    "tgl_mulai",
    "tgl_berakhir",
    "tgl_keputusan_perpanjangan",
    "tgl_diakhiri",
    "target_mulai",
    "target_selesai",
    "target_presisi",
    "menunggu",
    "menunggu_sejak",
    "menunggu_apa",
    "target_awal_selesai",
)


class AgreementRow:
    """An agreement as plain columns (``ROW_COLUMNS``) with its children: the rules take it as they take the
    model (``is_signed`` is the model's own), at a fraction of the cost of loading hundreds of models."""

    __slots__ = (*ROW_COLUMNS, "children", "_rows")
    is_signed = Agreement.is_signed
    target_late_days = Agreement.target_late_days

    def __init__(self, values, rows: dict):
        for name, value in zip(ROW_COLUMNS, values, strict=True):
            setattr(self, name, value)
        self.children: list[ChildRow] = []
        self._rows = rows

    @property
    def parent(self):
        """The parent among the rows read with it; else (one the user cannot see) the model."""
        if self.parent_id is None:
            return None
        return self._rows.get(self.parent_id) or db.session.get(Agreement, self.parent_id)


def agreement_rows(user) -> tuple[list[AgreementRow], dict[int, str]]:
    """The user's agreements as plain rows with their children, in id order, and the short names of the regencies
    they wait on, in one query: for the pages that apply the rules to all of them (attention, the report pack)."""
    child, waited_on = aliased(Agreement), aliased(Regency)
    stmt = (
        scoped(Agreement, user, *(getattr(Agreement, name) for name in ROW_COLUMNS))
        .add_columns(child.id, child.jenis, child.tahap, child.tgl_ttd, child.tgl_berakhir)
        .add_columns(waited_on.id, waited_on.name)
        .outerjoin(child, child.parent_id == Agreement.id)
        .outerjoin(waited_on, Agreement.menunggu == literal("regency:") + cast(waited_on.id, String))
        .order_by(Agreement.id, child.id)
    )
    n = len(ROW_COLUMNS)
    rows: dict[int, AgreementRow] = {}
    names: dict[int, str] = {}
    for values in db.session.execute(stmt):
        a = rows.get(values[0])
        if a is None:
            a = rows[values[0]] = AgreementRow(values[:n], rows)
        if values[n] is not None:
            a.children.append(ChildRow(*values[n : n + 5]))
        regency_id, name = values[n + 5], values[n + 6]
        if regency_id is not None and regency_id not in names:
            names[regency_id] = Regency(name=name).short_name
    return list(rows.values()), names
