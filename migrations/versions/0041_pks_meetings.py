"""pks meetings: a notulen text on the meeting; attendees and decisions carry a version (edits land only on
the version they were made on)

Revision ID: 0041_pks_meetings
Revises: 0040_pks_parties
Create Date: 2026-12-02 17:45:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0041_pks_meetings"
down_revision = "0040_pks_parties"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pks_meeting") as batch:
        batch.add_column(sa.Column("notulen", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("pks_attendee") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("pks_decision") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    with op.batch_alter_table("pks_decision") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("pks_attendee") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("pks_meeting") as batch:
        batch.drop_column("notulen")
