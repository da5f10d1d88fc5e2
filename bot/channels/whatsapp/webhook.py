"""Meta's webhook for WhatsApp, on the one web application at `[whatsapp] webhook_path` (default /whatsapp).

- `GET` is the verification handshake: `hub.mode=subscribe` and `hub.verify_token` equal to `[whatsapp]
  verify_token` (compared in constant time) answer 200 with `hub.challenge`; anything else 403.
- `POST` must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body keyed with [whatsapp] app_secret>`,
  checked over the bytes as they came, in constant time, before anything is parsed: missing 401, wrong 403, and
  nothing is stored. The body is capped by the web application (1 MiB, 413 above).
- Every message of every entry and change for our phone number is stored by its wamid in the inbox, the statuses of
  our own messages are applied (delivered, read, failed), all in one short transaction; then 200, and the inbox
  worker is woken. A redelivered wamid is already there and changes nothing. A database that cannot take it answers
  503: Meta delivers again later.
Refused requests are logged at most once a minute, with how many there were.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.app import App
from bot.channels.whatsapp.graph import UNREACHABLE
from bot.cleaning import clean_update
from bot.services.inbox import Arrival, store
from bot.web import WebApp
from models.tables import OutboxMessage, OutboxStatus, Person

log = logging.getLogger("klambi.whatsapp.webhook")
CHANNEL = "whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
REFUSALS_LOGGED_EVERY = 60.0


class WhatsAppWebhook:
    def __init__(self, app: App, webapp: WebApp, wake_inbox: Callable[[], None],
                 wake_courier: Callable[[], None]) -> None:  # fmt: skip
        settings = app.settings.whatsapp
        assert settings.app_secret is not None and settings.verify_token is not None
        self.app, self.webapp = app, webapp
        self.wake_inbox, self.wake_courier = wake_inbox, wake_courier
        self.phone_number_id = settings.phone_number_id
        self.path = settings.webhook_path
        self._secret = settings.app_secret.get_secret_value().encode()
        self._verify = settings.verify_token.get_secret_value().encode()
        self._refused, self._refusal_logged_at = 0, float("-inf")
        webapp.add_route("*", self.path, self._receive, name="whatsapp")

    @property
    def url(self) -> str:
        return self.webapp.local_url(self.path)

    async def _receive(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            return self._handshake(request)
        if request.method != "POST":
            return web.Response(status=405)
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            self._log_refusal("no signature")
            return web.Response(status=401)
        body = await request.read()
        expected = "sha256=" + hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.strip().encode(), expected.encode()):
            self._log_refusal("wrong signature")
            return web.Response(status=403)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            log.warning("a signed WhatsApp webhook that is not JSON: ignored")
            return web.Response(status=400)
        arrivals, statuses = self._read(data)
        now = self.app.clock.now()
        try:
            async with self.app.sessions() as session, session.begin():
                new = await store(session, CHANNEL, arrivals, now)
                told = False
                for status in statuses:
                    told = await apply_status(session, status, now, self.app.settings.bot.language) or told
        except (OperationalError, DBAPIError):
            log.warning("database unavailable: a WhatsApp webhook is refused with 503 (Meta delivers it again)")
            return web.Response(status=503)
        if new:
            self.wake_inbox()
        if told:
            self.wake_courier()
        return web.Response(text="ok")

    def _handshake(self, request: web.Request) -> web.Response:
        query = request.query
        given = query.get("hub.verify_token", "").encode()
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(given, self._verify):
            return web.Response(text=query.get("hub.challenge", ""))
        self._log_refusal("wrong verify token")
        return web.Response(status=403)

    def _read(self, data: Any) -> tuple[list[Arrival], list[dict[str, Any]]]:
        """The messages (cleaned, each with its contact) and statuses of every entry and change for our number."""
        arrivals: list[Arrival] = []
        statuses: list[dict[str, Any]] = []
        if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
            return arrivals, statuses
        for entry in _list(data.get("entry")):
            for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
                if not isinstance(change, dict) or change.get("field") != "messages":
                    continue
                value = change.get("value")
                if not isinstance(value, dict):
                    continue
                metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
                if self.phone_number_id and str(metadata.get("phone_number_id") or "") != self.phone_number_id:
                    continue  # another number on the same app
                contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
                for message in _list(value.get("messages")):
                    if not isinstance(message, dict) or not message.get("id") or not message.get("from"):
                        continue
                    sender = str(message["from"])
                    contact = next((c for c in contacts if sender in (str(c.get("wa_id")), str(c.get("user_id")))),
                                   contacts[0] if len(contacts) == 1 else {})  # fmt: skip
                    payload = clean_update({"message": message, "contact": contact})
                    arrivals.append(Arrival(str(message["id"]), sender, payload))
                statuses += [s for s in _list(value.get("statuses")) if isinstance(s, dict) and s.get("id")]
        return arrivals, statuses

    def _log_refusal(self, why: str) -> None:
        self._refused += 1
        moment = time.monotonic()
        if moment - self._refusal_logged_at >= REFUSALS_LOGGED_EVERY:
            log.warning("WhatsApp webhook refused %d request(s) (latest: %s)", self._refused, why)
            self._refused, self._refusal_logged_at = 0, moment


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


async def apply_status(session: Any, status: dict[str, Any], now: datetime, lang: Any) -> bool:
    """What WhatsApp reports about one of our outbox messages. True when staf were told something (a contact that
    cannot receive: 131026). Statuses come in any order; `delivered` may be skipped when read at once."""
    from scheduler.sweep import contact_refused

    row = await session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.channel == CHANNEL, OutboxMessage.channel_message_id == str(status["id"])[:64]
        )
    )
    if row is None:  # an answer in a conversation, not an outbox message: nothing to record
        return False
    kind = status.get("status")
    if kind in ("delivered", "read"):
        row.delivered_at = row.delivered_at or now
    if kind == "read" and row.read_at is None:
        row.read_at = now
        if row.subject_type == "announcement" and row.template is None and row.person_id is not None:
            from bot.services.forum import acknowledge  # the announcement itself was read: it counts as read

            person = await session.get(Person, row.person_id)
            if person is not None:
                await acknowledge(session, int(row.subject_id), person, now)
    if kind != "failed":
        return False
    errors = [e for e in _list(status.get("errors")) if isinstance(e, dict)]
    code = errors[0].get("code") if errors else None
    row.last_error = f"failed {code}: {str(errors[0].get('title') or '') if errors else ''}"[:500]
    if code in UNREACHABLE:
        if await contact_refused(session, row, row.contact_id, now, lang):
            row.status, row.claimed_by = OutboxStatus.PLANNED, None  # to their other contact, next sweep
        else:
            row.status = OutboxStatus.UNREACHABLE
        return True
    return False
