"""reminders: outbox, forum chat, unreachable people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=60), nullable=False),
        sa.Column("recipient_key", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "sending",
                "sent",
                "cancelled",
                "superseded",
                "unreachable",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.String(length=60), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kecamatan_kode"], ["kecamatan.kode"], name=op.f("fk_outbox_kecamatan_kode_kecamatan")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_outbox_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "subject_type",
            "subject_id",
            "recipient_key",
            "kind",
            "for_date",
            name="uq_outbox_subject_recipient_kind_day",
        ),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_kecamatan_status", ["kecamatan_kode", "status"], unique=False)
        batch_op.create_index("ix_outbox_status_send_at", ["status", "send_at"], unique=False)

    with op.batch_alter_table("kecamatan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forum_chat_id", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreachable_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("unreachable_at")

    with op.batch_alter_table("kecamatan", schema=None) as batch_op:
        batch_op.drop_column("forum_chat_id")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_send_at")
        batch_op.drop_index("ix_outbox_kecamatan_status")

    op.drop_table("outbox")
