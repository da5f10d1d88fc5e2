"""The outbox's pace on Telegram: at most `rate` starts a second, evenly spaced on a schedule that does not drift,
and never more than `most` messages reaching Telegram in any second, however the network delays them.

PTB's overall bucket (aiolimiter's `AsyncLimiter` of one, refilled 29 times a second) spaces each start from the
moment the previous one actually began: when the event loop wakes a waiter a few milliseconds late, that time is
lost for good, and a busy loop sends at 25 a second instead of 29 (benchmarks `dispatch`). `Pacer` keeps its own
slots one interval apart: a start a little late (less than `slack`) leaves the next slot where it was; a later one
(the outbox was idle, the loop stalled) begins a new schedule, so no backlog of slots is spent in a burst.

Even spacing at the start is not even spacing at arrival once several sends are in flight (issue 19: they overlap):
one delayed on the way and the next on time arrive together, and Telegram counts arrivals (30 in any second, then
429). So a send also waits while `most` sends are in flight or answered within the last `window` seconds. A message
arrives between its start and its answer, so any `window` of arrivals holds at most `most` of them, whatever the
delays: the last of them to start saw all the others in flight or answered less than `window` before.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any


class Pacer:
    """`async with pacer:` around one call to Telegram: waits for its start slot (an async context manager like
    aiolimiter's) and, on the way out, records when it was answered."""

    def __init__(self, rate: float, most: int = 30, window: float = 1.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:  # fmt: skip
        self.interval = 1 / rate
        self.slack = self.interval / 2
        self.most, self.window = most, window
        self._clock, self._sleep = clock, sleep
        self._next: float | None = None  # the next slot; None before the first start
        self._lock = asyncio.Lock()
        self._in_flight = 0
        self._answered: deque[float] = deque()  # when the calls of the last `window` seconds were answered
        self._changed = asyncio.Event()

    async def acquire(self) -> float:
        """Wait for a slot; the slot taken (on `clock`). The caller must `release()` once answered."""
        async with self._lock:  # one waiter at a time, in the order they came
            await self._room()
            now = self._clock()
            if self._next is None or now - self._next > self.slack:
                self._next = now  # idle, or too late to keep the schedule: a new one from now
            elif self._next > now:
                await self._sleep(self._next - now)
            slot = self._next
            self._next = slot + self.interval
            self._in_flight += 1
            return slot

    def release(self) -> None:
        self._in_flight -= 1
        self._answered.append(self._clock())
        self._changed.set()

    async def _room(self) -> None:
        """Until fewer than `most` calls are in flight or were answered within the last `window` seconds."""
        while True:
            now = self._clock()
            while self._answered and self._answered[0] <= now - self.window:
                self._answered.popleft()
            if self._in_flight + len(self._answered) < self.most:
                return
            if self._answered:  # the oldest answer leaves the window then
                await self._sleep(self._answered[0] + self.window - now)
            else:  # all of them in flight: until one is answered
                self._changed.clear()
                await self._changed.wait()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *_: object) -> None:
        self.release()


def pace_bulk(limiter: object) -> None:
    """Give PTB's `AIORateLimiter` (or a subclass) a `Pacer` at the rate of its overall bucket, in place of that
    bucket. Its other limits (group chats, the pause after a 429) stay as they are."""
    from telegram.ext import AIORateLimiter

    bucket = getattr(limiter, "_base_limiter", None)
    if isinstance(limiter, AIORateLimiter) and bucket is not None and not isinstance(bucket, Pacer):
        limiter._base_limiter = Pacer(bucket.max_rate / bucket.time_period)  # type: ignore[assignment]
