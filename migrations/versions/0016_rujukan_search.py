"""rujukan search and recap: the patients' folded names, trigram indexes, the recap's covering date indexes

Revision ID: 0016_rujukan_search
Revises: 0015_pks_party_scope_index
Create Date: 2026-12-01 20:10:00

- rujukan_patient.name_key: the spelling-folded name (core.textsearch.fold), filled for existing rows.
- The trigram text index over rujukan_patient (name_key, nik) and rujukan_referral (number): SQLite FTS5 tables
  with their triggers, PostgreSQL pg_trgm GIN indexes.
- ix_rujukan_referral_patient_scope (patient, facility, destination, status) replaces the patient_id index: the
  letters a search finds by their patient, checked against the list's facility in the index.
- ix_rujukan_referral_origin_issued (facility, issue day, seq): the register book reads one month's letters, not
  the facility's whole year.
- ix_rujukan_referral_issued_on / _arrived_at: the date followed by the columns the recap filters by, so the
  recap's queries read the index alone.
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.textsearch import TextIndex, fold

revision = "0016_rujukan_search"
down_revision = "0015_pks_party_scope_index"
branch_labels = None
depends_on = None

# kept here as they were created (the models' may change later)
TEXTS = [TextIndex("rujukan_patient", ("name_key", "nik")), TextIndex("rujukan_referral", ("number",))]
REGISTER = ["origin_id", "issued_on", "seq"]
PATIENT_SCOPE = ["patient_id", "origin_id", "destination_id", "status"]
RECAP = [
    ("ix_rujukan_referral_issued_on", ["issued_on", "status", "origin_id", "destination_id", "patient_id", "issued_at"]),
    ("ix_rujukan_referral_arrived_at", ["arrived_at", "status", "destination_id", "patient_id", "issued_on"]),
]


def _fill(bind) -> None:
    patient = sa.table("rujukan_patient", sa.column("id"), sa.column("name"), sa.column("name_key"))
    rows = bind.execute(sa.select(patient.c.id, patient.c.name)).all()
    update = patient.update().where(patient.c.id == sa.bindparam("pid")).values(name_key=sa.bindparam("key"))
    for i in range(0, len(rows), 5000):
        chunk = [{"pid": r.id, "key": fold(r.name)[:120]} for r in rows[i : i + 5000]]
        if chunk:
            bind.execute(update, chunk)


def upgrade():
    bind = op.get_bind()
    op.add_column("rujukan_patient", sa.Column("name_key", sa.String(length=120), nullable=True))
    _fill(bind)
    for name, columns in RECAP:
        op.drop_index(name, table_name="rujukan_referral")
        op.create_index(name, "rujukan_referral", columns)
    op.create_index("ix_rujukan_referral_origin_issued", "rujukan_referral", REGISTER)
    op.drop_index("ix_rujukan_referral_patient_id", table_name="rujukan_referral")
    op.create_index("ix_rujukan_referral_patient_scope", "rujukan_referral", PATIENT_SCOPE)
    for text_index in TEXTS:
        text_index.create(bind)


def downgrade():
    bind = op.get_bind()
    for text_index in TEXTS:
        text_index.drop(bind)
    op.drop_index("ix_rujukan_referral_patient_scope", table_name="rujukan_referral")
    op.drop_index("ix_rujukan_referral_origin_issued", table_name="rujukan_referral")
    op.create_index("ix_rujukan_referral_patient_id", "rujukan_referral", ["patient_id"])
    for name, columns in RECAP:
        op.drop_index(name, table_name="rujukan_referral")
        op.create_index(name, "rujukan_referral", columns[:1])
    with op.batch_alter_table("rujukan_patient") as batch_op:
        batch_op.drop_column("name_key")
