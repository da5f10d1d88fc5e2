"""The application's parts, built once from the settings and shared by the CLI, the bot and the jobs."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import make_engine, session_factory
from bot.storage import FileStore


@dataclass
class App:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    files: FileStore

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> App:
        engine = make_engine(settings.database.url, settings.database.echo)
        return cls(settings, clock or SystemClock(), engine, session_factory(engine), FileStore(settings.storage.path))

    @property
    def language(self) -> str:
        return self.settings.bot.language

    async def close(self) -> None:
        await self.engine.dispose()


async def until_stopped() -> None:
    """Wait for Ctrl-C or SIGTERM (a long-running command: `klambi run`, `klambi web`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
