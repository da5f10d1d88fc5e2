"""The application's parts, built once from the settings and shared by the CLI, the bot and the jobs."""

from __future__ import annotations

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
