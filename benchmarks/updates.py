"""What one update costs the bot: SQL statements, commits and CPU per `/status` and per step of a whole `/kirim`.

The real bot (`klambi run`'s Application) runs in this process against the Bot API sandbox on a small world (one
kecamatan, a secretary and a staf); each step is sent, answered, and measured:

- statements: every statement the bot's engine sends (SQLAlchemy's `before_cursor_execute`), and its commits;
- CPU: the process's CPU time from sending the update to reading the answer (`time.process_time`, every thread):
  the sandbox and the scripted person live here too and are counted, the same for every build compared. cProfile's
  attribution through SQLAlchemy's greenlets is unreliable per function, so `--profile` (which slows everything
  down two to three times) is for reading where the time goes, not for the figures.

    python -m benchmarks.updates [--url postgresql://…] [--rounds 20] [--profile /tmp/updates.prof]

A deterministic count, not a time, is what the test suite holds the bot to (tests/test_update_cost.py).
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, contextmanager
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


async def small_world(database_url: str, files: Path, stack: AsyncExitStack) -> tuple[App, BotApiSandbox]:
    """Jatiroto (Lumajang) on a migrated database, the sandbox, and the running bot."""
    from bot.channels.telegram.application import running
    from bot.services.calendar import load_calendar
    from bot.services.places import import_area
    from handlers.flood import FloodGate

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
    bot = await stack.enter_async_context(running(app, TOKEN))
    bot.bot_data["flood_gate"] = FloodGate(burst=1_000_000)  # a script is faster than anyone types
    return app, sandbox


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


@contextmanager
def _profiled(profile: cProfile.Profile | None):
    if profile is not None:
        profile.enable()
    try:
        yield
    finally:
        if profile is not None:
            profile.disable()


async def measure(database_url: str, rounds: int, profile_path: Path | None = None) -> dict[str, Any]:
    """Per step: statements, commits and CPU ms per update (median of `rounds`), and the statements themselves once."""
    statements: dict[str, list[int]] = defaultdict(list)
    commits: dict[str, list[int]] = defaultdict(list)
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    shown: dict[str, list[str]] = {}
    profiles: list[cProfile.Profile] = []
    with tempfile.TemporaryDirectory() as files:
        async with AsyncExitStack() as stack:
            app, sandbox = await small_world(database_url, Path(files), stack)
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
            counter = StatementCounter(app)
            try:
                for n in range(rounds + 1):  # the first round warms caches and imports: not counted
                    for name, run in kirim_steps(sekdes, obligation):
                        await sandbox.settle(quiet=0.2)
                        app.clock.advance(timedelta(seconds=20))  # type: ignore[attr-defined]  # time goes on
                        profile = cProfile.Profile() if profile_path else None
                        counter.reset()
                        started = time.process_time()
                        with _profiled(profile):
                            await run()
                            await sandbox.settle(quiet=0.05)  # and what it set going (the staf's alert)
                        used = time.process_time() - started
                        if n == 0:
                            continue
                        statements[name].append(len(counter.statements))
                        commits[name].append(counter.commits)
                        cpu_ms[name].append(used * 1000)
                        if profile is not None:
                            profiles.append(profile)
                        shown.setdefault(name, list(counter.statements))
            finally:
                counter.close()
    if profiles and profile_path is not None:
        whole = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            whole.add(profile)
        whole.dump_stats(profile_path)
    return {
        step: {
            "statements": max(statements[step]),
            "commits": max(commits[step]),
            "cpu_ms_p50": round(statistics.median(cpu_ms[step]), 2),
            "sql": [" ".join(s.split())[:160] for s in shown[step]],
        }
        for step in STEPS
    }


@click.command()
@click.option("--url", default=None, help="A migrated database's URL (default: a fresh SQLite file).")
@click.option("--rounds", default=20, show_default=True)
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), default=None, help="Write cProfile stats.")
@click.option("--sql", is_flag=True, help="Show each step's statements.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
def main(url: str | None, rounds: int, profile_path: Path | None, sql: bool, output: Path | None) -> None:
    async def go() -> dict[str, Any]:
        from bot.config import async_database_url
        from bot.db import make_engine, upgrade

        with tempfile.TemporaryDirectory() as folder:
            database_url = url or f"sqlite:///{folder}/updates.db"
            if url is None:
                engine = make_engine(async_database_url(database_url))
                await upgrade(engine)
                await engine.dispose()
            return await measure(database_url, rounds, profile_path)

    results = asyncio.run(go())
    for step, figures in results.items():
        click.echo(f"{step:8} {figures['statements']:3} statements {figures['commits']:2} commits "
                   f"{figures['cpu_ms_p50']:7.2f} ms CPU (p50)")  # fmt: skip
        if sql:
            for line in figures["sql"]:
                click.echo(f"           {line}")
    if output is not None:
        output.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
