"""plan marks and state: the hourly planning job follows changes instead of re-deriving the country

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

`plan_mark` names the places whose reminders a change made stale without planning them again at once (issue 19);
`plan_state` (one row) how far every kecamatan is planned and with which settings. Without a state row the next job
plans every kecamatan once, in chunks.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_mark",
        sa.Column("place", sa.String(length=13), nullable=False),
        sa.PrimaryKeyConstraint("place", name=op.f("pk_plan_mark")),
    )
    op.create_table(
        "plan_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planned_until", sa.DateTime(), nullable=False),
        sa.Column("settings_key", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_state")),
    )
    # planning a kecamatan reads its rows from the window on: the index skips the sent history of earlier years
    op.create_index("ix_outbox_kecamatan_for_date", "outbox", ["kecamatan_kode", "for_date"])


def downgrade() -> None:
    op.drop_index("ix_outbox_kecamatan_for_date", table_name="outbox")
    op.drop_table("plan_state")
    op.drop_table("plan_mark")
