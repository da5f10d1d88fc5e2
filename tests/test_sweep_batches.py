"""The batched sweep (issue 19): rows are composed, sent and marked in batches with several sends in flight, and the
crash safety of issue 4 still holds: no row is marked sent that did not go, what went but was not marked yet goes at
most once more (when the stale claim is taken back), two workers never send one row twice, and messages to one
person keep their order. Deliveries are counted per row by a recording transport; nothing here is timed."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, event, select

from bot.app import App
from bot.chat.messages import OutMessage, Sender
from bot.chat.transport import TryLater
from bot.services.calendar import load_calendar
from bot.services.notices import queue_notice
from bot.services.people import create_invitation, redeem_invitation
from bot.services.places import import_area
from models.tables import Contact, OutboxMessage, OutboxStatus, Person, Role
from scheduler import sweep as sweeping
from scheduler.sweep import AT_RISK, STALE_CLAIM, sweep
from tests.conftest import WIB

JATIROTO, ROJOPOLO = "35.08.17", "35.08.17.2002"
T0 = datetime(2024, 9, 2, 9, 0, tzinfo=WIB)
PEOPLE, EACH = 6, 10  # 60 notices: more than a compose batch's first part, several mark batches


class Broken(Exception):
    """Not a channel's answer: something the sweep does not expect."""


class Recording:
    """A transport that counts what it delivered, per text (each row's text is its own). `fail_at`: the n-th
    delivery (from 1) raises instead of delivering; `gate`: deliveries after `open_for` of them wait for it."""

    channel = "fake"

    def __init__(self, fail_at: int | None = None, open_for: int | None = None) -> None:
        self.delivered: Counter[str] = Counter()
        self.order: dict[str, list[str]] = {}
        self.calls = 0
        self.fail_at, self.open_for = fail_at, open_for
        self.gate = asyncio.Event()
        self.waiting = 0
        self.reached_gate = asyncio.Event()

    async def deliver(self, address: str, message: OutMessage, prepared: object = None) -> str:
        self.calls += 1
        if self.calls == self.fail_at:
            raise Broken("the transport broke")
        if self.open_for is not None and self.calls > self.open_for:
            self.waiting += 1
            self.reached_gate.set()
            await self.gate.wait()
        for _ in range(self.calls * 7 % 5):  # sends take different times: later ones may overtake earlier ones
            await asyncio.sleep(0)
        self.delivered[message.text.text] += 1
        self.order.setdefault(address, []).append(message.text.text)
        return f"fake-{self.calls}"


async def _world(app: App) -> dict[str, str]:
    """PEOPLE people on the fake channel, EACH notices queued to each; the text of every row by its id."""
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, T0, [2025], await load_calendar(session))
    people = []
    for n in range(PEOPLE):
        sender = Sender("fake", f"f-{n}", f"f-{n}", f"Staf {n}")
        async with app.sessions() as session, session.begin():
            invitation = await create_invitation(session, Role.STAF, JATIROTO, T0, channel="fake")
            people.append((await redeem_invitation(session, invitation.code, sender, T0)).person.id)
    async with app.sessions() as session, session.begin():
        for i in range(EACH):
            for pid in people:
                person = await session.get(Person, pid)
                message = OutMessage.of(f"notice {pid}-{i}")
                queued = await queue_notice(
                    session,
                    kecamatan_kode=JATIROTO,
                    person=person,
                    role="staf",
                    key=f"n{pid}-{i}",
                    message=message,
                    now=T0,
                )
                assert queued
        # only the notices: what joining planned (the staf's digests) is not what is looked at here
        await session.execute(delete(OutboxMessage).where(OutboxMessage.subject_type != "notice"))
    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage.id, OutboxMessage.subject_id))).all()
    return {row_id: f"notice {key[1:]}" for row_id, key in rows}


async def _statuses(app: App) -> dict[int, OutboxStatus]:
    async with app.sessions() as session:
        return dict((await session.execute(select(OutboxMessage.id, OutboxMessage.status))).all())


async def _until_done(app: App, transport: Recording) -> None:
    for _ in range(10):
        if not (await sweep(app, {"fake": transport}, "survivor")).claimed:
            return
    raise AssertionError("the outbox did not empty")


