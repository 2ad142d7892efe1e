"""rujukan bridging fields and attachments: P-Care referral number, BPJS card, SEP; photos and PDFs per letter

Revision ID: 0033_rujukan_bridging
Revises: 0036_pending_submissions
Create Date: 2026-12-02 15:00:00

- pcare_number (19), bpjs_card (13): typed by the sender, checked by format only (no BPJS API).
- sep_number (19), sep_at: the SEP number the receiving hospital enters after arrival.
- rujukan_attachment: EKG, lab result and other photos/PDFs of a letter; the file in the upload area, the row
  kept (marked removed, with reason) when removed after issue.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033_rujukan_bridging"
down_revision = "0036_pending_submissions"
branch_labels = None
depends_on = None

COLUMNS = (
    ("pcare_number", sa.String(length=19)),
    ("bpjs_card", sa.String(length=13)),
    ("sep_number", sa.String(length=19)),
    ("sep_at", sa.DateTime(timezone=True)),
)


def upgrade():
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    op.create_table(
        "rujukan_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=60), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["referral_id"], ["rujukan_referral.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["removed_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rujukan_attachment_referral", "rujukan_attachment", ["referral_id", "removed_at"])


def downgrade():
    op.drop_index("ix_rujukan_attachment_referral", table_name="rujukan_attachment")
    op.drop_table("rujukan_attachment")
    with op.batch_alter_table("rujukan_referral", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
