"""Heavy files (`reports.pool`): charts and recap workbooks for different kecamatan and years (each one new: a cache
miss) and then the same again (kept), built through the report pool and, side by side in the same run, in a thread
of this process (`[reports] workers = 0`, what the bot did before). Meanwhile a ticker on the event loop sleeps
`TICK` again and again and records how much longer than that it took: the loop's lag, what every other person's
update would wait.

Beside the ticker, a worker on the loop does small pieces of pure-Python work (`UNIT`, like handling an update),
each followed by a short wait (`REST`, like an update's query): how many it finishes a second while files are built,
against the same worker on a quiet loop before (`loop_share`): a builder in a thread takes the GIL from it, one in
another process does not. (A worker that never waits would starve a builder in a thread instead: it gets the GIL
back only every 5 ms, and a chart took minutes.) On a shared machine both figures move with the neighbours' load;
`gil_cpu_ms_per_file` does not: the CPU time this process spent outside the event loop's thread per file built (the
builder's thread holding the GIL; for the pool, only the executor's threads passing the data and the bytes).

The database is read first (as the handlers do, in the transaction); only the building is measured.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from sqlalchemy import func, select

from benchmarks.database import summary
from benchmarks.generate import NOW
from bot.app import App
from models.tables import Desa, Kecamatan
from reports.pool import Builds
from reports.recipes import indicator_chart, workbook

TICK = 0.005  # seconds the ticker sleeps each time
UNIT = 2_000  # loop turns of a piece of the loop worker's work (well under a millisecond)
REST = 0.001  # seconds the loop worker waits after each piece (an update waits for the database or the network)
QUIET = 1.0  # seconds the loop worker runs alone first
YEARS = (2022, 2023, 2024)


class Ticker:
    """Oversleep of a task that sleeps `TICK` in a loop: how late the event loop wakes it."""

    def __init__(self, working: bool = True) -> None:
        self.working = working
        self.lags_ms: list[float] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.units, self.started, self.seconds, self.other_threads_cpu = 0, 0.0, 0.0, 0.0

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(TICK)
            self.lags_ms.append((loop.time() - start - TICK) * 1000)

    async def _work(self) -> None:
        while True:
            total = 0
            for i in range(UNIT):
                total += i * i % 7
            self.units += 1
            await asyncio.sleep(REST)

    def __enter__(self) -> Ticker:
        loop = asyncio.get_running_loop()
        self.units, self.started = 0, time.perf_counter()
        self._cpu = (time.process_time(), time.thread_time())  # the process; the event loop's thread
        self._tasks = [loop.create_task(self._run())] + ([loop.create_task(self._work())] if self.working else [])
        return self

    def __exit__(self, *_: object) -> None:
        for task in self._tasks:
            task.cancel()
        self.seconds = time.perf_counter() - self.started
        process, loop_thread = self._cpu
        self.other_threads_cpu = (time.process_time() - process) - (time.thread_time() - loop_thread)

    @property
    def units_per_second(self) -> float:
        return self.units / max(self.seconds, 1e-9)

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.lags_ms) or [0.0]
        p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
        return {"lag_median_ms": round(statistics.median(ordered), 2), "lag_p95_ms": round(p95, 2),
                "lag_max_ms": round(ordered[-1], 2)}  # fmt: skip


async def _recipes(app: App, kecamatan: int) -> tuple[list, list, Any]:
    """Chart and workbook recipes for the first `kecamatan` kecamatan with desa × `YEARS`, and one to warm up."""
    from bot.services.indicator import kecamatan_indicator
    from reports.tables import gather

    lang = app.settings.bot.language
    async with app.sessions() as session:
        codes = list(
            await session.scalars(
                select(Kecamatan.kode)
                .join(Desa, Desa.kecamatan_kode == Kecamatan.kode)
                .group_by(Kecamatan.kode)
                .having(func.count(Desa.kode) > 0)
                .order_by(Kecamatan.kode)
                .limit(kecamatan + 1)
            )
        )
        charts, books = [], []
        for kode in codes[1:]:
            for year in YEARS:
                charts.append(indicator_chart(await kecamatan_indicator(session, kode, year, NOW), lang))
                books.append(workbook(await gather(session, kode, year, NOW), lang))
        warm = (
            indicator_chart(await kecamatan_indicator(session, codes[0], 2021, NOW), lang),
            workbook(await gather(session, codes[0], 2021, NOW), lang),
        )
    return charts, books, warm


async def _timed_builds(builds: Builds, recipes: list) -> list[float]:
    times = []
    for recipe in recipes:
        start = time.perf_counter()
        await builds.build(recipe)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _one(builds: Builds, charts: list, books: list, warm: tuple) -> dict[str, Any]:
    start = time.perf_counter()
    # The pool's start (and, for a thread, the imports of matplotlib and openpyxl): counted apart, and with no loop
    # worker beside it. An import in a thread waits for the GIL at each of its thousands of file lookups, and a loop
    # that never blocks gives it up only every 5 ms: the start would take minutes (it once ran out CI's time).
    with Ticker(working=False) as starting:
        for recipe in warm:
            await builds.build(recipe)
    started = round(time.perf_counter() - start, 2)
    with Ticker() as quiet:
        await asyncio.sleep(QUIET)
    with Ticker() as missing:
        chart_ms = await _timed_builds(builds, charts)
        book_ms = await _timed_builds(builds, books)
    share = round(missing.units_per_second / quiet.units_per_second, 2)
    gil = round(missing.other_threads_cpu * 1000 / (len(charts) + len(books)), 1)
    with Ticker() as kept:
        kept_ms = await _timed_builds(builds, charts + books)
    assert builds.built == 2 + len(charts) + len(books), "a build was kept that should have been new"
    return {
        "start_seconds": started,
        "start_lag_max_ms": starting.figures()["lag_max_ms"],
        "chart_new": summary(chart_ms),
        "workbook_new": summary(book_ms),
        "kept": summary(kept_ms),
        "quiet": quiet.figures(),
        "while_building": missing.figures() | {"loop_share": share, "gil_cpu_ms_per_file": gil},
        "while_kept": kept.figures(),
    }


async def builds(app: App, kecamatan: int) -> dict[str, Any]:
    """Pool and thread, one after the other in this run, on the same recipes."""
    charts, books, warm = await _recipes(app, kecamatan)
    results: dict[str, Any] = {"files": len(charts) + len(books), "years": list(YEARS)}
    for name, workers in (("thread", 0), ("pool", 1)):
        one = Builds(workers)
        try:
            results[name] = await _one(one, charts, books, warm)
        finally:
            await one.close()
    thread, pool = results["thread"]["while_building"], results["pool"]["while_building"]
    results["lag_p95_ratio"] = round(thread["lag_p95_ms"] / max(pool["lag_p95_ms"], 0.01), 1)
    results["lag_max_ratio"] = round(thread["lag_max_ms"] / max(pool["lag_max_ms"], 0.01), 1)
    results["loop_share_ratio"] = round(pool["loop_share"] / max(thread["loop_share"], 0.01), 1)
    return results
