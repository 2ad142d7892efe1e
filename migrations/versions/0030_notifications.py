"""notifications (issue 14 part 1): messages to a facility about its records, read marks per user

Revision ID: 0030_notifications
Revises: 0034_rujukan_directory
Create Date: 2026-12-02 15:00:00

- notification: one message for every user of a target organisation (kind, text on screen, text that leaves
  the app, the link as endpoint + arguments, the subject record, sticky until resolved, the e-mail's state).
  ix_notification_org_created serves the page and the top bar's unread count, ix_notification_org_open the
  home panel; once_key (unique) keeps a daily job from adding a message twice.
- notification_read (notification_id, user_id): who read which.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030_notifications"
down_revision = "0034_rujukan_directory"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("mail_text", sa.String(length=300), nullable=False),
        sa.Column("endpoint", sa.String(length=80), nullable=True),
        sa.Column("args_json", sa.String(length=200), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("once_key", sa.String(length=120), nullable=True),
        sa.Column("sticky", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email_to", sa.String(length=120), nullable=True),
        sa.Column("email_status", sa.String(length=10), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_notification_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("once_key", name=op.f("uq_notification_once_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_org_created", ["organisation_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_notification_org_open", ["organisation_id", "sticky", "resolved_at"], unique=False)
        batch_op.create_index("ix_notification_subject", ["subject_type", "subject_id"], unique=False)
    op.create_table(
        "notification_read",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
            name=op.f("fk_notification_read_notification_id_notification"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_read_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notification_id", "user_id", name=op.f("pk_notification_read")),
    )


def downgrade():
    op.drop_table("notification_read")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_subject")
        batch_op.drop_index("ix_notification_org_open")
        batch_op.drop_index("ix_notification_org_created")
    op.drop_table("notification")
