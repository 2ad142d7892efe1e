"""sidilan double aid: the household an aid counts for, stored and kept by triggers, with its covering index

Revision ID: 0018_sidilan_recipient_household
Revises: 0017_pkspanels_meeting_index
Create Date: 2026-12-01 21:00:00

- sidilan_assistance.recipient_household_id: the aid's own household, else its person's (filled for existing
  rows); triggers on sidilan_assistance (insert; update of person, household or the value) and on
  sidilan_person (update of household) keep it (blueprints/sidilan/recipient.py).
- ix_sidilan_assistance_regency_recipient (regency, recipient household, program, year, status): the double-aid
  report groups a regency's aid from this index alone, in its order.
"""

import sqlalchemy as sa
from alembic import op

from blueprints.sidilan import recipient

revision = "0018_sidilan_recipient_household"
down_revision = "0017_pkspanels_meeting_index"
branch_labels = None
depends_on = None

INDEX = ["regency_id", "recipient_household_id", "program_id", "tahun", "status"]


def upgrade():
    bind = op.get_bind()
    op.add_column("sidilan_assistance", sa.Column("recipient_household_id", sa.Integer(), nullable=True))
    bind.execute(sa.text(recipient.FILL))
    recipient.create(bind)
    op.create_index("ix_sidilan_assistance_regency_recipient", "sidilan_assistance", INDEX)


def downgrade():
    bind = op.get_bind()
    op.drop_index("ix_sidilan_assistance_regency_recipient", table_name="sidilan_assistance")
    recipient.drop(bind)
    with op.batch_alter_table("sidilan_assistance") as batch:
        batch.drop_column("recipient_household_id")
