"""Crashes: `klambi run` as a real process, killed with SIGKILL (no cleanup at all) in the middle of a submission, a
verification and a reminder sweep, then started again on the same database. Nothing is lost and nothing is doubled,
but for the one reminder in flight that the reminders' design allows to go out twice (docs/DECISIONS.md, issue 4).

And a database that is not there for a moment: SQLite busy beyond its timeout, PostgreSQL's connections cut or
refused. The person is asked to try again, and the bot recovers by itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import db as klambi_db
from bot.app import App
from bot.chat.messages import Sender
from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.telegram import BotApiSandbox, SandboxUser
from bot.services.calendar import load_calendar
from bot.services.people import create_invitation, redeem_invitation
from bot.services.places import import_area
from models.status import ReviewStatus
from models.tables import AuditEntry, OutboxMessage, OutboxStatus, Submission, SubmissionFile
from scheduler.planner import plan_everywhere
from tests.conftest import WIB
from tests.world import JATIROTO, KALIBOTO_LOR, PDF, ROJOPOLO, SUKOSARI, Role

TOKEN = "5252:CRASH-process-token_secret"


class BotProcess:
    """`klambi --now T run` as a child process against the sandbox; killed without mercy or stopped politely."""

    def __init__(self, database_url: str, tmp_path: Path, sandbox: BotApiSandbox) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")},
            "KLAMBI_DATABASE__URL": database_url,
            "KLAMBI_STORAGE__PATH": str(tmp_path / "files"),
            "KLAMBI_TELEGRAM__TOKEN": TOKEN,
            "KLAMBI_TELEGRAM__BASE_URL": sandbox.base_url,
            "KLAMBI_TELEGRAM__BASE_FILE_URL": sandbox.base_file_url,
            "KLAMBI_REMINDERS__SWEEP_SECONDS": "5",
        }
        self.logs = tmp_path / "logs"
        self.logs.mkdir(exist_ok=True)
        self.process: asyncio.subprocess.Process | None = None
        self.runs = 0

    async def start(self, now: datetime) -> None:
        self.runs += 1
        log = (self.logs / f"run{self.runs}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--now", now.isoformat(), "run", env=self.env, stdout=log, stderr=log
        )
        log.close()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.process.wait(), 30) == -signal.SIGKILL

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.logs.iterdir()))


async def _prepare(database_url: str, tmp_path: Path, now: datetime, people: dict[int, tuple[str, Role, str]]) -> App:
    """The kecamatan loaded and people already registered (as if they had opened their invitations)."""
    app = App.create(Settings(database={"url": database_url}, storage={"path": tmp_path / "files"}), ManualClock(now))
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, now, [2024, 2025], await load_calendar(session))
        for user_id, (name, role, place) in people.items():
            code = (await create_invitation(session, role, place, now)).code
            await redeem_invitation(session, code, Sender("telegram", str(user_id), str(user_id), name), now)
        await plan_everywhere(session, now, app.settings.reminders)
    return app


async def _count(app: App, table, *where) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table).where(*where))


async def _obligation(app: App) -> int:
    from models.tables import Obligation

    async with app.sessions() as session:
        return await session.scalar(
            select(Obligation.id).where(
                Obligation.desa_kode == ROJOPOLO,
                Obligation.document_code == "RKPDES",
                Obligation.tahun_anggaran == 2025,
            )
        )


async def _up_to_nomor(sekdes: SandboxUser, obligation_id: int) -> None:
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana", timeout=30)
    await sekdes.press(f"k:o:{obligation_id}")
    await sekdes.expect("Kirim berkas")
    await sekdes.send_document(PDF, "rkpdes.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text("27/09/2024")
    await sekdes.expect("Nomor dokumennya")


SUBMIT_NOW = datetime(2024, 9, 27, 10, 0, tzinfo=WIB)
SEKDES_AND_STAF = {101: ("Siti", Role.SEKDES, ROJOPOLO), 201: ("Kasi Pem", Role.STAF, JATIROTO)}


async def test_sigkill_in_the_middle_of_a_submission_loses_nothing_and_doubles_nothing(database_url, tmp_path):
    app = await _prepare(database_url, tmp_path, SUBMIT_NOW, SEKDES_AND_STAF)
    async with BotApiSandbox(token=TOKEN, now=lambda: SUBMIT_NOW) as sandbox:
        bot = BotProcess(database_url, tmp_path, sandbox)
        sekdes = sandbox.user(101, "Siti", label="Sekdes")
        sandbox.user(201, "Kasi Pem", label="Staf")
        try:
            await bot.start(SUBMIT_NOW)
            await _up_to_nomor(sekdes, await _obligation(app))
            await bot.kill()  # the draft is in the database; the last update may not even be confirmed
            await bot.start(SUBMIT_NOW)
            await sandbox.settle(timeout=30)
            await sekdes.send_text("5 Tahun 2024")
            await sekdes.expect("Periksa dulu", timeout=30)
            held = sandbox.hold("sendMessage")  # the receipt reaches Telegram, the bot never hears back
            await sekdes.press("k:send")
            await held.wait_arrived()
            await bot.kill()
            held.release()
            sandbox.redeliver(sandbox.last_update_id)  # as Telegram would, had the offset not been confirmed
            await bot.start(SUBMIT_NOW)
            await sandbox.settle(timeout=30)
            await sekdes.send_text("/status")
            await sekdes.expect("RKPDes", timeout=30)
        finally:
            await bot.stop()
        assert len([m for m in sekdes.messages if "Tanda terima" in m.text]) == 1
        async with app.sessions() as session:
            [(nomor, penetapan)] = (await session.execute(select(Submission.nomor, Submission.tanggal_penetapan))).all()
            [stored] = (await session.scalars(select(SubmissionFile.stored_path))).all()
        assert nomor == "5 Tahun 2024" and penetapan.isoformat() == "2024-09-27"
        assert (tmp_path / "files" / stored).read_bytes() == PDF
        assert await _count(app, AuditEntry, AuditEntry.action == "submission.submit") == 1
        assert TOKEN.split(":")[1] not in bot.log()
        await app.close()


async def test_sigkill_in_the_middle_of_a_verification_gives_one_verdict(database_url, tmp_path):
    app = await _prepare(database_url, tmp_path, SUBMIT_NOW, SEKDES_AND_STAF)
    async with BotApiSandbox(token=TOKEN, now=lambda: SUBMIT_NOW) as sandbox:
        bot = BotProcess(database_url, tmp_path, sandbox)
        sekdes, staf = sandbox.user(101, "Siti", label="Sekdes"), sandbox.user(201, "Kasi Pem", label="Staf")
        try:
            await bot.start(SUBMIT_NOW)
            await _up_to_nomor(sekdes, await _obligation(app))
            await sekdes.send_text("5 Tahun 2024")
            await sekdes.press("k:send")
            await sekdes.expect("Tanda terima")
            alert = await staf.expect("Dokumen masuk")
            held = sandbox.hold("answerCallbackQuery")  # the verdict is committed; its answers are on their way
            await staf.press("✅ Terima")
            press = sandbox.last_update_id
            await held.wait_arrived()
            await bot.kill()
            held.release()
            sandbox.redeliver(press)
            await bot.start(SUBMIT_NOW)
            await sandbox.settle(timeout=30)
            accept = next(data for row in alert.buttons for text, data in row if "Terima" in text)
            await staf.press_callback(alert, accept)  # the button is still there: pressed again
            await sandbox.settle(timeout=30)
        finally:
            await bot.stop()
        assert "Sudah diputuskan oleh Kasi Pem" in (sandbox.answers[-1].text or "")
        async with app.sessions() as session:
            assert (await session.scalars(select(Submission.review_status))).all() == [ReviewStatus.ACCEPTED]
        assert await _count(app, AuditEntry, AuditEntry.action == "submission.accept") == 1
        await app.close()


PLANNED_AT = datetime(2024, 9, 29, 12, 0, tzinfo=WIB)
REMINDER_NOW = datetime(2024, 9, 30, 9, 0, tzinfo=WIB)  # day H of RKPDes TA 2025: reminders and digest at 08:00


async def test_sigkill_in_the_middle_of_a_reminder_sweep_doubles_at_most_what_was_not_marked(database_url, tmp_path):
    people = {
        101: ("Siti", Role.SEKDES, ROJOPOLO),
        102: ("Sari", Role.SEKDES, SUKOSARI),
        103: ("Lina", Role.SEKDES, KALIBOTO_LOR),
        201: ("Kasi Pem", Role.STAF, JATIROTO),
    }
    app = await _prepare(database_url, tmp_path, PLANNED_AT, people)
    async with BotApiSandbox(token=TOKEN, now=lambda: REMINDER_NOW) as sandbox:
        bot = BotProcess(database_url, tmp_path, sandbox)
        users = [sandbox.user(uid, name, label=name) for uid, (name, _, _) in people.items()]
        try:
            held = sandbox.hold("sendMessage", skip=1)  # the second message of the sweep is in flight
            await bot.start(REMINDER_NOW)
            in_flight = await held.wait_arrived()
            await bot.kill()
            held.release()
            # what the dead worker delivered (the held message too: Telegram carried it out)
            before = Counter((user.id, message.text) for user in users for message in user.messages)
            async with app.sessions() as session:
                statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
            # sends overlap and are marked in batches: some that went may not be marked, the one in flight is not
            assert statuses[OutboxStatus.SENDING] >= 1
            assert statuses[OutboxStatus.SENT] <= sum(before.values()) - 1
            # the dead worker's claims are taken back once they are older than 10 minutes
            await bot.start(REMINDER_NOW + timedelta(minutes=11))
            deadline = asyncio.get_running_loop().time() + 60
            while asyncio.get_running_loop().time() < deadline:  # until the outbox has nothing due: a condition
                async with app.sessions() as session:
                    due = await session.scalar(
                        select(func.count()).where(
                            OutboxMessage.status.in_([OutboxStatus.PLANNED, OutboxStatus.SENDING]),
                            OutboxMessage.send_at <= REMINDER_NOW + timedelta(minutes=11),
                        )
                    )
                if due == 0:
                    break
                await sandbox._wait(1.0)
            await sandbox.settle(timeout=30)
        finally:
            await bot.stop()
        assert due == 0
        received = Counter((user.id, message.text) for user in users for message in user.messages)
        doubled = [key for key, times in received.items() if times > 1]
        assert all(times <= 2 for times in received.values())
        # only what the dead worker delivered and had not marked: at most the rows it left claimed
        assert set(doubled) <= set(before) and len(doubled) <= statuses[OutboxStatus.SENDING]
        assert (int(in_flight["chat_id"]), in_flight["text"]) in before
        async with app.sessions() as session:
            sent = await session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT))
        assert sent == len(received) and sent >= 4  # every reminder and the digest reached someone, once
        await app.close()


# --- a database that is not there for a moment --------------------------------------------------------------------


@pytest.mark.only_database("sqlite")
async def test_sqlite_busy_beyond_its_timeout_asks_to_try_again_then_recovers(world, monkeypatch):
    monkeypatch.setattr(klambi_db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    await world.app.engine.dispose()  # new connections take the short timeout
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    before = await _count(world.app, AuditEntry)
    blocker = sqlite3.connect(make_url(world.app.settings.database.url).database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the busy timeout
    try:
        await sekdes.send_text("/kirim")
        await sekdes.expect("sistem sedang sibuk")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    world.sandbox.redeliver(world.sandbox.last_update_id)  # the failed update was not kept as handled: it works now
    await sekdes.expect("Dokumen mana")
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    assert await _count(world.app, AuditEntry) == before


async def _pg_admin(database_url: str, *statements: str) -> None:
    url = make_url(database_url)
    connection = await asyncpg.connect(url.set(drivername="postgresql", database="postgres").render_as_string(False))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _cut(database: str) -> str:
    return (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )


@pytest.mark.only_database("postgresql")
async def test_postgresql_restarted_under_the_running_bot_asks_to_try_again_then_recovers(world):
    url = world.app.settings.database.url
    database = make_url(url).database
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    # a restart between two messages: every pooled connection is dead; the next message must simply work
    await _pg_admin(url, _cut(database))
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    # the server down for a while: connections cut and refused
    await _pg_admin(url, f"ALTER DATABASE {database} ALLOW_CONNECTIONS false", _cut(database))
    try:
        await sekdes.send_text("/status")
        await sekdes.expect("sistem sedang sibuk")
    finally:
        await _pg_admin(url, f"ALTER DATABASE {database} ALLOW_CONNECTIONS true")
    world.sandbox.redeliver(world.sandbox.last_update_id)  # the failed update was not kept as handled: it works now
    await sekdes.expect("RKPDes")
    await sekdes.send_text("/status")
    await sekdes.expect("RKPDes")
