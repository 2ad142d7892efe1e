"""wilayah jorong import: the jorong's own code (optional, from an imported file) and a demo flag

Revision ID: 0028_wilayah_jorong_import
Revises: 0022_sidilan_quality_flags
Create Date: 2026-12-02 04:20:00

- jorong.code: the number a nagari gives its jorong, when the imported file has one (jorong have no
  Kemendagri code, docs/sidilan.md §4).
- jorong.is_demo: rows the demo loader seeds (plausible names, not verified); the admin list marks them "(demo)".
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028_wilayah_jorong_import"
down_revision = "0022_sidilan_quality_flags"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jorong", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("jorong", schema=None) as batch_op:
        batch_op.drop_column("is_demo")
        batch_op.drop_column("code")
