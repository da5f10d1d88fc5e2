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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, true, update

from bot.app import App
from bot.chat.messages import OutMessage
from bot.chat.transport import Prepared, Transport, TryLater, Unreachable, Waiting
from bot.i18n import Language
from bot.services.contacts import contact_for_notice, is_reachable, mark_unreachable, outside_window
from bot.services.notices import WAKE
from models.tables import OutboxMessage, OutboxStatus, Person
from scheduler.messages import compose, unreachable_notice

log = logging.getLogger("klambi.sweep")
CLAIM_BATCH = 200
STALE_CLAIM = timedelta(minutes=10)
PREPARED_AHEAD = 8  # messages composed while an earlier one is being sent


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    superseded: int = 0
    unreachable: int = 0
    retried: int = 0
    rerouted: int = 0  # refused by one contact, back on the outbox for the person's other contact
    outside_window: int = 0  # sent to a contact whose channel's window was closed (as a template)
    waiting: int = 0  # left planned by their channel (a template not approved yet, the day's limit near)
    notices_queued: bool = False  # sending queued notices to send at once (staf told a person is unreachable)
    sent_ids: list[int] = field(default_factory=list)

    @property
    def more(self) -> bool:
        """Worth sweeping again at once: a whole batch was claimed and some of it moved on. Rows that only came back
        (waiting, to be retried) must not spin the sweep: they wait for the next one."""
        return self.claimed >= CLAIM_BATCH and self.claimed > self.waiting + self.retried


async def claim(
    app: App, worker: str, now: datetime, limit: int = CLAIM_BATCH, subjects: set[str] | None = None
) -> list[int]:
    async with app.sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
            .values(status=OutboxStatus.PLANNED, claimed_by=None)
        )
        due = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PLANNED, OutboxMessage.send_at <= now)
            .where(OutboxMessage.subject_type.in_(sorted(subjects)) if subjects is not None else true())
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


async def sweep(
    app: App,
    transports: Mapping[str, Transport],
    worker: str = "bot",
    limit: int = CLAIM_BATCH,
    subjects: set[str] | None = None,
) -> SweepResult:
    """Send what is due now (by the app's clock), each row through the transport of the channel it goes to.

    A person's row goes to the contact `contact_for_notice` chooses at this moment (among the channels there is a
    transport for); a group's row to its own channel and address. `subjects` limits the sweep to some subject types
    (an immediate sender for "notice" leaves due reminders alone).

    Two stages in step: while one message waits for the rate limiter and the network, the next ones are composed
    (at most PREPARED_AHEAD): the database work no longer adds to the time between two messages. One sender keeps
    the order of the claimed rows."""
    now = app.clock.now()
    result = SweepResult()
    ids = await claim(app, worker, now, limit, subjects)
    result.claimed = len(ids)
    if not ids:
        return result
    ids, result.superseded = await _supersede(app, ids)
    ready: asyncio.Queue[_Prepared | None] = asyncio.Queue(maxsize=PREPARED_AHEAD)

    async def prepare() -> None:
        try:
            for outbox_id in ids:
                prepared = await _prepare(app, outbox_id, worker, transports, result)
                if prepared is not None:
                    await ready.put(prepared)
        finally:
            await ready.put(None)

    async def send() -> None:
        while (item := await ready.get()) is not None:
            outcome: Exception | str
            try:
                outcome = await transports[item.channel].deliver(item.address, item.message, item.prepared)
            except (Unreachable, TryLater) as problem:
                log.warning("outbox message on %s not delivered: %s", item.channel, type(problem).__name__)
                outcome = problem
            await _mark(app, item, outcome, result)

    await asyncio.gather(prepare(), send())
    return result


@dataclass(frozen=True)
class _Prepared:
    outbox_id: int
    channel: str
    address: str
    contact_id: int | None
    message: OutMessage
    prepared: Prepared | None = None


