"""The python-telegram-bot Application: wired once, pointed at whatever Bot API `[telegram] base_url` names.

Nothing here knows whether that is Telegram, a self-hosted Bot API server, or the local sandbox of `klambi demo`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ContextTypes

from bot.app import App, until_stopped
from bot.channels.telegram.adapter import register, warn_flood
from bot.channels.telegram.limits import KlambiRateLimiter
from bot.channels.telegram.pacing import pace_bulk
from bot.channels.telegram.processor import PersonOrder
from bot.channels.telegram.transport import TelegramTransport
from bot.cleaning import clean_update
from handlers.onboarding import default_commands
from scheduler.courier import Courier
from scheduler.jobs import HOUSEKEEPING_EVERY, housekeeping, reminder_round

log = logging.getLogger("klambi.bot")
POLL_TIMEOUT = 10  # seconds a getUpdates call waits for an update (python-telegram-bot's default)


class KlambiApplication(Application):
    """The Application, with every update cleaned once before any handler reads it (polling and webhook alike)."""

    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            data = update.to_dict()
            cleaned = clean_update(data)
            if cleaned != data:
                update = Update.de_json(cleaned, self.bot)
        await super().process_update(update)


def build_application(
    app: App,
    token: str,
    jobs: bool = True,
    updater: bool = True,
    *,
    transports: dict | None = None,
    courier: Courier | None = None,
) -> Application:
    """The Application; without `updater` it does not poll (webhook mode hands it updates). Beside other channels
    (`bot/channels/run.py`) it shares their outbox `transports` and `courier`, and runs no jobs of its own."""
    telegram = app.settings.telegram
    order = PersonOrder()
    builder = (
        Application.builder()
        .application_class(KlambiApplication)
        .token(token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .rate_limiter(KlambiRateLimiter())
        .concurrent_updates(order)
        .post_init(post_init)
        .post_stop(post_stop)
    )
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    pace_bulk(application.bot.rate_limiter)  # the outbox's 29 a second without drift (bot/channels/telegram/pacing.py)
    application.bot_data["app"] = app
    application.bot_data["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    shared = transports if transports is not None else {}
    shared["telegram"] = TelegramTransport(application.bot)
    application.bot_data["transports"] = shared
    application.bot_data["courier"] = courier or Courier(app, shared, application.bot_data["worker"])
    register(application, app)
    order.gate = lambda: application.bot_data.get("flood_gate")
    order.warn = warn_flood(application, app)
    if jobs and app.settings.reminders.enabled:
        assert application.job_queue is not None
        application.job_queue.run_repeating(_reminder_job, interval=app.settings.reminders.sweep_seconds, first=1)
    if jobs:
        assert application.job_queue is not None
        application.job_queue.run_repeating(_housekeeping_job, interval=HOUSEKEEPING_EVERY, first=30)
    return application


async def _housekeeping_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await housekeeping(context.bot_data["app"])


async def _reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """APScheduler only calls this; the time comes from the app's clock. Re-plans hourly, sweeps every time."""
    data = context.bot_data
    data["planned_at"] = await reminder_round(data["app"], data["transports"], data["worker"], data.get("planned_at"))


async def post_init(application: Application) -> None:
    application.bot_data["courier"].start()
    app: App = application.bot_data["app"]
    commands = [BotCommand(name, description) for name, description in default_commands(app.settings.bot.language)]
    await application.bot.set_my_commands(commands)
    log.info("bot @%s ready", application.bot.username)


async def post_stop(application: Application) -> None:
    await application.bot_data["app"].builds.close()  # files being built go out while the bot can still send
    await application.bot_data["courier"].stop()


def run_polling(app: App, token: str) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), by long polling, with the dashboard on the web application."""
    from bot.web import WebApp
    from bot.web.dashboard import mount_dashboard

    async def serve() -> None:
        webapp = WebApp(app.settings.web)
        mount_dashboard(webapp, app)
        async with polling(build_application(app, token), POLL_TIMEOUT), webapp:
            await until_stopped()
        log.info("stopped")

    asyncio.run(serve())


def run_webhook(app: App, token: str) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), by webhook (behind a reverse proxy)."""
    from bot.channels.telegram.webhook import serving_webhook

    async def serve() -> None:
        async with serving_webhook(app, token):
            await until_stopped()
        log.info("stopped")

    asyncio.run(serve())


@asynccontextmanager
async def running(app: App, token: str, poll_timeout: int = 1, jobs: bool = False) -> AsyncIterator[Application]:
    """The bot serving inside an existing event loop (the demo and the tests): start, yield, stop cleanly.

    Without `jobs` the reminder sweep does not run by itself: the caller moves the clock and calls `sweep`.
    """
    async with polling(build_application(app, token, jobs), poll_timeout) as application:
        yield application


@asynccontextmanager
async def polling(application: Application, poll_timeout: int) -> AsyncIterator[Application]:
    """Start `application` and poll; on leaving, stop polling, then the Application."""
    async with application:
        await post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await post_stop(application)


@asynccontextmanager
async def beside(
    app: App, token: str, webapp: Any, transports: dict, courier: Courier, poll_timeout: int = 1, inbox: Any = None
) -> AsyncIterator[Application]:
    """Telegram beside other channels (`bot/channels/run.py`): their outbox transports, courier and inbox worker
    shared, no jobs of its own; polling, or the webhook route on their web application (`webapp`, not yet started)."""
    from bot.channels.telegram.webhook import telegram_webhook

    if app.settings.telegram.mode == "webhook":
        async with telegram_webhook(app, token, webapp, False, inbox, transports=transports, courier=courier) as hook:
            yield hook.application
        return
    application = build_application(app, token, False, transports=transports, courier=courier)
    async with polling(application, poll_timeout):
        yield application
