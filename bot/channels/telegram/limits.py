"""Telegram's sending limits: bulk messages (the outbox) at 29 a second in total; answers to the person who wrote
are not held to that bucket.

Telegram's FAQ (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this): in one chat, avoid more
than one message a second (short bursts are tolerated); in a group, no more than 20 a minute; and "if you're sending
bulk notifications to multiple users, the API will not allow more than 30 messages per second". Answers to people
who just wrote are conversations, not bulk notifications. So:
- a call marked `BROADCAST` (the outbox's reminders and notices, `bot/channels/telegram/transport.py`) passes the
  overall bucket of `SEND_RATE` a second, evenly spaced;
- every other call (the answers) skips it; group chats keep PTB's 20 a minute;
- every call is retried after a 429 (`RetryAfter`) up to `MAX_RETRIES` times, all sending paused meanwhile (PTB).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from telegram.ext import AIORateLimiter

# Messages a second, evenly spaced. Telegram allows 30 in any second; PTB's default limiter (30 per second as a
# bucket of 30) lets a burst of 30 through and then 30 more within the same second, which Telegram answers with 429.
# A bucket of one refilled 29 times a second never sends more than 30 in any second, with a margin for jitter.
SEND_RATE = 29
MAX_RETRIES = 3
BROADCAST = "broadcast"  # `rate_limit_args` of a bulk message
_bulk: ContextVar[bool] = ContextVar("klambi_bulk", default=False)


class KlambiRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (group limits, the pause and retries after a 429), its overall bucket applied only to
    calls marked `BROADCAST`."""

    def __init__(self) -> None:
        super().__init__(overall_max_rate=1, overall_time_period=1 / SEND_RATE, max_retries=MAX_RETRIES)

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: Any) -> Any:  # fmt: skip
        token = _bulk.set(rate_limit_args == BROADCAST)
        try:
            return await super().process_request(callback, args, kwargs, endpoint, data, None)
        finally:
            _bulk.reset(token)

    async def _run_request(self, chat: bool, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return await super()._run_request(chat and _bulk.get(), *args, **kwargs)
