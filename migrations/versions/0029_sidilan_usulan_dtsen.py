"""sidilan usulan and DTSEN reconciliation (issue 13 part 8)

Revision ID: 0029_sidilan_usulan_dtsen
Revises: 0026_sidilan_aid_periods
Create Date: 2026-12-02 04:16:49

- sidilan_reconcile_run: one uploaded DTSEN/DTKS extract matched by NIK (who, when, file hash, counts).
- sidilan_reconcile_row: the extract's rows (NIK, name and nagari as written) and the person each matched.
- sidilan_usulan: reports from the public usulan page, waiting for a clerk's review.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_sidilan_usulan_dtsen'
down_revision = '0026_sidilan_aid_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sidilan_reconcile_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('sumber', sa.String(length=10), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('invalid_count', sa.Integer(), nullable=False),
    sa.Column('matched_count', sa.Integer(), nullable=False),
    sa.Column('extra_count', sa.Integer(), nullable=False),
    sa.Column('missing_count', sa.Integer(), nullable=False),
    sa.Column('no_nik_count', sa.Integer(), nullable=False),
    sa.Column('regency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['regency_id'], ['regency.id'], name=op.f('fk_sidilan_reconcile_run_regency_id_regency')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sidilan_reconcile_run_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sidilan_reconcile_run'))
    )
    with op.batch_alter_table('sidilan_reconcile_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sidilan_reconcile_run_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sidilan_reconcile_run_regency_id'), ['regency_id'], unique=False)

    op.create_table('sidilan_usulan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nama', sa.String(length=120), nullable=False),
    sa.Column('nagari_code', sa.String(length=13), nullable=False),
    sa.Column('jorong', sa.String(length=80), nullable=True),
    sa.Column('pelapor_nama', sa.String(length=120), nullable=False),
    sa.Column('pelapor_hubungan', sa.String(length=20), nullable=False),
    sa.Column('pelapor_kontak', sa.String(length=60), nullable=False),
    sa.Column('kebutuhan', sa.Text(), nullable=False),
    sa.Column('photo', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reject_reason', sa.String(length=500), nullable=True),
    sa.Column('regency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['nagari_code'], ['wilayah.code'], name=op.f('fk_sidilan_usulan_nagari_code_wilayah')),
    sa.ForeignKeyConstraint(['regency_id'], ['regency.id'], name=op.f('fk_sidilan_usulan_regency_id_regency')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_sidilan_usulan_reviewed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sidilan_usulan')),
    sa.UniqueConstraint('reference', name=op.f('uq_sidilan_usulan_reference'))
    )
    with op.batch_alter_table('sidilan_usulan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sidilan_usulan_regency_id'), ['regency_id'], unique=False)
        batch_op.create_index('ix_sidilan_usulan_regency_status_created', ['regency_id', 'status', 'created_at'], unique=False)

    op.create_table('sidilan_reconcile_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('nama', sa.String(length=120), nullable=False),
    sa.Column('nagari', sa.String(length=120), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['sidilan_person.id'], name=op.f('fk_sidilan_reconcile_row_person_id_sidilan_person')),
    sa.ForeignKeyConstraint(['run_id'], ['sidilan_reconcile_run.id'], name=op.f('fk_sidilan_reconcile_row_run_id_sidilan_reconcile_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sidilan_reconcile_row'))
    )
    with op.batch_alter_table('sidilan_reconcile_row', schema=None) as batch_op:
        batch_op.create_index('ix_sidilan_reconcile_row_run_nik', ['run_id', 'nik'], unique=False)



def downgrade():
    with op.batch_alter_table('sidilan_reconcile_row', schema=None) as batch_op:
        batch_op.drop_index('ix_sidilan_reconcile_row_run_nik')

    op.drop_table('sidilan_reconcile_row')
    with op.batch_alter_table('sidilan_usulan', schema=None) as batch_op:
        batch_op.drop_index('ix_sidilan_usulan_regency_status_created')
        batch_op.drop_index(batch_op.f('ix_sidilan_usulan_regency_id'))

    op.drop_table('sidilan_usulan')
    with op.batch_alter_table('sidilan_reconcile_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sidilan_reconcile_run_regency_id'))
        batch_op.drop_index(batch_op.f('ix_sidilan_reconcile_run_created_at'))

    op.drop_table('sidilan_reconcile_run')
