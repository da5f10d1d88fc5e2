"""The inbox worker: takes what webhooks stored (`bot.services.inbox`) and hands it to its channel, one sender's
messages in order, different senders side by side.

A channel registers one coroutine per channel name: `serve(sender, ids, more)` handles the claimed rows of one
sender and marks each (`finish`); `more()` claims what that sender sent meanwhile (so a channel can answer a burst
— ten pages of an album — once, after the last). The worker wakes when a webhook stored something and also looks by
itself every `POLL_SECONDS` (rows another process stored, or a claim left by a worker that died).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.app import App
from bot.services.inbox import claim, claim_more

log = logging.getLogger("klambi.inbox")
POLL_SECONDS = 2.0
CONCURRENT_SENDERS = 8

More = Callable[[], Awaitable[list[int]]]
Serve = Callable[[str, list[int], More], Awaitable[None]]


class InboxWorker:
    def __init__(self, app: App, worker: str, *, concurrency: int = CONCURRENT_SENDERS) -> None:
        self.app, self.worker, self.concurrency = app, worker, concurrency
        self.channels: dict[str, Serve] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._serving: set[asyncio.Task[None]] = set()

    def register(self, channel: str, serve: Serve) -> None:
        self.channels[channel] = serve

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def idle(self) -> None:
        """Wait until everything stored so far (and woken for) has been handled (tests, the demo, a clean stop)."""
        await self._idle.wait()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="inbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._serving:
            await asyncio.gather(*self._serving, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            try:
                await self._round()
            except Exception:  # the database away a moment: the next round takes the rows again
                log.warning("inbox round failed", exc_info=True)
                await asyncio.sleep(POLL_SECONDS)
                continue
            if not self._serving and not self._wake.is_set():
                self._idle.set()

    async def _round(self) -> None:
        free = self.concurrency - len(self._serving)
        if free <= 0:
            return
        async with self.app.sessions() as session, session.begin():
            claimed = await claim(session, self.worker, self.app.clock.now(), free)
        for (channel, sender), ids in claimed.items():
            task = asyncio.create_task(self._serve(channel, sender, ids), name=f"inbox:{channel}")
            self._serving.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._serving.discard(task)
        self._wake.set()  # a slot is free, and the sender may have written meanwhile

    async def _serve(self, channel: str, sender: str, ids: list[int]) -> None:
        serve = self.channels.get(channel)
        if serve is None:
            log.error("no handler for %s messages in the inbox: left pending", channel)
            return

        async def more() -> list[int]:
            async with self.app.sessions() as session, session.begin():
                return await claim_more(session, self.worker, self.app.clock.now(), channel, sender)

        try:
            await serve(sender, ids, more)
        except Exception:
            log.exception("handling %s messages failed; the claim expires and they are tried again", channel)
