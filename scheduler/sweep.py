"""The sweep: claim the due rows of the outbox, send them, mark them. Driven by the clock, not the other way round.

A worker claims rows in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer), so
two workers never take the same row. After downtime, of one subject's due reminders to one person only the latest
goes out; the rest are superseded. Rows claimed by a worker that died are taken back after a while (`STALE_CLAIM`).

Three stages run side by side, so that the channel's rate is the only limit (issue 19):
- compose: `COMPOSE_BATCH` claimed rows at a time in one transaction, their people's contacts, kecamatan,
  obligations and desa loaded in a few `IN (...)` queries, then each message composed in Python;
- send: up to `SENDERS` deliveries in flight at once, the transport's rate limiter spacing their starts; messages to
  one address go one after another, in the order of the claimed rows;
- mark: the outcomes are recorded in one transaction per `MARK_BATCH` sends or every `MARK_EVERY` seconds, whichever
  comes first, always after the message went.
A message is marked sent only after it went. A crash doubles at most `AT_RISK` messages: those in flight and those
sent but not yet marked (a send waits for a slot, freed when its outcome is marked). A sweep that is cancelled or
whose transport fails marks what it knows went before it ends; the rest stays claimed and goes once more when the
claim is taken back. A stop never cuts a transaction in the middle: each runs whole (`bot.db.whole`), then the
sweep stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, select, true, update

from bot.app import App
from bot.chat.messages import OutMessage
from bot.chat.transport import Prepared, Transport, TryLater, Unreachable, Waiting
from bot.db import whole
from bot.i18n import Language
from bot.services.contacts import choose, contacts_by_person, is_reachable, mark_unreachable, outside_window
from bot.services.notices import WAKE
from models.tables import Contact, OutboxMessage, OutboxStatus, Person
from scheduler.messages import compose, preload, unreachable_notice

log = logging.getLogger("klambi.sweep")
CLAIM_BATCH = 200
STALE_CLAIM = timedelta(minutes=10)
COMPOSE_BATCH = 100  # rows composed in one transaction
FIRST_BATCH = 5  # a sweep's first compose batches are small, growing fourfold: sending starts at once
SENDERS = 8  # deliveries in flight at once (their starts spaced by the transport's rate limiter)
MARK_BATCH = 20  # outcomes recorded in one transaction...
MARK_EVERY = 0.5  # ...or after this many seconds, whichever comes first
AT_RISK = 40  # sends in flight or sent and not yet marked: what a crash may double


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
        # the ids first, then the update by them, its status test written so that no index serves it: otherwise
        # SQLite walks the status index (every planned row of the year, half a second at national size) testing
        # `id IN (...)` instead of looking the ids up. PostgreSQL's FOR UPDATE SKIP LOCKED holds the chosen rows.
        chosen = list(await session.scalars(due))
        if not chosen:
            return []
        claimed = await session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chosen), cast(OutboxMessage.status, String) == OutboxStatus.PLANNED.value)
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

    A person's row goes to the contact `bot.services.contacts.choose` picks at composing time (among the channels
    there is a transport for); a group's row to its own channel and address. `subjects` limits the sweep to some
    subject types (an immediate sender for "notice" leaves due reminders alone). See the module's docstring for the
    three stages and what a crash may double."""
    now = app.clock.now()
    result = SweepResult()
    ids = await whole(claim(app, worker, now, limit, subjects))  # each transaction whole, however the sweep stops
    result.claimed = len(ids)
    if not ids:
        return result
    ids, result.superseded = await whole(_supersede(app, ids))
    await _Pipeline(app, transports, worker, result).run(ids)
    return result


@dataclass(frozen=True)
class _Prepared:
    outbox_id: int
    channel: str
    address: str
    contact_id: int | None
    message: OutMessage
    prepared: Prepared | None = None


