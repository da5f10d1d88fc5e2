"""The WhatsApp side of the outbox: the 24-hour window, templates, the day's limit, the pace (docs/domain.md,
"WhatsApp: the window and templates").

`prepare` runs in the sweep's transaction. Inside the person's window the row goes as it is. Outside it, the row's
approved template goes instead (`templates.template_call`): a reminder says everything in it; an announcement, a
meeting, a digest or a notice is only announced ("Balas *baca*") and its content follows free-form when the person
writes (`follow_up`, released by the adapter). A template Meta has not approved keeps the row waiting (staf told once
a day), never sent free-form to be refused (131047). The day's limit (`[whatsapp] daily_limit` people reached
outside their window in 24 hours) is shared by priority: verdicts and alerts to staf may use all of it, reminders
and digests 90%, announcements, meetings and recaps 75%; what waits is told to staf once a day.

`deliver` falls back to the template when Meta says the window is closed after all; the pace (80 messages a second
for the number, a burst at most to one person) is the Graph client's, shared with the chat's answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.channels.whatsapp import render
from bot.channels.whatsapp.graph import UNREACHABLE, WINDOW_CLOSED, Graph, GraphError
from bot.channels.whatsapp.templates import TemplateCall, TemplateRegistry, template_call
from bot.chat.messages import OutMessage
from bot.chat.transport import TryLater, Unreachable, Waiting
from bot.config import WhatsAppSettings
from bot.i18n import Language, t
from bot.services.contacts import outside_window
from bot.services.notices import queue_notice
from bot.services.people import people_with_role_covering
from models.tables import Contact, OutboxMessage, OutboxStatus, Role

log = logging.getLogger("klambi.whatsapp.transport")
CHANNEL = "whatsapp"
DAY = timedelta(hours=24)
PRIORITY = {"notice": 0, "obligation": 1, "digest": 1, "camat": 1, "announcement": 2, "meeting": 2, "recap": 2}
SHARE = {0: 1.0, 1: 0.9, 2: 0.75}  # of the day's limit a row of that priority may still use
WAIT_TEMPLATE, WAIT_LIMIT = "template not approved", "daily limit"


@dataclass
class Delivery:
    """What `prepare` decided for one row; `record` writes on the sent row what was actually sent. Inside the
    window the template call is made only if WhatsApp says the window closed after all (`call` None until then)."""

    row_id: int
    now: datetime
    call: TemplateCall | None
    use_template: bool
    sent_as_template: bool = False

    def record(self, row: OutboxMessage) -> None:
        if self.sent_as_template and self.call is not None:
            row.template = self.call.template.name
            row.follow_up = self.call.teaser
            row.details = {**(row.details or {}), "template_text": self.call.text()[:1000]}


class WhatsAppTransport:
    channel = CHANNEL

    def __init__(self, settings: WhatsAppSettings, graph: Graph, registry: TemplateRegistry, uploads: Any,
                 lang: Language, sessions: Callable[[], Any]) -> None:  # fmt: skip
        self.settings, self.graph, self.registry, self.uploads, self.lang = settings, graph, registry, uploads, lang
        self.sessions = sessions  # for the template of a row whose window closed after all
        # people this process decided to reach by template, before their rows are marked sent (the sweep prepares
        # a few rows ahead of sending): counted against the day's limit with what the outbox already records
        self._reserved: dict[int, datetime] = {}

    # --- in the sweep's transaction -----------------------------------------------------------------------------

    async def prepare(self, session: Any, row: OutboxMessage, message: OutMessage, contact: Contact | None,
                      now: datetime) -> Delivery | None:  # fmt: skip
        if contact is None:
            return None
        closed = outside_window(contact, now) or bool((row.details or {}).get("template_only"))
        if not closed:  # the message as it is; its template only if WhatsApp disagrees (deliver)
            return Delivery(row.id, now, None, use_template=False)
        call = await template_call(session, row, message, now, self.lang)
        name = call.template.name
        if not await self.registry.approved(name, call.template.language):
            await self._tell_staf(session, row, now, f"template-wait:{name}", "notice.template_waiting",
                                  template=name, status=self._status(name, call.template.language))  # fmt: skip
            raise Waiting(f"{WAIT_TEMPLATE}: {name}")
        await self._within_limit(session, row, now)
        return Delivery(row.id, now, call, use_template=True)

    def _status(self, name: str, language: str) -> str:
        return self.registry.known_status(name, language) or "belum dibuat"

    async def _within_limit(self, session: Any, row: OutboxMessage, now: datetime) -> None:
        """The day's limit counts people reached outside their window; someone reached already costs nothing."""
        reached = set(
            await session.scalars(
                select(OutboxMessage.person_id)
                .distinct()
                .where(
                    OutboxMessage.channel == CHANNEL,
                    OutboxMessage.template.is_not(None),
                    OutboxMessage.sent_at >= now - DAY,
                    OutboxMessage.person_id.is_not(None),
                )
            )
        )
        self._reserved = {p: at for p, at in self._reserved.items() if now - at < DAY}
        reached |= set(self._reserved)
        if row.person_id in reached:
            return
        limit = self.settings.daily_limit
        share = SHARE[PRIORITY.get(row.subject_type, 2)]
        if len(reached) + 1 <= limit * share:
            if row.person_id is not None:
                self._reserved[row.person_id] = now
            return
        waiting = await session.scalar(
            select(func.count()).where(
                OutboxMessage.status == OutboxStatus.PLANNED, OutboxMessage.last_error.like(f"{WAIT_LIMIT}%")
            )
        )
        await self._tell_staf(session, row, now, "whatsapp-daily-limit", "notice.daily_limit", used=len(reached),
                              limit=limit, waiting=int(waiting or 0) + 1)  # fmt: skip
        raise Waiting(f"{WAIT_LIMIT}: {len(reached)} of {limit} people in 24 hours")

    async def _tell_staf(self, session: Any, row: OutboxMessage, now: datetime, key: str, text_key: str,
                         **values: Any) -> None:  # fmt: skip
        """Once a day per kecamatan and `key`: the kecamatan's staf learn what waits (on whatever app they use)."""
        place = (row.details or {}).get("desa") or row.kecamatan_kode
        text = t(text_key, self.lang, **values)
        for member in await people_with_role_covering(session, {Role.STAF}, place):
            if member.id == row.person_id:
                continue
            await queue_notice(session, kecamatan_kode=row.kecamatan_kode, person=member, role=Role.STAF.value,
                               key=f"{key}:{row.kecamatan_kode}", message=OutMessage.of(text), now=now)  # fmt: skip

    # --- sending --------------------------------------------------------------------------------------------------

    async def deliver(self, address: str, message: OutMessage, prepared: Delivery | None = None) -> str:
        try:
            if prepared is not None and prepared.use_template and prepared.call is not None:
                return await self._template(address, prepared)
            try:
                return await self._free_form(address, message)
            except GraphError as error:
                if error.code not in WINDOW_CLOSED or prepared is None:
                    raise
                prepared.call = prepared.call or await self._call_for(prepared, message)
                if not await self.registry.approved(prepared.call.template.name, prepared.call.template.language):
                    raise TryLater("window closed and its template is not approved") from None
                log.info("WhatsApp says the window is closed: the template goes instead")
                return await self._template(address, prepared)
        except GraphError as error:
            if error.code in UNREACHABLE:
                raise Unreachable(f"WhatsApp {error.code}") from None
            log.warning("WhatsApp message not delivered: %s", error.code)
            raise TryLater(f"WhatsApp {error.code}") from None

    async def _call_for(self, prepared: Delivery, message: OutMessage) -> TemplateCall:
        async with self.sessions() as session:
            row = await session.get(OutboxMessage, prepared.row_id)
            assert row is not None
            return await template_call(session, row, message, prepared.now, self.lang)

    async def _template(self, address: str, prepared: Delivery) -> str:
        assert prepared.call is not None
        wamid = await self.graph.send(address, {"type": "template", "template": prepared.call.graph()})
        prepared.sent_as_template = True
        return wamid

    async def _free_form(self, address: str, message: OutMessage) -> str:
        payloads, _ = await render.payloads(message, self.uploads.media_id, self.lang)
        wamid = ""
        for payload in payloads:
            wamid = await self.graph.send(address, payload)
        return wamid
