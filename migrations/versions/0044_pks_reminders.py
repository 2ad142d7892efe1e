"""pks reminders: rule switches per regency, each regency's reminder e-mail, what the awaited party is to do

Revision ID: 0044_pks_reminders
Revises: 0042_pks_work
Create Date: 2026-12-02 17:50:00
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0044_pks_reminders"
down_revision = "0042_pks_work"
branch_labels = None
depends_on = None


def _rule_table(per_regency: bool):
    cols = [sa.Column("regency_id", sa.Integer(), nullable=False)] if per_regency else []
    keys = ["regency_id", "code"] if per_regency else ["code"]
    fks = (
        [sa.ForeignKeyConstraint(["regency_id"], ["regency.id"], name=op.f("fk_pks_rule_setting_regency_id_regency"))]
        if per_regency
        else []
    )
    op.create_table(
        "pks_rule_setting",
        *cols,
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *fks,
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user_account.id"], name=op.f("fk_pks_rule_setting_changed_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint(*keys, name=op.f("pk_pks_rule_setting")),
    )


def _rows():
    conn = op.get_bind()
    return [
        dict(r._mapping)
        for r in conn.execute(
            sa.text("SELECT code, blocking, changed_by_id, changed_at, version FROM pks_rule_setting")
        )
    ]


def upgrade():
    # a switch made before applied to both regencies: each regency keeps it, and from now on switches its own
    old = _rows()
    regencies = [r[0] for r in op.get_bind().execute(sa.text("SELECT id FROM regency"))]
    op.drop_table("pks_rule_setting")
    _rule_table(per_regency=True)
    table = sa.table(
        "pks_rule_setting",
        sa.column("regency_id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("blocking", sa.Boolean()),
        sa.column("changed_by_id", sa.Integer()),
        sa.column("changed_at"),
        sa.column("version", sa.Integer()),
    )
    rows = [dict(row, regency_id=rid) for row in old for rid in regencies]
    if rows:
        op.bulk_insert(table, rows)
    op.create_table(
        "pks_reminder_contact",
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_pks_reminder_contact_changed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"], name=op.f("fk_pks_reminder_contact_regency_id_regency")),
        sa.PrimaryKeyConstraint("regency_id", name=op.f("pk_pks_reminder_contact")),
    )
    with op.batch_alter_table("pks_agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("menunggu_apa", sa.String(length=80), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("pks_agreement", schema=None) as batch_op:
        batch_op.drop_column("menunggu_apa")
    op.drop_table("pks_reminder_contact")
    old = _rows()
    op.drop_table("pks_rule_setting")
    _rule_table(per_regency=False)
    seen = {}
    for row in old:  # back to one switch for all: blocking where any regency had it blocking
        code = row["code"]
        if code not in seen or row["blocking"]:
            seen[code] = row
    table = sa.table(
        "pks_rule_setting",
        sa.column("code", sa.String()),
        sa.column("blocking", sa.Boolean()),
        sa.column("changed_by_id", sa.Integer()),
        sa.column("changed_at"),
        sa.column("version", sa.Integer()),
    )
    if seen:
        op.bulk_insert(table, list(seen.values()))
