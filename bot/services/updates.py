"""Each Telegram update changes the database at most once.

Telegram delivers an update again when it did not learn that it was handled: the bot crashed before its next
getUpdates confirmed the offset, a webhook answer was lost, or a proxy gave the same update to two workers. The key
(bot, update_id) is inserted in the update's own transaction, first: a second delivery finds it and does nothing; two
deliveries at once on PostgreSQL wait on the key and the later one finds it once the first commits (or takes over if
the first rolled back). A refused update (bad input, answered with its friendly text) keeps its key while its work
is undone, so a redelivery is not answered again; an update whose handling failed (the database busy or away) rolls
the key back with everything else, so a redelivery is handled afresh.
"""

from __future__ import annotations

import functools
import zlib
from datetime import datetime, timedelta

from sqlalchemy import Insert, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import ProcessedUpdate

# Telegram keeps an unconfirmed update for 24 hours; after a week without updates it may start update ids afresh.
KEEP = timedelta(days=3)


async def first_delivery(session: AsyncSession, channel: str, key: str, now: datetime) -> bool:
    """Record the delivery as handled by this transaction; False when it already was (nothing more to do).

    A delivery's key is "<sender id>:<delivery id>", two whole numbers: for Telegram the bot's id and the update id
    (`bot.channels.telegram.adapter`). Another channel's sender ids are kept apart from Telegram's (positive) bot ids
    by a negative number derived from the channel's name. WhatsApp's ids are strings (wamid): its inbox will keep
    them in a table of their own.
    """
    sender_id, delivery_id = (int(part) for part in key.split(":"))
    bot_id = sender_id if channel == "telegram" else -(zlib.crc32(channel.encode()) + 1)
    update_id = delivery_id if channel == "telegram" else sender_id * 2**32 + delivery_id
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    values = {"bot_id": bot_id, "update_id": update_id, "handled_at": now}
    result = await session.execute(_recording(dialect), values)
    return result.rowcount == 1


@functools.cache
def _recording(dialect: str) -> Insert:
    """The statement that records a delivery, built once per dialect (every update runs it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(ProcessedUpdate.__table__).on_conflict_do_nothing(index_elements=["bot_id", "update_id"])


async def forget_old_updates(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < now - KEEP))
    return result.rowcount
