"""The WhatsApp adapter: Meta's webhook in, the chat core's `Incoming` through the inbox, Graph API messages out.

Everything WhatsApp-shaped lives in this package (docs/architecture.md, "WhatsApp"):

- `webhook`: Meta's GET handshake, the signature over the raw body, the messages stored by wamid in the inbox
  (`bot.services.inbox`) and the statuses applied, then 200 at once;
- here: an inbox row becomes an `Incoming` (text, a pressed button or list row, a template's quick reply, a document
  or an image fetched through the media endpoint, a reply to one of our messages) and goes to `handlers.dispatch`;
  one sender's rows are handled in order and their answers go out together, merged (`render.merge`): ten pages of an
  album get one acknowledgement;
- "Berikutnya" of a paged list is answered here from the contact's record; "baca" (typed or the template's quick
  reply) releases what templates announced (`scheduler.messages.release_follow_ups`), as does any message;
- `transport`: the outbox's side (the 24-hour window, templates, the daily limit).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App
from bot.channels.inbox import InboxWorker, More
from bot.channels.whatsapp import render
from bot.channels.whatsapp.graph import Graph, GraphError
from bot.channels.whatsapp.templates import READ_PAYLOAD
from bot.chat.messages import Choice, Formatted, Incoming, IncomingFile, OutFile, OutMessage, Pressed, Sender
from bot.cleaning import clean_text
from bot.errors import InputError
from bot.i18n import t
from bot.services.contacts import contact_by_sender, known_person
from bot.services.inbox import finish, release
from bot.services.links import whatsapp_invite_link
from handlers import dispatch
from handlers.common import ChannelFacts, Conversations, Outcome
from models.tables import InboxMessage

log = logging.getLogger("klambi.whatsapp")
CHANNEL = "whatsapp"
SETTLE_SECONDS = 1.0  # after a file, how long to wait for the album's next page before answering
RETRIES = (1.0, 3.0, 7.0)  # a throttled answer is tried again after these pauses
BUSY_ATTEMPTS = 5  # a message the busy database refused this often is answered "try again" and let go
READ_WORDS = {READ_PAYLOAD, f"/{READ_PAYLOAD}"}  # typed, as the templates' quick reply sends it


@dataclass
class _Handled:
    """One inbox row's outcome, and what it was (a file's acknowledgement is superseded by the next file's)."""

    outcome: Outcome
    files: bool = False
    extra: list[OutMessage] = field(default_factory=list)
    page: tuple[int, tuple[Choice, ...]] | None = None


