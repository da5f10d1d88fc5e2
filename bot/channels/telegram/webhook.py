"""Webhook mode: Telegram (or a reverse proxy in front of several workers) POSTs each update to us.

The Telegram route of the one web application (`bot/web/`, aiohttp; python-telegram-bot's own webhook server would
add tornado), mounted at `[telegram] webhook_path`: every request must carry `[telegram] webhook_secret` in the
`X-Telegram-Bot-Api-Secret-Token` header, else 403 and nothing is read. An update is handled before the answer, so a
worker that dies mid-update gives no 2xx and Telegram delivers the update again; `bot.services.updates` makes the
second delivery change nothing. Several workers on one PostgreSQL may therefore receive any update, even the same one
at once.

A body that is not an update (not JSON, `null`, a list, a number, nested past the parser's depth, an update whose
parts have the wrong types) gets 400 and one log line. Refused requests (403) are logged at most once a minute, with
how many there were: someone knocking on the door must not fill the log.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import App
from bot.errors import InputError
from bot.web import WebApp

log = logging.getLogger("klambi.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REFUSALS_LOGGED_EVERY = 60.0  # seconds
MAX_UPDATE_ID = 2**63 - 1


class TelegramWebhook:
    """The Telegram route of the web application: receives updates on `path` and hands each to the Application,
    answering once it was handled."""

    def __init__(self, application: Application, secret: str, path: str, webapp: WebApp) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.application, self.path, self.webapp = application, path, webapp
        self._secret = secret.encode()
        self._refused, self._refusal_logged_at = 0, float("-inf")
        webapp.add_route("*", path, self._receive, name="telegram")

    @property
    def url(self) -> str:
        """Where this worker answers updates (behind the reverse proxy), once the web application listens."""
        return self.webapp.local_url(self.path)

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._log_refusal(request.remote)
            return web.Response(status=403)
        if request.method != "POST":
            return web.Response(status=405)
        body = await request.read()
        try:
            update = self._update(body)
        except Exception as problem:  # whatever the parser makes of a body that is not an update: the sender's fault
            log.warning("webhook request that is not an update (%s): refused", type(problem).__name__)
            return web.Response(status=400)
        await self.application.update_processor.process_update(update, self.application.process_update(update))
        return web.Response(status=200)

    def _update(self, body: bytes) -> Update:
        data = json.loads(body)
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            raise ValueError("no update_id")
        if not 0 <= data["update_id"] <= MAX_UPDATE_ID:
            raise ValueError("update_id out of range")
        return Update.de_json(data, self.application.bot)

    def _log_refusal(self, remote: str | None) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._refusal_logged_at >= REFUSALS_LOGGED_EVERY:
            log.warning(
                "webhook request without the right secret token from %s: refused (%d since the last such line)",
                remote, self._refused,
            )  # fmt: skip
            self._refused, self._refusal_logged_at = 0, now


def webhook_secret(app: App) -> str:
    secret = app.settings.telegram.webhook_secret
    if secret is None:
        raise InputError("error.webhook_secret")
    return secret.get_secret_value()


@asynccontextmanager
async def telegram_webhook(
    app: App, token: str, webapp: WebApp, jobs: bool = True, **shared: Any
) -> AsyncIterator[TelegramWebhook]:
    """The Telegram channel on `webapp` (not yet started): mount the route, start the Application, yield; once
    `webapp` listens, give Telegram the URL (`Settings.telegram_webhook_url`; none: the operator sets it). Leave
    `webapp` before this."""
    from bot.channels.telegram.application import build_application, post_init, post_stop

    telegram = app.settings.telegram
    secret = webhook_secret(app)
    application = build_application(app, token, jobs, updater=False, **shared)
    hook = TelegramWebhook(application, secret, telegram.webhook_path, webapp)
    url = app.settings.telegram_webhook_url

    async def set_webhook() -> None:
        log.info("webhook listening on %s", hook.url)
        if url:
            await application.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=telegram.webhook_max_connections,
            )

    webapp.on_listening(set_webhook)
    async with application:
        await post_init(application)
        await application.start()
        try:
            yield hook
        finally:
            await application.stop()
            await post_stop(application)


@asynccontextmanager
async def serving_webhook(app: App, token: str, jobs: bool = True) -> AsyncIterator[TelegramWebhook]:
    """The bot in webhook mode inside an existing event loop: the one web application (`[web]`) with the Telegram
    route mounted, started, the webhook set; yield; stop cleanly (listening first, then the Application)."""
    from bot.web.dashboard import mount_dashboard

    webapp = WebApp(app.settings.web)
    mount_dashboard(webapp, app)
    async with telegram_webhook(app, token, webapp, jobs) as hook, webapp:
        yield hook
