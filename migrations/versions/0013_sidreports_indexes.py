"""sidilan home panels and report lists: indexes for the worklist panels

Revision ID: 0013_sidreports_indexes
Revises: 0012_sidilan_report_indexes
Create Date: 2026-12-01 20:10:00

- ix_sidilan_person_regency_status_updated: one verification status of a regency in update order (the home
  page's worklist panels read the newest five backwards, the worklist page the oldest), with the live-record
  filter (active, not merged) in the index so the panel's count reads the index only.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_sidreports_indexes'
down_revision = '0012_sidilan_report_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_sidilan_person_regency_status_updated',
        'sidilan_person',
        ['regency_id', 'status_verifikasi', 'updated_at', 'id', 'active', 'merged_into_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_sidilan_person_regency_status_updated', table_name='sidilan_person')
