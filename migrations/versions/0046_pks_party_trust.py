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

The upgrade stops with the list of rows that already break a rule, to be fixed by a clerk first (the demo has
none): the app has refused them since the parties' forms were made.
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


def _breaches(bind) -> list[str]:
    found = []
    for name, table, cols, where in INDEXES:
        listed = ", ".join(cols)
        rows = bind.execute(
            sa.text(
                f"SELECT {listed} FROM {table} {'WHERE ' + where if where else ''} "
                f"GROUP BY {listed} HAVING COUNT(*) > 1 ORDER BY {listed}"
            )
        ).all()
        found += [f"{name}: " + ", ".join(f"{c}={v!r}" for c, v in zip(cols, r, strict=True)) for r in rows]
    return found


def upgrade():
    found = _breaches(op.get_bind())
    if found:
        raise RuntimeError(
            f"{len(found)} data melanggar aturan pihak/usulan; perbaiki dulu (kesepakatan, kedudukan, pihak): "
            + "; ".join(found[:20])
        )
    for name, table, cols, where in INDEXES:
        clause = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)} if where else {}
        op.create_index(name, table, list(cols), unique=True, **clause)


def downgrade():
    for name, table, _cols, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
