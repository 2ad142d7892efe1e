"""sidilan list: the capped count of a ragam or program filter reads a regency's active persons from an index

Revision ID: 0019_sidilan_person_live_index
Revises: 0018_sidilan_recipient_household
Create Date: 2026-12-01 21:15:00

- ix_sidilan_person_regency_live_id (regency, id, active, household): the list's count under a ragam / ganda
  filter merge-joins it with the disability index (both in person id order) and under a program filter checks
  the household from it, never fetching the wide person rows.
"""

from alembic import op

revision = "0019_sidilan_person_live_index"
down_revision = "0018_sidilan_recipient_household"
branch_labels = None
depends_on = None

COLUMNS = ["regency_id", "id", "active", "household_id"]


def upgrade():
    op.create_index("ix_sidilan_person_regency_live_id", "sidilan_person", COLUMNS)


def downgrade():
    op.drop_index("ix_sidilan_person_regency_live_id", table_name="sidilan_person")
