"""standing invitations: a desa's invitation in the staf digest keeps its code, to be shown again until it is used

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

The staf digest lists each desa without a secretary with a WhatsApp invitation link (`wa.me/...?text=DAFTAR%20CODE`)
and shows the same link every morning until it is used or expires. Codes are otherwise stored only as their hash, so
such an invitation keeps its code in `invitation.standing_code`; it is cleared when the invitation is used.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("invitation", sa.Column("standing_code", sa.String(length=64), nullable=True))  # SQLite: ADD COLUMN


def downgrade() -> None:
    op.drop_column("invitation", "standing_code")
