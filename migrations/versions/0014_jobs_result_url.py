"""jobs result_url: the page a job's result is shown on when it makes no file (the import's dry run)

Revision ID: 0014_jobs_result_url
Revises: 0013_sidreports_indexes
Create Date: 2026-12-01 20:05:00

- job.result_url: set when the job starts (a path of this app, built with url_for); the job page links there once
  the job is done.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_jobs_result_url'
down_revision = '0013_sidreports_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_url', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('result_url')
