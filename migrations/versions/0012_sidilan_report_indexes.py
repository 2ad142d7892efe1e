"""sidilan report indexes: covering indexes for the dashboard's one pass over the live registry

Revision ID: 0012_sidilan_report_indexes
Revises: 0010_rujukan_indexes
Create Date: 2026-12-01 17:05:00

- ix_sidilan_person_report: the live-registry filter (regency, alive, active, not merged) then the columns the
  dashboard groups and counts by (kecamatan, sex, birth date, household), so the pass reads the index only.
- ix_sidilan_disability_report: a person's disability flags the dashboard counts, read from the index.
- sidilan_dashboard_summary: the dashboard's counts as last computed per regency (NULL: all, superadmin).
"""
import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0012_sidilan_report_indexes'
down_revision = '0010_rujukan_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sidilan_dashboard_summary',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('regency_id', sa.Integer(), nullable=True),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.Column('data_json', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['regency_id'], ['regency.id'], ),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sidilan_dashboard_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sidilan_dashboard_summary_regency_id'), ['regency_id'], unique=False)
    with op.batch_alter_table('sidilan_person', schema=None) as batch_op:
        batch_op.create_index(
            'ix_sidilan_person_report',
            ['regency_id', 'status_hidup', 'active', 'merged_into_id', 'kecamatan_code', 'jenis_kelamin',
             'tanggal_lahir', 'household_id'],
            unique=False,
        )
    with op.batch_alter_table('sidilan_disability', schema=None) as batch_op:
        batch_op.create_index(
            'ix_sidilan_disability_report',
            ['person_id', 'derajat', 'ragam_fisik', 'ragam_intelektual', 'ragam_mental', 'ragam_sensorik',
             'ganda'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('sidilan_disability', schema=None) as batch_op:
        batch_op.drop_index('ix_sidilan_disability_report')
    with op.batch_alter_table('sidilan_person', schema=None) as batch_op:
        batch_op.drop_index('ix_sidilan_person_report')
    with op.batch_alter_table('sidilan_dashboard_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sidilan_dashboard_summary_regency_id'))
    op.drop_table('sidilan_dashboard_summary')
