"""Measurements on the database: the indicator, the rankings, planning a year of reminders, a morning's sweep.

Each measurement calls the application's own function, on the clock of the benchmark (`ManualClock`), and times it
with `time.perf_counter`; nothing is timed in the tests.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from benchmarks.generate import NOW
from bot.app import App
from bot.clock import ManualClock
from bot.services.indicator import kabupaten_ranking, kecamatan_indicator, national_ranking, ranking
from bot.services.planning import mark
from models.tables import Desa, Kabupaten, Kecamatan, OutboxMessage, OutboxStatus, PlanMark, PlanState
from scheduler import sweep as sweeping
from scheduler.planner import plan_changes, plan_everywhere, plan_kecamatan
from scheduler.sweep import sweep

YEAR = 2024  # the last closed performance year
KABUPATEN = "35.08"  # Lumajang: in every size the harness builds


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]
    return {
        "samples": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(ordered[-1], 2),
    }


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await work()
    return (time.perf_counter() - start) * 1000, result


async def indicator(app: App, samples: int) -> dict[str, Any]:
    """One kecamatan's indicator (what /indikator computes), for kecamatan drawn at random, a fresh session each."""
    async with app.sessions() as session:
        codes = list(await session.scalars(select(Kecamatan.kode).order_by(Kecamatan.kode)))
    rng = random.Random(8)
    chosen = [rng.choice(codes) for _ in range(samples)]
    async with app.sessions() as session:  # one warm-up: the first call imports and compiles
        await kecamatan_indicator(session, chosen[0], YEAR, NOW)
    times = []
    for kode in chosen:
        async with app.sessions() as session, session.begin():
            ms, _ = await timed(lambda kode=kode, session=session: kecamatan_indicator(session, kode, YEAR, NOW))
        times.append(ms)
    return summary(times) | {"kecamatan": len(codes)}


async def ranking_national(app: App, repeats: int) -> dict[str, Any]:
    """Every kecamatan of the deployment ranked by realisasi."""
    times, ranked = [], 0
    for _ in range(repeats):
        async with app.sessions() as session, session.begin():
            ms, rows = await timed(lambda session=session: national_ranking(session, YEAR, None, NOW))
        times.append(ms)
        ranked = len(rows)
    return summary(times) | {"ranked": ranked}


async def ranking_kabupaten(app: App, repeats: int) -> dict[str, Any]:
    """One kabupaten's kecamatan ranked: by the aggregate (`ranking`, the camat's comparison in /indikator) and
    with every kecamatan's full report (`kabupaten_ranking`, what `klambi indicator --kabupaten` prints)."""
    async with app.sessions() as session:
        kabupaten = (
            KABUPATEN
            if await session.get(Kabupaten, KABUPATEN)
            else await session.scalar(select(Kabupaten.kode).order_by(Kabupaten.kode))
        )
    fast, full, ranked = [], [], 0
    for _ in range(repeats):
        async with app.sessions() as session, session.begin():
            ms, rows = await timed(lambda session=session: ranking(session, YEAR, None, NOW, kabupaten))
        fast.append(ms)
        ranked = len(rows)
        async with app.sessions() as session, session.begin():
            ms, _ = await timed(lambda session=session: kabupaten_ranking(session, kabupaten, YEAR, None, NOW))
        full.append(ms)
    return {"kabupaten": kabupaten, "ranked": ranked, "aggregate": summary(fast), "full_reports": summary(full)}


