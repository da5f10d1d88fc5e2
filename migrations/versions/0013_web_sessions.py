"""web sessions: one-use sign-in links and server-side sessions of the dashboard

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

The dashboard (`/dasbor`) has no passwords: `/dasbor` in the chat, or `klambi web link`, makes a one-use link
(`web_link`, the token's hash only) that opens a session (`web_session`, the cookie token's hash only). A session is
ended in the database (Keluar, `klambi web revoke`), so ending one takes effect at the next request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE_KINDS = ("desa", "kecamatan", "kabupaten", "deployment")


def _scope_kind() -> sa.Enum:
    return sa.Enum(*SCOPE_KINDS, name="scope_kind", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "web_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("scope_kind", _scope_kind(), nullable=True),
        sa.Column("scope_code", sa.String(length=13), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_web_link_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_link_token_hash")),
    )
    op.create_index(op.f("ix_web_link_person_id"), "web_link", ["person_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("scope_kind", _scope_kind(), nullable=True),
        sa.Column("scope_code", sa.String(length=13), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["web_link.id"], name=op.f("fk_web_session_link_id_web_link")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_web_session_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    op.create_index(op.f("ix_web_session_person_id"), "web_session", ["person_id"])
    op.create_index(op.f("ix_web_session_expires_at"), "web_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_web_session_expires_at"), table_name="web_session")
    op.drop_index(op.f("ix_web_session_person_id"), table_name="web_session")
    op.drop_table("web_session")
    op.drop_index(op.f("ix_web_link_person_id"), table_name="web_link")
    op.drop_table("web_link")
