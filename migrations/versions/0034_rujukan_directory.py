"""rujukan directory grows: facility type, tertiary flag, outside destinations, deactivation

Revision ID: 0034_rujukan_directory
Revises: 0036_pks_slip_void
Create Date: 2026-12-02 14:45:00

- rujukan_facility.facility_type: puskesmas / klinik / rs / rsud / rsup (the organisation's kind stays coarse).
- rujukan_facility.tertiary: an FKTL of level 3 (the "tersier" level of the directory form).
- rujukan_facility.outside_area: the city/regency of a destination outside Solok and Sijunjung; the
  organisation's regency_id is then the regency whose Dinas Kesehatan keeps the entry.
- rujukan_facility.active, deactivated_at, deactivated_reason: a deactivated facility is no longer offered as
  a destination; its row stays so old letters keep showing it.
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0034_rujukan_directory"
down_revision = "0036_pks_slip_void"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rujukan_facility", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facility_type", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("tertiary", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("outside_area", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("deactivated_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("deactivated_reason", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("rujukan_facility", schema=None) as batch_op:
        for name in (
            "deactivated_reason",
            "deactivated_at",
            "active",
            "outside_area",
            "tertiary",
            "facility_type",
        ):
            batch_op.drop_column(name)
