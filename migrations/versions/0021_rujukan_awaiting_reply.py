"""rujukan awaiting reply index: a receiver's arrived letters, oldest first, for "menunggu jawaban kita"

Revision ID: 0021_rujukan_awaiting_reply
Revises: 0020_rujukan_planned_visit
Create Date: 2026-12-01 21:15:00

- ix_rujukan_referral_destination_status_issued (destination_id, status, issued_at, id): the receiver's letters
  in one state in the worklists' order. "Menunggu jawaban kita" (arrived, not yet answered) was read on
  PostgreSQL by walking the incoming list's (destination, issued_at) index to skip the sort, reading every letter
  the hospital ever received to find the arrived ones (16 ms at 20,000 letters in the home panel, which counts
  them all); with it the arrived letters alone, already in order (0.8 ms).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_rujukan_awaiting_reply"
down_revision = "0020_rujukan_planned_visit"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rujukan_referral_destination_status_issued",
            ["destination_id", "status", "issued_at", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        batch_op.drop_index("ix_rujukan_referral_destination_status_issued")
