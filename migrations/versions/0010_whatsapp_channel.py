"""whatsapp channel: a version may reach the kecamatan through WhatsApp as through Telegram

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

`submission.channel` is a string with a CHECK of the values `models.tables.Channel` knows; "whatsapp" joins them,
because the chat core records the channel a secretary sent from (`Actor.channel`) and the next channel is WhatsApp.

SQLite cannot alter a CHECK: the table is rebuilt from its own CREATE statement with the list widened, under
`PRAGMA defer_foreign_keys` (submission_file refers to it), its rows and indexes put back as they were.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("telegram", "kertas", "cli", "impor")
AFTER = (*BEFORE, "whatsapp")


def _check(values: tuple[str, ...]) -> str:
    return "channel IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _widen(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_submission_channel"), "submission", type_="check")
        op.create_check_constraint(op.f("ck_submission_channel"), "submission", _check(new))
        return
    create = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'submission'")
    ddl = create.scalar_one()
    listed = ", ".join(f"'{v}'" for v in old)
    assert listed in ddl, ddl
    ddl = ddl.replace(listed, ", ".join(f"'{v}'" for v in new))
    indexes = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'submission' AND sql IS NOT NULL"
        )
    ]
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("CREATE TEMP TABLE submission_0010 AS SELECT * FROM submission")
    op.execute("DROP TABLE submission")
    op.execute(ddl)
    op.execute("INSERT INTO submission SELECT * FROM submission_0010")
    op.execute("DROP TABLE submission_0010")
    for index in indexes:
        op.execute(index)


def upgrade() -> None:
    _widen(BEFORE, AFTER)


def downgrade() -> None:
    _widen(AFTER, BEFORE)
