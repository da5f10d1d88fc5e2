"""contacts: a person's ways to be reached, apart from the person; the outbox records channel and address when sent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10

`person.telegram_user_id`, `telegram_chat_id` and `unreachable_at` become one `contact` row per person with a Telegram
account (user_id as a string: Telegram's user id, which is also its private chat). A start attempt counts per channel
and user id. An outbox row keeps `channel`, `address`, `contact_id` and `channel_message_id` (a string): a group row
(the forum) has them from the start, a person's row once sent. Invitations record the channel they are for and may
name the person they add a contact to.

SQLite: `person` is referenced by most tables and `outbox` by announcement recipients, and the migration runs with
foreign keys on inside one transaction, where dropping a referenced table fails. `outbox` changes with SQLite's own
ADD/DROP COLUMN; `person` is rebuilt under `PRAGMA defer_foreign_keys` with the new table created under its own name
(not renamed), so inserting its rows back settles the references the drop left open.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _person_columns(with_telegram: bool) -> list[sa.Column]:
    columns = [sa.Column("id", sa.Integer(), nullable=False), sa.Column("name", sa.String(length=120), nullable=False)]
    if with_telegram:
        columns.append(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
    columns.append(sa.Column("created_at", sa.DateTime(), nullable=False))
    if with_telegram:
        columns += [
            sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
            sa.Column("unreachable_at", sa.DateTime(), nullable=True),
        ]
    columns.append(sa.Column("forgotten_at", sa.DateTime(), nullable=True))
    return columns


def _rebuild_person_sqlite(with_telegram: bool, select_columns: str) -> None:
    """Drop and create `person` again under its own name; its rows are inserted back, which settles the deferred
    references the drop left open (a rename would not)."""
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TEMP TABLE person_0009 AS SELECT {select_columns} FROM person")
    op.execute("DROP TABLE person")
    constraints: list = [sa.PrimaryKeyConstraint("id", name="pk_person")]
    if with_telegram:
        constraints.append(sa.UniqueConstraint("telegram_user_id", name="uq_person_telegram_user_id"))
    op.create_table("person", *_person_columns(with_telegram), *constraints)
    names = ", ".join(c.name for c in _person_columns(with_telegram))
    op.execute(f"INSERT INTO person ({names}) SELECT {names} FROM person_0009")
    op.execute("DROP TABLE person_0009")


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=True),
        sa.Column("unreachable_since", sa.DateTime(), nullable=True),
        sa.CheckConstraint("user_id IS NOT NULL OR phone IS NOT NULL", name=op.f("ck_contact_identified")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_contact_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("channel", "user_id", name="uq_contact_channel_user_id"),
        sa.UniqueConstraint("channel", "phone", name="uq_contact_channel_phone"),
    )
    op.create_index("ix_contact_person_id", "contact", ["person_id"])
    op.execute(
        "INSERT INTO contact (person_id, channel, user_id, display_name, linked_at, unreachable_since) "
        "SELECT id, 'telegram', CAST(COALESCE(telegram_user_id, telegram_chat_id) AS VARCHAR(64)), name, created_at, "
        "unreachable_at FROM person WHERE COALESCE(telegram_user_id, telegram_chat_id) IS NOT NULL "
        "AND forgotten_at IS NULL ORDER BY id"
    )

    # The outbox: where a row went, as strings.
    if _sqlite():
        kept = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("outbox")}  # contact_id, after a downgrade
        for name, ddl in (
            ("channel", "VARCHAR(20)"),
            ("address", "VARCHAR(64)"),
            ("contact_id", "INTEGER CONSTRAINT fk_outbox_contact_id_contact REFERENCES contact (id)"),
            ("channel_message_id", "VARCHAR(64)"),
        ):
            if name not in kept:
                op.execute(f"ALTER TABLE outbox ADD COLUMN {name} {ddl}")
    else:
        op.add_column("outbox", sa.Column("channel", sa.String(length=20), nullable=True))
        op.add_column("outbox", sa.Column("address", sa.String(length=64), nullable=True))
        op.add_column("outbox", sa.Column("contact_id", sa.Integer(), nullable=True))
        op.add_column("outbox", sa.Column("channel_message_id", sa.String(length=64), nullable=True))
        op.create_foreign_key(op.f("fk_outbox_contact_id_contact"), "outbox", "contact", ["contact_id"], ["id"])
    op.execute("UPDATE outbox SET channel = 'telegram', address = CAST(chat_id AS VARCHAR(64)) WHERE person_id IS NULL")
    op.execute(  # a person's row that went out (or was refused) keeps where it went; one still planned is resolved
        "UPDATE outbox SET channel = 'telegram', address = CAST(chat_id AS VARCHAR(64)), contact_id = ("
        "SELECT contact.id FROM contact WHERE contact.person_id = outbox.person_id AND contact.channel = 'telegram') "
        "WHERE person_id IS NOT NULL AND chat_id <> 0 AND status IN ('sent', 'unreachable')"
    )
    op.execute(
        "UPDATE outbox SET channel_message_id = CAST(telegram_message_id AS VARCHAR(64)) "
        "WHERE telegram_message_id IS NOT NULL"
    )
    if _sqlite():
        op.execute("ALTER TABLE outbox DROP COLUMN chat_id")
        op.execute("ALTER TABLE outbox DROP COLUMN telegram_message_id")
    else:
        op.drop_column("outbox", "chat_id")
        op.drop_column("outbox", "telegram_message_id")
    op.create_index("ix_outbox_channel_message", "outbox", ["channel", "channel_message_id"])

    # Wrong invitation codes, per channel and user id.
    with op.batch_alter_table("start_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=False, server_default="telegram"))
        batch_op.add_column(sa.Column("user_id", sa.String(length=64), nullable=False, server_default=""))
    op.execute("UPDATE start_attempt SET user_id = CAST(telegram_user_id AS VARCHAR(64))")
    with op.batch_alter_table("start_attempt", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)
        batch_op.alter_column("user_id", server_default=None)
        batch_op.drop_index("ix_start_attempt_telegram_user_id")
        batch_op.drop_column("telegram_user_id")
        batch_op.create_index("ix_start_attempt_channel_user_id", ["channel", "user_id"], unique=False)

    # The person keeps only what is theirs.
    if _sqlite():
        _rebuild_person_sqlite(False, "id, name, created_at, forgotten_at")
    else:
        op.drop_constraint("uq_person_telegram_user_id", "person", type_="unique")
        for column in ("telegram_user_id", "telegram_chat_id", "unreachable_at"):
            op.drop_column("person", column)

    # Invitations: the channel they are for, and the person they add a contact to.
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=False, server_default="telegram"))
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_invitation_person_id_person"), "person", ["person_id"], ["id"])


def downgrade() -> None:
    """Back to Telegram ids on the person: a person's Telegram contact returns there; contacts of other channels
    are lost (they did not exist before)."""
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invitation_person_id_person", type_="foreignkey")
        batch_op.drop_column("person_id")
        batch_op.drop_column("channel")

    telegram = "(SELECT {} FROM contact WHERE contact.person_id = person.id AND contact.channel = 'telegram')"
    user_id = f"CAST({telegram.format('contact.user_id')} AS BIGINT)"
    if _sqlite():
        _rebuild_person_sqlite(
            True,
            f"id, name, {user_id} AS telegram_user_id, created_at, {user_id} AS telegram_chat_id, "
            f"{telegram.format('contact.unreachable_since')} AS unreachable_at, forgotten_at",
        )
    else:
        op.add_column("person", sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
        op.add_column("person", sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True))
        op.add_column("person", sa.Column("unreachable_at", sa.DateTime(), nullable=True))
        op.execute(
            f"UPDATE person SET telegram_user_id = {user_id}, telegram_chat_id = {user_id}, "
            f"unreachable_at = {telegram.format('contact.unreachable_since')}"
        )
        op.create_unique_constraint("uq_person_telegram_user_id", "person", ["telegram_user_id"])

    with op.batch_alter_table("start_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("DELETE FROM start_attempt WHERE channel <> 'telegram'")
    op.execute("UPDATE start_attempt SET telegram_user_id = CAST(user_id AS BIGINT)")
    with op.batch_alter_table("start_attempt", schema=None) as batch_op:
        batch_op.alter_column("telegram_user_id", server_default=None)
        batch_op.drop_index("ix_start_attempt_channel_user_id")
        batch_op.drop_column("user_id")
        batch_op.drop_column("channel")
        batch_op.create_index("ix_start_attempt_telegram_user_id", ["telegram_user_id"], unique=False)

    op.drop_index("ix_outbox_channel_message", table_name="outbox")
    if _sqlite():
        op.execute("ALTER TABLE outbox ADD COLUMN chat_id BIGINT NOT NULL DEFAULT 0")
        op.execute("ALTER TABLE outbox ADD COLUMN telegram_message_id BIGINT")
    else:
        op.add_column("outbox", sa.Column("chat_id", sa.BigInteger(), nullable=False, server_default="0"))
        op.add_column("outbox", sa.Column("telegram_message_id", sa.BigInteger(), nullable=True))
        op.alter_column("outbox", "chat_id", server_default=None)
    op.execute(
        "UPDATE outbox SET chat_id = CAST(address AS BIGINT), telegram_message_id = CAST(channel_message_id AS BIGINT) "
        "WHERE channel = 'telegram' AND address IS NOT NULL"
    )
    op.execute(
        "UPDATE outbox SET chat_id = COALESCE((SELECT CAST(contact.user_id AS BIGINT) FROM contact "
        "WHERE contact.person_id = outbox.person_id AND contact.channel = 'telegram'), 0) "
        "WHERE address IS NULL AND person_id IS NOT NULL"
    )
    if _sqlite():
        op.execute("UPDATE outbox SET contact_id = NULL")
        for column in ("channel_message_id", "address", "channel"):
            op.execute(f"ALTER TABLE outbox DROP COLUMN {column}")
        # contact_id carries a foreign key, which SQLite's DROP COLUMN refuses: it stays, empty, and an upgrade
        # takes it up again
    else:
        op.drop_constraint("fk_outbox_contact_id_contact", "outbox", type_="foreignkey")
        for column in ("channel_message_id", "contact_id", "address", "channel"):
            op.drop_column("outbox", column)
    op.drop_index("ix_contact_person_id", table_name="contact")
    op.drop_table("contact")
