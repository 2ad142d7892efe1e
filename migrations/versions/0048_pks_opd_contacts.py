"""pks reminders: each OPD's reminder e-mail address, set by its regency's admin

Revision ID: 0048_pks_opd_contacts
Revises: 0045_pks_meeting_edit
Create Date: 2026-12-03 07:30:00
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0048_pks_opd_contacts"
down_revision = "0045_pks_meeting_edit"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pks_reminder_contact_org",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_pks_reminder_contact_org_changed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pks_reminder_contact_org_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_pks_reminder_contact_org")),
    )


def downgrade():
    op.drop_table("pks_reminder_contact_org")