async def _prepare(
    app: App, outbox_id: int, worker: str, transports: Mapping[str, Transport], result: SweepResult
) -> _Prepared | None:
    """Compose a claimed row's message from the database as it is now and choose where it goes; None when there is
    nothing to send or nobody to send it to."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        try:
            return await _choose(app, session, outbox_id, worker, transports, result, now)
        finally:
            result.notices_queued |= bool(session.info.pop(WAKE, False))


async def _choose(
    app: App,
    session: Any,
    outbox_id: int,
    worker: str,
    transports: Mapping[str, Transport],
    result: SweepResult,
    now: datetime,
) -> _Prepared | None:
    row = await session.get(OutboxMessage, outbox_id)
    if row is None or row.status is not OutboxStatus.SENDING or row.claimed_by != worker:
        return None
    contact_id = None
    if row.person_id is not None:
        contact = await contact_for_notice(session, row.person_id, now, channels=transports.keys())
        if contact is None:  # every contact refused since it was queued: the staf were told then
            row.status, row.last_error = OutboxStatus.UNREACHABLE, "no reachable contact"
            result.unreachable += 1
            return None
        if outside_window(contact, now):
            result.outside_window += 1
            log.info("outbox row %s goes to a %s contact outside its window", row.id, contact.channel)
        channel, address, contact_id = contact.channel, contact.user_id or contact.phone, contact.id
    else:
        contact = None
        channel, address = row.channel, row.address
    if channel not in transports or address is None:
        row.status, row.last_error = OutboxStatus.UNREACHABLE, f"no transport for {channel}"
        result.unreachable += 1
        return None
    message = await compose(session, row, now, app.settings.bot.language, whatsapp=app.settings.whatsapp)
    if message is None:  # nothing left to say: the document arrived, the digest is empty
        row.status = OutboxStatus.CANCELLED
        result.cancelled += 1
        return None
    assert address is not None
    prepared = None
    prepare = getattr(transports[channel], "prepare", None)
    if prepare is not None:
        try:
            prepared = await prepare(session, row, message, contact, now)
        except Waiting as waiting:
            row.status, row.claimed_by, row.last_error = OutboxStatus.PLANNED, None, str(waiting)[:500]
            result.waiting += 1
            return None
    return _Prepared(row.id, channel, address, contact_id, message, prepared)


async def _mark(app: App, item: _Prepared, outcome: Exception | str, result: SweepResult) -> None:
    """Record how sending went: sent (where, and the channel's message id), unreachable, or back to planned."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        row = await session.get(OutboxMessage, item.outbox_id)
        assert row is not None
        row.attempts += 1
        if isinstance(outcome, str):
            row.status, row.sent_at, row.channel_message_id = OutboxStatus.SENT, now, outcome
            row.channel, row.address, row.contact_id = item.channel, item.address, item.contact_id
            if item.prepared is not None:
                item.prepared.record(row)
            result.sent += 1
            result.sent_ids.append(row.id)
        elif isinstance(outcome, Unreachable):
            row.last_error = str(outcome)[:500]
            if await _mark_unreachable(session, row, item, app, now):
                row.status, row.claimed_by = OutboxStatus.PLANNED, None  # to their other contact, next sweep
                result.rerouted += 1
            else:
                row.status = OutboxStatus.UNREACHABLE
                row.channel, row.address, row.contact_id = item.channel, item.address, item.contact_id
                result.unreachable += 1
            result.notices_queued |= bool(session.info.pop(WAKE, False))
        else:
            row.status, row.claimed_by, row.last_error = OutboxStatus.PLANNED, None, str(outcome)[:500]
            result.retried += 1


async def _mark_unreachable(session: Any, row: OutboxMessage, item: _Prepared, app: App, now: datetime) -> bool:
    return await contact_refused(session, row, item.contact_id, now, app.settings.bot.language)


async def contact_refused(
    session: Any, row: OutboxMessage, contact_id: int | None, now: datetime, lang: Language
) -> bool:
    """The contact that refused `row` is marked. True when the person still has a reachable contact (the row goes
    there instead); when they have none left, the kecamatan's staf are told once."""
    if row.person_id is None or contact_id is None:
        return False
    newly = await mark_unreachable(session, contact_id, now) is not None
    await session.flush()
    if await is_reachable(session, row.person_id):
        return True
    person = await session.get(Person, row.person_id)
    if newly and person is not None:
        await unreachable_notice(session, person, row, now, lang)
    return False
