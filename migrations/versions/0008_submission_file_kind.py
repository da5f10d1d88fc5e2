"""how each file came from Telegram, so it is sent on the same way

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Telegram refuses a document's file_id in sendPhoto ("type of file mismatch"): a PNG scan sent as a document never
reached staf. Files already stored are classified as the bot received them: a photo has no file name, a document
has one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_kind", sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE submission_file SET telegram_kind = CASE WHEN original_name IS NULL AND mime_type LIKE 'image/%' "
        "THEN 'photo' ELSE 'document' END WHERE telegram_file_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.drop_column("telegram_kind")
