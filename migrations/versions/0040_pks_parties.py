"""pks parties: outside partners (a city, the province, a university, a company) as parties with their own name

Revision ID: 0040_pks_parties
Revises: 0044_pks_reminders
Create Date: 2026-12-02 18:00:00

- pks_party.regency_id becomes nullable: NULL is an outside partner, not one of the app's regencies.
- pks_party.mitra_nama, mitra_jenis: the outside partner's name and kind (empty for a regency's party).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0040_pks_parties"
down_revision = "0044_pks_reminders"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pks_party", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mitra_nama", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("mitra_jenis", sa.String(length=20), server_default="", nullable=False))
        batch_op.alter_column("regency_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM pks_signatory WHERE party_id IN (SELECT id FROM pks_party WHERE regency_id IS NULL)")
    op.execute("DELETE FROM pks_doc_number WHERE party_id IN (SELECT id FROM pks_party WHERE regency_id IS NULL)")
    op.execute("DELETE FROM pks_party WHERE regency_id IS NULL")
    with op.batch_alter_table("pks_party", schema=None) as batch_op:
        batch_op.alter_column("regency_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("mitra_jenis")
        batch_op.drop_column("mitra_nama")