def _marked_only_if_delivered(statuses: dict[int, OutboxStatus], texts: dict[int, str], delivered: Counter) -> None:
    for row_id, status in statuses.items():
        if status is OutboxStatus.SENT:
            assert delivered[texts[row_id]] >= 1, f"row {row_id} marked sent but never delivered"


def _at_most_once_more(texts: dict[int, str], first: Counter, later: Counter, marked_first: set[int]) -> None:
    """After the stale claims are taken back: every row went; a row went twice only if it went the first time
    without being marked; never three times; and no more than AT_RISK doubled."""
    doubled = []
    for row_id, text in texts.items():
        total = first[text] + later[text]
        assert 1 <= total <= 2, f"row {row_id} delivered {total} times"
        if total == 2:
            assert row_id not in marked_first and first[text] == 1
            doubled.append(row_id)
    assert len(doubled) <= AT_RISK


async def test_a_transport_that_breaks_mid_batch_marks_only_what_went_and_resends_the_rest_once(app, clock):
    texts = await _world(app)
    clock.set(T0 + timedelta(minutes=1))
    broken = Recording(fail_at=25)
    with pytest.raises(Broken):
        await sweep(app, {"fake": broken}, "dies")
    statuses = await _statuses(app)
    _marked_only_if_delivered(statuses, texts, broken.delivered)
    marked = {row_id for row_id, status in statuses.items() if status is OutboxStatus.SENT}
    assert marked and len(marked) < len(texts)  # what went before the break is marked; the rest waits
    assert sum(broken.delivered.values()) < len(texts)
    assert set(statuses.values()) <= {OutboxStatus.SENT, OutboxStatus.SENDING}

    clock.set(T0 + timedelta(minutes=1) + STALE_CLAIM + timedelta(minutes=1))
    healthy = Recording()
    await _until_done(app, healthy)
    assert set((await _statuses(app)).values()) == {OutboxStatus.SENT}
    _at_most_once_more(texts, broken.delivered, healthy.delivered, marked)


async def test_a_sweep_cancelled_mid_batch_resends_at_most_what_was_not_marked(app, clock):
    texts = await _world(app)
    clock.set(T0 + timedelta(minutes=1))
    held = Recording(open_for=30)  # 30 go, then the next sends hang in flight
    running = asyncio.create_task(sweep(app, {"fake": held}, "dies"))
    await held.reached_gate.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    statuses = await _statuses(app)
    _marked_only_if_delivered(statuses, texts, held.delivered)
    marked = {row_id for row_id, status in statuses.items() if status is OutboxStatus.SENT}
    assert 0 < len(marked) <= sum(held.delivered.values()) < len(texts)
    assert all(statuses[r] is OutboxStatus.SENDING for r in texts if r not in marked)  # claimed, not lost

    clock.set(T0 + timedelta(minutes=1))  # not stale yet: nobody else takes them
    assert (await sweep(app, {"fake": Recording()}, "survivor")).claimed == 0
    clock.set(T0 + timedelta(minutes=1) + STALE_CLAIM + timedelta(minutes=1))
    later = Recording()
    await _until_done(app, later)
    assert set((await _statuses(app)).values()) == {OutboxStatus.SENT}
    _at_most_once_more(texts, held.delivered, later.delivered, marked)


async def test_a_crash_with_sends_unmarked_doubles_only_those(app, clock, monkeypatch):
    """A worker killed after sending but before marking (its marks never reach the database) doubles what it sent
    since its last mark, and nothing else."""
    texts = await _world(app)
    clock.set(T0 + timedelta(minutes=1))
    real_mark, marks = sweeping._mark, 0

    async def mark_then_die(app_, batch, result):
        nonlocal marks
        marks += 1
        if marks > 1:  # the process is gone before its second mark
            raise asyncio.CancelledError
        await real_mark(app_, batch, result)

    monkeypatch.setattr(sweeping, "_mark", mark_then_die)
    dying = Recording()
    with pytest.raises(asyncio.CancelledError):
        await sweep(app, {"fake": dying}, "dies")
    monkeypatch.setattr(sweeping, "_mark", real_mark)
    statuses = await _statuses(app)
    _marked_only_if_delivered(statuses, texts, dying.delivered)
    marked = {row_id for row_id, status in statuses.items() if status is OutboxStatus.SENT}
    assert marked
    clock.set(T0 + timedelta(minutes=1) + STALE_CLAIM + timedelta(minutes=1))
    later = Recording()
    await _until_done(app, later)
    _at_most_once_more(texts, dying.delivered, later.delivered, marked)
    doubled = {t for t in texts.values() if dying.delivered[t] + later.delivered[t] == 2}
    assert doubled == {texts[r] for r in texts if r not in marked and dying.delivered[texts[r]]}


