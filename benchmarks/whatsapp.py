"""Measurements of the WhatsApp channel through the Graph API sandbox over loopback HTTP (issue 17).

- `webhook`: a real `klambi run` process serving WhatsApp alone (reminders off); N registered secretaries, each with
  a WhatsApp contact, each write "status" R times (the next when the answer came), all at once: the sandbox POSTs
  every message as a signed webhook to the bot's route. Messages handled per second (first POST to the last answer
  in the sandbox), the webhook POST's latency (until the 200), answers per message, and the bot's memory (VmRSS idle,
  VmHWM after the load) read from /proc as `benchmarks.chat.throughput` reads it for Telegram.
- `dispatch`: K reminders due now to K secretaries on WhatsApp, swept (`scheduler.sweep.sweep` until nothing is
  left) through the real transport and Graph client (its `Pace`) into a sandbox that refuses above 80 messages a
  second (130429) and above its burst to one person (131056): first inside each person's 24-hour window (free-form
  text), then the same people outside it (the approved templates), side by side in one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import timedelta
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import exists, insert, select, update

from benchmarks.chat import _closed_loop, _env, _memory, _people, _process
from benchmarks.generate import NOW
from bot.app import App
from bot.sandbox.whatsapp import GraphSandbox, WaPerson
from models.tables import (
    Contact,
    Desa,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    RoleAssignment,
    Submission,
)

ACCESS_TOKEN = "EAAG-bench-sandbox-access-token"
APP_SECRET = "bench-sandbox-app-secret"
VERIFY_TOKEN = "bench-sandbox-verify-token"
BUSINESS_NUMBER = "6281100000000"
LIMIT = 80  # messages a second for one number (Meta's default; the sandbox's rate_per_second)
GRACE = 1.0  # after the last expected answer, how long a late extra answer still counts (a figure, not a wait)


def wa_id(person_id: int) -> str:
    """A generated person's WhatsApp number: international digits, unique per row id."""
    return f"62850{person_id:08d}"


async def _whatsapp_contacts(app: App, person_ids: Iterable[int], last_message_at: Any) -> None:
    """Give these people a WhatsApp contact (user_id and phone: their number) that last wrote at `last_message_at`;
    one made by an earlier run is updated instead."""
    ids = sorted(set(person_ids))
    async with app.sessions() as session, session.begin():
        existing = set(
            await session.scalars(
                select(Contact.person_id).where(Contact.channel == "whatsapp", Contact.person_id.in_(ids))
            )
        )
        await session.execute(
            update(Contact)
            .where(Contact.channel == "whatsapp", Contact.person_id.in_(ids))
            .values(last_message_at=last_message_at, unreachable_since=None)
        )
        new = [
            {"person_id": pid, "channel": "whatsapp", "user_id": wa_id(pid), "phone": wa_id(pid),
             "display_name": f"Sekdes {pid}", "linked_at": NOW - timedelta(days=30),
             "last_message_at": last_message_at}
            for pid in ids if pid not in existing
        ]  # fmt: skip
        if new:
            await session.execute(insert(Contact), new)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _ready(graph: GraphSandbox, seconds: float = 120.0) -> None:
    """Wait until the bot's webhook route answers Meta's handshake (the process has started serving)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        with contextlib.suppress(Exception):  # not listening yet
            status, _ = await graph.verify(VERIFY_TOKEN)
            if status == 200:
                return
        if loop.time() > deadline:
            raise RuntimeError("the bot's WhatsApp webhook did not answer within 120 s")
        await asyncio.sleep(0.1)


async def _secretary(person: WaPerson, rounds: int, latencies: list[float]) -> int:
    """Write "status" `rounds` times, each after the answer to the one before."""
    for _ in range(rounds):
        start = time.perf_counter()
        await person.say("status")
        latencies.append(time.perf_counter() - start)
        await person.expect("Status dokumen", timeout=120)
    return rounds


async def webhook(
    app: App, database_url: str, people: int, rounds: int, telegram: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Messages per second `klambi run` handles from signed webhooks, the POSTs' latency, answers per message and the
    bot's memory; beside it Telegram's `chat` updates per second when that ran in the same run."""
    sekdes, _, _ = await _people(app, people)
    ids = [p.id for p, _ in sekdes]
    await _whatsapp_contacts(app, ids, NOW - timedelta(hours=1))
    port = _free_port()
    latencies: list[float] = []
    async with GraphSandbox(
        access_token=ACCESS_TOKEN, app_secret=APP_SECRET, clock=app.clock.now, business_number=BUSINESS_NUMBER,
        rate_per_second=LIMIT,
    ) as graph:  # fmt: skip
        graph.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        persons = [graph.person(wa_id(p.id), p.name) for p, _ in sekdes]
        with TemporaryDirectory() as files:
            env = _env(
                {
                    "KLAMBI_DATABASE__URL": database_url,
                    "KLAMBI_STORAGE__PATH": files,
                    "KLAMBI_REMINDERS__ENABLED": "false",
                    "KLAMBI_WEB__PORT": str(port),
                    "KLAMBI_WHATSAPP__PHONE_NUMBER_ID": graph.phone_number_id,
                    "KLAMBI_WHATSAPP__ACCESS_TOKEN": ACCESS_TOKEN,
                    "KLAMBI_WHATSAPP__APP_SECRET": APP_SECRET,
                    "KLAMBI_WHATSAPP__VERIFY_TOKEN": VERIFY_TOKEN,
                    "KLAMBI_WHATSAPP__WABA_ID": graph.waba_id,
                    "KLAMBI_WHATSAPP__BUSINESS_NUMBER": BUSINESS_NUMBER,
                    "KLAMBI_WHATSAPP__GRAPH_URL": graph.graph_url,
                }
            )
            command = [sys.executable, "-m", "bot", "--now", NOW.isoformat(), "run"]
            async with _process(*command, env=env) as bot:
                started = time.perf_counter()
                await _ready(graph)
                stranger = graph.person("6289999999999", "Tamu")
                await stranger.say("halo")
                await stranger.expect("belum terdaftar", timeout=120)
                ready_seconds = time.perf_counter() - started
                await asyncio.sleep(2)
                idle = _memory(bot.pid)
                count, seconds = await _closed_loop([_secretary(p, rounds, latencies) for p in persons])
                loaded = _memory(bot.pid)
                await asyncio.sleep(GRACE)  # an extra answer would still come (and count) now
                answers = sum(len(p.messages) for p in persons)
    rate = count / seconds
    figures: dict[str, Any] = {
        "people": len(persons),
        "messages": count,
        "seconds": round(seconds, 2),
        "messages_per_second": round(rate, 1),
        "post_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "post_p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "post_max_ms": round(max(latencies) * 1000, 1),
        "answers": answers,
        "answers_per_message": round(answers / count, 3),
        "refusals": len(graph.refusals),
        "first_answer_after_start_seconds": round(ready_seconds, 2),
        "memory_idle_mb": idle.get("VmRSS"),
        "memory_peak_mb": loaded.get("VmHWM"),
        "memory_after_load_mb": loaded.get("VmRSS"),
    }
    telegram_rate = (telegram or {}).get("bot_updates_per_second")
    if telegram_rate:
        figures["telegram_updates_per_second"] = telegram_rate
        figures["ratio_to_telegram"] = round(rate / telegram_rate, 3)
    return figures


