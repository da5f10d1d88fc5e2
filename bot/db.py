"""The database engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

import migrations

SQLITE_BUSY_TIMEOUT_MS = 5000
LOCK_FREE = "klambi_lock_free"  # execution option: the transaction only reads, or writes only TEMPORARY tables


def make_engine(url: str, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling would start a transaction only at the first write, so a SAVEPOINT opened
    # before any write would be the transaction and its RELEASE a commit. SQLAlchemy emits BEGIN itself instead
    # (its documented recipe for pysqlite), and savepoints nest inside a real transaction. BEGIN IMMEDIATE takes the
    # write lock at once: a transaction that read and then writes after another process wrote would otherwise fail
    # at once with "database is locked" (a stale WAL snapshot) instead of waiting its turn under the busy timeout.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    deferred = connection.get_execution_options().get(LOCK_FREE, False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


@asynccontextmanager
async def lock_free(connection: AsyncConnection) -> AsyncIterator[None]:
    """A transaction that only reads, or writes only the connection's TEMPORARY tables (`LOCK_FREE`). On SQLite it
    begins deferred: a read sees a snapshot of the WAL and the temporary database is the connection's own, so it takes
    no lock and the bot is not kept waiting. Real tables are written only in `BEGIN IMMEDIATE` transactions."""
    await connection.execution_options(**{LOCK_FREE: True})
    try:
        async with connection.begin():
            yield
    finally:
        await connection.execution_options(**{LOCK_FREE: False})


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for reads only, in one transaction that takes no lock (SQLite: deferred, a snapshot of the WAL; see
    `lock_free`), so a reader never waits for the bot's writes nor holds them up. Write nothing in it."""
    async with sessions() as session, session.begin():
        await session.connection(execution_options={LOCK_FREE: True})
        yield session


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision`; running it again changes nothing."""

    def _run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)
