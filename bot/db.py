"""The database engine, sessions and migrations."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util.concurrency import await_only, in_greenlet

import migrations

log = logging.getLogger("klambi.db")
SQLITE_BUSY_TIMEOUT_MS = 5000
LOCK_FREE = "klambi_lock_free"  # execution option: the transaction only reads, or writes only TEMPORARY tables
WRITING = "klambi_writing"  # connection info: the in-process write turn this connection holds
# PostgreSQL: connections each process keeps (and opens beyond, when busy). The bot handles up to 64 updates at once
# (`bot.channels.telegram.processor`); most of an update's time is not in the database, and one waiting for a
# connection waits its turn (up to `pool_timeout`, 30 s). Several workers multiply this: mind max_connections (100).
POOL_SIZE, POOL_OVERFLOW = 10, 10
_WRITE_QUEUES: weakref.WeakKeyDictionary[Any, WriteQueue] = weakref.WeakKeyDictionary()
T = TypeVar("T")


def make_engine(url: str, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        writers = _WRITE_QUEUES[engine.sync_engine] = WriteQueue()
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", writers.begin)
        event.listen(engine.sync_engine, "commit", writers.end)
        event.listen(engine.sync_engine, "rollback", writers.end)
        event.listen(engine.sync_engine.pool, "checkin", writers.checkin)
        event.listen(engine.sync_engine.pool, "invalidate", writers.invalidate)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


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


def write_queue(engine: AsyncEngine) -> WriteQueue | None:
    """The engine's queue of writers (SQLite), None on PostgreSQL."""
    return _WRITE_QUEUES.get(engine.sync_engine)


class WriteQueue:
    """SQLite has one writer at a time. Writers of this process wait their turn here, first come first served, instead
    of in SQLite's busy handler (which sleeps 1 to 100 ms between tries, however soon the lock was free). A reader
    (`LOCK_FREE`) takes no turn. Other processes (the CLI) still meet the busy timeout. A turn not given within the
    busy timeout (a writer of this task nested in its own write, or a stuck one) is not waited for further: the
    transaction then begins as before and SQLite's busy timeout decides."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
        self._owners: dict[int, asyncio.Task | None] = {}

    @property
    def taken(self) -> bool:
        """Whether a writer of this event loop holds the turn."""
        lock = self._locks.get(asyncio.get_running_loop())
        return lock is not None and lock.locked()

    def begin(self, connection: Connection) -> None:
        deferred = connection.get_execution_options().get(LOCK_FREE, False)
        if not deferred:
            self._wait_turn(connection)
        try:
            connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def _wait_turn(self, connection: Connection) -> None:
        if not in_greenlet():
            return
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        task = asyncio.current_task()
        if lock.locked() and self._owners.get(id(lock)) is task:
            return  # this task writes already, on another connection: SQLite's busy timeout decides, as before
        try:
            await_only(self._acquire(lock))
        except TimeoutError:
            log.warning("no write turn within %d ms: beginning anyway", SQLITE_BUSY_TIMEOUT_MS)
            return
        self._owners[id(lock)] = task
        connection.info[WRITING] = lock

    @staticmethod
    async def _acquire(lock: asyncio.Lock) -> None:
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
            await lock.acquire()

    def end(self, connection: Connection) -> None:
        if connection.invalidated:  # (cancelled mid-query) its pool's invalidate event releases the turn
            return
        try:
            info = connection.info
        except Exception:  # an event must never replace the error being handled (a cancellation)
            return
        self._release(info)

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)  # a connection given back without its transaction ended

    def invalidate(self, _dbapi_connection: Any, record: Any, _exception: Any) -> None:
        self._release(record.info)  # a connection thrown away (its info is cleared before it is used again)

    def _release(self, info: dict) -> None:
        lock = info.pop(WRITING, None)
        if lock is not None:
            self._owners.pop(id(lock), None)
            lock.release()


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


async def whole(work: Awaitable[T]) -> T:
    """Run a unit of database work (a transaction) to its end even when the caller is cancelled meanwhile, then pass
    the cancellation on. Background work that is stopped (the sweep, when the courier or the bot stops) uses it: a
    transaction cut in the middle of its commit costs its connection, and on SQLite that costs more (`reap_closes`).
    Work that was cancelled itself (not its caller) raises its own CancelledError."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True  # the caller was: the work goes on to its end
    if cancelled:
        raise asyncio.CancelledError
    return task.result()


async def reap_closes() -> int:
    """End the closes SQLAlchemy's aiosqlite adapter leaves waiting forever, and say how many there were.

    A task cancelled twice while its connection was in use (a commit under way) has the connection invalidated;
    SQLAlchemy then closes it "gracefully" in a shielded task, is cancelled again, and stops aiosqlite's thread. The
    shielded close then waits for that thread for ever (SQLAlchemy 2.1 with aiosqlite 0.22), and swallows the first
    cancellation it is given: `asyncio.run` would then never return, and a stopped bot would hang until killed. Called
    after the engine is disposed (`bot.app.App.close`), it cancels each such close until it is over (docs/DECISIONS.md,
    "Issue 19: a stop that hangs")."""
    current = asyncio.current_task()
    stuck = [
        task
        for task in asyncio.all_tasks()
        if task is not current
        and not task.done()
        and getattr(task.get_coro(), "__qualname__", "").endswith("._terminate_graceful_close")
    ]
    for _ in range(5):
        waiting = [task for task in stuck if not task.done()]
        if not waiting:
            break
        for task in waiting:
            task.cancel()
        await asyncio.wait(waiting, timeout=0.5)
    if stuck:
        log.warning("%d SQLite connection(s) cut in the middle of a transaction were closed at the stop", len(stuck))
    return len(stuck)


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
