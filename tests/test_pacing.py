"""The outbox's pace on Telegram (`bot.channels.telegram.pacing.Pacer`), on a clock of its own: slots one interval
apart that a late start does not push back, a fresh schedule after a pause, and never more than 30 starts in any
second at 29 a second however late the starts come. No real time passes."""

from __future__ import annotations

import asyncio
import itertools
import random

from telegram.ext import AIORateLimiter

from bot.channels.telegram.pacing import Pacer, pace_bulk


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_slots_are_one_interval_apart_and_a_little_lateness_is_not_lost():
    clock = Clock()
    pacer = Pacer(29, clock=clock, sleep=clock.sleep)
    slots = [await pacer.acquire() for _ in range(5)]
    assert [round((b - a) * 29, 6) for a, b in itertools.pairwise(slots)] == [1.0] * 4
    clock.now = slots[-1] + pacer.interval + pacer.slack * 0.9  # the next start comes late (the loop was busy)
    late = await pacer.acquire()
    assert late == slots[-1] + pacer.interval  # its slot, not its moment: the schedule did not move
    following = await pacer.acquire()
    assert following == late + pacer.interval and clock.now == following  # it waited only until its own slot


async def test_after_a_pause_a_new_schedule_begins_without_a_burst():
    clock = Clock()
    pacer = Pacer(29, clock=clock, sleep=clock.sleep)
    await pacer.acquire()
    clock.now += 10  # idle for ten seconds
    paused_until = clock.now
    first = await pacer.acquire()
    second = await pacer.acquire()
    assert first == paused_until and second == first + pacer.interval  # no slot of the pause is spent


async def test_never_more_than_thirty_starts_in_any_second_however_late_they_come():
    clock = Clock()
    pacer = Pacer(29, clock=clock, sleep=clock.sleep)
    rng = random.Random(19)
    starts = []
    for _ in range(3000):
        clock.now += rng.choice([0.0, 0.0, 0.001, 0.005, 0.012, 0.017, 0.03, 0.05])  # how late the caller comes
        await pacer.acquire()
        clock.now += rng.choice([0.0, 0.0, 0.002, 0.01])  # and how late it actually starts after its slot
        starts.append(clock.now)
        pacer.release()  # answered at once
    window = 0
    for i, start in enumerate(starts):
        while starts[window] <= start - 1.0:
            window += 1
        assert i - window + 1 <= 30
    assert len(starts) / (starts[-1] - starts[0]) > 20  # and it did send, near its rate


def test_ptbs_limiter_gets_a_pacer_at_its_own_rate_for_its_overall_bucket():
    limiter = AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 29, max_retries=3)
    pace_bulk(limiter)
    assert isinstance(limiter._base_limiter, Pacer) and round(1 / limiter._base_limiter.interval, 6) == 29
    unlimited = AIORateLimiter(overall_max_rate=0, max_retries=3)
    pace_bulk(unlimited)
    assert unlimited._base_limiter is None


async def test_thirty_in_flight_or_answered_within_a_second_hold_the_next_start():
    clock = Clock()
    pacer = Pacer(1000, most=30, clock=clock, sleep=clock.sleep)  # spacing aside: the window is what is looked at
    for _ in range(30):
        await pacer.acquire()
    waiting = asyncio.create_task(pacer.acquire())
    for _ in range(10):
        await asyncio.sleep(0)
    assert not waiting.done()  # thirty in flight: Telegram may not have seen any of them yet
    clock.now += 0.3
    answered_at = clock.now
    pacer.release()  # answered: it reached Telegram at some moment up to now, so it counts for a second more
    slot = await waiting
    assert slot >= answered_at + 1.0
