"""person search: the list's keyset indexes, the filters' covering indexes, the any-word name search

Revision ID: 0009_person_search
Revises: 0006_security
Create Date: 2026-12-01 16:30:00

- sidilan_person.name_fold: the spelling-folded name (core.textsearch.fold), filled for existing rows.
- sidilan_person.name_search gets the "C" collation on PostgreSQL, so one btree serves ORDER BY and LIKE 'x%'.
- One index per list filter followed by the sort key (regency+name+id, regency+status+name, kecamatan+name,
  nagari+name, jorong+name), a regency-scoped birth-date index; the single-column indexes they replace go.
- Covering (flag, person_id) indexes on sidilan_disability and (program, person / household) on
  sidilan_assistance for the filters' IN (ids) subqueries.
- The trigram text index over name_fold, nik, no_kk (SQLite FTS5 table + triggers; PostgreSQL pg_trgm GIN).
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.textsearch import TextIndex, fold

revision = "0009_person_search"
down_revision = "0006_security"
branch_labels = None
depends_on = None

# kept here as it was created (the model's may change later)
TEXT = TextIndex("sidilan_person", ("name_fold", "nik", "no_kk"))
FLAGS = ("ragam_fisik", "ragam_intelektual", "ragam_mental", "ragam_sensorik", "ganda")
OLD_PERSON = ("tanggal_lahir", "kecamatan_code", "nagari_code", "jorong_id", "status_verifikasi")
NEW_PERSON = [
    ("ix_sidilan_person_regency_status_name", ["regency_id", "status_verifikasi", "name_search"]),
    ("ix_sidilan_person_kecamatan_name", ["kecamatan_code", "name_search"]),
    ("ix_sidilan_person_nagari_name", ["nagari_code", "name_search"]),
    ("ix_sidilan_person_jorong_name", ["jorong_id", "name_search"]),
    ("ix_sidilan_person_regency_birth", ["regency_id", "tanggal_lahir"]),
]


def _fill_fold(bind) -> None:
    person = sa.table("sidilan_person", sa.column("id"), sa.column("nama_lengkap"), sa.column("name_fold"))
    rows = bind.execute(sa.select(person.c.id, person.c.nama_lengkap)).all()
    update = person.update().where(person.c.id == sa.bindparam("pid")).values(name_fold=sa.bindparam("nf"))
    for i in range(0, len(rows), 5000):
        chunk = [{"pid": r.id, "nf": fold(r.nama_lengkap)[:120]} for r in rows[i : i + 5000]]
        if chunk:
            bind.execute(update, chunk)


def upgrade():
    bind = op.get_bind()
    op.add_column(
        "sidilan_person", sa.Column("name_fold", sa.String(length=120), nullable=False, server_default="")
    )
    _fill_fold(bind)
    op.drop_index("ix_sidilan_person_regency_name", table_name="sidilan_person")
    if bind.dialect.name == "postgresql":
        op.alter_column("sidilan_person", "name_search", type_=sa.String(length=120, collation="C"))
    op.create_index("ix_sidilan_person_regency_name", "sidilan_person", ["regency_id", "name_search", "id"])
    for column in OLD_PERSON:
        op.drop_index(f"ix_sidilan_person_{column}", table_name="sidilan_person")
    for name, columns in NEW_PERSON:
        op.create_index(name, "sidilan_person", columns)
    for flag in FLAGS:
        if flag != "ganda":
            op.drop_index(f"ix_sidilan_disability_{flag}", table_name="sidilan_disability")
        op.create_index(f"ix_sidilan_disability_{flag}_person", "sidilan_disability", [flag, "person_id"])
    op.drop_index("ix_sidilan_assistance_program_id", table_name="sidilan_assistance")
    op.create_index("ix_sidilan_assistance_program_person", "sidilan_assistance", ["program_id", "person_id"])
    op.create_index(
        "ix_sidilan_assistance_program_household", "sidilan_assistance", ["program_id", "household_id"]
    )
    TEXT.create(bind)


def downgrade():
    bind = op.get_bind()
    TEXT.drop(bind)
    op.drop_index("ix_sidilan_assistance_program_household", table_name="sidilan_assistance")
    op.drop_index("ix_sidilan_assistance_program_person", table_name="sidilan_assistance")
    op.create_index("ix_sidilan_assistance_program_id", "sidilan_assistance", ["program_id"])
    for flag in FLAGS:
        op.drop_index(f"ix_sidilan_disability_{flag}_person", table_name="sidilan_disability")
        if flag != "ganda":
            op.create_index(f"ix_sidilan_disability_{flag}", "sidilan_disability", [flag])
    for name, _columns in NEW_PERSON:
        op.drop_index(name, table_name="sidilan_person")
    for column in OLD_PERSON:
        op.create_index(f"ix_sidilan_person_{column}", "sidilan_person", [column])
    op.drop_index("ix_sidilan_person_regency_name", table_name="sidilan_person")
    if bind.dialect.name == "postgresql":
        op.alter_column("sidilan_person", "name_search", type_=sa.String(length=120))
    op.create_index(
        "ix_sidilan_person_regency_name",
        "sidilan_person",
        ["regency_id", "name_search"],
        postgresql_ops={"name_search": "text_pattern_ops"},
    )
    with op.batch_alter_table("sidilan_person") as batch_op:
        batch_op.drop_column("name_fold")
