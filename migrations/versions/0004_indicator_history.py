"""history of published figures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("realisasi", sa.Integer(), nullable=False),
        sa.Column("capaian", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kecamatan_kode"], ["kecamatan.kode"], name=op.f("fk_indicator_history_kecamatan_kode_kecamatan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_history")),
        sa.UniqueConstraint(
            "kecamatan_kode", "indicator", "year", name="uq_indicator_history_kecamatan_indicator_year"
        ),
    )


def downgrade() -> None:
    op.drop_table("indicator_history")
