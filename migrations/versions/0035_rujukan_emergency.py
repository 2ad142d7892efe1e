"""rujukan emergency mode: the IGD call instant, stabilisation checklist, departure vital signs and escort role

Revision ID: 0035_rujukan_emergency
Revises: 0031_rujukan_reply_doctor
Create Date: 2026-12-02 14:40:00

- igd_called_at: the call to the receiving IGD as an instant (UTC), the first step of the detail page's timeline.
- stabilisation: codes of rujukan.lists.STABILISASI, comma-separated.
- depart_*: the vital signs at departure (BP, pulse, RR, temperature, SpO2, GCS, consciousness), kept apart from
  the examination's; departed_at: when the patient left.
- escort_role: the escort's role (rujukan.lists.PENDAMPING); the name stays in escort.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035_rujukan_emergency"
down_revision = "0031_rujukan_reply_doctor"
branch_labels = None
depends_on = None

COLUMNS = (
    ("igd_called_at", sa.DateTime(timezone=True)),
    ("stabilisation", sa.String(length=200)),
    ("depart_bp", sa.String(length=10)),
    ("depart_pulse", sa.Integer()),
    ("depart_rr", sa.Integer()),
    ("depart_temperature", sa.Float()),
    ("depart_spo2", sa.Integer()),
    ("depart_gcs", sa.Integer()),
    ("depart_consciousness", sa.String(length=20)),
    ("departed_at", sa.DateTime(timezone=True)),
    ("escort_role", sa.String(length=20)),
)


def upgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
