"""pks documents: withdrawn with a reason (kept, file and hash), a version per edit, one draft marked final

Revision ID: 0042_pks_work
Revises: 0037_sidilan_name_scope
Create Date: 2026-12-02 18:00:00

- version: the record's version (the withdraw and final forms post it back).
- is_final: the one version of the text the parties treat as final (marking another moves the mark).
- withdrawn_at / withdrawn_by_id / withdrawn_reason: a withdrawn document stays listed, struck through, and no
  longer counts as the current text; its file and SHA-256 are kept.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0042_pks_work"
down_revision = "0037_sidilan_name_scope"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pks_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("is_final", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            "fk_pks_document_withdrawn_by_id_user_account", "user_account", ["withdrawn_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("pks_document", schema=None) as batch_op:
        batch_op.drop_constraint("fk_pks_document_withdrawn_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("is_final")
        batch_op.drop_column("version")
