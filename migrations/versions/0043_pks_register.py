"""pks register: agreements registered after the fact, review hukum result, two-sided stage proposals, the day a slip was decided

Revision ID: 0043_pks_register
Revises: 0041_pks_meetings
Create Date: 2026-12-02 17:50:00
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0043_pks_register"
down_revision = "0041_pks_meetings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pks_agreement") as batch_op:
        batch_op.add_column(sa.Column("review_oleh", sa.String(120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("review_catatan", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("review_tanggal", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("dicatat_susulan", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("usul_terbuka", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("pks_slip") as batch_op:
        batch_op.add_column(sa.Column("diputuskan_pada", sa.Date(), nullable=True))
    op.create_table(
        "pks_stage_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("tahap", sa.String(20), nullable=False),
        sa.Column("dari_tahap", sa.String(20), nullable=False),
        sa.Column("alasan", sa.Text(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("keputusan", sa.String(10), nullable=False),
        sa.Column("keputusan_alasan", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["pks_agreement.id"]),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pks_stage_proposal_agreement_id", "pks_stage_proposal", ["agreement_id"])


def downgrade():
    op.drop_index("ix_pks_stage_proposal_agreement_id", table_name="pks_stage_proposal")
    op.drop_table("pks_stage_proposal")
    with op.batch_alter_table("pks_slip") as batch_op:
        batch_op.drop_column("diputuskan_pada")
    with op.batch_alter_table("pks_agreement") as batch_op:
        batch_op.drop_column("usul_terbuka")
        batch_op.drop_column("dicatat_susulan")
        batch_op.drop_column("review_tanggal")
        batch_op.drop_column("review_catatan")
        batch_op.drop_column("review_oleh")
