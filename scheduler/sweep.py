"""The sweep: claim the due rows of the outbox, send them, mark them. Driven by the clock, not the other way round.

A worker claims rows in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer), so
two workers never take the same row. Each row is sent and marked in its own transaction: a crash loses nothing and
doubles at most the one message in flight. Rows claimed by a worker that died are taken back after a while. After
downtime, of one subject's due reminders to one person only the latest goes out; the rest are superseded.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.app import App
from models.tables import OutboxMessage, OutboxStatus, Person
from scheduler.messages import Message, compose, unreachable_notice

log = logging.getLogger("klambi.sweep")
CLAIM_BATCH = 200
STALE_CLAIM = timedelta(minutes=10)
CAPTION_LIMIT = 1024
PREPARED_AHEAD = 8  # messages composed while an earlier one is being sent


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    superseded: int = 0
    unreachable: int = 0
    retried: int = 0
    sent_ids: list[int] = field(default_factory=list)


async def claim(app: App, worker: str, now: datetime, limit: int = CLAIM_BATCH) -> list[int]:
    async with app.sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
            .values(status=OutboxStatus.PLANNED, claimed_by=None)
        )
        due = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PLANNED, OutboxMessage.send_at <= now)
            .order_by(OutboxMessage.send_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = await session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due), OutboxMessage.status == OutboxStatus.PLANNED)
            .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
            .returning(OutboxMessage.id)
        )
        return sorted(claimed)


async def _supersede(app: App, ids: list[int]) -> tuple[list[int], int]:
    """Of one subject's claimed rows to one recipient, keep the latest; mark the others superseded."""
    async with app.sessions() as session, session.begin():
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))).all()
        groups: dict[tuple[str, str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            groups[(row.subject_type, row.subject_id, row.recipient_key)].append(row)
        keep, superseded = [], 0
        for group in groups.values():
            group.sort(key=lambda r: (r.for_date, r.send_at, r.id))
            keep.append(group[-1].id)
            for row in group[:-1]:
                row.status = OutboxStatus.SUPERSEDED
                superseded += 1
        return sorted(keep), superseded


async def sweep(app: App, bot: Bot, worker: str = "bot", limit: int = CLAIM_BATCH) -> SweepResult:
    """Send what is due now (by the app's clock).

    Two stages in step: while one message waits for the rate limiter and the network, the next ones are composed
    (at most PREPARED_AHEAD): the database work no longer adds to the time between two messages. One sender keeps
    the order of the claimed rows."""
    now = app.clock.now()
    result = SweepResult()
    ids = await claim(app, worker, now, limit)
    result.claimed = len(ids)
    if not ids:
        return result
    ids, result.superseded = await _supersede(app, ids)
    ready: asyncio.Queue[tuple[int, int, Message] | None] = asyncio.Queue(maxsize=PREPARED_AHEAD)

    async def prepare() -> None:
        try:
            for outbox_id in ids:
                prepared = await _prepare(app, outbox_id, worker, result)
                if prepared is not None:
                    await ready.put(prepared)
        finally:
            await ready.put(None)

    async def send() -> None:
        while (item := await ready.get()) is not None:
            outbox_id, chat_id, message = item
            await _mark(app, outbox_id, await _send(bot, chat_id, message), result)

    await asyncio.gather(prepare(), send())
    return result


async def _prepare(app: App, outbox_id: int, worker: str, result: SweepResult) -> tuple[int, int, Message] | None:
    """Compose a claimed row's message from the database as it is now; None when there is nothing to send."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        row = await session.get(OutboxMessage, outbox_id)
        if row is None or row.status is not OutboxStatus.SENDING or row.claimed_by != worker:
            return None
        message = await compose(session, row, now, app.settings.bot.language)
        if message is None:  # nothing left to say: the document arrived, the digest is empty
            row.status = OutboxStatus.CANCELLED
            result.cancelled += 1
            return None
        return row.id, row.chat_id, message


async def _mark(app: App, outbox_id: int, outcome: Exception | int, result: SweepResult) -> None:
    """Record how sending went: sent (with the Telegram message id), unreachable, or back to planned for a retry."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        row = await session.get(OutboxMessage, outbox_id)
        assert row is not None
        row.attempts += 1
        if isinstance(outcome, int):
            row.status, row.sent_at, row.telegram_message_id = OutboxStatus.SENT, app.clock.now(), outcome
            result.sent += 1
            result.sent_ids.append(row.id)
        elif isinstance(outcome, Forbidden | BadRequest):
            row.status, row.last_error = OutboxStatus.UNREACHABLE, str(outcome)[:500]
            result.unreachable += 1
            await _mark_unreachable(session, row, app, now)
        else:
            row.status, row.claimed_by, row.last_error = OutboxStatus.PLANNED, None, str(outcome)[:500]
            result.retried += 1


async def _send(bot: Bot, chat_id: int, message: Message) -> Exception | int:
    """Send one outbox message; its Telegram message id, or what went wrong.

    A file goes with its text as the caption when the text fits one (1024 characters); otherwise the file goes first
    and the text, with the buttons, after it.
    """
    markup = (
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in message.buttons]
        )
        if message.buttons
        else None
    )
    try:
        file = message.attachment
        if file is not None:
            send_file = bot.send_photo if file.get("kind") == "photo" else bot.send_document
            if len(message.text) <= CAPTION_LIMIT:
                sent = await send_file(chat_id, file["telegram_file_id"], caption=message.text, reply_markup=markup)
                return sent.message_id
            await send_file(chat_id, file["telegram_file_id"])
        sent = await bot.send_message(
            chat_id, message.text, reply_markup=markup, entities=list(message.entities) or None
        )
    except (Forbidden, BadRequest, RetryAfter, TimedOut, NetworkError) as problem:
        log.warning("outbox message to a chat not delivered: %s", type(problem).__name__)
        return problem
    return sent.message_id


async def _mark_unreachable(session: Any, row: OutboxMessage, app: App, now: datetime) -> None:
    """A person who blocked the bot is marked, and the kecamatan's staf are told once."""
    if row.person_id is None:
        return
    person = await session.get(Person, row.person_id)
    if person is None or person.unreachable_at is not None:
        return
    person.unreachable_at = now
    await unreachable_notice(session, person, row, now, app.settings.bot.language)
