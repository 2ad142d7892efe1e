"""core recovery: forms posted after the session timed out, kept for their owner (core.recovery)

Revision ID: 0036_pending_submissions
Revises: 0030_notifications
Create Date: 2026-12-02 15:00:00

- pending_submission: the posted fields (JSON, no files, no CSRF token) of a form sent after its session ended,
  under the form's submission key or a random key, with the expired session's user and the form page's URL.
  Deleted once restored, purged after 24 hours.
- rujukan_patient.jenis_kepesertaan becomes nullable: "belum diketahui" (no JKN type chosen) is a valid state;
  the downgrade stores those as 'non_jkn' again.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036_pending_submissions"
down_revision = "0030_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_submission",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_pending_submission_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_pending_submission")),
    )
    with op.batch_alter_table("pending_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_submission_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_submission_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("rujukan_patient", schema=None) as batch_op:
        batch_op.alter_column("jenis_kepesertaan", existing_type=sa.String(length=12), nullable=True)


def downgrade():
    op.execute("UPDATE rujukan_patient SET jenis_kepesertaan = 'non_jkn' WHERE jenis_kepesertaan IS NULL")
    with op.batch_alter_table("rujukan_patient", schema=None) as batch_op:
        batch_op.alter_column("jenis_kepesertaan", existing_type=sa.String(length=12), nullable=False)
    with op.batch_alter_table("pending_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_submission_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_submission_created_at"))
    op.drop_table("pending_submission")