async def test_two_workers_never_send_one_row_twice_and_each_person_gets_theirs_in_order(app, settings, clock):
    texts = await _world(app)
    clock.set(T0 + timedelta(minutes=1))
    transport = Recording()
    other = App.create(settings, clock)
    try:
        first, second = await asyncio.gather(
            sweep(app, {"fake": transport}, "worker-1", limit=25), sweep(other, {"fake": transport}, "worker-2")
        )
        rest = await sweep(app, {"fake": transport}, "worker-1")
    finally:
        await other.close()
    assert set(first.sent_ids).isdisjoint(second.sent_ids)
    assert first.sent + second.sent + rest.sent == len(texts)
    assert set(transport.delivered.values()) == {1}
    async with app.sessions() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.id, Contact.user_id)
                .join(Contact, Contact.person_id == OutboxMessage.person_id)
                .order_by(OutboxMessage.id)
            )
        ).all()
    # one worker's rows to one person went in the order of their ids (the order the sweep claimed them in)
    for worker_ids in (first.sent_ids, second.sent_ids, rest.sent_ids):
        mine = set(worker_ids)
        by_address: dict[str, list[str]] = {}
        for row_id, address in rows:
            if row_id in mine:
                by_address.setdefault(address, []).append(texts[row_id])
        for address, expected in by_address.items():
            assert [t for t in transport.order[address] if t in expected] == expected


async def test_a_send_the_channel_asks_to_retry_goes_back_to_planned_and_comes_once_more(app, clock):
    """Rows a channel asks to retry go back to planned (marked in their batch), and come again once."""
    texts = await _world(app)
    clock.set(T0 + timedelta(minutes=1))

    class Flaky(Recording):
        async def deliver(self, address: str, message: OutMessage, prepared: object = None) -> str:
            if message.text.text.endswith("-3"):
                raise TryLater("a moment")
            return await super().deliver(address, message, prepared)

    flaky = Flaky()
    result = await sweep(app, {"fake": flaky}, "w")
    assert result.retried == PEOPLE and result.sent == len(texts) - PEOPLE
    statuses = await _statuses(app)
    assert Counter(statuses.values()) == {OutboxStatus.SENT: len(texts) - PEOPLE, OutboxStatus.PLANNED: PEOPLE}
    again = Recording()
    assert (await sweep(app, {"fake": again}, "w")).sent == PEOPLE
    assert set(flaky.delivered.values()) == {1} and set(again.delivered.values()) == {1}
    assert not set(flaky.delivered) & set(again.delivered)


async def test_a_sweep_stopped_at_any_moment_never_cuts_a_transaction(app, clock):
    """The courier's stop cancels the sweep, and the pipeline then cancels its workers too: a worker in the middle
    of a commit is cancelled twice. Each transaction still runs whole (`bot.db.whole`): no connection is thrown away,
    and what is marked went."""
    texts = await _world(app)
    cut = []
    event.listen(app.engine.sync_engine.pool, "invalidate", lambda *_: cut.append(1))
    delivered: Counter[str] = Counter()
    for attempt in range(40):
        clock.set(T0 + timedelta(minutes=1) + attempt * (STALE_CLAIM + timedelta(minutes=1)))  # retake the claims
        transport = Recording()
        running = asyncio.create_task(sweep(app, {"fake": transport}, f"stopped-{attempt}"))
        for _ in range(attempt % 20):  # stopped at a different step each time
            await asyncio.sleep(0)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        delivered.update(transport.delivered)
    assert cut == []
    _marked_only_if_delivered(await _statuses(app), texts, delivered)
