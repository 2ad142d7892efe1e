"""pks initiator: the initiating OPD chosen from the initiating regency's organisation list

Revision ID: 0047_pks_initiator
Revises: 0043_pks_register
Create Date: 2026-12-03 06:40:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0047_pks_initiator"
down_revision = "0043_pks_register"
branch_labels = None
depends_on = None


def upgrade():
    # the free-text pemrakarsa_opd stays for agreements recorded before the list
    with op.batch_alter_table("pks_agreement") as batch_op:
        batch_op.add_column(sa.Column("pemrakarsa_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_pks_agreement_pemrakarsa_organisation_id_organisation",
            "organisation",
            ["pemrakarsa_organisation_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("pks_agreement") as batch_op:
        batch_op.drop_constraint("fk_pks_agreement_pemrakarsa_organisation_id_organisation", type_="foreignkey")
        batch_op.drop_column("pemrakarsa_organisation_id")
