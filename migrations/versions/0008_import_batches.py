"""import batches: chunked runs with progress and status, resume, undo as a unit

Revision ID: 0008_import_batches
Revises: 0007_jobs
Create Date: 2026-12-01 16:30:00

- sidilan_import_batch gains the run (token, source, status, rows_done, progress_at, finished_at, job_id),
  the households it created (households_json) and the undo (undone_at, undone_by_id, undo_reason).
  Batches from before are finished runs: status 'selesai'.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_import_batches'
down_revision = '0007_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sidilan_import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('households_json', sa.Text(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('token', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=30), nullable=False, server_default='impor_sidilan'))
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='selesai'))
        batch_op.add_column(sa.Column('rows_done', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('progress_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('undone_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('undo_reason', sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f('ix_sidilan_import_batch_status'), ['status'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_sidilan_import_batch_undone_by_id_user_account'), 'user_account', ['undone_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('sidilan_import_batch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sidilan_import_batch_undone_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sidilan_import_batch_status'))
        for name in ('undo_reason', 'undone_by_id', 'undone_at', 'job_id', 'finished_at', 'progress_at',
                     'rows_done', 'status', 'source', 'token', 'households_json'):
            batch_op.drop_column(name)
