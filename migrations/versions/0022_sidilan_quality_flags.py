"""sidilan data-quality flags: an import's dry-run warnings kept on the records it created; a notes field

Revision ID: 0022_sidilan_quality_flags
Revises: 0021_rujukan_awaiting_reply
Create Date: 2026-12-02 04:20:00

- sidilan_quality_flag: one open (or cleared, with who and when) "perlu dicek" flag per warning; indexed by
  (person_id, cleared_at) for the list's "perlu dicek" filter (a probe per person) and the record page.
- sidilan_person.catatan: free notes (an import's unmapped remarks such as "tinggal sendiri").
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime
from blueprints.sidilan import recipient

revision = "0022_sidilan_quality_flags"
down_revision = "0021_rujukan_awaiting_reply"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sidilan_quality_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("cleared_at", UTCDateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["sidilan_person.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["sidilan_import_batch.id"]),
        sa.ForeignKeyConstraint(["cleared_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_sidilan_quality_flag_person_open", "sidilan_quality_flag", ["person_id", "cleared_at"], unique=False
    )
    op.create_index("ix_sidilan_quality_flag_regency_id", "sidilan_quality_flag", ["regency_id"], unique=False)
    with op.batch_alter_table("sidilan_person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catatan", sa.String(length=500), nullable=True))


def downgrade():
    bind = op.get_bind()
    recipient.drop(bind)  # SQLite's batch mode copies sidilan_person, which the aid triggers name: put back after
    with op.batch_alter_table("sidilan_person", schema=None) as batch_op:
        batch_op.drop_column("catatan")
    recipient.create(bind)
    op.drop_index("ix_sidilan_quality_flag_regency_id", table_name="sidilan_quality_flag")
    op.drop_index("ix_sidilan_quality_flag_person_open", table_name="sidilan_quality_flag")
    op.drop_table("sidilan_quality_flag")
