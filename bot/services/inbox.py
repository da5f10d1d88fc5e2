"""The inbox: messages stored by the channel's own id before they are handled, then handled in order per sender.

A webhook (WhatsApp's) stores what arrived in one short transaction and answers; a redelivered id finds its row and
adds nothing (`store`). Workers — this process's, another process's on the same PostgreSQL, or this one after a
restart — claim the pending rows of a sender together (`claim`): a sender whose rows another live worker holds is
left to it, so one person's messages are handled one after the other, in the order they were stored; different
people side by side. A claim not finished within `STALE_CLAIM` (a worker that died) is taken over. Handled rows are
kept `KEEP` (Meta retries a message for days), then forgotten (`forget_old`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.tables import InboxMessage, InboxStatus

KEEP = timedelta(days=8)
STALE_CLAIM = timedelta(minutes=5)
_CLAIM_LOCK = zlib.crc32(b"klambi inbox claim")  # PostgreSQL: one claim at a time across workers


@dataclass(frozen=True)
class Arrival:
    """One message as the channel sent it: its id, who sent it, and the message itself."""

    external_id: str
    sender: str
    payload: dict[str, Any]


async def store(session: AsyncSession, channel: str, arrivals: Iterable[Arrival], now: datetime) -> int:
    """Keep each message once; how many were new (a redelivered id is not)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    new = 0
    for arrival in arrivals:
        statement = (
            insert(InboxMessage)
            .values(
                channel=channel,
                external_id=arrival.external_id[:128],
                sender=arrival.sender[:64],
                payload=arrival.payload,
                received_at=now,
                status=InboxStatus.PENDING,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        )
        new += (await session.execute(statement)).rowcount
    return new


async def claim(session: AsyncSession, worker: str, now: datetime, senders: int) -> dict[tuple[str, str], list[int]]:
    """Claim the pending rows of up to `senders` senders no other live worker is serving: (channel, sender) to the
    row ids, oldest first. Run in its own short transaction."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CLAIM_LOCK})
    await session.execute(
        update(InboxMessage)
        .where(
            InboxMessage.status == InboxStatus.PENDING,
            InboxMessage.claimed_by.is_not(None),
            InboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(claimed_by=None, claimed_at=None)
    )
    held = aliased(InboxMessage)
    free = (
        select(InboxMessage.channel, InboxMessage.sender)
        .where(InboxMessage.status == InboxStatus.PENDING, InboxMessage.claimed_by.is_(None))
        .where(
            ~exists().where(
                held.status == InboxStatus.PENDING,
                held.claimed_by.is_not(None),
                held.channel == InboxMessage.channel,
                held.sender == InboxMessage.sender,
            )
        )
        .group_by(InboxMessage.channel, InboxMessage.sender)
        .order_by(func.min(InboxMessage.id))
        .limit(senders)
    )
    claimed: dict[tuple[str, str], list[int]] = {}
    for channel, sender in (await session.execute(free)).all():
        ids = await _take(session, worker, now, channel, sender)
        if ids:
            claimed[(channel, sender)] = ids
    return claimed


async def claim_more(session: AsyncSession, worker: str, now: datetime, channel: str, sender: str) -> list[int]:
    """Rows of a sender this worker serves that arrived since it claimed; the claim on the rest is renewed."""
    await session.execute(
        update(InboxMessage)
        .where(
            InboxMessage.status == InboxStatus.PENDING,
            InboxMessage.claimed_by == worker,
            InboxMessage.channel == channel,
            InboxMessage.sender == sender,
        )
        .values(claimed_at=now)
    )
    return await _take(session, worker, now, channel, sender)


async def _take(session: AsyncSession, worker: str, now: datetime, channel: str, sender: str) -> list[int]:
    taken = await session.scalars(
        update(InboxMessage)
        .where(
            InboxMessage.status == InboxStatus.PENDING,
            InboxMessage.claimed_by.is_(None),
            InboxMessage.channel == channel,
            InboxMessage.sender == sender,
        )
        .values(claimed_by=worker, claimed_at=now)
        .returning(InboxMessage.id)
    )
    return sorted(taken)


async def finish(session: AsyncSession, inbox_id: int, now: datetime, error: str | None = None) -> None:
    """The row was handled (or failed past every answer: `error`)."""
    row = await session.get(InboxMessage, inbox_id)
    if row is None:
        return
    row.attempts += 1
    row.status = InboxStatus.FAILED if error else InboxStatus.HANDLED
    row.handled_at, row.last_error, row.claimed_by = now, (error or None) and error[:500], None


async def release(session: AsyncSession, inbox_id: int) -> None:
    """Give a row back (the database was busy): the next claim takes it again, in its place in the order."""
    await session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == inbox_id)
        .values(claimed_by=None, claimed_at=None, attempts=InboxMessage.attempts + 1)
    )


async def pending_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).where(InboxMessage.status == InboxStatus.PENDING)) or 0)


async def forget_old(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(InboxMessage).where(InboxMessage.status != InboxStatus.PENDING, InboxMessage.received_at < now - KEEP)
    )
    return result.rowcount