class WhatsAppChannel:
    """Handles what the inbox holds for WhatsApp and answers through the Graph API."""

    def __init__(self, app: App, graph: Graph, core: Conversations, inbox: InboxWorker,
                 wake_courier: Callable[[], None], *, settle: float = SETTLE_SECONDS,
                 retries: tuple[float, ...] = RETRIES) -> None:  # fmt: skip
        self.app, self.graph, self.core, self.inbox = app, graph, core, inbox
        self.wake_courier, self.settle, self.retries = wake_courier, settle, retries
        number = app.settings.whatsapp.business_number or ""
        self.facts = ChannelFacts(CHANNEL, lambda code: whatsapp_invite_link(number, code), command_prefix="")
        self.uploads = Uploads(app, graph)
        inbox.register(CHANNEL, self.serve)

    @property
    def lang(self):
        return self.app.settings.bot.language

    # --- in ---------------------------------------------------------------------------------------------------------

    async def serve(self, sender: str, ids: list[int], more: More) -> None:
        """One sender's claimed rows, in order; then whatever they sent meanwhile; then the answers, together."""
        handled: list[_Handled] = []
        address: str | None = None
        queue = list(ids)
        while queue:
            for inbox_id in queue:
                async with self.app.sessions() as session:
                    row = await session.get(InboxMessage, inbox_id)
                if row is None or row.status != "pending":
                    continue
                address = row.sender
                one = await self._handle(row)
                if one is None:  # the database is busy: give the rest back, in order, for the next round
                    async with self.app.sessions() as session, session.begin():
                        for later in queue[queue.index(inbox_id) :]:
                            await release(session, later)
                    break
                handled.append(one)
                async with self.app.sessions() as session, session.begin():
                    await finish(session, inbox_id, self.app.clock.now())
            else:
                queue = await more()
                if not queue and handled and handled[-1].files and self.settle:
                    await asyncio.sleep(self.settle)  # an album's next page is probably on its way
                    queue = await more()
                continue
            break
        if address is not None and handled:
            await self._answer(address, handled)

    async def _handle(self, row: InboxMessage) -> _Handled | None:
        message: dict[str, Any] = row.payload.get("message") or {}
        contact: dict[str, Any] = row.payload.get("contact") or {}
        await self._mark_read(str(message.get("id") or ""))  # blue ticks: the message reached the office
        kind = message.get("type")
        if kind == "reaction":  # a thumbs-up under our message: nothing to answer
            return _Handled(Outcome(handled=False))
        incoming = incoming_of(message, contact, row.id, self.graph)
        chosen = incoming.choice or ""
        if chosen.startswith(render.PAGE_PREFIX):
            return await self._page(incoming, chosen)
        if chosen == READ_PAYLOAD or (incoming.text or "").strip().lower() in READ_WORDS:
            return await self._read_waiting(incoming)
        outcome = await dispatch(self.core, incoming, self.facts)
        if outcome.busy:
            if row.attempts + 1 < BUSY_ATTEMPTS:
                return None
            log.warning("WhatsApp message %s: the database stayed busy; the person is asked to send it again", row.id)
        released = await self._release(incoming.sender) if not outcome.busy else 0
        if outcome.notices_queued or released:
            self.wake_courier()
        return _Handled(outcome, files=bool(incoming.files))

    async def _release(self, sender: Sender) -> int:
        """Their window is open now: what templates announced to them follows as free-form messages."""
        from scheduler.messages import release_follow_ups

        async with self.app.sessions() as session, session.begin():
            person = await known_person(session, sender)
            if person is None:
                return 0
            return await release_follow_ups(
                session, person, self.app.clock.now(), self.lang, whatsapp=self.app.settings.whatsapp
            )

    async def _read_waiting(self, incoming: Incoming) -> _Handled:
        """ "baca": what waits goes out now; with nothing waiting, say so (and what to type instead)."""
        outcome = await self.core.handle(incoming, self.facts, _noop)  # the contact's window is recorded as open
        if outcome.busy:
            return _Handled(outcome)
        released = await self._release(incoming.sender)
        if released:
            self.wake_courier()
        else:
            outcome.answers.append(OutMessage.of(t("whatsapp.nothing_waiting", self.lang)))
        return _Handled(outcome)

    async def _page(self, incoming: Incoming, chosen: str) -> _Handled:
        """ "Berikutnya" under a paged list: the next page, from the list kept on the contact."""
        async with self.app.sessions() as session:
            contact = await contact_by_sender(session, incoming.sender)
            kept = (contact.choices if contact is not None else None) or []
        page_text = chosen[len(render.PAGE_PREFIX) :]
        choices = OutMessage.from_dict({"choices": [kept]}).choices if kept else ()
        if not page_text.isdigit() or not choices:
            return _Handled(Outcome(), extra=[OutMessage.of(t("whatsapp.choices_gone", self.lang))])
        return _Handled(Outcome(), page=(int(page_text), choices[0]))

    async def _mark_read(self, wamid: str) -> None:
        if not wamid:
            return
        try:
            await self.graph.mark_read(wamid)
        except GraphError as error:
            log.info("marking a message read failed: %s", error.code)

    # --- out --------------------------------------------------------------------------------------------------------

    async def _answer(self, address: str, handled: list[_Handled]) -> None:
        """Every answer of one sender's batch, as few messages as they fit in."""
        messages: list[OutMessage] = []
        page: tuple[int, tuple[Choice, ...]] | None = None
        for index, one in enumerate(handled):
            later = handled[index + 1] if index + 1 < len(handled) else None
            if one.files and later is not None and later.files and not one.outcome.refusal:
                continue  # the next page's acknowledgement says it all
            messages += self._messages(one.outcome) + one.extra
            if one.page is not None:
                page = one.page
        for message in render.merge(messages):
            payloads, paged = await render.payloads(message, self.uploads.media_id, self.lang)
            if paged is not None:
                await self._keep_choices(address, paged.choices)
            for payload in payloads:
                await self.send(address, payload)
        if page is not None:
            number, choices = page
            payload, _ = render.choice_message("", choices, self.lang, number)
            await self.send(address, payload)
        for one in handled:
            for later in one.outcome.later:  # files still being built (reports.pool): sent when ready
                self.app.builds.follow(later, lambda message: self._send_message(address, message))

    async def _send_message(self, address: str, message: OutMessage) -> None:
        payloads, _ = await render.payloads(message, self.uploads.media_id, self.lang)
        for payload in payloads:
            await self.send(address, payload)

    def _messages(self, outcome: Outcome) -> list[OutMessage]:
        if not outcome.handled:
            return []
        if outcome.refusal is not None:
            return [OutMessage.of(outcome.refusal)]
        out: list[OutMessage] = []
        if outcome.settled is not None and (outcome.settled.text.text.strip() or outcome.settled.choices):
            out.append(outcome.settled)  # no editing on WhatsApp: what was decided comes as a new message
        out += outcome.answers
        if outcome.note and not out:
            out.append(OutMessage.of(outcome.note))
        return out

    async def send(self, address: str, payload: dict[str, Any]) -> str | None:
        """One message to the person who wrote (inside their window); throttling is waited out a few times."""
        for pause in (*self.retries, None):
            try:
                return await self.graph.send(address, payload)
            except GraphError as error:
                if not error.passing or pause is None:
                    log.warning("WhatsApp answer not sent: %s", error.code)
                    return None
                await asyncio.sleep(pause)
        return None

    async def _keep_choices(self, address: str, choices: tuple[Choice, ...]) -> None:
        stored = OutMessage(Formatted(""), (choices,)).to_dict()["choices"][0]  # as the outbox stores choices
        async with self.app.sessions() as session, session.begin():
            contact = await contact_by_sender(session, Sender(CHANNEL, address, address))
            if contact is not None:
                contact.choices = stored


