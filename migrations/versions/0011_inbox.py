"""inbox: messages stored by the channel's id before they are handled; the outbox learns templates and statuses

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

WhatsApp's webhook stores each message by its wamid (`inbox`, unique per channel and id) and answers at once; a
worker handles the rows in order per sender. An outbox row records the template that carried it outside the 24-hour
window, whether its content still waits for the person to write (`follow_up`), and when WhatsApp reported it
delivered and read. A contact keeps the choices of the last list too long for its channel, for paging.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("pending", "handled", "failed")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="inbox_status", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.String(length=60), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "external_id", name="uq_inbox_channel_external_id"),
    )
    op.create_index("ix_inbox_status_sender", "inbox", ["status", "channel", "sender"])
    op.create_index(op.f("ix_inbox_received_at"), "inbox", ["received_at"])
    # SQLite's own ADD COLUMN suffices: nothing is altered or dropped.
    op.add_column("outbox", sa.Column("template", sa.String(length=64), nullable=True))
    op.add_column("outbox", sa.Column("follow_up", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("outbox", sa.Column("delivered_at", sa.DateTime(), nullable=True))
    op.add_column("outbox", sa.Column("read_at", sa.DateTime(), nullable=True))
    op.add_column("contact", sa.Column("choices", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("contact", "choices")
    for column in ("read_at", "delivered_at", "follow_up", "template"):
        op.drop_column("outbox", column)
    op.drop_index(op.f("ix_inbox_received_at"), table_name="inbox")
    op.drop_index("ix_inbox_status_sender", table_name="inbox")
    op.drop_table("inbox")
