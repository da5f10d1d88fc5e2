"""The outbox's pace on Telegram: starts at most `rate` a second, evenly spaced, on a schedule that does not drift.

PTB's overall bucket (aiolimiter's `AsyncLimiter` of one, refilled 29 times a second) spaces each start from the
moment the previous one actually began: when the event loop wakes a waiter a few milliseconds late, that time is
lost for good, and a busy loop sends at 25 a second instead of 29 (benchmarks `dispatch`). `Pacer` keeps its own
slots one interval apart: a start that comes a little late (less than `slack`) leaves the next slot where it was, so
the rate holds; a start that comes later than that (the outbox was idle, or the loop stalled) begins a new schedule,
so no backlog of slots is ever spent in a burst. Telegram allows 30 messages in any second: 31 starts within a
second would need one to be more than a whole interval late while the 30 after it are on time; `slack` is half an
interval.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


class Pacer:
    """`async with pacer:` waits for the next start slot (an async context manager like aiolimiter's)."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:  # fmt: skip
        self.interval = 1 / rate
        self.slack = self.interval / 2
        self._clock, self._sleep = clock, sleep
        self._next: float | None = None  # the next slot; None before the first start
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Wait for a slot; the slot taken (on `clock`)."""
        async with self._lock:  # one waiter at a time, in the order they came
            now = self._clock()
            if self._next is None or now - self._next > self.slack:
                self._next = now  # idle, or too late to keep the schedule: a new one from now
            elif self._next > now:
                await self._sleep(self._next - now)
            slot = self._next
            self._next = slot + self.interval
            return slot

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *_: object) -> None:
        return None


def pace_bulk(limiter: object) -> None:
    """Give PTB's `AIORateLimiter` (or a subclass) a `Pacer` at the rate of its overall bucket, in place of that
    bucket. Its other limits (group chats, the pause after a 429) stay as they are."""
    from telegram.ext import AIORateLimiter

    bucket = getattr(limiter, "_base_limiter", None)
    if isinstance(limiter, AIORateLimiter) and bucket is not None and not isinstance(bucket, Pacer):
        limiter._base_limiter = Pacer(bucket.max_rate / bucket.time_period)  # type: ignore[assignment]
