"""pks slip void: a mistaken postponement entry voided with a reason (kept in the ledger, left out of the counts)

Revision ID: 0036_pks_slip_void
Revises: 0035_rujukan_emergency
Create Date: 2026-12-02 14:55:00
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0036_pks_slip_void"
down_revision = "0035_rujukan_emergency"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pks_slip_void",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slip_id", sa.Integer(), nullable=False),
        sa.Column("alasan", sa.Text(), nullable=False),
        sa.Column("voided_at", UTCDateTime(), nullable=False),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["slip_id"], ["pks_slip.id"]),
        sa.ForeignKeyConstraint(["voided_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slip_id"),
    )


def downgrade():
    op.drop_table("pks_slip_void")
