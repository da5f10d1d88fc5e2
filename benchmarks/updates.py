"""What one update costs the bot: SQL statements, commits and CPU per `/status` and per step of a whole `/kirim`.

The real bot (`klambi run`'s Application) runs in this process against the Bot API sandbox on a small world (one
kecamatan, a secretary and a staf); each step is sent, answered, and measured:

- statements: every statement the bot's engine sends (SQLAlchemy's `before_cursor_execute`), and its commits;
- CPU: the bot's CPU time from sending the update to the end of what it set going (the staf's alert): the bot runs
  on its own event loop in a thread (`BotThread`), the sandbox and the scripted person in the main thread, so the
  bot's share is the process's CPU time less the main thread's. cProfile's attribution through SQLAlchemy's greenlets
  is unreliable per function (and cProfile sees one thread): `py-spy record -f raw -- python -m benchmarks.updates`
  shows where the bot's time goes.

    python -m benchmarks.updates [--url postgresql://…] [--rounds 20] [--sql] [-o updates.json]

A deterministic count, not a time, is what the test suite holds the bot to (tests/test_update_cost.py).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import event, select

from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.telegram import BotApiSandbox, SandboxUser
from bot.storage import minimal_pdf
from models.tables import Obligation, Role

TOKEN = "4242:SANDBOX-token_for-updates"
JATIROTO, ROJOPOLO = "35.08.17", "35.08.17.2002"
PDF = minimal_pdf(b" RKPDes Rojopolo 2025 " + b"x" * 2000)
STEPS = ("status", "kirim", "choose", "pdf", "date", "nomor", "send")


class StatementCounter:
    """Statements and commits on an engine, while counting."""

    def __init__(self, app: App) -> None:
        self.engine = app.engine.sync_engine
        self.statements: list[str] = []
        self.commits = 0
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def _commit(self, conn) -> None:
        self.commits += 1

    def reset(self) -> None:
        self.statements, self.commits = [], 0

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)


class BotThread:
    """The real bot (`klambi run`'s Application, its own App and engine) on an event loop of its own in a thread, so
    that the CPU it uses is told apart from the sandbox's and the scripted people's, which run in the main thread."""

    def __init__(self, settings: Settings, clock: ManualClock) -> None:
        self.settings, self.clock = settings, clock
        self.ready = threading.Event()
        self.app: App | None = None
        self.failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bot", daemon=True)

    async def __aenter__(self) -> App:
        self._thread.start()
        await asyncio.to_thread(self.ready.wait)
        if self.failed is not None or self.app is None:
            raise RuntimeError("the bot did not start") from self.failed
        return self.app

    async def __aexit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        await asyncio.to_thread(self._thread.join, 60)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as problem:  # told to the main thread
            self.failed = problem
            self.ready.set()

    async def _serve(self) -> None:
        from bot.channels.telegram.application import running
        from handlers.flood import FloodGate

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        app = App.create(self.settings, self.clock)
        try:
            async with running(app, TOKEN) as bot:
                bot.bot_data["flood_gate"] = FloodGate(burst=1_000_000)  # a script is faster than anyone types
                self.app = app
                self.ready.set()
                await self._stop.wait()
        finally:
            await app.close()


def bot_cpu() -> float:
    """CPU seconds of every thread but the main one (the bot's loop, aiosqlite's threads, its worker threads)."""
    return time.process_time() - time.thread_time()


async def small_world(database_url: str, files: Path, stack: AsyncExitStack) -> tuple[App, App, BotApiSandbox]:
    """Jatiroto (Lumajang) on a migrated database, the sandbox, and the running bot (in its own thread). Returns an
    App for the main thread's reads, the bot's App, and the sandbox."""
    from bot.services.calendar import load_calendar
    from bot.services.places import import_area

    clock = ManualClock(datetime(2024, 9, 27, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    sandbox = await stack.enter_async_context(BotApiSandbox(token=TOKEN, bot_username="klambi_bot", now=clock.now))
    settings = Settings(
        database={"url": database_url},
        storage={"path": files},
        telegram={"token": TOKEN, "base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url},
    )
    app = App.create(settings, clock)
    stack.push_async_callback(app.close)
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, clock.now(), [2024, 2025], await load_calendar(session))
    bot_app = await stack.enter_async_context(BotThread(settings, clock))
    return app, bot_app, sandbox


async def join(app: App, sandbox: BotApiSandbox, user_id: int, name: str, role: Role, place: str) -> SandboxUser:
    from bot.services.people import create_invitation

    async with app.sessions() as session, session.begin():
        code = (await create_invitation(session, role, place, app.clock.now())).code
    user = sandbox.user(user_id, name)
    await user.send_text(f"/start {code}")
    await user.expect("Selamat datang")
    await sandbox.settle()
    return user


def kirim_steps(user: SandboxUser, obligation_id: int) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """A secretary's /status and whole /kirim, step by step, each up to the bot's answer."""

    async def step(send: Callable[[], Awaitable[Any]], answer: str) -> None:
        await send()
        await user.expect(answer, timeout=60)

    return [
        ("status", lambda: step(lambda: user.send_text("/status"), "Status dokumen")),
        ("kirim", lambda: step(lambda: user.send_text("/kirim"), "Dokumen mana")),
        ("choose", lambda: step(lambda: user.press(f"k:o:{obligation_id}", timeout=60), "Kirim berkas")),
        ("pdf", lambda: step(lambda: user.send_document(PDF, "perdes.pdf", "application/pdf"), "Tanggal penetapan")),
        ("date", lambda: step(lambda: user.send_text("27/09/2024"), "Nomor dokumennya")),
        ("nomor", lambda: step(lambda: user.send_text("5 Tahun 2024"), "Periksa dulu")),
        ("send", lambda: step(lambda: user.press("k:send", timeout=60), "Tanda terima")),
    ]


async def measure(database_url: str, rounds: int) -> dict[str, Any]:
    """Per step: statements, commits and CPU ms per update (median of `rounds`), and the statements themselves once."""
    statements: dict[str, list[int]] = defaultdict(list)
    commits: dict[str, list[int]] = defaultdict(list)
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    shown: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as files:
        async with AsyncExitStack() as stack:
            app, bot_app, sandbox = await small_world(database_url, Path(files), stack)
            sekdes = await join(app, sandbox, 5001, "Sekdes Rojopolo", Role.SEKDES, ROJOPOLO)
            await join(app, sandbox, 5002, "Staf Jatiroto", Role.STAF, JATIROTO)
            async with app.sessions() as session:
                obligation = await session.scalar(
                    select(Obligation.id).where(
                        Obligation.desa_kode == ROJOPOLO,
                        Obligation.document_code == "RKPDES",
                        Obligation.tahun_anggaran == 2025,
                    )
                )
            counter = StatementCounter(bot_app)
            try:
                for n in range(rounds + 1):  # the first round warms caches and imports: not counted
                    for name, run in kirim_steps(sekdes, obligation):
                        await sandbox.settle(quiet=0.2)
                        app.clock.advance(timedelta(seconds=20))  # type: ignore[attr-defined]  # time goes on
                        counter.reset()
                        started = bot_cpu()
                        await run()
                        await sandbox.settle(quiet=0.05)  # and what it set going (the staf's alert)
                        used = bot_cpu() - started
                        if n == 0:
                            continue
                        statements[name].append(len(counter.statements))
                        commits[name].append(counter.commits)
                        cpu_ms[name].append(used * 1000)
                        shown.setdefault(name, list(counter.statements))
            finally:
                counter.close()
    return {
        step: {
            "statements": int(statistics.median(statements[step])),  # a late alert may spill into the next step
            "commits": int(statistics.median(commits[step])),
            "cpu_ms_p50": round(statistics.median(cpu_ms[step]), 2),
            "cpu_ms_mean": round(statistics.mean(cpu_ms[step]), 2),
            "sql": [" ".join(s.split())[:160] for s in shown[step]],
        }
        for step in STEPS
    }


@click.command()
@click.option("--url", default=None, help="An empty or migrated database (default: a fresh SQLite file).")
@click.option("--rounds", default=20, show_default=True)
@click.option("--sql", is_flag=True, help="Show each step's statements.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
def main(url: str | None, rounds: int, sql: bool, output: Path | None) -> None:
    async def go() -> dict[str, Any]:
        from bot.config import async_database_url
        from bot.db import make_engine, upgrade

        with tempfile.TemporaryDirectory() as folder:
            database_url = url or f"sqlite:///{folder}/updates.db"
            engine = make_engine(async_database_url(database_url))
            await upgrade(engine)  # a fresh file, or a PostgreSQL database brought up to date
            await engine.dispose()
            return await measure(database_url, rounds)

    results = asyncio.run(go())
    for step, figures in results.items():
        click.echo(f"{step:8} {figures['statements']:3} statements {figures['commits']:2} commits "
                   f"{figures['cpu_ms_p50']:6.2f} ms CPU p50, {figures['cpu_ms_mean']:6.2f} mean")  # fmt: skip
        if sql:
            for line in figures["sql"]:
                click.echo(f"           {line}")
    if output is not None:
        output.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
