"""One account must not stall everyone: a flood is cut off as it arrives, before any database work.

Each account has a bucket of `BURST` updates that refills at one a second: a whole submission (30 pages and the
steps around it) fits, a script does not. An account that empties it is told once, kindly, and ignored for `QUIET`
seconds. The Telegram channel asks the gate when an update arrives, before it joins its person's line
(`bot.channels.telegram.processor`) or is stored (the webhook), so a flood neither waits in memory nor reaches the
database, and others are not delayed. The gate lives in memory, per process (several workers each keep their own),
and measures with a monotonic clock: it is about how fast updates arrive, not about dates, so it does not read
`bot.clock` (which stands still in tests and jumps in the demo).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

log = logging.getLogger("klambi.flood")
BURST = 40  # updates at once
REFILL_PER_SECOND = 1.0
QUIET = 60.0  # seconds ignored after the warning
KEEP = 10_000  # accounts remembered before idle ones are forgotten


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # the update that overflowed: answered with the warning only
    DROP = "drop"  # ignored quietly


@dataclass
class _Bucket:
    tokens: float
    at: float
    quiet_until: float = float("-inf")


class FloodGate:
    """A token bucket per account (a channel's id of the person); the channel's adapter asks it before any work."""

    def __init__(self, burst: int = BURST, now: Callable[[], float] = time.monotonic) -> None:
        self.burst, self._now = burst, now
        self._buckets: dict[object, _Bucket] = {}

    def admit(self, user_id: object) -> Verdict:
        now = self._now()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= KEEP:
                self._forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        if now < bucket.quiet_until:
            return Verdict.DROP
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * REFILL_PER_SECOND)
        bucket.at = now
        if bucket.tokens < 1:
            bucket.quiet_until = now + QUIET
            return Verdict.WARN
        bucket.tokens -= 1
        return Verdict.PASS

    def _forget_idle(self, now: float) -> None:
        full = now - self.burst / REFILL_PER_SECOND
        self._buckets = {u: b for u, b in self._buckets.items() if b.at > full or b.quiet_until > now}
