"""The courier: notices to other people leave as soon as the transaction that queued them commits.

A staf's alert, a verdict, an agreed date, an undo, a revocation are outbox rows of subject "notice", so they survive
a crash and go out on the channel the rules choose (`bot.services.contacts`). They must not wait for the minute's
sweep: the chat core reports that its commit queued one (`Outcome.notices_queued`), the adapter wakes the courier,
and the courier sweeps only notices, leaving reminders to the sweep that is due for them. A notice the courier
missed (a crash between commit and wake) goes out with the next minute's sweep, which takes every subject.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from bot.app import App
from bot.chat.transport import Transport
from scheduler.sweep import CLAIM_BATCH, sweep

log = logging.getLogger("klambi.courier")
SUBJECTS = {"notice"}


class Courier:
    def __init__(self, app: App, transports: Mapping[str, Transport], worker: str) -> None:
        self.app, self.transports, self.worker = app, transports, worker
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

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
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while (await sweep(self.app, self.transports, self.worker, subjects=SUBJECTS)).claimed >= CLAIM_BATCH:
                    pass
            except Exception:  # the database away a moment: the minute's sweep sends what is left
                log.warning("sending notices failed; the next sweep takes them", exc_info=True)
