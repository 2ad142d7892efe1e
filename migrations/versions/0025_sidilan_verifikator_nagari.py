"""sidilan separated verification: nagari verifiers, the date of the last verification, verval outcomes

Revision ID: 0025_sidilan_verifikator_nagari
Revises: 0023_sidilan_documents
Create Date: 2026-12-02 04:20:00

- user_nagari (user_id, nagari_code): the nagari a verifikator_nagari account verifies (docs/sidilan.md §9.1).
- sidilan_person.tgl_verifikasi: the day of the Dinsos approval or of the last verval; records more than two
  years past it are due for re-verification (§9.5). Filled here from the approval events (their UTC day).
  ix_sidilan_person_regency_verval (regency_id, status_verifikasi, tgl_verifikasi, id) serves the verval list.
- sidilan_verval: one row per recorded verval outcome (append-only).
"""

import sqlalchemy as sa
from alembic import op

from blueprints.sidilan import recipient

# revision identifiers, used by Alembic.
revision = "0025_sidilan_verifikator_nagari"
down_revision = "0023_sidilan_documents"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_nagari",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nagari_code", sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(
            ["nagari_code"], ["wilayah.code"], name=op.f("fk_user_nagari_nagari_code_wilayah")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_nagari_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "nagari_code", name=op.f("pk_user_nagari")),
    )
    with op.batch_alter_table("user_nagari", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_nagari_nagari_code"), ["nagari_code"], unique=False)

    op.create_table(
        "sidilan_verval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tanggal", sa.Date(), nullable=False),
        sa.Column("hasil", sa.String(length=20), nullable=False),
        sa.Column("catatan", sa.String(length=500), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["sidilan_person.id"], name=op.f("fk_sidilan_verval_person_id_sidilan_person")
        ),
        sa.ForeignKeyConstraint(
            ["regency_id"], ["regency.id"], name=op.f("fk_sidilan_verval_regency_id_regency")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_sidilan_verval_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sidilan_verval")),
    )
    with op.batch_alter_table("sidilan_verval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sidilan_verval_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sidilan_verval_regency_id"), ["regency_id"], unique=False)

    with op.batch_alter_table("sidilan_person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tgl_verifikasi", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_sidilan_person_regency_verval",
            ["regency_id", "status_verifikasi", "tgl_verifikasi", "id"],
            unique=False,
        )
    # approved records: the day of their latest approval event
    day = "date(MAX(v.at))" if op.get_bind().dialect.name == "sqlite" else "CAST(MAX(v.at) AS DATE)"
    op.execute(
        "UPDATE sidilan_person SET tgl_verifikasi = ("
        f" SELECT {day} FROM sidilan_verification v"
        " WHERE v.person_id = sidilan_person.id AND v.to_status = 'disetujui')"
        " WHERE status_verifikasi = 'disetujui'"
    )


def downgrade():
    bind = op.get_bind()
    recipient.drop(
        bind
    )  # SQLite's batch mode copies sidilan_person, which the aid triggers name: put back after
    with op.batch_alter_table("sidilan_person", schema=None) as batch_op:
        batch_op.drop_index("ix_sidilan_person_regency_verval")
        batch_op.drop_column("tgl_verifikasi")
    recipient.create(bind)
    with op.batch_alter_table("sidilan_verval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sidilan_verval_regency_id"))
        batch_op.drop_index(batch_op.f("ix_sidilan_verval_person_id"))
    op.drop_table("sidilan_verval")
    with op.batch_alter_table("user_nagari", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_nagari_nagari_code"))
    op.drop_table("user_nagari")
