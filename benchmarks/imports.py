"""`klambi record import` at growing sizes, and how long the bot waits for the database meanwhile.

Each size is a CSV of new versions (every row new: its nomor names the run) imported through the command's own
path (`read_rows`, then `import_rows` with the command's re-planning). Meanwhile a separate process — the bot is one —
does what `/status` does every 50 ms: a transaction that reads one desa's obligations. On SQLite every transaction
takes the write lock (`BEGIN IMMEDIATE`), so its latency is how long the import keeps the bot waiting; a read that
gives up after the busy timeout is what the bot answers "sistem sedang sibuk".

    python -m benchmarks.imports probe URL DESA STOPFILE   (the other process; prints its latencies as JSON)
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bot.app import App
from bot.db import LOCK_FREE

ROOT = Path(__file__).resolve().parent.parent  # the probe imports `benchmarks` from any working directory
DOCUMENTS = ("RKPDES", "APBDES", "LPPDES")
YEARS = (2015, 2016, 2017, 2018)  # before the generated history: the first rows create their obligations


def write_csv(path: Path, desa: list[str], rows: int, run: str) -> None:
    """`rows` new versions over every desa × document × year; beyond that, further versions of the same ones (a
    province, `--size 35`, has about 92,000 such obligations: most rows then create their obligation)."""
    keys = [(d, doc, ta) for ta in YEARS for doc in DOCUMENTS for d in desa]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["desa", "doc", "ta", "penetapan", "diterima", "nomor", "status", "alasan"])
        for i in range(rows):
            kode, doc, ta = keys[i % len(keys)]
            month, day, year = {"RKPDES": (9, 20, ta - 1), "APBDES": (12, 20, ta - 1), "LPPDES": (3, 20, ta + 1)}[doc]
            penetapan = f"{year}-{month:02d}-{day:02d}"
            diterima = f"{year}-{month:02d}-{day + 5:02d}"
            rejected = i % 10 == 3
            out.writerow([kode, doc, ta, penetapan, diterima, f"{run}/{i}", "ditolak" if rejected else "",
                          "Lampiran kurang" if rejected else ""])  # fmt: skip


async def record_import(app: App, db_url: str, sizes: tuple[int, ...]) -> dict[str, Any]:
    from bot.cli.desk import replan_after_import
    from bot.services.imports import import_rows, read_rows
    from models.tables import Desa

    async with app.sessions() as session:
        desa = list(await session.scalars(select(Desa.kode).order_by(Desa.kode)))
    run = str(int(time.time()))
    figures: dict[str, Any] = {"desa": len(desa), "sizes": {}}

    longest: dict[str, float] = {}

    def began(connection: Any) -> None:
        if not connection.get_execution_options().get(LOCK_FREE):  # staging the rows holds no lock
            connection.info["began"] = time.perf_counter()

    def ended(connection: Any) -> None:
        if "began" in connection.info:
            held = (time.perf_counter() - connection.info.pop("began")) * 1000
            longest[phase[0]] = max(longest.get(phase[0], 0), held)

    phase = ["import"]
    event.listen(app.engine.sync_engine, "begin", began)
    event.listen(app.engine.sync_engine, "commit", ended)
    event.listen(app.engine.sync_engine, "rollback", ended)

    async def command(path: Path) -> Any:
        """What `klambi record import FILE` does once the file is read."""
        phase[0] = "import"
        imported = await import_rows(app.sessions, path, read_rows(path, "id"), app.clock.now(), False, "id")
        phase[0] = "replan"
        await replan_after_import(app, imported.kecamatan_codes)
        return imported

    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            path = Path(folder) / f"import-{rows}.csv"
            write_csv(path, desa, rows, f"{run}-{rows}")
            stop = Path(folder) / f"stop-{rows}"
            probe = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.imports", "probe", db_url, desa[0], str(stop)],
                stdout=subprocess.PIPE, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)},
            )  # fmt: skip
            try:
                assert probe.stdout is not None
                await asyncio.to_thread(probe.stdout.readline)  # "ready": connected, the first (cold) read done
                start = time.perf_counter()
                read_rows(path, "id")
                read = time.perf_counter() - start  # reading the file alone (the import reads it again)
                longest.clear()
                start = time.perf_counter()
                imported = await command(path)
                seconds = time.perf_counter() - start
                start = time.perf_counter()
                again = await command(path)
                again_seconds = time.perf_counter() - start
            finally:
                stop.touch()  # the probe stops, whatever happened here
                out, _ = probe.communicate(timeout=60)
            waits = json.loads(out)
            assert imported.created == rows and again.unchanged == rows and again.created == 0
            figures["sizes"][str(rows)] = {
                "rows": rows,
                "seconds": round(seconds, 2),
                "file_read_seconds": round(read, 2),
                "ms_per_1000_rows": round(seconds * 1000 / rows * 1000),
                "again_unchanged_seconds": round(again_seconds, 2),
                "kecamatan": len(imported.kecamatan_codes),
                # the longest transaction of the import (SQLite: the write lock it held) and of the re-planning
                "longest_import_transaction_ms": round(longest.get("import", 0)),
                "longest_replan_transaction_ms": round(longest.get("replan", 0)),
                "bot_wait_max_ms": waits["max_ms"],
                "bot_wait_median_ms": waits["median_ms"],
                "bot_waits": waits["samples"],
                "bot_busy": waits["busy"],
            }
    largest = figures["sizes"][str(max(sizes))]
    smallest = figures["sizes"][str(min(sizes))]
    return figures | {
        "largest_rows": largest["rows"],
        "largest_seconds": largest["seconds"],
        # 1.0 is linear: the time per row of the largest import over that of the smallest
        "growth_per_row": round(largest["ms_per_1000_rows"] / smallest["ms_per_1000_rows"], 2),
        "bot_wait_max_ms": max(s["bot_wait_max_ms"] for s in figures["sizes"].values()),
        "bot_busy": sum(s["bot_busy"] for s in figures["sizes"].values()),
    }


async def probe(db_url: str, desa: str, stop: Path) -> dict[str, Any]:
    """What `/status` asks the database, every 50 ms until `stop` exists: the wait of each, in ms."""
    from sqlalchemy.exc import OperationalError

    from bot.db import make_engine, session_factory
    from models.tables import Obligation

    engine = make_engine(db_url)
    sessions = session_factory(engine)
    waits: list[float] = []
    busy = 0
    try:
        async with sessions() as session, session.begin():  # warm: the first read compiles and connects
            (await session.execute(select(Obligation).where(Obligation.desa_kode == desa))).all()
        print("ready", flush=True)
        while True:  # at least one wait measured, however quick the import
            start = time.perf_counter()
            try:
                async with sessions() as session, session.begin():
                    (await session.execute(select(Obligation).where(Obligation.desa_kode == desa))).all()
            except OperationalError:
                busy += 1
            waits.append((time.perf_counter() - start) * 1000)
            if stop.exists():
                break
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()
    return {
        "samples": len(waits),
        "median_ms": round(statistics.median(waits), 1) if waits else None,
        "max_ms": round(max(waits), 1) if waits else None,
        "busy": busy,
    }


if __name__ == "__main__" and sys.argv[1:2] == ["probe"]:
    print(json.dumps(asyncio.run(probe(sys.argv[2], sys.argv[3], Path(sys.argv[4])))))
