"""Measurements through the Bot API sandbox over loopback HTTP.

- `throughput`: a real `klambi run` process serving a mixed workload (status, whole submissions, the indicator)
  next to a bare python-telegram-bot echo bot (`benchmarks/echo_bot.py`) served the same number of people against
  the same sandbox in the same run; both are separate processes, the sandbox and the people live here. In the same
  bot process then: `/status` alone (every secretary in a loop), a secretary's `/status` latency quiet and while two
  heads loop `/rekap` and `/indikator` for 2023, 2024, 2025 in turn (caches do not hide the work), and the order
  check (each person sends a burst of `/status <year>` without waiting; answers in another order are counted). The
  bot's memory (VmRSS idle, VmHWM after the load) is read from /proc, and its child processes' too (a process pool:
  /proc/<pid>/task/*/children, recursively).
- `dispatch`: the reminder sweep sending through the real Application (its AIORateLimiter) to a sandbox that
  enforces Telegram's 30 messages a second with 429s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import insert, select

from benchmarks.generate import NOW, TELEGRAM_ID_BASE
from bot.app import App
from bot.channels.telegram.transport import TelegramTransport
from bot.sandbox.telegram import BotApiSandbox, FloodControl, SandboxUser
from bot.storage import minimal_pdf
from models.tables import (
    Desa,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    Person,
    ProcessedUpdate,
    Role,
    RoleAssignment,
    ScopeKind,
)

TOKEN = "8080:BENCH-sandbox-token"
PDF = minimal_pdf(b" Perdes (benchmark) " + b"0" * 20_000)
ROOT = Path(__file__).resolve().parent.parent


def _memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (the peak) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return found


def _children(pid: int) -> list[int]:
    """The process's descendants (its process pool), from /proc/<pid>/task/*/children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_children(int(child))]
    return found


def _family_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM summed over the process's children (0 when it has none)."""
    total = {"VmRSS": 0.0, "VmHWM": 0.0}
    for child in _children(pid):
        with contextlib.suppress(OSError):
            for key, value in _memory(child).items():
                total[key] = round(total[key] + value, 1)
    return total


