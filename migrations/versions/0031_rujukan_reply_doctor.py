"""rujukan reply doctor chosen from the answering facility's staff (issue 14 part 3)

Revision ID: 0031_rujukan_reply_doctor
Revises: 0025_sidilan_verifikator_nagari
Create Date: 2026-12-02 14:30:00

- rujukan_referral.reply_doctor_id: the health worker (rujukan_nakes) of the answering facility who signed the
  reply; reply_doctor keeps the name as printed (also the free-text fallback for a facility without staff).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031_rujukan_reply_doctor"
down_revision = "0025_sidilan_verifikator_nagari"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_doctor_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_rujukan_referral_reply_doctor_id_rujukan_nakes"),
            "rujukan_nakes",
            ["reply_doctor_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rujukan_referral_reply_doctor_id_rujukan_nakes"), type_="foreignkey"
        )
        batch_op.drop_column("reply_doctor_id")
