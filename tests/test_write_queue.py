"""SQLite writers of one process wait their turn in `bot.db.WriteQueue` (first come, first served), readers take none,
and a writer cancelled in the middle of a query gives its turn back and stays cancelled (an error in giving it back
once replaced the cancellation: the inbox worker, cancelled at shutdown, then never stopped)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.db import make_engine, reading, session_factory, write_queue

pytestmark = pytest.mark.only_database("sqlite")


async def test_writers_take_turns_in_order_and_a_reader_does_not_wait(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    sessions = session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await session.execute(text("CREATE TABLE t (n INTEGER)"))

        async def warm() -> None:  # connections open in the pool: a writer is not held up connecting
            async with reading(sessions) as session:
                await session.execute(text("SELECT 1"))
                await asyncio.sleep(0.05)

        await asyncio.gather(*(warm() for _ in range(6)))
        order: list[int] = []
        first_in = asyncio.Event()
        release = asyncio.Event()

        async def writer(n: int) -> None:
            async with sessions() as session, session.begin():
                await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                order.append(n)
                if n == 0:
                    first_in.set()
                    await release.wait()

        tasks = [asyncio.create_task(writer(0))]
        await first_in.wait()
        tasks += [asyncio.create_task(writer(n)) for n in range(1, 6)]
        for _ in range(20):
            await asyncio.sleep(0)
        async with reading(sessions) as session:  # the writer holds its turn; a reader is not kept waiting
            assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 0
        assert order == [0]
        release.set()
        await asyncio.gather(*tasks)
        assert order == [0, 1, 2, 3, 4, 5]
        assert not write_queue(engine).taken
    finally:
        await engine.dispose()


async def test_a_writer_cancelled_mid_query_gives_its_turn_back(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    sessions = session_factory(engine)
    slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT count(*) FROM c"
    try:
        started = asyncio.Event()

        async def writer() -> None:
            async with sessions() as session, session.begin():
                await session.execute(text("SELECT 1"))
                started.set()
                await session.execute(text(slow))

        task = asyncio.create_task(writer())
        await started.wait()
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()  # the cancellation was not replaced by an error of the turn's release
        assert not write_queue(engine).taken  # the turn is free (SQLite's own lock is the driver's to let go)
    finally:
        await engine.dispose()