class Uploads:
    """Files the bot sends, uploaded once per process: a media id lives 30 days on Meta's side."""

    def __init__(self, app: App, graph: Graph) -> None:
        self.app, self.graph = app, graph
        self._ids: dict[str, str] = {}  # a stored file's path (or the bytes' hash) -> its media id

    async def media_id(self, file: OutFile) -> str:
        known = file.channel_ids.get(CHANNEL)
        if known:
            return known
        key = file.stored_path or "bytes:" + hashlib.sha256(file.content or b"").hexdigest()
        if key in self._ids:
            return self._ids[key]
        content = file.content
        if content is None:
            assert file.stored_path is not None
            content = await asyncio.to_thread((self.app.files.root / file.stored_path).read_bytes)
        mime = file.mime_type or mimetypes.guess_type(file.filename or "")[0] or "application/octet-stream"
        name = file.filename or ("gambar.jpg" if file.kind == "photo" else "berkas")
        self._ids[key] = media_id = await self.graph.upload(content, mime, name)
        return media_id


async def _noop(current) -> None:
    current.require_person()


def incoming_of(message: dict[str, Any], contact: dict[str, Any], inbox_id: int, graph: Graph) -> Incoming:
    """The chat core's view of one WhatsApp message (already cleaned when it was stored)."""
    sent_by = str(message.get("from") or contact.get("wa_id") or contact.get("user_id") or "")
    wa_id = str(contact.get("wa_id") or (sent_by if sent_by.isdigit() else "")) or None
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    name = clean_text(str(profile.get("name") or ""))[:120] or None
    sender = Sender(CHANNEL, sent_by, sent_by, name, phone=wa_id)
    base: dict[str, Any] = {"channel": CHANNEL, "key": f"0:{inbox_id}", "sender": sender}
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    quoted = str(context.get("id") or "") or None
    kind = message.get("type")
    if kind == "text":
        body = (message.get("text") or {}).get("body")
        return Incoming(**base, text=str(body or ""), reply_to=quoted)
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        title = str(reply.get("title") or "")
        return Incoming(**base, choice=str(reply.get("id") or ""), pressed=Pressed(quoted or "", "", title))
    if kind == "button":  # a template's quick reply
        button = message.get("button") or {}
        text = str(button.get("text") or "")
        return Incoming(**base, choice=str(button.get("payload") or ""), pressed=Pressed(quoted or "", "", text))
    if kind in ("document", "image"):
        media = message.get(kind) or {}
        return Incoming(**base, files=(_incoming_file(kind, media, graph),), caption=media.get("caption"))
    return Incoming(**base, unsupported=True)


def _incoming_file(kind: str, media: dict[str, Any], graph: Graph) -> IncomingFile:
    media_id = str(media.get("id") or "")

    async def fetch(target: Path, limit: int) -> None:
        if not media_id:
            raise InputError("kirim.download_failed")
        await graph.download(media_id, target, limit)

    filename = media.get("filename")
    return IncomingFile("photo" if kind == "image" else "document", fetch, str(filename)[:255] if filename else None,
                        None, media_id or None, media.get("mime_type"))  # fmt: skip