async def plan_year(app: App) -> dict[str, Any]:
    """A whole year of reminders planned for every kecamatan, from an empty outbox, in one transaction; before it,
    what the bot's hourly job does (its own window, `[reminders] window_days`): the first plan and a re-plan."""
    hourly = app.settings.reminders
    year = hourly.model_copy(update={"window_days": 365})
    figures: dict[str, Any] = {"hourly_window_days": hourly.window_days}
    for settings, first, again in ((hourly, "hourly_first_seconds", "hourly_replan_seconds"),
                                   (year, "seconds", "replan_unchanged_seconds")):  # fmt: skip
        async with app.sessions() as session, session.begin():
            await session.execute(OutboxMessage.__table__.delete())
        async with app.sessions() as session, session.begin():
            ms, (added, _) = await timed(lambda session=session, s=settings: plan_everywhere(session, NOW, s))
        async with app.sessions() as session, session.begin():
            again_ms, _ = await timed(lambda session=session, s=settings: plan_everywhere(session, NOW, s))
        figures[first], figures[again] = round(ms / 1000, 2), round(again_ms / 1000, 2)
        if settings is hourly:
            figures |= await plan_changes_figures(app)
    async with app.sessions() as session:
        rows = await session.scalar(select(func.count(OutboxMessage.id)))
    return figures | {"rows_planned": added, "outbox_rows": rows}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))], 2)


async def plan_changes_figures(app: App, kecamatan_samples: int = 50) -> dict[str, Any]:
    """The hourly job as the bot runs it (`plan_changes`) on the outbox the hourly window left: its first run after
    the upgrade (no state: every kecamatan, in chunks), runs with nothing changed, a run after one change, one
    kecamatan planned again in its own transaction (what a change in the chat does), and the next morning's run
    (a new day in every time zone). NOW is 08:00 WIB: the job runs from 09:00, between two sending moments."""
    settings = app.settings.reminders
    at = NOW + timedelta(hours=1)
    async with app.sessions() as session, session.begin():
        await session.execute(PlanMark.__table__.delete())
        await session.execute(PlanState.__table__.delete())
    figures: dict[str, Any] = {}
    ms, first = await timed(lambda: plan_changes(app.sessions, at, settings))
    figures["job_first_seconds"] = round(ms / 1000, 2)
    figures["job_first_transactions"] = first.transactions
    figures["job_first_longest_chunk_ms"] = round(first.longest_chunk_ms)
    quiet = []
    for hour in range(2, 7):
        ms, done = await timed(lambda h=hour: plan_changes(app.sessions, NOW + timedelta(hours=h), settings))
        assert done.marked == done.extended == 0, done
        quiet.append(ms)
    figures["job_unchanged_ms"] = round(statistics.median(quiet), 1)
    async with app.sessions() as session:
        counts = (await session.execute(select(Desa.kecamatan_kode, func.count()).group_by(Desa.kecamatan_kode))).all()
    nearest = sorted(counts, key=lambda row: (abs(row[1] - 12), row[0]))  # kecamatan of about 12 desa
    twelve = [kode for kode, n in nearest if 11 <= n <= 13] or [kode for kode, _ in nearest[:kecamatan_samples]]
    chosen = random.Random(19).sample(twelve, min(kecamatan_samples, len(twelve)))
    desa = {kode: n for kode, n in counts}
    async with app.sessions() as session, session.begin():
        await mark(session, [chosen[0]])
    ms, done = await timed(lambda: plan_changes(app.sessions, NOW + timedelta(hours=7), settings))
    assert done.marked == 1, done
    figures["job_one_change_ms"] = round(ms, 1)
    one = []
    for kode in chosen:
        async with app.sessions() as session, session.begin():
            ms, _ = await timed(lambda k=kode, s=session: plan_kecamatan(s, k, NOW + timedelta(hours=8), settings))
        one.append(ms)
    sizes = sorted(desa[k] for k in chosen)
    figures["one_kecamatan"] = {"kecamatan": len(one), "desa": f"{sizes[0]}-{sizes[-1]}",
                                "p50_ms": percentile(one, 0.5),
                                "p95_ms": percentile(one, 0.95), "max_ms": round(max(one), 2)}  # fmt: skip
    ms, day = await timed(lambda: plan_changes(app.sessions, NOW + timedelta(days=1, hours=1), settings))
    figures["job_new_day_seconds"] = round(ms / 1000, 2)
    figures["job_new_day_kecamatan"] = day.extended
    figures["job_new_day_rows"] = day.added
    figures["job_new_day_longest_chunk_ms"] = round(day.longest_chunk_ms)
    return figures


