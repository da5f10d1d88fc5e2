"""The courier: messages a person's action causes for others leave as soon as the transaction that queued them
commits.

A staf's alert, a verdict, an agreed date, an undo, a revocation (subject "notice"), an announcement and a meeting's
invitation or notulen are outbox rows, so they survive a crash and go out on the channel the rules choose
(`bot.services.contacts`). They must not wait for the minute's sweep: the chat core reports that its commit queued
one (`Outcome.notices_queued`), the adapter wakes the courier, and the courier sweeps only those subjects
(`bot.services.notices.SENT_AT_ONCE`), leaving reminders to the sweep that is due for them. What the courier missed
(a crash between commit and wake) goes out with the next minute's sweep, which takes every subject.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from bot.app import App
from bot.chat.transport import Transport
from bot.services.notices import SENT_AT_ONCE
from scheduler.sweep import sweep

log = logging.getLogger("klambi.courier")
AGAIN = 20  # sweeps in a row at most, before waiting for the next wake


class Courier:
    def __init__(self, app: App, transports: Mapping[str, Transport], worker: str) -> None:
        self.app, self.transports, self.worker = app, transports, worker
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def idle(self) -> None:
        """Wait until what the courier was woken for has been sent and marked (tests, and a clean stop)."""
        await self._idle.wait()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="courier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        subjects = set(SENT_AT_ONCE)
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                for _ in range(AGAIN):  # a sweep may queue notices of its own (staf told someone is unreachable)
                    result = await sweep(self.app, self.transports, self.worker, subjects=subjects)
                    if not (result.more or result.notices_queued):
                        break
            except Exception:  # the database away a moment: the minute's sweep sends what is left
                log.warning("sending notices failed; the next sweep takes them", exc_info=True)
            if not self._wake.is_set():
                self._idle.set()
