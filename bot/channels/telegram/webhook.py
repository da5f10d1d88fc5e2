"""Webhook mode: Telegram (or a reverse proxy in front of several workers) POSTs each update to us.

The Telegram route of the one web application (`bot/web/`, aiohttp; python-telegram-bot's own webhook server would
add tornado), mounted at `[telegram] webhook_path`: every request must carry `[telegram] webhook_secret` in the
`X-Telegram-Bot-Api-Secret-Token` header, else 403 and nothing is read. An update passes the flood gate (a flood is
answered 200 and dropped, as with polling), is stored in the inbox (`bot.services.inbox`: channel "telegram", its
update_id, the user who wrote or pressed as the sender) in one short transaction, and gets 200; a worker that dies
before the commit gives no 2xx and Telegram delivers the update again; one stored twice is one row. The inbox worker
(`bot.channels.inbox`) then serves it: one person's updates one after another across every worker on one PostgreSQL
(a sender whose rows one worker holds is left to it), in update_id order within what it claimed, different people
side by side. A claim left by a worker that died is taken over; `bot.services.updates` makes a second handling of
the same update change nothing. Several workers may therefore receive any update, even the same one at once.

A body that is not an update (not JSON, `null`, a list, a number, nested past the parser's depth, an update whose
parts have the wrong types) gets 400 and one log line. Refused requests (403) are logged at most once a minute, with
how many there were: someone knocking on the door must not fill the log.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bot.app import App
from bot.channels.inbox import InboxWorker, More
from bot.channels.telegram.processor import PersonOrder, person_of
from bot.db import reading
from bot.errors import InputError
from bot.services.inbox import Arrival, finish, store
from bot.web import WebApp
from handlers.flood import Verdict
from models.tables import InboxMessage, InboxStatus

log = logging.getLogger("klambi.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REFUSALS_LOGGED_EVERY = 60.0  # seconds
MAX_UPDATE_ID = 2**63 - 1
CHANNEL = "telegram"
INBOX_SENDERS = 32  # people served side by side by a worker's own inbox worker (Telegram alone)


class TelegramWebhook:
    """The Telegram route of the web application: receives updates on `path`, stores each in the inbox and answers;
    the inbox worker hands them to the Application, each person's in order (`serve`)."""

    def __init__(self, app: App, application: Application, secret: str, path: str, webapp: WebApp,
                 inbox: InboxWorker) -> None:  # fmt: skip
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.app, self.application, self.path, self.webapp, self.inbox = app, application, path, webapp, inbox
        self._secret = secret.encode()
        self._refused, self._refusal_logged_at = 0, float("-inf")
        self._warnings: set[asyncio.Task[None]] = set()
        webapp.add_route("*", path, self._receive, name="telegram")
        inbox.register(CHANNEL, self.serve)

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
        order = self.application.update_processor
        verdict = order.admit(update) if isinstance(order, PersonOrder) else Verdict.PASS
        if verdict is not Verdict.PASS:  # a flood: never stored; told once
            if verdict is Verdict.WARN and isinstance(order, PersonOrder) and order.warn is not None:
                task = asyncio.create_task(order.warn(update))
                self._warnings.add(task)
                task.add_done_callback(self._warnings.discard)
            return web.Response(status=200)
        person = person_of(update)
        sender = str(person) if person is not None else f"update:{update.update_id}"  # no person: no order to keep
        async with self.app.sessions() as session, session.begin():
            await store(
                session, CHANNEL, [Arrival(str(update.update_id), sender, update.to_dict())], self.app.clock.now()
            )
        self.inbox.wake()
        return web.Response(status=200)

    async def serve(self, sender: str, ids: list[int], more: More) -> None:
        """One person's claimed updates, in update_id order; then whatever they sent meanwhile."""
        queue = ids
        while queue:
            async with reading(self.app.sessions) as session:
                rows = (await session.scalars(select(InboxMessage).where(InboxMessage.id.in_(queue)))).all()
            for row in sorted(rows, key=lambda r: int(r.external_id)):
                if row.status != InboxStatus.PENDING:
                    continue
                error = None
                try:
                    await self.application.process_update(Update.de_json(row.payload, self.application.bot))
                except Exception as problem:  # the Application's error handler has told the person
                    log.warning("Telegram update from the inbox failed: %s", type(problem).__name__)
                    error = type(problem).__name__
                async with self.app.sessions() as session, session.begin():
                    await finish(session, row.id, self.app.clock.now(), error)
            queue = await more()

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
    app: App, token: str, webapp: WebApp, jobs: bool = True, inbox: InboxWorker | None = None, **shared: Any
) -> AsyncIterator[TelegramWebhook]:
    """The Telegram channel on `webapp` (not yet started): mount the route, start the Application, yield; once
    `webapp` listens, give Telegram the URL (`Settings.telegram_webhook_url`; none: the operator sets it). Leave
    `webapp` before this. Beside other channels their `inbox` worker serves the stored updates; else its own."""
    from bot.channels.telegram.application import build_application, post_init, post_stop

    telegram = app.settings.telegram
    secret = webhook_secret(app)
    application = build_application(app, token, jobs, updater=False, **shared)
    own = inbox is None
    inbox = inbox or InboxWorker(app, application.bot_data["worker"], concurrency=INBOX_SENDERS)
    hook = TelegramWebhook(app, application, secret, telegram.webhook_path, webapp, inbox)
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
        if own:
            inbox.start()
        try:
            yield hook
        finally:
            if own:
                await inbox.stop()
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