@contextlib.asynccontextmanager
async def _process(*args: str, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    log = os.environ.get("BENCH_BOT_LOG")  # where the bot's log goes (to look into a run), else kept for errors
    stderr = open(log, "ab") if log else asyncio.subprocess.PIPE  # noqa: SIM115
    process = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
        if log:
            stderr.close()  # type: ignore[union-attr]
        if process.returncode not in (0, -15):
            raise RuntimeError(f"{args[-1]} ended with {process.returncode}: {(err or b'').decode()[-2000:]}")


async def _closed_loop(scripts: list[Any]) -> tuple[int, float]:
    """Run every person's script at once; returns (updates sent, seconds)."""
    start = time.perf_counter()
    counts = await asyncio.gather(*scripts)
    return sum(counts), time.perf_counter() - start


async def _echo(user: SandboxUser, rounds: int) -> int:
    for n in range(rounds):
        await user.send_text(f"halo {n}")
        await user.expect(f"halo {n}", timeout=60)
    return rounds


async def _people(app: App, users: int) -> tuple[list[tuple[Person, str]], list[Person], list[Person]]:
    """Secretaries of the first kecamatan with several desa on the bot, their staf and their camat."""
    async with app.sessions() as session:
        rows = (
            await session.execute(
                select(Person, RoleAssignment.scope_code)
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .where(RoleAssignment.role == Role.SEKDES)
                .order_by(RoleAssignment.scope_code)
                .limit(users)
            )
        ).all()
        kecamatan = sorted({code[:8] for _, code in rows})
        others = (
            await session.execute(
                select(Person, RoleAssignment.role)
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .where(RoleAssignment.scope_kind == ScopeKind.KECAMATAN, RoleAssignment.scope_code.in_(kecamatan))
            )
        ).all()
    return (
        [(p, code) for p, code in rows],
        [p for p, role in others if role is Role.STAF],
        [p for p, role in others if role is Role.CAMAT],
    )


async def _open_obligations(app: App, desa: str) -> list[int]:
    """The desa's obligations of the current performance year (nothing received yet at NOW)."""
    async with app.sessions() as session:
        return list(
            await session.scalars(
                select(Obligation.id)
                .where(Obligation.desa_kode == desa, Obligation.legal_deadline > NOW.date())
                .order_by(Obligation.legal_deadline)
            )
        )


async def _sekdes(user: SandboxUser, obligations: list[int], rounds: int) -> int:
    """Per round: /status, then a whole /kirim (choose, PDF, date, nomor, Kirim): 7 updates."""
    sent = 0
    for n in range(rounds):
        await user.send_text("/status")
        await user.expect("Status dokumen", timeout=120)
        await user.send_text("/kirim")
        await user.expect("Dokumen mana", timeout=120)
        await user.press(f"k:o:{obligations[n % len(obligations)]}", timeout=120)
        await user.expect("Kirim berkas", timeout=120)
        await user.send_document(PDF + f"{user.id}-{n}".encode(), f"perdes-{n}.pdf", "application/pdf")
        await user.expect("Tanggal penetapan", timeout=120)
        await user.send_text("30/12/2024")
        await user.expect("Nomor dokumennya", timeout=120)
        await user.send_text(f"{n + 1}/2024")
        await user.expect("Periksa dulu", timeout=120)
        await user.press("k:send", timeout=120)
        await user.expect("Tanda terima", timeout=120)
        sent += 7
    return sent


BUSY = "masih disiapkan"  # build.busy: one file per person at a time


async def _ask_for_file(user: SandboxUser, command: str, text: str, timeout: float) -> None:
    """Send `command` and wait for its answer: a message containing `text` and the file itself (a chart or a
    workbook), in whichever order they come (a kept file goes out at once, a new one follows its text: issue 19).
    A person asks again once they hold the file, as the bot asks them to ("masih disiapkan")."""
    start = len(user.chat.messages)
    await user.send_text(command)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        new = user.chat.messages[start:]
        if any(m.document or m.photo for m in new) and any(text in m.text for m in new):
            return
        if any(BUSY in m.text for m in new):  # the previous file's turn was not given back yet: ask again
            await asyncio.sleep(0.2)
            start = len(user.chat.messages)
            await user.send_text(command)
            continue
        if loop.time() >= deadline:
            raise AssertionError(f"{user.label}: no file and {text!r} within {timeout} s after {command}")
        await asyncio.sleep(0.02)


async def _camat(user: SandboxUser, rounds: int) -> int:
    for _ in range(rounds):
        await _ask_for_file(user, "/indikator 2024", "Indikator akuntabilitas", timeout=120)
    return rounds


async def _status_loop(user: SandboxUser, rounds: int) -> int:
    for _ in range(rounds):
        await user.send_text("/status")
        await user.expect("Status dokumen", timeout=120)
    return rounds


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _latencies(user: SandboxUser, count: int) -> list[float]:
    """A secretary's `/status`, one after another with a quarter of a second between (as a person taps, and under
    the flood gate's refill: 40 at once, one more a second): milliseconds from sending to the answer."""
    found = []
    for _ in range(count):
        start = time.perf_counter()
        await user.send_text("/status")
        await user.expect("Status dokumen", timeout=120)
        found.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.25)
    return found


YEARS = (2023, 2024, 2025)


async def _heavy(user: SandboxUser, command: str, answer: str, stop: asyncio.Event) -> int:
    """`/rekap <year>` or `/indikator <year>` for each year in turn until `stop`."""
    done = 0
    while not stop.is_set():
        await _ask_for_file(user, f"/{command} {YEARS[done % len(YEARS)]}", answer, timeout=300)
        done += 1
    return done