async def _reminders(app: App, count: int) -> list[tuple[int, int, str, str]]:
    """Two open obligations (nothing received yet) of each of `count` secretaries, as (person, obligation, desa,
    kecamatan): every first, then every second, so the same people get one reminder inside their window and one
    outside it."""
    async with app.sessions() as session:
        rows = (
            await session.execute(
                select(Person.id, Obligation.id, Obligation.desa_kode, Desa.kecamatan_kode)
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .join(Obligation, Obligation.desa_kode == RoleAssignment.scope_code)
                .join(Desa, Desa.kode == Obligation.desa_kode)
                .where(
                    RoleAssignment.role == Role.SEKDES,
                    Obligation.legal_deadline > NOW.date(),
                    ~exists().where(Submission.obligation_id == Obligation.id),  # `chat` may have sent some
                )
                .order_by(Obligation.desa_kode, Person.id, Obligation.id)
                .limit(count * 12)
            )
        ).all()
    by_person: dict[int, list[tuple[int, int, str, str]]] = {}
    for pid, oid, desa, kec in rows:
        by_person.setdefault(pid, []).append((pid, oid, desa, kec))
    chosen = [found[:2] for found in by_person.values() if len(found) >= 2][:count]
    return [pair[0] for pair in chosen] + [pair[1] for pair in chosen]


async def _plan(app: App, reminders: list[tuple[int, int, str, str]], kind: str) -> None:
    due = NOW - timedelta(minutes=1)
    async with app.sessions() as session, session.begin():
        await session.execute(
            insert(OutboxMessage),
            [
                {"kecamatan_kode": kec, "subject_type": "obligation", "subject_id": str(oid),
                 "recipient_key": f"person:{pid}", "person_id": pid, "role": "sekdes", "kind": kind,
                 "for_date": NOW.date(), "send_at": due, "status": OutboxStatus.PLANNED, "attempts": 0,
                 "details": {"desa": desa}, "created_at": due}
                for pid, oid, desa, kec in reminders
            ],
        )  # fmt: skip


