"""The world the end-to-end tests play in: the sandbox, the real bot on it, the database, and people to invite."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram.application import running
from bot.channels.telegram.transport import TelegramTransport
from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.telegram import BotApiSandbox, SandboxUser
from bot.services.calendar import load_calendar
from bot.services.people import create_invitation
from bot.services.places import import_area
from bot.storage import minimal_pdf
from handlers.flood import FloodGate
from models.tables import Obligation, Role
from tests.conftest import WIB

TOKEN = "4242:SANDBOX-token_for-tests"
JATIROTO = "35.08.17"
ROJOPOLO, SUKOSARI, KALIBOTO_LOR = "35.08.17.2002", "35.08.17.2005", "35.08.17.2004"
PDF = minimal_pdf(b" RKPDes Rojopolo 2025 " + b"x" * 2000)
JPEG = b"\xff\xd8\xff\xe0" + b"page" * 500


class Reads:
    """What a test world reads from its database: an obligation's id, rows of any statement."""

    app: App

    async def obligation_id(self, desa: str, document: str, ta: int) -> int:
        async with self.app.sessions() as session:
            return await session.scalar(
                select(Obligation.id).where(
                    Obligation.desa_kode == desa, Obligation.document_code == document, Obligation.tahun_anggaran == ta
                )
            )

    async def rows(self, statement):
        async with self.app.sessions() as session:
            return (await session.execute(statement)).all()


@dataclass
class World(Reads):
    app: App
    sandbox: BotApiSandbox
    clock: ManualClock
    stack: AsyncExitStack
    people: dict[str, SandboxUser] = field(default_factory=dict)

    async def start_bot(self) -> None:
        self.bot = await self.stack.enter_async_context(running(self.app, TOKEN))
        # The scripted people act as fast as the bot answers, faster than anyone types: the flood gate would stop
        # them. It is tested on its own (tests/test_flood.py) and stays at its defaults outside this world.
        self.bot.bot_data["flood_gate"] = FloodGate(burst=1_000_000)

    @property
    def transports(self) -> dict[str, TelegramTransport]:
        """What the outbox sends through: the running bot's Telegram transport."""
        return {"telegram": TelegramTransport(self.bot.bot)}

    async def restart_bot(self) -> None:
        """Stop the Application (as a crash or a deploy would) and start a new one on the same database."""
        await self.stack.aclose()
        self.stack = AsyncExitStack()
        await self.start_bot()

    async def invite(self, role: Role, place: str | None) -> str:
        async with self.app.sessions() as session, session.begin():
            return (await create_invitation(session, role, place, self.clock.now())).code

    async def join(self, user_id: int, name: str, role: Role, place: str | None, label: str) -> SandboxUser:
        user = self.sandbox.user(user_id, name, label=label)
        await user.send_text(f"/start {await self.invite(role, place)}")
        await user.expect("Selamat datang")
        await self.sandbox.settle()
        self.people[label] = user
        return user


@pytest.fixture
async def world(database_url, tmp_path):
    clock = ManualClock(datetime(2024, 9, 27, 10, 0, tzinfo=WIB))
    sandbox = BotApiSandbox(token=TOKEN, bot_username="ngobras_klambi_bot", now=clock.now)
    await sandbox.start()
    settings = Settings(
        database={"url": database_url},
        storage={"path": tmp_path / "files"},
        telegram={"token": TOKEN, "base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url},
    )
    app = App.create(settings, clock)
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, clock.now(), [2024, 2025], await load_calendar(session))
    result = World(app, sandbox, clock, AsyncExitStack())
    await result.start_bot()
    yield result
    await result.stack.aclose()
    await app.close()
    await sandbox.stop()


async def send_rkpdes(world: World, sekdes: SandboxUser, penetapan: str = "27/09/2024", data: bytes = PDF) -> None:
    """The whole submission of Rojopolo's RKPDes TA 2025, up to the receipt."""
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.expect("Kirim berkas RKPDes TA 2025 Desa Rojopolo")
    await sekdes.send_document(data, "Perdes RKPDes 2025.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text(penetapan)
    await sekdes.expect("Nomor dokumennya")
    await sekdes.send_text("5 Tahun 2024")
    await sekdes.expect("Periksa dulu")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")


def matrix_grid(message) -> list[str]:
    """The /status matrix's grid, checked to be what Telegram shows in a monospace font: one `pre` entity holding
    it, and every mark (two cells wide) starting in the column of its document's name."""
    pre = [e for e in message.raw.get("entities", []) if e["type"] == "pre"]
    assert len(pre) == 1, message.raw
    text = message.text.encode("utf-16-le")
    block = text[2 * pre[0]["offset"] : 2 * (pre[0]["offset"] + pre[0]["length"])].decode("utf-16-le")
    header, *rows = block.split("\n")
    starts = [i for i, c in enumerate(header) if c != " " and (i == 0 or header[i - 1] == " ")]

    def mark_columns(row: str) -> list[int]:
        columns, cell = [], 0
        for c in row:
            if c == "\ufe0f":
                continue
            if ord(c) > 0x2000 and c not in "·—":
                columns.append(cell)
                cell += 2
            else:
                cell += 1
        return columns

    assert rows and all(mark_columns(row) == starts for row in rows), block
    return [header, *rows]
