"""Reading a document that arrived in the chat: off the event loop, in a child process, within the time limits of
`[reading]` (docs/domain.md, "Reading a document").

Reading only helps: a file that cannot be read, a reading that takes too long or a reader that crashed gives None
and a line in the log; the conversation goes on as if nothing was read. `workers` readings run at once in this
process; the others wait their turn (nobody else waits: the chat goes on meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.config import ReadingSettings
from bot.reading import FIELDS, Limits, Reading, Unreadable, read_isolated

log = logging.getLogger("klambi.reading")


class Reader:
    def __init__(self, settings: ReadingSettings) -> None:
        self.settings = settings
        self._slots: asyncio.Semaphore | None = None

    @property
    def limits(self) -> Limits:
        return Limits(seconds=self.settings.seconds, ocr_seconds=self.settings.ocr_seconds, ocr=self.settings.ocr)

    async def read(self, paths: list[Path]) -> Reading | None:
        """What the files say, as the pages of one document in order; None when reading is off, failed or found
        nothing."""
        if not self.settings.enabled or not paths:
            return None
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.settings.workers)
        async with self._slots:
            try:
                reading = await asyncio.to_thread(read_isolated, paths, self.limits)
            except Unreadable as problem:
                log.info("a document could not be read: %s", problem.key)
                return None
            except Exception:  # reading only helps: whatever went wrong, the conversation goes on
                log.warning("reading a document failed", exc_info=True)
                return None
        found = [name for name in FIELDS if reading.found(name)]
        log.info("read a document of %d page(s) by %s: %s", reading.pages, reading.source,
                 ", ".join(found) or "nothing")  # fmt: skip
        return reading if found else None
