"""A world with both channels: the Bot API sandbox and the Graph sandbox, and the real bot serving both in one
process (`bot.channels.run.running`, as `klambi run` does with `[whatsapp]` configured), over loopback HTTP.

People on WhatsApp are `GraphSandbox` persons: what they do reaches the bot as signed webhooks; what the bot sends
them is read back from the sandbox. The clock is shared: the sandbox's 24-hour window moves with the bot's.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.app import App
from bot.channels.run import Runtime, running
from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.telegram import BotApiSandbox, SandboxUser
from bot.sandbox.whatsapp import GraphSandbox, WaPerson
from bot.services.calendar import load_calendar
from bot.services.people import create_invitation
from bot.services.places import import_area
from handlers.flood import FloodGate
from models.tables import Role
from tests.conftest import WIB
from tests.world import JATIROTO, TOKEN, Reads

ACCESS_TOKEN = "EAAG-sandbox-access-token"
APP_SECRET = "sandbox-app-secret-for-tests"
VERIFY_TOKEN = "sandbox-verify-token-for-tests"
BUSINESS_NUMBER = "6281100000000"


@dataclass
class WaWorld(Reads):
    app: App
    clock: ManualClock
    graph: GraphSandbox
    telegram: BotApiSandbox
    runtime: Runtime
    stack: AsyncExitStack

    async def invite(self, role: Role, place: str | None, channel: str = "whatsapp") -> str:
        async with self.app.sessions() as session, session.begin():
            return (await create_invitation(session, role, place, self.clock.now(), channel=channel)).code

    async def join_whatsapp(self, wa_id: str, name: str, role: Role, place: str | None) -> WaPerson:
        person = self.graph.person(wa_id, name, label=name)
        await person.say(f"DAFTAR {await self.invite(role, place)}")
        await person.expect("Selamat datang")
        await self.idle()
        return person

    async def join_telegram(self, user_id: int, name: str, role: Role, place: str | None) -> SandboxUser:
        user = self.telegram.user(user_id, name, label=name)
        await user.send_text(f"/start {await self.invite(role, place, 'telegram')}")
        await user.expect("Selamat datang")
        await self.telegram.settle()
        return user

    async def idle(self) -> None:
        await self.runtime.idle()

    async def approve_templates(self) -> None:
        """What `klambi whatsapp templates push` and Meta's review do: every template created and approved."""
        from bot.channels.whatsapp.templates import TEMPLATES

        assert self.runtime.whatsapp is not None
        registry = self.runtime.whatsapp.registry
        for template in TEMPLATES:
            await registry.create(template)
            self.graph.set_template_status(template.name, "APPROVED", template.language)
        await registry.refresh()


def wa_settings(database_url: str, tmp_path, graph: GraphSandbox, telegram: BotApiSandbox | None) -> Settings:
    values: dict = {
        "database": {"url": database_url},
        "storage": {"path": tmp_path / "files"},
        "web": {"port": 0},
        "whatsapp": {
            "phone_number_id": graph.phone_number_id, "access_token": ACCESS_TOKEN, "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN, "waba_id": graph.waba_id, "business_number": BUSINESS_NUMBER,
            "graph_url": graph.graph_url,
        },
    }  # fmt: skip
    if telegram is not None:
        values["telegram"] = {"token": TOKEN, "base_url": telegram.base_url, "base_file_url": telegram.base_file_url}
    return Settings(**values)


@pytest.fixture
async def wa_world(database_url, tmp_path):
    clock = ManualClock(datetime(2024, 9, 27, 10, 0, tzinfo=WIB))
    async with AsyncExitStack() as stack:
        graph = await stack.enter_async_context(
            GraphSandbox(
                access_token=ACCESS_TOKEN,
                app_secret=APP_SECRET,
                clock=clock.now,
                business_number=BUSINESS_NUMBER,
                pair_limit=1000,
            )
        )
        telegram = await stack.enter_async_context(
            BotApiSandbox(token=TOKEN, bot_username="ngobras_klambi_bot", now=clock.now)
        )
        app = App.create(wa_settings(database_url, tmp_path, graph, telegram), clock)
        stack.push_async_callback(app.close)
        async with app.sessions() as session, session.begin():
            await import_area(session, JATIROTO, clock.now(), [2024, 2025], await load_calendar(session))
        runtime = await stack.enter_async_context(running(app, telegram_token=TOKEN, jobs=False, settle=0.3))
        assert runtime.whatsapp is not None and runtime.telegram is not None
        runtime.telegram.bot_data["flood_gate"] = FloodGate(burst=1_000_000)
        graph.webhook_url = runtime.whatsapp.webhook.url
        yield WaWorld(app, clock, graph, telegram, runtime, stack)