async def latency_under_load(secretary: SandboxUser, heads: list[SandboxUser], samples: int) -> dict[str, Any]:
    """A secretary's `/status` quiet, then while two heads loop `/rekap` and `/indikator` for different years."""
    quiet = await _latencies(secretary, samples)
    stop = asyncio.Event()
    loads = [
        asyncio.create_task(_heavy(heads[0], "rekap", "Rekap Kecamatan", stop)),
        asyncio.create_task(_heavy(heads[1 % len(heads)], "indikator", "Indikator akuntabilitas", stop)),
    ]
    await asyncio.sleep(0.5)  # both heavy answers under way
    loaded = await _latencies(secretary, samples)
    stop.set()
    heavy = await asyncio.gather(*loads)
    quiet_p95, loaded_p95 = _percentile(quiet, 0.95), _percentile(loaded, 0.95)
    return {
        "samples": samples,
        "quiet_p50_ms": round(statistics.median(quiet), 1),
        "quiet_p95_ms": round(quiet_p95, 1),
        "loaded_p50_ms": round(statistics.median(loaded), 1),
        "loaded_p95_ms": round(loaded_p95, 1),
        "p95_ratio": round(loaded_p95 / quiet_p95, 2),
        "heavy_answers_meanwhile": sum(heavy),
        "heads_distinct": len({u.id for u in heads[:2]}),
    }


YEAR_IN_STATUS = re.compile(r"tahun kinerja (\d{4})")


