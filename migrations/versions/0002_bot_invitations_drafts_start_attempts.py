"""bot: invitations, drafts, start attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "start_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_start_attempt")),
    )
    with op.batch_alter_table("start_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_start_attempt_telegram_user_id"), ["telegram_user_id"], unique=False)

    op.create_table(
        "draft",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_draft_person_id_person")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_draft")),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "sekdes",
                "pendamping",
                "staf",
                "camat",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "scope_kind",
            sa.Enum(
                "desa",
                "kecamatan",
                "kabupaten",
                "deployment",
                name="scope_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scope_code", sa.String(length=13), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], name=op.f("fk_invitation_created_by_id_person")),
        sa.ForeignKeyConstraint(["used_by_id"], ["person.id"], name=op.f("fk_invitation_used_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invitation_code_hash")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_file_id", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.drop_column("telegram_file_id")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("telegram_chat_id")

    op.drop_table("invitation")
    op.drop_table("draft")
    with op.batch_alter_table("start_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_start_attempt_telegram_user_id"))

    op.drop_table("start_attempt")
