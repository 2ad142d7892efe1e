"""pks meeting corrections: a meeting deleted by mistake is kept (who, when, why); an action item's owner is an
organisation of the app's regencies

Revision ID: 0045_pks_meeting_edit
Revises: 0046_pks_party_trust
Create Date: 2026-12-03 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0045_pks_meeting_edit"
down_revision = "0046_pks_party_trust"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pks_meeting") as batch_op:
        batch_op.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("deleted_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deleted_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            "fk_pks_meeting_deleted_by_id_user_account", "user_account", ["deleted_by_id"], ["id"]
        )
    with op.batch_alter_table("pks_action_item") as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_pks_action_item_organisation_id_organisation", "organisation", ["organisation_id"], ["id"]
        )
        batch_op.create_index("ix_pks_action_item_organisation_id", ["organisation_id"])


def downgrade():
    with op.batch_alter_table("pks_action_item") as batch_op:
        batch_op.drop_index("ix_pks_action_item_organisation_id")
        batch_op.drop_constraint("fk_pks_action_item_organisation_id_organisation", type_="foreignkey")
        batch_op.drop_column("organisation_id")
    with op.batch_alter_table("pks_meeting") as batch_op:
        batch_op.drop_constraint("fk_pks_meeting_deleted_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("deleted_reason")
        batch_op.drop_column("deleted_by_id")
        batch_op.drop_column("deleted_at")
