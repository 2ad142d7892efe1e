"""person search: the list's keyset indexes, the filters' covering indexes, the any-word name search

Revision ID: 0009_person_search
Revises: 0008_import_batches
Create Date: 2026-12-01 16:30:00

- sidilan_person.name_key: recomputed for existing rows by the one spelling rule (core.textsearch.fold, letters
  only: sidilan.names.name_key), which the duplicate check and the any-word search share.
- sidilan_person.name_search gets the "C" collation on PostgreSQL, so one btree serves ORDER BY and LIKE 'x%'.
- One index per list filter followed by the sort key (regency+name+id, regency+status+name, kecamatan+name,
  nagari+name, jorong+name), a regency-scoped birth-date index; the single-column indexes they replace go.
- Covering (person / household, program) indexes on sidilan_assistance for the program filter's probes
  (they replace the single person_id and household_id indexes).
- sidilan_person.nik_rev / kk_rev: the reversed numbers (a suffix search is an index range), filled.
- The trigram text index over name_key (SQLite FTS5 table + triggers; PostgreSQL pg_trgm GIN).
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.textsearch import TextIndex
from blueprints.sidilan.names import name_key

revision = "0009_person_search"
down_revision = "0008_import_batches"
branch_labels = None
depends_on = None

# kept here as it was created (the model's may change later)
TEXT = TextIndex("sidilan_person", ("name_key",))
OLD_PERSON = ("tanggal_lahir", "kecamatan_code", "nagari_code", "jorong_id", "status_verifikasi")
NEW_PERSON = [
    ("ix_sidilan_person_regency_status_name", ["regency_id", "status_verifikasi", "name_search"]),
    ("ix_sidilan_person_kecamatan_name", ["kecamatan_code", "name_search"]),
    ("ix_sidilan_person_nagari_name", ["nagari_code", "name_search"]),
    ("ix_sidilan_person_jorong_name", ["jorong_id", "name_search"]),
    ("ix_sidilan_person_regency_birth", ["regency_id", "tanggal_lahir"]),
]
REVERSED = [
    ("nik_rev", "nik", "ix_sidilan_person_regency_nik_rev"),
    ("kk_rev", "no_kk", "ix_sidilan_person_regency_kk_rev"),
]


def _fill(bind) -> None:
    person = sa.table(
        "sidilan_person",
        *(sa.column(c) for c in ("id", "nama_lengkap", "nik", "no_kk", "name_key", "nik_rev", "kk_rev")),
    )
    rows = bind.execute(sa.select(person.c.id, person.c.nama_lengkap, person.c.nik, person.c.no_kk)).all()
    update = (
        person.update()
        .where(person.c.id == sa.bindparam("pid"))
        .values(name_key=sa.bindparam("nf"), nik_rev=sa.bindparam("nr"), kk_rev=sa.bindparam("kr"))
    )
    for i in range(0, len(rows), 5000):
        chunk = [
            {
                "pid": r.id,
                "nf": name_key(r.nama_lengkap),
                "nr": r.nik[::-1] if r.nik else None,
                "kr": r.no_kk[::-1] if r.no_kk else None,
            }
            for r in rows[i : i + 5000]
        ]
        if chunk:
            bind.execute(update, chunk)


def upgrade():
    bind = op.get_bind()
    for column, _source, _index in REVERSED:
        op.add_column("sidilan_person", sa.Column(column, sa.String(length=16), nullable=True))
    _fill(bind)
    for column, _source, index in REVERSED:
        op.create_index(
            index, "sidilan_person", ["regency_id", column], postgresql_ops={column: "text_pattern_ops"}
        )
    op.drop_index("ix_sidilan_person_regency_name", table_name="sidilan_person")
    if bind.dialect.name == "postgresql":
        op.alter_column("sidilan_person", "name_search", type_=sa.String(length=120, collation="C"))
    op.create_index("ix_sidilan_person_regency_name", "sidilan_person", ["regency_id", "name_search", "id"])
    for column in OLD_PERSON:
        op.drop_index(f"ix_sidilan_person_{column}", table_name="sidilan_person")
    for name, columns in NEW_PERSON:
        op.create_index(name, "sidilan_person", columns)
    for column in ("person_id", "household_id"):
        op.drop_index(f"ix_sidilan_assistance_{column}", table_name="sidilan_assistance")
    op.create_index("ix_sidilan_assistance_person_program", "sidilan_assistance", ["person_id", "program_id"])
    op.create_index(
        "ix_sidilan_assistance_household_program", "sidilan_assistance", ["household_id", "program_id"]
    )
    TEXT.create(bind)


def downgrade():
    bind = op.get_bind()
    TEXT.drop(bind)
    op.drop_index("ix_sidilan_assistance_household_program", table_name="sidilan_assistance")
    op.drop_index("ix_sidilan_assistance_person_program", table_name="sidilan_assistance")
    for column in ("person_id", "household_id"):
        op.create_index(f"ix_sidilan_assistance_{column}", "sidilan_assistance", [column])
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
    for _column, _source, index in REVERSED:
        op.drop_index(index, table_name="sidilan_person")
    with op.batch_alter_table("sidilan_person") as batch_op:
        for column, _source, _index in REVERSED:
            batch_op.drop_column(column)
