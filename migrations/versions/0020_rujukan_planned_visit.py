"""rujukan planned visit index: a receiver's letters planned for a day, for the "masuk hari ini" worklist

Revision ID: 0020_rujukan_planned_visit
Revises: 0019_sidilan_person_live_index
Create Date: 2026-12-01 21:20:00

- ix_rujukan_referral_destination_planned (destination_id, planned_visit): "masuk hari ini" is the receiver's
  active letters issued today OR planned for today. Without an index on the planned visit PostgreSQL could serve
  neither side of the OR and read every still-valid letter of the regency by validity (6 ms for the count and
  again for the rows at 20,000 letters); with it the two days come from two indexes OR-ed in one bitmap (0.3 ms).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_rujukan_planned_visit"
down_revision = "0019_sidilan_person_live_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rujukan_referral_destination_planned", ["destination_id", "planned_visit"], unique=False
        )


def downgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        batch_op.drop_index("ix_rujukan_referral_destination_planned")
