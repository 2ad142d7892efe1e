"""sidilan household roles: principal and alternate recipient, one Kepala Keluarga per No. KK

Revision ID: 0024_sidilan_household_roles
Revises: 0028_wilayah_jorong_import
Create Date: 2026-12-02 04:20:00

- sidilan_household.penerima_utama_id, penerima_pengganti_id: the household's principal and alternate
  recipient (docs/sidilan.md §5.2), members of it, set on the household page.
- uq_sidilan_person_kepala_keluarga: a partial unique index (regency, No. KK) over live, living persons whose
  SHDK is Kepala Keluarga; the form and the import already refuse a second head (person.person_rule_errors,
  importer.plan), the index closes the race of two clerks saving at once. The upgrade stops with the list of
  No. KK that already have two heads, to be fixed by a clerk first (the demo has none).
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_sidilan_household_roles"
down_revision = "0028_wilayah_jorong_import"
branch_labels = None
depends_on = None

WHERE = (
    "hubungan_keluarga = 'Kepala Keluarga' AND no_kk IS NOT NULL AND active AND merged_into_id IS NULL "
    "AND status_hidup <> 'meninggal'"
)


def upgrade():
    bind = op.get_bind()
    twice = bind.execute(
        sa.text(
            f"SELECT regency_id, no_kk FROM sidilan_person WHERE {WHERE} "
            "GROUP BY regency_id, no_kk HAVING COUNT(*) > 1 ORDER BY regency_id, no_kk"
        )
    ).all()
    if twice:
        listed = ", ".join(f"kabupaten #{r} No. KK {kk}" for r, kk in twice[:20])
        raise RuntimeError(
            f"{len(twice)} No. KK punya lebih dari satu Kepala Keluarga; perbaiki SHDK-nya dulu: {listed}"
        )
    with op.batch_alter_table("sidilan_household") as batch:
        batch.add_column(sa.Column("penerima_utama_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("penerima_pengganti_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_sidilan_household_penerima_utama", "sidilan_person", ["penerima_utama_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_sidilan_household_penerima_pengganti", "sidilan_person", ["penerima_pengganti_id"], ["id"]
        )
    op.create_index(
        "uq_sidilan_person_kepala_keluarga",
        "sidilan_person",
        ["regency_id", "no_kk"],
        unique=True,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade():
    op.drop_index("uq_sidilan_person_kepala_keluarga", table_name="sidilan_person")
    with op.batch_alter_table("sidilan_household") as batch:
        batch.drop_constraint("fk_sidilan_household_penerima_pengganti", type_="foreignkey")
        batch.drop_constraint("fk_sidilan_household_penerima_utama", type_="foreignkey")
        batch.drop_column("penerima_pengganti_id")
        batch.drop_column("penerima_utama_id")
