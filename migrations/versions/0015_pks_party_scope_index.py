"""pks party scope index: one (agreement, regency) index for the "my regency is a party" scope rule

Revision ID: 0015_pks_party_scope_index
Revises: 0014_jobs_result_url
Create Date: 2026-12-01 20:00:00

- ix_pks_party_agreement_regency replaces ix_pks_party_agreement_id: every PKS list asks, per agreement,
  whether the user's regency is among its parties. With only the single-column indexes SQLite probed by
  regency (half of all parties per agreement); the pair answers from the index alone, and its leading column
  still serves reading an agreement's parties.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_pks_party_scope_index'
down_revision = '0014_jobs_result_url'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pks_party', schema=None) as batch_op:
        batch_op.create_index('ix_pks_party_agreement_regency', ['agreement_id', 'regency_id'], unique=False)
        batch_op.drop_index('ix_pks_party_agreement_id')


def downgrade():
    with op.batch_alter_table('pks_party', schema=None) as batch_op:
        batch_op.create_index('ix_pks_party_agreement_id', ['agreement_id'], unique=False)
        batch_op.drop_index('ix_pks_party_agreement_regency')