async def _swept(app: App, transports: Any, graph: GraphSandbox) -> dict[str, Any]:
    """Sweep until nothing is left to send; what it sent, how fast, and what the sandbox refused meanwhile."""
    from scheduler.sweep import sweep

    sent_before, refused_before = len(graph.sent), len(graph.refusals)
    start = time.perf_counter()
    sent = retried = waiting = cancelled = 0
    while True:
        result = await sweep(app, transports, "bench")
        sent, retried, waiting = sent + result.sent, retried + result.retried, waiting + result.waiting
        cancelled += result.cancelled + result.superseded
        if not (result.sent + result.retried + result.cancelled + result.unreachable):
            break
    seconds = time.perf_counter() - start
    refusals = graph.refusals[refused_before:]
    rate = sent / seconds if seconds else 0.0
    return {
        "sent": sent,
        "as_templates": sum(1 for m in graph.sent[sent_before:] if m.type == "template"),
        "retried": retried,
        "waiting": waiting,
        "cancelled": cancelled,
        "seconds": round(seconds, 2),
        "messages_per_second": round(rate, 1),
        "share_of_limit": round(rate / LIMIT, 3),
        "refusals_130429": sum(1 for code, _ in refusals if code == 130429),
        "refusals_131056": sum(1 for code, _ in refusals if code == 131056),
        "refusals_other": sum(1 for code, _ in refusals if code not in (130429, 131056)),
    }


async def dispatch(app: App, count: int) -> dict[str, Any]:
    """`count` reminders due now to as many secretaries on WhatsApp, swept into a sandbox that allows 80 messages a
    second: inside their window (free-form), then the same people outside it (templates, approved first)."""
    from bot.channels.run import running
    from bot.channels.whatsapp.templates import TEMPLATES
    from bot.config import WhatsAppSettings

    async with app.sessions() as session, session.begin():
        await session.execute(  # nothing else due, and no earlier run of a dispatch measurement
            OutboxMessage.__table__.delete().where(
                (OutboxMessage.status == OutboxStatus.PLANNED) | (OutboxMessage.for_date == NOW.date())
            )
        )
    reminders = await _reminders(app, count)
    inside, outside = reminders[: len(reminders) // 2], reminders[len(reminders) // 2 :]
    people = [pid for pid, *_ in inside]
    await _whatsapp_contacts(app, people, NOW - timedelta(hours=1))
    async with GraphSandbox(
        access_token=ACCESS_TOKEN, app_secret=APP_SECRET, clock=app.clock.now, business_number=BUSINESS_NUMBER,
        rate_per_second=LIMIT,
    ) as graph:  # fmt: skip
        persons = [graph.person(wa_id(pid), f"Sekdes {pid}") for pid in people]
        for person in persons:
            person.last_inbound = NOW - timedelta(hours=1)
        whatsapp = WhatsAppSettings(
            phone_number_id=graph.phone_number_id, access_token=ACCESS_TOKEN, app_secret=APP_SECRET,
            verify_token=VERIFY_TOKEN, waba_id=graph.waba_id, business_number=BUSINESS_NUMBER,
            graph_url=graph.graph_url, daily_limit=10_000_000,  # the day's limit is not what is measured
        )  # fmt: skip
        settings = app.settings.model_copy(
            update={"whatsapp": whatsapp, "web": app.settings.web.model_copy(update={"port": 0})}
        )
        bot_app = App(settings, app.clock, app.engine, app.sessions, app.files)
        async with running(bot_app, whatsapp=True, jobs=False) as runtime:
            assert runtime.whatsapp is not None
            registry = runtime.whatsapp.registry
            for template in TEMPLATES:  # what `klambi whatsapp templates push` and Meta's review do
                await registry.create(template)
                graph.set_template_status(template.name, "APPROVED", template.language)
            await registry.refresh()
            await _plan(bot_app, inside, "H-7")
            window = await _swept(bot_app, runtime.transports, graph)
            await _whatsapp_contacts(app, people, NOW - timedelta(days=3))
            for person in persons:
                person.last_inbound = NOW - timedelta(days=3)
            await _plan(bot_app, outside, "H-7")
            templates = await _swept(bot_app, runtime.transports, graph)
            await runtime.idle()
    return {
        "reminders": len(inside),
        "limit_per_second": LIMIT,
        "sent": window["sent"],
        "seconds": window["seconds"],
        "messages_per_second": window["messages_per_second"],
        "share_of_limit": window["share_of_limit"],
        "refusals_130429": window["refusals_130429"] + templates["refusals_130429"],
        "inside_window": window,
        "outside_window": templates,
        "template_rate_ratio": (
            round(templates["messages_per_second"] / window["messages_per_second"], 3)
            if window["messages_per_second"]
            else None
        ),
    }
