"""security: server-side sessions, shared rate counters, a superadmin that belongs to no regency

Revision ID: 0006_security
Revises: 0005_trust
Create Date: 2026-12-01 08:24:41.399856

- user_session: one row per browser session (the cookie holds only its id); replaces
  user_account.session_version, which is dropped.
- rate_counter: login throttling and rate-limit counters shared by every worker.
- user_account.regency_id and organisation_id become nullable; superadmin accounts are moved out of the
  regency and organisation they were filed under (a regency admin could otherwise reach them).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_security'
down_revision = '0005_trust'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_counter',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counter'))
    )
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_counter_expires_at'), ['expires_at'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column('regency_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_column('session_version')

    op.execute("UPDATE user_account SET regency_id = NULL, organisation_id = NULL WHERE role = 'superadmin'")


def downgrade():
    # a superadmin without a regency goes back under the first organisation (the old schema requires one)
    op.execute("UPDATE user_account SET organisation_id = (SELECT MIN(id) FROM organisation) "
               "WHERE organisation_id IS NULL")
    op.execute("UPDATE user_account SET regency_id = (SELECT regency_id FROM organisation "
               "WHERE organisation.id = user_account.organisation_id) WHERE regency_id IS NULL")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.INTEGER(), server_default='1', nullable=False))
        batch_op.alter_column('regency_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column('organisation_id', existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_session_last_seen_at'))

    op.drop_table('user_session')
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_counter_expires_at'))

    op.drop_table('rate_counter')
