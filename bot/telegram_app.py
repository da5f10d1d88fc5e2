"""The python-telegram-bot Application: wired once, pointed at whatever Bot API `[telegram] base_url` names.

Nothing here knows whether that is Telegram, a self-hosted Bot API server, or the local sandbox of `klambi demo`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import AIORateLimiter, Application

from bot.app import App
from handlers import register
from handlers.onboarding import default_commands

log = logging.getLogger("klambi.bot")


def build_application(app: App, token: str) -> Application:
    telegram = app.settings.telegram
    application = (
        Application.builder()
        .token(token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        .build()
    )
    application.bot_data["app"] = app
    register(application)
    return application


async def _post_init(application: Application) -> None:
    app: App = application.bot_data["app"]
    await application.bot.set_my_commands(default_commands(app.settings.bot.language))
    log.info("bot @%s ready", application.bot.username)


def run_polling(app: App, token: str) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), by long polling."""
    application = build_application(app, token)
    application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)


@asynccontextmanager
async def running(app: App, token: str, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """The bot serving inside an existing event loop (the demo and the tests): start, yield, stop cleanly."""
    application = build_application(app, token)
    async with application:
        await _post_init(application)
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
