"""Every configured channel in one process: `klambi run` with WhatsApp (alone or beside Telegram), the demo, tests.

One web application (`[web]`) carries the WhatsApp webhook (and Telegram's in webhook mode) and the dashboard
(`/dasbor`); Telegram polls otherwise. The channels share one outbox courier and one set of transports, so a notice
goes out on whichever app the person last wrote from; one inbox worker handles what webhooks stored;
`scheduler.jobs.Jobs` plans and sweeps. Telegram alone keeps its own path
(`bot.channels.telegram.application.run_polling` / `run_webhook`), with the dashboard on its web application too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.app import App, until_stopped
from bot.channels.inbox import InboxWorker
from bot.chat.transport import Transport
from bot.errors import InputError
from bot.web import WebApp
from bot.web.dashboard import mount_dashboard
from handlers.common import Conversations
from scheduler.courier import Courier
from scheduler.jobs import Jobs

log = logging.getLogger("klambi.run")


@dataclass
class WhatsAppService:
    graph: Any
    registry: Any
    channel: Any
    transport: Any
    webhook: Any


@dataclass
class Runtime:
    app: App
    webapp: WebApp
    worker: str
    transports: dict[str, Transport] = field(default_factory=dict)
    courier: Courier | None = None
    inbox: InboxWorker | None = None
    jobs: Jobs | None = None
    telegram: Any = None  # the python-telegram-bot Application
    whatsapp: WhatsAppService | None = None

    async def idle(self) -> None:
        """Wait until what arrived has been handled and what it queued has been sent (the demo, tests)."""
        assert self.inbox is not None and self.courier is not None
        for _ in range(3):  # handling may queue notices, and a notice's status may wake the inbox again
            await self.inbox.idle()
            await self.app.builds.idle()  # files being built, and sent (reports.pool)
            await self.courier.idle()


def check_whatsapp(app: App) -> None:
    missing = app.settings.whatsapp.missing()
    if missing is not None:
        raise InputError("whatsapp.missing_key", setting=missing, env=missing.upper())


@asynccontextmanager
async def running(app: App, *, telegram_token: str | None = None, whatsapp: bool | None = None, jobs: bool = True,
                  poll_timeout: int = 1, settle: float | None = None, dashboard: bool = True,
                  ) -> AsyncIterator[Runtime]:  # fmt: skip
    """Start the channels asked for (WhatsApp by default when `[whatsapp]` is configured) and the dashboard, serve,
    and stop cleanly: the web application stops listening first, then the channels, the workers and the jobs."""
    whatsapp = app.settings.whatsapp.configured if whatsapp is None else whatsapp
    if whatsapp:
        check_whatsapp(app)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    runtime = Runtime(app, WebApp(app.settings.web), worker)
    runtime.courier = Courier(app, runtime.transports, worker)
    runtime.inbox = InboxWorker(app, worker)
    if dashboard:
        mount_dashboard(runtime.webapp, app)
    async with AsyncExitStack() as stack:
        if whatsapp:
            runtime.whatsapp = await stack.enter_async_context(_whatsapp(runtime, settle))
        if telegram_token is not None:
            runtime.telegram = await stack.enter_async_context(_telegram(runtime, telegram_token, poll_timeout))
        stack.push_async_callback(app.builds.close)  # after the inbox and before the channels: built files go out
        runtime.courier.start()
        stack.push_async_callback(runtime.courier.stop)
        runtime.inbox.start()
        stack.push_async_callback(runtime.inbox.stop)
        if jobs:
            runtime.jobs = Jobs(app, runtime.transports, worker)
            runtime.jobs.start()
            stack.callback(runtime.jobs.stop)
        await stack.enter_async_context(runtime.webapp)
        if app.settings.web.port == 0:  # any free port (tests, the demo): links the bot hands out name the real one
            app.settings = app.settings.model_copy(
                update={"web": app.settings.web.model_copy(update={"port": runtime.webapp.port})}
            )
        yield runtime


@asynccontextmanager
async def _whatsapp(runtime: Runtime, settle: float | None) -> AsyncIterator[WhatsAppService]:
    from bot.channels.whatsapp.adapter import SETTLE_SECONDS, WhatsAppChannel
    from bot.channels.whatsapp.graph import Graph
    from bot.channels.whatsapp.templates import TemplateRegistry
    from bot.channels.whatsapp.transport import WhatsAppTransport
    from bot.channels.whatsapp.webhook import WhatsAppWebhook

    app = runtime.app
    assert runtime.courier is not None and runtime.inbox is not None
    settings = app.settings.whatsapp
    graph = Graph(settings)
    registry = TemplateRegistry(settings, app.clock)
    channel = WhatsAppChannel(app, graph, Conversations(app), runtime.inbox, runtime.courier.wake,
                              settle=SETTLE_SECONDS if settle is None else settle)  # fmt: skip
    transport = WhatsAppTransport(settings, graph, registry, channel.uploads, app.settings.bot.language, app.sessions)
    runtime.transports["whatsapp"] = transport
    webhook = WhatsAppWebhook(app, runtime.webapp, runtime.inbox.wake, runtime.courier.wake)
    try:
        yield WhatsAppService(graph, registry, channel, transport, webhook)
    finally:
        await graph.close()


@asynccontextmanager
async def _telegram(runtime: Runtime, token: str, poll_timeout: int) -> AsyncIterator[Any]:
    from bot.channels.telegram.application import beside

    async with beside(
        runtime.app, token, runtime.webapp, runtime.transports, runtime.courier, poll_timeout, runtime.inbox
    ) as bot:
        yield bot


def run_channels(app: App, telegram_token: str | None) -> None:
    """Serve every configured channel until interrupted (Ctrl-C or SIGTERM)."""

    async def serve() -> None:
        async with running(app, telegram_token=telegram_token, poll_timeout=30) as runtime:
            webhook = runtime.whatsapp.webhook if runtime.whatsapp else None
            if webhook is not None:
                public = runtime.webapp.public_url_for(webhook.path)
                log.info("WhatsApp webhook on %s%s", webhook.url, f" (public: {public})" if public else "")
            await until_stopped()
        log.info("stopped")

    asyncio.run(serve())
