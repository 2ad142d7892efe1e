"""sidilan aid periods: a program counts its aid per month, tahap, year or once; "bantuan ganda" per period

Revision ID: 0026_sidilan_aid_periods
Revises: 0027_sidilan_wgss_visits
Create Date: 2026-12-02 04:30:00

- sidilan_program.periode (bulanan / tahap / tahunan / sekali, default tahunan); the seeded programs get theirs
  (values.PERIODE_SEED: BPNT and PBI-JK monthly, PKH per tahap, ALAT-BANTU once; unverified, editable).
- sidilan_assistance.bulan, .tahap_ke: the period inside ``tahun``. Existing rows: a monthly program's month
  from ``tgl_salur``; a tahap program's number from the old free-text ``tahap`` ("Tahap 2" -> 2), else from the
  quarter of ``tgl_salur`` (PKH pays four tahap a year, unverified).
- ix_sidilan_assistance_regency_recipient now (regency, recipient household, program, tahun, bulan, tahap_ke,
  status): the double-aid report groups per period from this index alone.
- ix_sidilan_assistance_person_status, ix_sidilan_assistance_household_status: "tanpa bantuan" probes aid
  received (status disalurkan) per person and household from an index.

No batch_alter_table on the aid table in the upgrade: SQLite's table copy would drop its triggers (0018).
"""

import re

import sqlalchemy as sa
from alembic import op

from blueprints.sidilan import recipient

revision = "0026_sidilan_aid_periods"
down_revision = "0027_sidilan_wgss_visits"
branch_labels = None
depends_on = None

OLD_INDEX = ["regency_id", "recipient_household_id", "program_id", "tahun", "status"]
NEW_INDEX = ["regency_id", "recipient_household_id", "program_id", "tahun", "bulan", "tahap_ke", "status"]
SEED = {
    "PKH": "tahap",
    "BPNT": "bulanan",
    "PBI-JK": "bulanan",
    "ALAT-BANTU": "sekali",
}  # = values.PERIODE_SEED


def upgrade():
    bind = op.get_bind()
    op.add_column(
        "sidilan_program", sa.Column("periode", sa.String(10), nullable=False, server_default="tahunan")
    )
    op.add_column("sidilan_assistance", sa.Column("bulan", sa.Integer(), nullable=True))
    op.add_column("sidilan_assistance", sa.Column("tahap_ke", sa.Integer(), nullable=True))
    program = sa.table("sidilan_program", sa.column("id"), sa.column("kode"), sa.column("periode"))
    for kode, periode in SEED.items():
        bind.execute(program.update().where(program.c.kode == kode).values(periode=periode))
    aid = sa.table(
        "sidilan_assistance",
        sa.column("id"),
        sa.column("program_id"),
        sa.column("tgl_salur", sa.Date),
        sa.column("tahap"),
        sa.column("bulan"),
        sa.column("tahap_ke"),
    )
    rows = bind.execute(
        sa.select(aid.c.id, aid.c.tgl_salur, aid.c.tahap, program.c.periode).join(
            program, program.c.id == aid.c.program_id
        )
    ).all()
    for row_id, tgl, tahap, periode in rows:
        values = {}
        if periode == "bulanan" and tgl is not None:
            values["bulan"] = tgl.month
        elif periode == "tahap":
            m = re.search(r"\d+", tahap or "")
            if m and 1 <= int(m.group()) <= 12:
                values["tahap_ke"] = int(m.group())
            elif tgl is not None:
                values["tahap_ke"] = (tgl.month - 1) // 3 + 1
        if values:
            bind.execute(aid.update().where(aid.c.id == row_id).values(**values))
    op.drop_index("ix_sidilan_assistance_regency_recipient", table_name="sidilan_assistance")
    op.create_index("ix_sidilan_assistance_regency_recipient", "sidilan_assistance", NEW_INDEX)
    op.create_index("ix_sidilan_assistance_person_status", "sidilan_assistance", ["person_id", "status"])
    op.create_index(
        "ix_sidilan_assistance_household_status", "sidilan_assistance", ["household_id", "status"]
    )


def downgrade():
    bind = op.get_bind()
    op.drop_index("ix_sidilan_assistance_household_status", table_name="sidilan_assistance")
    op.drop_index("ix_sidilan_assistance_person_status", table_name="sidilan_assistance")
    op.drop_index("ix_sidilan_assistance_regency_recipient", table_name="sidilan_assistance")
    recipient.drop(bind)  # the table copy of SQLite's batch mode would lose them: put back after
    with op.batch_alter_table("sidilan_assistance") as batch:
        batch.drop_column("tahap_ke")
        batch.drop_column("bulan")
    recipient.create(bind)
    op.create_index("ix_sidilan_assistance_regency_recipient", "sidilan_assistance", OLD_INDEX)
    with op.batch_alter_table("sidilan_program") as batch:
        batch.drop_column("periode")
