"""sidilan wgss visits: WG-SS kept per visit like the Barthel assessments, never overwritten

Revision ID: 0027_sidilan_wgss_visits
Revises: 0024_sidilan_household_roles
Create Date: 2026-12-02 04:20:00

- sidilan_wgss_visit: one WG-SS answer set per visit (date, petugas, the six raw answers).
- sidilan_disability.wg_tanggal: the date of the latest visit, whose answers the disability's wg_* columns copy.
- Every disability that already holds WG-SS answers gets them as its first visit, dated on the day (WIB) the
  disability row was last saved, with no petugas (not known).
"""

import sqlalchemy as sa
from alembic import op

from blueprints.core.timeutil import UTCDateTime, to_local

# revision identifiers, used by Alembic.
revision = "0027_sidilan_wgss_visits"
down_revision = "0024_sidilan_household_roles"
branch_labels = None
depends_on = None

WG = ("wg_melihat", "wg_mendengar", "wg_berjalan", "wg_mengingat", "wg_merawat_diri", "wg_komunikasi")


def upgrade():
    op.create_table(
        "sidilan_wgss_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tgl_wawancara", sa.Date(), nullable=False),
        sa.Column("petugas_id", sa.Integer(), nullable=True),
        *[sa.Column(f, sa.Integer(), nullable=True) for f in WG],
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["sidilan_person.id"]),
        sa.ForeignKeyConstraint(["petugas_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sidilan_wgss_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sidilan_wgss_visit_person_date", ["person_id", "tgl_wawancara", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sidilan_wgss_visit_regency_id"), ["regency_id"], unique=False)
    with op.batch_alter_table("sidilan_disability", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wg_tanggal", sa.Date(), nullable=True))

    # existing answers become each disability's first visit
    disability = sa.table(
        "sidilan_disability",
        sa.column("id", sa.Integer()),
        sa.column("person_id", sa.Integer()),
        sa.column("updated_at", UTCDateTime()),
        sa.column("wg_tanggal", sa.Date()),
        *[sa.column(f, sa.Integer()) for f in WG],
    )
    person = sa.table("sidilan_person", sa.column("id", sa.Integer()), sa.column("regency_id", sa.Integer()))
    visit = sa.table(
        "sidilan_wgss_visit",
        sa.column("person_id", sa.Integer()),
        sa.column("regency_id", sa.Integer()),
        sa.column("tgl_wawancara", sa.Date()),
        sa.column("created_at", UTCDateTime()),
        *[sa.column(f, sa.Integer()) for f in WG],
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(disability, person.c.regency_id)
        .join(person, person.c.id == disability.c.person_id)
        .where(sa.or_(*[disability.c[f].is_not(None) for f in WG]))
        .order_by(disability.c.id)
    ).all()
    if not rows:
        return
    visits, dates = [], []
    for r in rows:
        when = to_local(r.updated_at).date()
        visits.append(
            dict(
                person_id=r.person_id,
                regency_id=r.regency_id,
                tgl_wawancara=when,
                created_at=r.updated_at,
                **{f: getattr(r, f) for f in WG},
            )
        )
        dates.append(dict(d_id=r.id, d_date=when))
    conn.execute(visit.insert(), visits)
    conn.execute(
        disability.update()
        .where(disability.c.id == sa.bindparam("d_id"))
        .values(wg_tanggal=sa.bindparam("d_date")),
        dates,
    )


def downgrade():
    with op.batch_alter_table("sidilan_disability", schema=None) as batch_op:
        batch_op.drop_column("wg_tanggal")
    with op.batch_alter_table("sidilan_wgss_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sidilan_wgss_visit_regency_id"))
        batch_op.drop_index("ix_sidilan_wgss_visit_person_date")
    op.drop_table("sidilan_wgss_visit")