class _NoNetwork:
    """A Telegram transport that returns at once: the sweep up to the network, and the marking after it."""

    channel = "telegram"

    def __init__(self) -> None:
        self.sent = 0

    async def deliver(self, address: str, message: Any, prepared: Any = None) -> str:
        self.sent += 1
        return str(self.sent)  # the sweep keeps the id (a staf's reply finds a question by it)


async def busiest_morning(app: App) -> date:
    async with app.sessions() as session:
        row = (
            await session.execute(
                select(OutboxMessage.for_date, func.count())
                .where(OutboxMessage.status == OutboxStatus.PLANNED)
                .group_by(OutboxMessage.for_date)
                .order_by(func.count().desc(), OutboxMessage.for_date)
                .limit(1)
            )
        ).first()
    if row is None:
        raise RuntimeError("nothing planned: run the plan_year measurement first")
    return row[0]


@contextlib.contextmanager
def _batches_of_one() -> Iterator[None]:
    """The sweep as it was before issue 19, for comparison in the same run: each row composed in its own
    transaction, sent alone, marked in its own transaction."""
    sizes = {"COMPOSE_BATCH": 1, "FIRST_BATCH": 1, "MARK_BATCH": 1, "SENDERS": 1}
    saved = {name: getattr(sweeping, name) for name in sizes}
    for name, value in sizes.items():
        setattr(sweeping, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(sweeping, name, value)


async def _sweep_rows(app: App, bot: _NoNetwork, limit: int, totals: dict[str, int]) -> tuple[int, float]:
    """Sweep until `limit` rows were claimed or nothing is due; (rows claimed, seconds)."""
    start, swept = time.perf_counter(), 0
    while swept < limit:
        result = await sweep(app, {"telegram": bot}, "bench", limit=min(sweeping.CLAIM_BATCH, limit - swept))
        if not result.claimed:
            break
        swept += result.claimed
        for key in totals:
            totals[key] += getattr(result, key)
    return swept, time.perf_counter() - start


async def sweep_morning(app: App, limit: int = 10_000, one_at_a_time: int = 1_000) -> dict[str, Any]:
    """The busiest morning of the planned year: every row due that morning claimed, superseded, composed and marked.

    Earlier mornings are marked sent first (they went out on their day). The bot does not touch the network. At most
    `limit` rows are swept (in the sweep's own batches); a larger morning is extrapolated at the measured rate. Side
    by side, before them, `one_at_a_time` rows of the same morning are swept in batches of one (the sweep before
    issue 19: a transaction per row to compose, one per row to mark)."""
    morning = await busiest_morning(app)
    async with app.sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.for_date < morning, OutboxMessage.status == OutboxStatus.PLANNED)
            .values(status=OutboxStatus.SENT)
        )
        due = await session.scalar(
            select(func.count()).where(OutboxMessage.for_date == morning, OutboxMessage.status == OutboxStatus.PLANNED)
        )
    saved = app.clock
    app.clock = ManualClock(datetime.combine(morning, datetime.min.time(), UTC) + timedelta(hours=1))  # 08:00 WIB
    bot = _NoNetwork()
    totals = {"sent": 0, "cancelled": 0, "superseded": 0}
    try:
        with _batches_of_one():
            single, single_seconds = await _sweep_rows(app, bot, min(one_at_a_time, due // 10), totals)
        swept, seconds = await _sweep_rows(app, bot, limit, totals)
    finally:
        app.clock = saved
    rate = swept / seconds if seconds else 0
    single_rate = single / single_seconds if single_seconds else 0
    left = due - single
    return {
        "morning": morning.isoformat(),
        "due": due,
        "swept": swept,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rate),
        "one_at_a_time": {"swept": single, "seconds": round(single_seconds, 2), "rows_per_second": round(single_rate)},
        "ratio_to_one_at_a_time": round(rate / single_rate, 2) if single_rate else None,
        # the whole morning: measured when every due row was swept, else extrapolated at the measured rate
        "all_due_seconds": round(seconds if swept >= left else due / rate, 1) if rate else None,
        "extrapolated": swept < left,
        **totals,
    }
