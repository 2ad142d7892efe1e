"""pks party trust: the database holds one open stage proposal per agreement, one party per position and no
party twice

Revision ID: 0046_pks_party_trust
Revises: 0047_pks_initiator
Create Date: 2026-12-03 06:40:00

- uq_pks_stage_proposal_open: a partial unique index (agreement) over the open proposals (keputusan = '');
  proposals.propose already refuses a second one, the index closes the race of both sides proposing at once.
- uq_pks_party_urutan: one party per position (agreement, urutan).
- uq_pks_party_organisation, uq_pks_party_regency_opd, uq_pks_party_partner: no party twice (the same regency
  with the same OPD from the list, the same regency itself or its OPD named in text, the same outside partner
  and unit). Parties are deleted outright, so a removed party never blocks adding it again.

Older versions of the app accepted two parties at the same position in one agreement: the upgrade renumbers
them (the later row by id moves to the next free position of its agreement, one line per moved row, ids only).
It still stops, naming the ids, on a party entered twice in one agreement or two open proposals of one
agreement: which one to keep is a clerk's choice, made in the app on the old version first.
"""

import sqlalchemy as sa
from alembic import op

revision = "0046_pks_party_trust"
down_revision = "0047_pks_initiator"
branch_labels = None
depends_on = None

OPEN_PROPOSAL = "keputusan = ''"
# (index, table, columns, partial condition): the same as the models' (pks/models/agreements.PARTY_UNIQUE)
INDEXES = (
    ("uq_pks_stage_proposal_open", "pks_stage_proposal", ("agreement_id",), OPEN_PROPOSAL),
    ("uq_pks_party_urutan", "pks_party", ("agreement_id", "urutan"), None),
    (
        "uq_pks_party_organisation",
        "pks_party",
        ("agreement_id", "regency_id", "organisation_id"),
        "organisation_id IS NOT NULL AND opd = ''",
    ),
    (
        "uq_pks_party_regency_opd",
        "pks_party",
        ("agreement_id", "regency_id", "opd"),
        "regency_id IS NOT NULL AND organisation_id IS NULL",
    ),
    (
        "uq_pks_party_partner",
        "pks_party",
        ("agreement_id", "mitra_nama", "opd"),
        "regency_id IS NULL AND organisation_id IS NULL",
    ),
)


URUTAN = "uq_pks_party_urutan"


def _breaches(bind) -> list[str]:
    """Rows breaking a rule other than the position one, each with the ids of its rows."""
    found = []
    for name, table, cols, where in INDEXES:
        if name == URUTAN:
            continue
        listed = ", ".join(cols)
        # NULLs never clash in a unique index
        kept = " AND ".join([f"{c} IS NOT NULL" for c in cols] + ([f"({where})"] if where else []))
        rows = bind.execute(
            sa.text(
                f"SELECT {listed} FROM {table} WHERE {kept} "
                f"GROUP BY {listed} HAVING COUNT(*) > 1 ORDER BY {listed}"
            )
        ).all()
        for r in rows:
            match = " AND ".join(f"{c} = :{c}" for c in cols)
            ids = bind.execute(
                sa.text(f"SELECT id FROM {table} WHERE {match} AND {kept} ORDER BY id"),
                dict(zip(cols, r, strict=True)),
            ).scalars()
            found.append(f"{name}: kesepakatan #{r[0]}, {table} id " + ", ".join(str(i) for i in ids))
    return found


def _renumber_positions(bind) -> None:
    """Two parties at the same position of one agreement: the later row by id moves to the next free position
    (the smallest one above its own that no party of the agreement holds)."""
    rows = bind.execute(
        sa.text("SELECT id, agreement_id, urutan FROM pks_party ORDER BY agreement_id, id")
    ).all()
    taken: dict[int, set[int]] = {}
    for _id, agreement_id, urutan in rows:
        taken.setdefault(agreement_id, set()).add(urutan)
    seen: dict[int, set[int]] = {}
    for party_id, agreement_id, urutan in rows:
        held = seen.setdefault(agreement_id, set())
        if urutan not in held:
            held.add(urutan)
            continue
        free = urutan + 1
        while free in taken[agreement_id]:
            free += 1
        taken[agreement_id].add(free)
        held.add(free)
        bind.execute(sa.text("UPDATE pks_party SET urutan = :u WHERE id = :id"), {"u": free, "id": party_id})
        print(f"0046: pks_party id {party_id} (kesepakatan #{agreement_id}) urutan {urutan} -> {free}")


def upgrade():
    bind = op.get_bind()
    found = _breaches(bind)
    if found:
        raise RuntimeError(
            f"{len(found)} data ganda (pihak yang sama dua kali dalam satu kesepakatan, atau dua usulan tahap "
            "terbuka): hapus salah satunya lewat aplikasi pada versi lama, lalu ulangi pembaruan. "
            + "; ".join(found[:20])
        )
    _renumber_positions(bind)
    for name, table, cols, where in INDEXES:
        clause = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)} if where else {}
        op.create_index(name, table, list(cols), unique=True, **clause)


def downgrade():
    for name, table, _cols, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
