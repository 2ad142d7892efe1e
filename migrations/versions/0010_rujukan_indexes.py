"""rujukan indexes: the lists, worklists, register and recap read off indexes at 20,000 referrals

Revision ID: 0010_rujukan_indexes
Revises: 0009_person_search
"""

from alembic import op

revision = "0010_rujukan_indexes"
down_revision = "0009_person_search"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_rujukan_referral_origin_created", ["origin_id", "created_at", "id"]),
    ("ix_rujukan_referral_destination_issued", ["destination_id", "issued_at", "id"]),
    ("ix_rujukan_referral_origin_status_valid", ["origin_id", "status", "valid_until"]),
    ("ix_rujukan_referral_destination_status_valid", ["destination_id", "status", "valid_until"]),
    ("ix_rujukan_referral_issued_on", ["issued_on"]),
    ("ix_rujukan_referral_arrived_at", ["arrived_at"]),
]


def upgrade():
    with op.batch_alter_table("rujukan_referral") as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("rujukan_referral") as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
