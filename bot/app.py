"""The application's parts, built once from the settings and shared by the CLI, the bot and the jobs."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import make_engine, reap_closes, session_factory
from bot.storage import FileStore

if TYPE_CHECKING:
    from bot.services.reading import Reader
    from reports.pool import Builds


@dataclass
class App:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    files: FileStore
    _builds: Any = field(default=None, init=False, repr=False, compare=False)
    _reader: Any = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> App:
        engine = make_engine(settings.database.url, settings.database.echo)
        return cls(settings, clock or SystemClock(), engine, session_factory(engine), FileStore(settings.storage.path))

    @property
    def language(self) -> str:
        return self.settings.bot.language

    @property
    def builds(self) -> Builds:
        """Charts, workbooks and zips built off the event loop and kept (`reports.pool`); its pool starts on first
        use."""
        if self._builds is None:
            from reports.pool import Builds

            self._builds = Builds(self.settings.reports.workers)
        return self._builds

    @property
    def reader(self) -> Reader:
        """Documents sent in the chat, read off the event loop (`bot.services.reading`)."""
        if self._reader is None:
            from bot.services.reading import Reader

            self._reader = Reader(self.settings.reading)
        return self._reader

    async def close(self) -> None:
        if self._builds is not None:
            await self._builds.close()
        await self.engine.dispose()
        await reap_closes()


async def until_stopped() -> None:
    """Wait for Ctrl-C or SIGTERM (a long-running command: `klambi run`, `klambi web`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
