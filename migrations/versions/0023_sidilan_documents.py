"""sidilan documents: KTP, KK, surat keterangan disabilitas, photos and other files of a person or a household

Revision ID: 0023_sidilan_documents
Revises: 0029_sidilan_usulan_dtsen
Create Date: 2026-12-02 04:15:04

- sidilan_document: one uploaded file of exactly one person or one household (check constraint), regency-scoped,
  the stored (random) file name and thumbnail, size, SHA-256, pixel size of images, who uploaded it and when,
  and the withdrawal (who, when, why): a withdrawn document keeps its row and its file.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_sidilan_documents'
down_revision = '0029_sidilan_usulan_dtsen'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sidilan_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=60), nullable=False),
    sa.Column('thumb_name', sa.String(length=60), nullable=True),
    sa.Column('mime', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=300), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('regency_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(person_id IS NULL) <> (household_id IS NULL)', name=op.f('ck_sidilan_document_one_owner')),
    sa.ForeignKeyConstraint(['household_id'], ['sidilan_household.id'], name=op.f('fk_sidilan_document_household_id_sidilan_household')),
    sa.ForeignKeyConstraint(['person_id'], ['sidilan_person.id'], name=op.f('fk_sidilan_document_person_id_sidilan_person')),
    sa.ForeignKeyConstraint(['regency_id'], ['regency.id'], name=op.f('fk_sidilan_document_regency_id_regency')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_sidilan_document_uploaded_by_id_user_account')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_sidilan_document_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sidilan_document'))
    )
    with op.batch_alter_table('sidilan_document', schema=None) as batch_op:
        batch_op.create_index('ix_sidilan_document_household', ['household_id', 'withdrawn_at'], unique=False)
        batch_op.create_index('ix_sidilan_document_person', ['person_id', 'withdrawn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sidilan_document_regency_id'), ['regency_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sidilan_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sidilan_document_regency_id'))
        batch_op.drop_index('ix_sidilan_document_person')
        batch_op.drop_index('ix_sidilan_document_household')

    op.drop_table('sidilan_document')
