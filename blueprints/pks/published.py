"""What the regencies publish of their cooperation (public-information law): the signed agreements in force,
with their partners, numbers, scope, dates and status. Nothing internal: no notes, no sources, no "whose turn",
no persons' contact details, no drafts. Read by the public page ``/kerja-sama/`` (no login)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from blueprints.auth.models import Regency, regencies
from blueprints.core.pagination import paginate

from .models import SIGNED_STAGES, Agreement, Party
from .models.values import JENIS
from .validity import effective_end, status_berlaku, status_label


@dataclass(frozen=True)
class PublishedAgreement:
    jenis: str
    judul: str
    objek: str
    parties: list[str]
    numbers: list[str]
    scope: list[str]
    tgl_ttd: date | None
    tgl_mulai: date | None
    berakhir: date | None
    status: str
    is_demo: bool


def _stmt(today: date, regency: Regency | None):
    renewal = aliased(Agreement)
    renewed = (
        select(renewal.id)
        .where(
            renewal.parent_id == Agreement.id,
            renewal.jenis == "PERPANJANGAN",
            renewal.tahap.in_(SIGNED_STAGES),
            renewal.tgl_ttd.is_not(None),
            renewal.tgl_berakhir >= today,
        )
        .exists()
    )
    stmt = (
        select(Agreement)
        .where(
            Agreement.jenis.in_(("KSB", "PKS")),
            Agreement.tahap.in_(SIGNED_STAGES),
            Agreement.tgl_ttd.is_not(None),
            Agreement.dicatat_susulan.is_(False),  # registered after the fact: published once it is complete
            Agreement.tgl_mulai <= today,
            or_(Agreement.tgl_diakhiri.is_(None), Agreement.tgl_diakhiri > today),
            or_(
                Agreement.tgl_berakhir.is_(None), Agreement.tgl_berakhir >= today, renewed
            ),  # as effective_end
        )
        .options(
            selectinload(Agreement.children),
            selectinload(Agreement.parties).selectinload(Party.regency),
            selectinload(Agreement.numbers),
            selectinload(Agreement.scope_items),
            selectinload(Agreement.scope_item),
        )
        .order_by(Agreement.tgl_ttd.desc(), Agreement.id.desc())
    )
    if regency is not None:
        stmt = stmt.where(Agreement.parties.any(Party.regency_id == regency.id))
    return stmt


def _published(a: Agreement, today: date) -> PublishedAgreement:
    scope = (
        [s.nama for s in a.scope_items] if a.jenis == "KSB" else ([a.scope_item.nama] if a.scope_item else [])
    )
    return PublishedAgreement(
        jenis=JENIS.get(a.jenis, a.jenis),
        judul=a.judul,
        objek=a.objek,
        parties=[p.short_label for p in sorted(a.parties, key=lambda p: p.urutan)],
        numbers=[n.nomor for n in a.numbers if n.nomor],
        scope=scope,
        tgl_ttd=a.tgl_ttd,
        tgl_mulai=a.tgl_mulai,
        berakhir=effective_end(a),
        status=status_label(status_berlaku(a, today)),
        is_demo=a.is_demo,
    )


def in_force(today: date, regency_code: str | None, page_arg):
    """(page of PublishedAgreement, the regency filtered by or None): signed (and, when registered after the
    fact, its registration finished), started, not cancelled, not ended early, not past their end (or a signed
    perpanjangan's), newest signature first."""
    regency = next((r for r in regencies() if r.code == regency_code), None) if regency_code else None
    page = paginate(_stmt(today, regency), page_arg, per_page=20, filters=("pihak",))
    page.items = [_published(a, today) for a in page.items]
    return page, regency
