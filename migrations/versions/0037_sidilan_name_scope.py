"""sidilan name search: on PostgreSQL the trigram index over a person's folded name is led by the regency

Revision ID: 0037_sidilan_name_scope
Revises: 0033_rujukan_bridging
Create Date: 2026-12-02 18:00:00

A search for a piece of a name always filters on the user's regency. With the trigram index over the name alone
the planner sometimes read the whole regency through its plain index and filtered every row (three times
slower); with the regency inside the GIN index (btree_gin) the index answers both conditions. SQLite's FTS5
table is unchanged.
"""

from alembic import op

from blueprints.core.textsearch import TextIndex

# revision identifiers, used by Alembic.
revision = "0037_sidilan_name_scope"
down_revision = "0033_rujukan_bridging"
branch_labels = None
depends_on = None

NAME_ONLY = TextIndex("sidilan_person", ("name_key",))
WITH_REGENCY = TextIndex("sidilan_person", ("name_key",), scope="regency_id")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        NAME_ONLY.drop(bind)
        WITH_REGENCY.create(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        WITH_REGENCY.drop(bind)
        NAME_ONLY.create(bind)