async def order_check(people: list[SandboxUser], burst: int) -> dict[str, Any]:
    """Each person sends `burst` numbered requests (`/status <year>`, the years in turn) without waiting; the
    answers must come back in the order asked. Counts answers whose year is not the one asked in that place."""

    async def one(user: SandboxUser) -> int:
        before = len(user.messages)
        asked = [YEARS[n % len(YEARS)] for n in range(burst)]
        for year in asked:
            await user.send_text(f"/status {year}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while loop.time() < deadline:
            answered = [m for m in user.messages[before:] if YEAR_IN_STATUS.search(m.text)]
            if len(answered) >= burst:
                break
            await asyncio.sleep(0.05)
        years = [int(YEAR_IN_STATUS.search(m.text).group(1)) for m in answered]  # type: ignore[union-attr]
        if years != asked:
            print(f"order check: {user.id} asked {asked}, answered {years}", file=sys.stderr)
        return sum(1 for got, want in zip(years, asked, strict=False) if got != want), max(0, burst - len(years))

    counts = await asyncio.gather(*(one(u) for u in people))
    return {
        "people": len(people),
        "updates": len(people) * burst,
        "out_of_order": sum(wrong for wrong, _ in counts),
        "unanswered": sum(missing for _, missing in counts),
    }


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")}, **extra}


async def throughput(app: App, database_url: str, users: int, rounds: int) -> dict[str, Any]:
    """Updates per second of `klambi run` (mixed workload) and of a bare echo bot, and the bot's memory."""
    async with (
        app.sessions() as session,
        session.begin(),
    ):  # an earlier run's update ids (--reuse): not "handled before"
        await session.execute(
            ProcessedUpdate.__table__.delete().where(ProcessedUpdate.bot_id == int(TOKEN.split(":")[0]))
        )
    sekdes, staf, camat = await _people(app, users)
    obligations = {p.id: await _open_obligations(app, desa) for p, desa in sekdes}
    async with BotApiSandbox(token=TOKEN, now=app.clock.now) as sandbox:
        for person in [*staf, *camat]:
            sandbox.user(TELEGRAM_ID_BASE + person.id, person.name)  # as benchmarks/generate.py links them
        people = [sandbox.user(TELEGRAM_ID_BASE + p.id, p.name) for p, _ in sekdes]
        heads = [u for u in sandbox._users.values() if u.id in {TELEGRAM_ID_BASE + p.id for p in camat}]
        staff = [u for u in sandbox._users.values() if u.id in {TELEGRAM_ID_BASE + p.id for p in staf}]
        env = _env({"BENCH_TOKEN": TOKEN, "BENCH_BASE_URL": sandbox.base_url})
        echo_users = [sandbox.user(9_000_000 + n, f"Echo {n}") for n in range(len(people) + len(heads))]
        echo_rounds = max(1, round((len(people) * 7 * rounds + len(heads) * rounds * 2) / len(echo_users)))
        async with _process(sys.executable, "-m", "benchmarks.echo_bot", env=env):
            await echo_users[0].send_text("siap?")
            await echo_users[0].expect("siap?", timeout=60)
            echo_count, echo_seconds = await _closed_loop([_echo(u, echo_rounds) for u in echo_users])
        with TemporaryDirectory() as files:
            env = _env(
                {
                    "KLAMBI_DATABASE__URL": database_url,
                    "KLAMBI_STORAGE__PATH": files,
                    "KLAMBI_TELEGRAM__TOKEN": TOKEN,
                    "KLAMBI_TELEGRAM__BASE_URL": sandbox.base_url,
                    "KLAMBI_TELEGRAM__BASE_FILE_URL": sandbox.base_file_url,
                    "KLAMBI_REMINDERS__ENABLED": "false",
                    "KLAMBI_WEB__PORT": "0",  # the dashboard on any free port: runs side by side do not collide
                }
            )
            command = [sys.executable, "-m", "bot", "--now", NOW.isoformat(), "run"]
            async with _process(*command, env=env) as bot:
                stranger = sandbox.user(8_999_999, "Tamu")
                started = time.perf_counter()
                await stranger.send_text("/start")
                await stranger.expect("belum terdaftar", timeout=120)
                ready_seconds = time.perf_counter() - started
                await asyncio.sleep(2)
                idle = _memory(bot.pid)
                scripts = [_sekdes(u, obligations[p.id], rounds) for u, (p, _) in zip(people, sekdes, strict=True)]
                scripts += [_camat(u, rounds * 2) for u in heads]
                bot_count, bot_seconds = await _closed_loop(scripts)
                status_count, status_seconds = await _closed_loop([_status_loop(u, rounds * 10) for u in people[1:]])
                latency = await latency_under_load(people[0], [*heads, *staff][:2], 20 if rounds <= 2 else 40)
                order = await order_check(people[1:], 9)  # the first is the latency's: it stays under the flood gate
                loaded = _memory(bot.pid)
                children = _family_memory(bot.pid)
    bot_rate, echo_rate = bot_count / bot_seconds, echo_count / echo_seconds
    status_rate = status_count / status_seconds
    return {
        "status_updates": status_count,
        "status_updates_per_second": round(status_rate, 1),
        "status_ratio": round(status_rate / echo_rate, 3),
        "latency": latency,
        "order": order,
        "pool_memory_mb": children.get("VmRSS"),
        "pool_memory_peak_mb": children.get("VmHWM"),
        "people": len(people) + len(heads),
        "bot_updates": bot_count,
        "bot_seconds": round(bot_seconds, 2),
        "bot_updates_per_second": round(bot_rate, 1),
        "echo_updates": echo_count,
        "echo_seconds": round(echo_seconds, 2),
        "echo_updates_per_second": round(echo_rate, 1),
        "ratio": round(bot_rate / echo_rate, 3),
        "first_answer_after_start_seconds": round(ready_seconds, 2),
        "memory_idle_mb": idle.get("VmRSS"),
        "memory_peak_mb": loaded.get("VmHWM"),
        "memory_after_load_mb": loaded.get("VmRSS"),
    }


async def dispatch(app: App, count: int) -> dict[str, Any]:
    """`count` reminders due now, to as many secretaries, swept through the real Application (AIORateLimiter) to a
    sandbox that answers 429 above 30 messages a second (and above one a second to one chat). Side by side in one
    run: first the sweep in batches of one (before issue 19: one send at a time, each marked before the next), then
    the same people again with the sweep as it is (sends overlapping, marked in batches)."""
    from benchmarks.database import _batches_of_one
    from bot.channels.telegram.application import running

    async with app.sessions() as session, session.begin():
        await session.execute(  # nothing else due, and no earlier run of this measurement
            OutboxMessage.__table__.delete().where(
                (OutboxMessage.status == OutboxStatus.PLANNED) | (OutboxMessage.for_date == NOW.date())
            )
        )
        rows = (
            await session.execute(
                select(
                    Obligation.id, Obligation.desa_kode, Desa.kecamatan_kode, Person.id, TELEGRAM_ID_BASE + Person.id
                )
                .join(Desa, Desa.kode == Obligation.desa_kode)
                .join(RoleAssignment, RoleAssignment.scope_code == Obligation.desa_kode)
                .join(Person, Person.id == RoleAssignment.person_id)
                .where(RoleAssignment.role == Role.SEKDES, Obligation.legal_deadline > NOW.date())
                .order_by(Obligation.desa_kode, Obligation.id)
                .limit(count * 3)
            )
        ).all()
    chosen, seen = [], set()
    for row in rows:  # one reminder per person: the per-chat limit (1/s) is not what is measured
        if row[3] not in seen:
            seen.add(row[3])
            chosen.append(row)
    chosen = chosen[:count]
    async with BotApiSandbox(token=TOKEN, now=app.clock.now, flood_control=FloodControl(30, 1)) as sandbox:
        for *_, chat in chosen:
            sandbox.user(chat, f"Sekdes {chat - TELEGRAM_ID_BASE}")
        settings = app.settings.model_copy(
            update={
                "telegram": app.settings.telegram.model_copy(
                    update={"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url}
                )
            }
        )
        bot_app = App(settings, app.clock, app.engine, app.sessions, app.files)
        async with running(bot_app, TOKEN) as application:
            transport = TelegramTransport(application.bot)
            with _batches_of_one():
                before = await _dispatch_round(bot_app, transport, sandbox, chosen, "H-7")
            await asyncio.sleep(1.5)  # each chat's one message a second, and the limiter's bucket, start afresh
            after = await _dispatch_round(bot_app, transport, sandbox, chosen, "H-3")
    return {
        "reminders": len(chosen),
        **after,
        "one_at_a_time": before,
        "ratio_to_one_at_a_time": (
            round(after["messages_per_second"] / before["messages_per_second"], 3)
            if before["messages_per_second"]
            else None
        ),
    }


async def _dispatch_round(app: App, transport: TelegramTransport, sandbox: BotApiSandbox, chosen: list[Any],
                          kind: str) -> dict[str, Any]:  # fmt: skip
    """The chosen reminders (of `kind`) due now, swept until nothing is left; what the sandbox saw meanwhile."""
    from scheduler.sweep import sweep

    async with app.sessions() as session, session.begin():
        due = NOW - timedelta(minutes=1)
        await session.execute(
            insert(OutboxMessage),
            [
                {"kecamatan_kode": kec, "subject_type": "obligation", "subject_id": str(oid),
                 "recipient_key": f"person:{pid}", "person_id": pid, "role": "sekdes",
                 "kind": kind, "for_date": NOW.date(), "send_at": due, "status": OutboxStatus.PLANNED,
                 "attempts": 0, "details": {"desa": desa}, "created_at": due}
                for oid, desa, kec, pid, chat in chosen
            ],
        )  # fmt: skip
    calls, refusals = len(sandbox.calls), sandbox.flood_429_count
    start = time.perf_counter()
    sent = retried = 0
    while True:
        result = await sweep(app, {"telegram": transport}, "bench")
        sent, retried = sent + result.sent, retried + result.retried
        if not (result.sent + result.retried + result.cancelled + result.unreachable):
            break
    seconds = time.perf_counter() - start
    rate = sent / seconds
    return {
        "sent": sent,
        "retried": retried,
        "seconds": round(seconds, 2),
        "messages_per_second": round(rate, 2),
        "share_of_allowed": round(rate / 30, 3),
        "http_429": sandbox.flood_429_count - refusals,
        "send_message_calls": sum(1 for name, _ in sandbox.calls[calls:] if name == "sendMessage"),
    }