class _Pipeline:
    """Compose, send and mark side by side (the module's docstring)."""

    def __init__(self, app: App, transports: Mapping[str, Transport], worker: str, result: SweepResult) -> None:
        self.app, self.transports, self.worker, self.result = app, transports, worker, result
        self.ready: asyncio.Queue[_Prepared | None] = asyncio.Queue(maxsize=COMPOSE_BATCH)
        self.done: asyncio.Queue[tuple[_Prepared, Exception | str] | None] = asyncio.Queue()
        self.at_risk = asyncio.Semaphore(AT_RISK)
        self.addresses: dict[tuple[str, str], asyncio.Lock] = {}
        self.workers: list[asyncio.Task[None]] = []

    async def run(self, ids: list[int]) -> None:
        marker = asyncio.create_task(self._marker(), name="sweep-marker")
        self.workers = [asyncio.create_task(self._composer(ids), name="sweep-composer")]
        self.workers += [asyncio.create_task(self._sender(), name=f"sweep-sender-{n}") for n in range(SENDERS)]
        try:
            await asyncio.gather(*self.workers)
        except BaseException:  # a transport or the database failed, or the sweep was cancelled: stop sending
            for task in self.workers:
                task.cancel()
            await asyncio.gather(*self.workers, return_exceptions=True)
            raise
        finally:  # what went is marked before the sweep ends, however it ends (a marker that failed says why)
            self.done.put_nowait(None)
            await marker

    async def _composer(self, ids: list[int]) -> None:
        start, size = 0, FIRST_BATCH
        while start < len(ids):
            batch = ids[start : start + size]
            for item in await whole(_prepare(self.app, batch, self.worker, self.transports, self.result)):
                await self.ready.put(item)
            start, size = start + size, min(size * 4, COMPOSE_BATCH)
        await self.ready.put(None)

    async def _sender(self) -> None:
        while True:
            await self.at_risk.acquire()
            item = await self.ready.get()
            if item is None:
                self.at_risk.release()
                self.ready.put_nowait(None)  # for the next sender
                return
            # taken in the order of the claimed rows, and nothing awaited before the address's turn is queued:
            # messages to one address keep that order
            async with self.addresses.setdefault((item.channel, item.address), asyncio.Lock()):
                outcome: Exception | str
                try:
                    outcome = await self.transports[item.channel].deliver(item.address, item.message, item.prepared)
                except (Unreachable, TryLater) as problem:
                    log.warning("outbox message on %s not delivered: %s", item.channel, type(problem).__name__)
                    outcome = problem
                except BaseException:
                    self.at_risk.release()  # not known to have gone: stays claimed, goes again later
                    raise
            self.done.put_nowait((item, outcome))

    async def _marker(self) -> None:
        loop = asyncio.get_running_loop()
        getter: asyncio.Future[Any] | None = None

        async def following(timeout: float | None) -> Any:
            nonlocal getter
            getter = getter or asyncio.ensure_future(self.done.get())  # kept across timeouts: nothing is lost
            finished, _ = await asyncio.wait({getter}, timeout=timeout)
            if not finished:
                return _LATER
            got, getter = getter.result(), None
            return got

        try:
            while (first := await following(None)) is not None:
                batch, deadline = [first], loop.time() + MARK_EVERY
                while len(batch) < MARK_BATCH:
                    got = await following(max(0.0, deadline - loop.time()))
                    if got is _LATER:
                        break
                    if got is None:
                        self.done.put_nowait(None)  # the end: after this batch
                        break
                    batch.append(got)
                try:
                    await whole(_mark(self.app, batch, self.result))
                finally:
                    for _ in batch:
                        self.at_risk.release()
        except BaseException:  # the database failed: nothing more is sent that could not be marked
            for task in self.workers:
                task.cancel()
            raise
        finally:
            if getter is not None:
                getter.cancel()


_LATER = object()


async def _prepare(
    app: App, ids: Sequence[int], worker: str, transports: Mapping[str, Transport], result: SweepResult
) -> list[_Prepared]:
    """Compose claimed rows' messages from the database as it is now and choose where each goes, in one
    transaction; rows with nothing to send or nobody to send it to are left out (and marked so)."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        try:
            rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))))
            people = {row.person_id for row in rows if row.person_id is not None}
            contacts = await contacts_by_person(session, people)
            loaded = await preload(session, rows)  # noqa: F841 (held while composing)
            by_id = {row.id: row for row in rows}
            prepared = []
            for outbox_id in ids:
                row = by_id.get(outbox_id)
                item = await _choose(app, session, row, contacts, worker, transports, result, now)
                if item is not None:
                    prepared.append(item)
            return prepared
        finally:
            result.notices_queued |= bool(session.info.pop(WAKE, False))


async def _choose(
    app: App,
    session: Any,
    row: OutboxMessage | None,
    contacts: Mapping[int, list[Contact]],
    worker: str,
    transports: Mapping[str, Transport],
    result: SweepResult,
    now: datetime,
) -> _Prepared | None:
    if row is None or row.status is not OutboxStatus.SENDING or row.claimed_by != worker:
        return None
    contact_id = None
    if row.person_id is not None:
        contact = choose([c for c in contacts.get(row.person_id, []) if c.channel in transports], now)
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


async def _mark(app: App, batch: list[tuple[_Prepared, Exception | str]], result: SweepResult) -> None:
    """Record how sending went, in one transaction for the batch: sent (where, and the channel's message id),
    unreachable, or back to planned."""
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        ids = [item.outbox_id for item, _ in batch]
        rows = {row.id: row for row in await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))}
        for item, outcome in batch:
            row = rows[item.outbox_id]
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
            else:
                row.status, row.claimed_by, row.last_error = OutboxStatus.PLANNED, None, str(outcome)[:500]
                result.retried += 1
        result.notices_queued |= bool(session.info.pop(WAKE, False))


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
