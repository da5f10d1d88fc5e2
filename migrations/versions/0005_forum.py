"""the forum: announcements, problems and questions, meetings; the Telegram message id of a sent outbox row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.partition(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_message_id", sa.BigInteger(), nullable=True))

    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("desa_codes", sa.JSON(), nullable=False),
        sa.Column("to_forum", sa.Boolean(), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("announcement", "kecamatan_kode", "kecamatan.kode"),
        _fk("announcement", "author_id", "person.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    op.create_index("ix_announcement_kecamatan_kode", "announcement", ["kecamatan_kode"])
    op.create_table(
        "announcement_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("desa_kode", sa.String(length=13), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        _fk("announcement_recipient", "announcement_id", "announcement.id"),
        _fk("announcement_recipient", "person_id", "person.id"),
        _fk("announcement_recipient", "desa_kode", "desa.kode"),
        _fk("announcement_recipient", "outbox_id", "outbox.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_recipient")),
        sa.UniqueConstraint("announcement_id", "person_id", name="uq_announcement_recipient_announcement_person"),
    )
    op.create_table(
        "forum_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("kendala", "tanya", name="thread_kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("desa_kode", sa.String(length=13), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "terbuka",
                "dijawab",
                "selesai",
                name="thread_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        _fk("forum_thread", "kecamatan_kode", "kecamatan.kode"),
        _fk("forum_thread", "desa_kode", "desa.kode"),
        _fk("forum_thread", "author_id", "person.id"),
        _fk("forum_thread", "obligation_id", "obligation.id"),
        _fk("forum_thread", "closed_by_id", "person.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_thread")),
    )
    op.create_index("ix_forum_thread_kecamatan_status", "forum_thread", ["kecamatan_kode", "status"])
    op.create_table(
        "forum_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        _fk("forum_reply", "thread_id", "forum_thread.id"),
        _fk("forum_reply", "author_id", "person.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_reply")),
    )
    op.create_index("ix_forum_reply_thread_id", "forum_reply", ["thread_id"])
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("desa_codes", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notulen", sa.Text(), nullable=True),
        sa.Column("notulen_attachment", sa.JSON(), nullable=True),
        sa.Column("notulen_at", sa.DateTime(), nullable=True),
        _fk("meeting", "kecamatan_kode", "kecamatan.kode"),
        _fk("meeting", "created_by_id", "person.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_index("ix_meeting_kecamatan_kode", "meeting", ["kecamatan_kode"])
    op.create_table(
        "meeting_invitee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("desa_kode", sa.String(length=13), nullable=True),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        _fk("meeting_invitee", "meeting_id", "meeting.id"),
        _fk("meeting_invitee", "person_id", "person.id"),
        _fk("meeting_invitee", "desa_kode", "desa.kode"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_invitee")),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_meeting_invitee_meeting_person"),
    )


def downgrade() -> None:
    op.drop_table("meeting_invitee")
    op.drop_index("ix_meeting_kecamatan_kode", table_name="meeting")
    op.drop_table("meeting")
    op.drop_index("ix_forum_reply_thread_id", table_name="forum_reply")
    op.drop_table("forum_reply")
    op.drop_index("ix_forum_thread_kecamatan_status", table_name="forum_thread")
    op.drop_table("forum_thread")
    op.drop_table("announcement_recipient")
    op.drop_index("ix_announcement_kecamatan_kode", table_name="announcement")
    op.drop_table("announcement")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("telegram_message_id")
