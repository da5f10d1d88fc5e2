"""A local WhatsApp Cloud API (Meta's Graph API) for tests, the demo and benchmarks: the real bot talks HTTP to it,
a script plays the people, whose messages reach the bot as signed webhooks.

Point the bot's `[whatsapp] graph_url` at `graph.graph_url` and `graph.webhook_url` at the bot's webhook route::

    async with GraphSandbox(access_token="EAAG-test", app_secret="app-secret", clock=clock.now) as graph:
        graph.webhook_url = "http://127.0.0.1:8443/whatsapp"
        siti = graph.person("6281234567890", "Siti", label="Sekdes Rojopolo")
        await siti.say("kirim")                      # a signed webhook POST; raises unless the bot answers 2xx
        await siti.expect("Dokumen apa")
        await siti.press("RKPDes")                   # a reply button or a list row of the newest message showing it
        print("\\n".join(graph.transcript()))

What the bot may call, with Graph's JSON answers and Graph's errors (`{"error": {"message", "type", "code",
"error_subcode"?, "error_data": {"messaging_product", "details"}, "fbtrace_id"}}`, HTTP 400 for most, 401 without the
right `Authorization: Bearer` header, 404 for a template that does not exist):

- `POST /{version}/{phone_number_id}/messages`: text, interactive reply buttons and lists, document, image,
  template, reaction, and mark-as-read; Meta's limits (lengths, counts), the 24-hour customer service window
  (131047), unknown or blocked people (131026), throughput (130429) and the pair rate (131056);
- `POST /{version}/{phone_number_id}/media` (multipart upload), `GET /{version}/{media_id}` (its short-lived url),
  `GET <url>` (the bytes, Bearer too), `DELETE /{version}/{media_id}`;
- `GET /{version}/{waba_id}/subscribed_apps` (`subscribed_apps`: one app unless a script empties it);
- `GET` and `POST /{version}/{waba_id}/message_templates` with Meta's rules for a template's definition; templates
  wait in review (PENDING) until `set_template_status` (or `auto_approve`).

Faults on demand: `fail_next` (the next send fails with any Graph error code), `block`, `corrupt_media` (the bytes
no longer match the announced sha256) and `fail_media` (a download answers an HTTP error).

As Meta does, the `sha256` a webhook announces for a person's media is base64 of the digest, while the media
endpoint (`GET /{version}/{media_id}`) gives it in hex.
Not emulated: the daily messaging limit (distinct people reached outside their window), conversation pricing,
media other than documents and images in what the bot sends, groups, flows, catalogs, and webhook retries (Meta
retries for days; here nothing is retried: `redeliver` does it by hand).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientError, ClientSession, ClientTimeout, web

JSON = dict[str, Any]
WINDOW = timedelta(hours=24)
SIGNATURE_HEADER = "X-Hub-Signature-256"
IMAGE_TYPES = ("image/jpeg", "image/png")
DOCUMENT_TYPES = (
    "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)  # fmt: skip
OTHER_MEDIA_TYPES = ("image/webp", "audio/ogg", "audio/mpeg", "audio/aac", "audio/mp4", "video/mp4", "video/3gpp")
IMAGE_LIMIT = 5 * 1024 * 1024
DOCUMENT_LIMIT = 100 * 1024 * 1024
OTHER_KINDS = ("sticker", "audio", "video", "location", "reaction", "unsupported")
_SENT = object()  # `post_webhook`'s default: sign the body correctly
_PARAMETER = re.compile(r"\{\{(\d+)\}\}")
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")
_TEMPLATE_STATUSES = ("PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED")

# code: (HTTP status, title, default details); the titles are Meta's (docs: "WhatsApp error codes")
ERRORS: dict[int, tuple[int, str, str]] = {
    1: (400, "API Unknown", "Invalid request or possible server error."),
    2: (503, "API Service", "Temporary due to downtime or due to being overloaded."),
    4: (400, "API Too Many Calls", "The app has reached its API call rate limit."),
    100: (400, "Invalid parameter", "The request included one or more unsupported or misspelled parameters."),
    190: (401, "Invalid OAuth access token - Cannot parse access token", "The access token is missing or invalid."),
    2500: (400, "Unknown path components", "The path of the request is not a Graph API path."),
    80007: (400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: (400, "Rate limit hit", "Message failed to send because there were too many messages sent from this "
             "phone number in a short period of time"),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131008: (400, "Required parameter is missing", "The request is missing a required parameter."),
    131009: (400, "Parameter value is not valid", "One or more parameter values are invalid."),
    131026: (400, "Message undeliverable", "Message Undeliverable."),
    131047: (400, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the "
             "customer last replied to this number."),
    131048: (400, "Spam rate limit hit", "Message failed to send because there are restrictions on how many messages "
             "can be sent from this phone number."),
    131051: (400, "Unsupported message type", "Message type is currently not supported."),
    131053: (400, "Media upload error", "Unable to upload the media used in the message."),
    131056: (400, "(Business Account, Consumer Account) pair rate limit hit", "Message failed to send because there "
             "were too many messages sent from this phone number to the same phone number in a short period of time."),
    132000: (400, "Number of parameters does not match the expected number of params", "The number of parameters "
             "does not match the number the template expects."),
    132001: (404, "Template name does not exist in the translation", "The template does not exist in this language "
             "or has not been approved."),
    132012: (400, "Parameter format does not match format in the created template", "A parameter has the wrong "
             "format."),
    132018: (400, "There was an issue with the parameters in your template.", "Param text cannot have new-line/tab "
             "characters or more than 4 consecutive spaces."),
    133016: (400, "Account register deregister rate limit exceeded", "Registration or deregistration failed because "
             "there were too many attempts for this phone number in a short period of time."),
}  # fmt: skip


class GraphError(Exception):
    """A Graph API error answer. The HTTP status and the title come from `ERRORS` unless given."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        status: int | None = None,
        subcode: int | None = None,
        title: str | None = None,
        user_title: str | None = None,
        user_message: str | None = None,
    ) -> None:
        known_status, known_title, known_details = ERRORS.get(code, (400, "Unknown error", "An error occurred."))
        self.code, self.subcode = code, subcode
        self.status = status or known_status
        self.title = title or known_title
        self.details = details or known_details
        self.user_title, self.user_message = user_title, user_message
        super().__init__(f"(#{code}) {self.title}: {self.details}")

    def body(self) -> JSON:
        error: JSON = {"message": f"(#{self.code}) {self.title}", "type": "OAuthException", "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_title:
            error |= {"is_transient": False, "error_user_title": self.user_title}
            error |= {"error_user_msg": self.user_message or self.details}
        error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}

    def response(self) -> web.Response:
        return web.json_response(self.body(), status=self.status)


class WebhookRefused(AssertionError):
    """The bot answered a webhook with a non-2xx status, or nothing answered (status 0)."""

    def __init__(self, status: int, what: str) -> None:
        super().__init__(f"the bot answered the webhook ({what}) with {status or 'nothing'}")
        self.status = status


@dataclass
class Media:
    """A file the sandbox holds: uploaded by the bot, or sent by a person."""

    id: str
    data: bytes = field(repr=False)
    mime_type: str
    filename: str | None = None
    token: str = ""  # the opaque part of its download url
    corrupt: bool = False  # `corrupt_media`: the bytes served no longer match the sha256
    failure: int | None = None  # `fail_media`: downloads answer this HTTP status
    deleted: bool = False

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_base64(self) -> str:
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


@dataclass(frozen=True)
class SentMedia:
    """A document or image the bot sent: the bytes when it sent an uploaded media id, the link otherwise."""

    data: bytes | None = field(repr=False)
    filename: str | None
    mime_type: str | None
    media_id: str | None = None
    link: str | None = None


@dataclass
class GraphMessage:
    """One message the bot sent that Graph accepted: `payload` is the JSON as sent."""

    wamid: str
    to: str  # the person's wa_id, or their user_id when they have no number
    payload: JSON
    at: datetime
    rendered: str = ""  # a template's body with its parameters filled in
    template_buttons: list[tuple[str, str]] = field(default_factory=list)  # quick replies: (text, payload)
    media: SentMedia | None = None

    @property
    def type(self) -> str:
        return str(self.payload.get("type", "text"))

    @property
    def text(self) -> str:
        """The text body, an interactive message's body, a caption, or a template's rendered body ("" if none)."""
        kind = self.type
        if kind == "text":
            return self.payload["text"]["body"]
        if kind == "interactive":
            return self.payload["interactive"].get("body", {}).get("text", "")
        if kind in ("document", "image"):
            return self.payload[kind].get("caption") or ""
        if kind == "template":
            return self.rendered
        return ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Reply buttons as (title, id)."""
        interactive = self.payload.get("interactive") or {}
        if self.type != "interactive" or interactive.get("type") != "button":
            return []
        return [(b["reply"]["title"], b["reply"]["id"]) for b in interactive["action"]["buttons"]]

    @property
    def rows(self) -> list[tuple[str, str, str | None]]:
        """List rows as (title, id, description), across sections."""
        interactive = self.payload.get("interactive") or {}
        if self.type != "interactive" or interactive.get("type") != "list":
            return []
        sections = interactive["action"]["sections"]
        return [(r["title"], r["id"], r.get("description")) for s in sections for r in s["rows"]]

    @property
    def sections(self) -> list[tuple[str | None, list[tuple[str, str, str | None]]]]:
        """A list's sections as (title, rows)."""
        interactive = self.payload.get("interactive") or {}
        if self.type != "interactive" or interactive.get("type") != "list":
            return []
        return [
            (s.get("title"), [(r["title"], r["id"], r.get("description")) for r in s["rows"]])
            for s in interactive["action"]["sections"]
        ]

    @property
    def list_button(self) -> str | None:
        """The label of the button that opens a list."""
        interactive = self.payload.get("interactive") or {}
        return (
            interactive["action"]["button"]
            if self.type == "interactive" and interactive.get("type") == "list"
            else None
        )

    @property
    def header(self) -> str | None:
        interactive = self.payload.get("interactive") or {}
        return (interactive.get("header") or {}).get("text")

    @property
    def footer(self) -> str | None:
        interactive = self.payload.get("interactive") or {}
        return (interactive.get("footer") or {}).get("text")

    @property
    def template(self) -> str | None:
        """The template's name, None for any other message."""
        return self.payload["template"]["name"] if self.type == "template" else None

    @property
    def template_language(self) -> str | None:
        return self.payload["template"]["language"]["code"] if self.type == "template" else None

    @property
    def template_params(self) -> list[str]:
        """The body parameters of a template message, in order."""
        if self.type != "template":
            return []
        for component in self.payload["template"].get("components") or []:
            if str(component.get("type", "")).lower() == "body":
                return [str(p.get("text", "")) for p in component.get("parameters") or []]
        return []

    @property
    def quick_replies(self) -> list[str]:
        """The payloads a template's quick-reply buttons give back when pressed."""
        return [payload for _, payload in self.template_buttons]

    @property
    def document(self) -> SentMedia | None:
        return self.media if self.type == "document" else None

    @property
    def image(self) -> SentMedia | None:
        return self.media if self.type == "image" else None

    @property
    def reaction(self) -> tuple[str, str] | None:
        """(the wamid reacted to, the emoji) of a reaction."""
        if self.type != "reaction":
            return None
        return self.payload["reaction"]["message_id"], self.payload["reaction"].get("emoji", "")

    @property
    def context(self) -> str | None:
        """The wamid this message quotes."""
        return (self.payload.get("context") or {}).get("message_id")


@dataclass
class Template:
    """A template registered on the WhatsApp Business Account, with its review status."""

    id: str
    name: str
    language: str
    category: str
    components: list[JSON]
    status: str = "PENDING"

    def component(self, kind: str) -> JSON | None:
        return next((c for c in self.components if str(c.get("type", "")).upper() == kind), None)

    @property
    def body(self) -> str:
        return (self.component("BODY") or {}).get("text", "")

    @property
    def buttons(self) -> list[JSON]:
        return (self.component("BUTTONS") or {}).get("buttons", [])

    def graph(self) -> JSON:
        """As the Graph API lists it."""
        return {"name": self.name, "components": self.components, "language": self.language,
                "status": self.status, "category": self.category, "id": self.id}  # fmt: skip


class WaPerson:
    """Someone on WhatsApp: writes to the office's number, presses buttons, sends files. Each action POSTs one signed
    webhook to `graph.webhook_url` and returns the new inbound wamid; it raises `WebhookRefused` when the bot does not
    answer 2xx, unless `check=False`, which returns the HTTP status instead (0: nothing answered)."""

    def __init__(self, graph: GraphSandbox, wa_id: str | None, name: str, user_id: str | None, label: str) -> None:
        self.wa_id, self.user_id, self.name, self.label = wa_id, user_id, name, label
        self.blocked = False  # `graph.block`: every send to this person fails with 131026
        self.last_inbound: datetime | None = None  # when they last wrote: their 24-hour window runs from here
        self.inbound: list[str] = []  # the wamids of what they sent, oldest first
        self._graph = graph
        self._events: list[tuple[GraphMessage, str]] = []  # every accepted message to them, as rendered
        self._mark = 0  # `expect` looks from here on: after their last action and the last match

    @property
    def key(self) -> str:
        """Their address: the wa_id, or the user_id for a person known only by username."""
        return self.wa_id or self.user_id or ""

    @property
    def messages(self) -> list[GraphMessage]:
        """What the bot sent them, oldest first."""
        return [message for message, _ in self._events]

    @property
    def last(self) -> GraphMessage:
        """The newest message from the bot; AssertionError when there is none."""
        if not self._events:
            raise AssertionError(f"the bot has sent nothing to {self.label}")
        return self._events[-1][0]

    def window_open(self) -> bool:
        """Whether the bot may send them free-form now (they wrote less than 24 hours ago by the sandbox's clock)."""
        return self.last_inbound is not None and self._graph._now() - self.last_inbound < WINDOW

    # --- what they send --------------------------------------------------------------------------------------------

    def message_dict(self, kind: str, *args: Any, **kwargs: Any) -> JSON:
        """A webhook message from this person, not yet sent (for `graph.batch`): `kind` "text" (text, reply_to=None),
        "button_reply" (id, title, context=None), "list_reply" (id, title, description=None, context=None),
        "button" (text, payload, context=None), "document" (data, filename, mime_type, caption=None), "image" (data,
        mime_type="image/jpeg", caption=None) or one of `OTHER_KINDS`."""
        builders: dict[str, Callable[..., JSON]] = {
            "text": self._text, "button_reply": self._button_reply, "list_reply": self._list_reply,
            "button": self._template_button, "document": self._document, "image": self._image,
        }  # fmt: skip
        if kind in builders:
            return builders[kind](*args, **kwargs)
        if kind in OTHER_KINDS:
            return self._other(kind, *args, **kwargs)
        raise ValueError(f"unknown message kind {kind!r}")

    async def say(self, text: str, *, reply_to: str | None = None, check: bool = True) -> Any:
        """Write `text`; `reply_to` quotes one of the bot's messages (its wamid)."""
        return await self._graph._play(self._text(text, reply_to), check)

    async def press(self, title_or_id: str, *, timeout: float = 5.0, check: bool = True) -> Any:
        """Press the reply button or pick the list row whose title or id is `title_or_id`, in the newest message to
        this person that shows one, waiting up to `timeout` seconds for it to come; AssertionError if none does."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in reversed(self.messages):
                for title, button_id in message.buttons:
                    if title_or_id in (title, button_id):
                        return await self._graph._play(self._button_reply(button_id, title, message.wamid), check)
                for title, row_id, description in message.rows:
                    if title_or_id in (title, row_id):
                        reply = self._list_reply(row_id, title, description, message.wamid)
                        return await self._graph._play(reply, check)
            if loop.time() >= deadline:
                break
            await self._graph._wait(deadline - loop.time())
        shown = [f"[{t}]" for m in self.messages for t, _ in m.buttons] + [
            f"≡[{t}]" for m in self.messages for t, _, _ in m.rows
        ]
        raise AssertionError(f"{self.label}: no button or row {title_or_id!r}; shown: {shown or 'none'}")

    async def press_id(
        self, button_id: str, title: str, *, kind: str = "button", context: str | None = None, check: bool = True
    ) -> Any:
        """Send the reply a press of `button_id` would send, shown or not (an old message, a forged id): `kind`
        "button" (button_reply) or "list" (list_reply); `context` the wamid of the message pressed."""
        if kind == "list":
            return await self._graph._play(self._list_reply(button_id, title, None, context), check)
        return await self._graph._play(self._button_reply(button_id, title, context), check)

    async def tap(self, payload_or_text: str, *, timeout: float = 5.0, check: bool = True) -> Any:
        """Press a template's quick-reply button (its payload or its text) on the newest template message showing it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in reversed(self.messages):
                for text, payload in message.template_buttons:
                    if payload_or_text in (text, payload):
                        return await self._graph._play(self._template_button(text, payload, message.wamid), check)
            if loop.time() >= deadline:
                break
            await self._graph._wait(deadline - loop.time())
        shown = [f"[{t}]" for m in self.messages for t, _ in m.template_buttons]
        raise AssertionError(f"{self.label}: no quick reply {payload_or_text!r}; shown: {shown or 'none'}")

    async def send_document(
        self, data: bytes, filename: str, mime_type: str, caption: str | None = None, *, check: bool = True
    ) -> Any:
        return await self._graph._play(self._document(data, filename, mime_type, caption), check)

    async def send_image(
        self, data: bytes, mime_type: str = "image/jpeg", caption: str | None = None, *, check: bool = True
    ) -> Any:
        return await self._graph._play(self._image(data, mime_type, caption), check)

    async def send_other(self, kind: str, *, check: bool = True) -> Any:
        """Something the bot does not act on: "sticker", "audio", "video", "location", "reaction", "unsupported"."""
        if kind not in OTHER_KINDS:
            raise ValueError(f"kind must be one of {OTHER_KINDS}")
        return await self._graph._play(self._other(kind), check)

    # --- what they receive -----------------------------------------------------------------------------------------

    async def expect(self, text_fragment: str, timeout: float = 5.0) -> GraphMessage:
        """Wait until a message to this person contains `text_fragment` (as the transcript shows it: text, caption
        or rendered template, file, [buttons], ≡ rows) and return it. Like pexpect it consumes: only messages after
        this person's last action and after the one the previous `expect` returned count. AssertionError after
        `timeout` seconds, listing what they received."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index in range(self._mark, len(self._events)):
                if text_fragment in self._events[index][1]:
                    self._mark = index + 1
                    return self._events[index][0]
            if loop.time() >= deadline:
                break
            await self._graph._wait(deadline - loop.time())
        lines = [
            ("    " if index < self._mark else "  → ") + body.replace("\n", "\n    ")
            for index, (_, body) in enumerate(self._events)
        ]
        raise AssertionError(
            f"{self.label} received no message containing {text_fragment!r} within {timeout} s; they received "
            f"(→ not yet consumed):\n" + ("\n".join(lines) or "  (nothing)")
        )

    async def expect_count(self, n: int, timeout: float = 5.0) -> list[GraphMessage]:
        """Wait until the bot has sent this person `n` messages in all; the messages. AssertionError on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self._events) < n:
            if loop.time() >= deadline:
                raise AssertionError(f"{self.label} received {len(self._events)} messages, not {n}, in {timeout} s")
            await self._graph._wait(deadline - loop.time())
        return self.messages

    # --- building webhook messages ---------------------------------------------------------------------------------

    def _base(self, kind: str, content: JSON, context: str | None = None) -> JSON:
        message: JSON = {"from": self.key, "id": self._graph._new_wamid(self.key), "timestamp": "0", "type": kind}
        if context is not None:
            message["context"] = {"from": self._graph.business_number, "id": context}
        return message | content

    def _text(self, text: str, reply_to: str | None = None) -> JSON:
        return self._base("text", {"text": {"body": text}}, reply_to)

    def _button_reply(self, button_id: str, title: str, context: str | None = None) -> JSON:
        reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return self._base("interactive", {"interactive": reply}, context)

    def _list_reply(self, row_id: str, title: str, description: str | None = None, context: str | None = None) -> JSON:
        row = {"id": row_id, "title": title} | ({"description": description} if description else {})
        return self._base("interactive", {"interactive": {"type": "list_reply", "list_reply": row}}, context)

    def _template_button(self, text: str, payload: str, context: str | None = None) -> JSON:
        return self._base("button", {"button": {"text": text, "payload": payload}}, context)

    def _document(self, data: bytes, filename: str, mime_type: str, caption: str | None = None) -> JSON:
        media = self._graph._store(data, mime_type, filename)
        document = {"filename": filename, "mime_type": mime_type, "sha256": media.sha256_base64, "id": media.id}
        return self._base("document", {"document": document | ({"caption": caption} if caption else {})})

    def _image(self, data: bytes, mime_type: str = "image/jpeg", caption: str | None = None) -> JSON:
        media = self._graph._store(data, mime_type)
        image = {"mime_type": mime_type, "sha256": media.sha256_base64, "id": media.id}
        return self._base("image", {"image": image | ({"caption": caption} if caption else {})})

    def _other(self, kind: str) -> JSON:
        if kind in ("sticker", "audio", "video"):
            data, mime_type = {
                "sticker": (b"RIFF\x00\x00\x00\x00WEBPVP8 sticker", "image/webp"),
                "audio": (b"OggS\x00voice note", "audio/ogg"),
                "video": (b"\x00\x00\x00\x18ftypmp42 video", "video/mp4"),
            }[kind]
            media = self._graph._store(data, mime_type)
            content: JSON = {"mime_type": mime_type, "sha256": media.sha256_base64, "id": media.id}
            content |= {"sticker": {"animated": False}, "audio": {"voice": True}, "video": {}}[kind]
            if kind == "audio":
                content["mime_type"] = "audio/ogg; codecs=opus"
            return self._base(kind, {kind: content})
        if kind == "location":
            place = {"latitude": -8.0597, "longitude": 113.2226, "name": "Balai Desa", "address": "Jatiroto, Lumajang"}
            return self._base("location", {"location": place})
        if kind == "reaction":
            target = self.messages[-1].wamid if self.messages else self._graph._new_wamid(self.key)
            return self._base("reaction", {"reaction": {"message_id": target, "emoji": "👍"}})
        error = {"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                 "error_data": {"details": "Message type is currently not supported."}}  # fmt: skip
        return self._base("unsupported", {"errors": [error]})


class GraphSandbox:
    """The emulated Graph API (aiohttp on loopback) and the script's view of it; see the module docstring."""

    def __init__(
        self,
        *,
        access_token: str,
        app_secret: str,
        phone_number_id: str = "100200300",
        waba_id: str = "900800700",
        version: str = "v23.0",
        clock: Callable[[], datetime] | None = None,
        auto_approve: bool = False,
        rate_per_second: int = 80,
        pair_limit: int = 10,
        pair_seconds: float = 6.0,
        business_number: str = "6281100000000",
        monotonic: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        transcript: list[str] | None = None,
    ) -> None:
        self.access_token, self.app_secret = access_token, app_secret
        self.phone_number_id, self.waba_id, self.version = phone_number_id, waba_id, version
        self.business_number, self.host, self.port = business_number, host, 0
        self.auto_approve = auto_approve
        self.rate_per_second, self.pair_limit, self.pair_seconds = rate_per_second, pair_limit, pair_seconds
        self.webhook_url: str | None = None  # where people's webhooks go: the bot's route
        self.auto_statuses = False  # True: a "delivered" status webhook follows every accepted message
        # the apps subscribed to the WABA's webhooks (GET /{waba_id}/subscribed_apps); [] as before Meta's step
        self.subscribed_apps: list[JSON] = [{"whatsapp_business_api_data": {"id": "1", "name": "Ngobras Klambi"}}]
        self.sent: list[GraphMessage] = []
        self.read_marks: list[str] = []  # wamids the bot marked as read
        self.typing: list[str] = []  # wamids the bot marked as read with a typing indicator
        self.refusals: list[tuple[int, str | None]] = []  # every error a send got: (code, to)
        self.media_fetches: Counter[str] = Counter()  # downloads per media id
        self.deliveries: list[tuple[str, int]] = []  # every webhook POST: (what, HTTP status; 0 = no answer)
        self._now = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._people: dict[str, WaPerson] = {}  # by wa_id and by user_id
        self._media: dict[str, Media] = {}
        self._media_tokens: dict[str, Media] = {}
        self._templates: dict[tuple[str, str], Template] = {}
        self._faults: list[list[Any]] = []  # [code, to, remaining]
        self._bodies: dict[str, bytes] = {}  # inbound wamid -> the webhook body that carried it
        self._inbound: dict[str, WaPerson] = {}
        self._by_wamid: dict[str, GraphMessage] = {}
        self._sends: deque[float] = deque()
        self._pair_sends: defaultdict[str, deque[float]] = defaultdict(deque)
        self._numbers = itertools.count(1)
        self._transcript: list[str] = transcript if transcript is not None else []  # shared: one story, two apps
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None

    # --- lifecycle -------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=DOCUMENT_LIMIT + 1024 * 1024)
        app.router.add_post("/{version}/{node}/messages", self._messages)
        app.router.add_post("/{version}/{node}/media", self._upload)
        app.router.add_get("/{version}/{node}/message_templates", self._list_templates)
        app.router.add_get("/{version}/{node}/subscribed_apps", self._subscribed_apps)
        app.router.add_post("/{version}/{node}/message_templates", self._create_template)
        app.router.add_get("/{version}/{node}", self._get_node)
        app.router.add_delete("/{version}/{node}", self._delete_media)
        app.router.add_get("/media/{token}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self.port = self._runner.addresses[0][1]
        self._client = ClientSession(timeout=ClientTimeout(total=30))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> GraphSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graph_url(self) -> str:
        """What the bot puts in `[whatsapp] graph_url`."""
        return f"{self.base_url}/{self.version}"

    # --- the script's side -----------------------------------------------------------------------------------------

    def person(self, wa_id: str | None, name: str, *, user_id: str | None = None, label: str | None = None) -> WaPerson:
        """Someone on WhatsApp: `wa_id` their number in international digits, or None for a person known only by a
        username (then `user_id`, like "ID.abc", is required). `label` names them in the transcript (default name)."""
        if wa_id is None and user_id is None:
            raise ValueError("a person needs a wa_id or a user_id")
        if wa_id is not None and not re.fullmatch(r"\d{6,15}", wa_id):
            raise ValueError(f"wa_id {wa_id!r} must be 6 to 15 digits")
        if user_id is not None and not re.fullmatch(r"[A-Z]{2}\.[A-Za-z0-9_.-]+", user_id):
            raise ValueError(f"user_id {user_id!r} must look like ID.abc")
        for key in filter(None, (wa_id, user_id)):
            if key in self._people:
                raise ValueError(f"{key} is already a person in the sandbox")
        person = WaPerson(self, wa_id, name, user_id, label or name)
        for key in filter(None, (wa_id, user_id)):
            self._people[key] = person
        return person

    def block(self, wa_id: str) -> None:
        """From now on every send to this person fails with 131026 (they blocked the number, or left WhatsApp)."""
        self._person(wa_id).blocked = True

    def unblock(self, wa_id: str) -> None:
        self._person(wa_id).blocked = False

    def fail_next(self, code: int, *, to: str | None = None, count: int = 1) -> None:
        """The next `count` sends (to `to`, a wa_id or user_id, or to anyone) that would be accepted fail with Graph
        error `code` instead (131026, 131047, 130429, 131053, 131056, 133016, 132001, 1, ...)."""
        self._faults.append([code, to, count])

    def set_template_status(self, name: str, status: str, language: str = "id") -> None:
        """Meta's review: "APPROVED", "REJECTED", "PAUSED" (or "PENDING", "DISABLED")."""
        if status not in _TEMPLATE_STATUSES:
            raise ValueError(f"status must be one of {_TEMPLATE_STATUSES}")
        if (name, language) not in self._templates:
            raise KeyError(f"no template {name!r} in {language!r}")
        self._templates[(name, language)].status = status

    @property
    def templates(self) -> dict[tuple[str, str], JSON]:
        """The templates on the account by (name, language), as Graph lists them (with `status`)."""
        return {key: template.graph() for key, template in self._templates.items()}

    def sent_to(self, wa_id: str) -> list[GraphMessage]:
        """What the bot sent to this person (by wa_id or user_id), oldest first."""
        return self._person(wa_id).messages

    def media(self, media_id: str) -> Media:
        """A stored media file (uploaded by the bot or sent by a person)."""
        if media_id not in self._media:
            raise KeyError(f"the sandbox has no media {media_id!r}")
        return self._media[media_id]

    def corrupt_media(self, media_id: str) -> None:
        """Downloads of `media_id` serve other bytes than its sha256 and size announce."""
        self.media(media_id).corrupt = True

    def fail_media(self, media_id: str, status: int = 404) -> None:
        """Downloads of `media_id` answer `status` (as an expired url or a CDN in trouble does)."""
        self.media(media_id).failure = status

    def transcript(self) -> list[str]:
        """The conversation so far, one readable entry per event, in order."""
        return list(self._transcript)

    async def post_webhook(self, body: bytes, *, signature: Any = _SENT, url: str | None = None) -> int:
        """POST `body` as it is to `url` (default `webhook_url`), signed right by default; `signature` None sends no
        signature header, a string sends that header value. The HTTP status, 0 when nothing answered."""
        target = url or self.webhook_url
        if not target:
            raise ValueError("no webhook_url is set and no url given")
        headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}
        if signature is _SENT:
            headers[SIGNATURE_HEADER] = self.sign(body)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = str(signature)
        assert self._client is not None, "the sandbox is not started"
        try:
            async with self._client.post(target, data=body, headers=headers) as response:
                await response.read()
                return response.status
        except (ClientError, TimeoutError):
            return 0

    def sign(self, body: bytes) -> str:
        """The `X-Hub-Signature-256` value Meta sends with `body`."""
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    async def batch(self, *messages: JSON, check: bool = True) -> int:
        """POST several prepared messages (`person.message_dict(...)`, `graph.status_dict(...)`) in one webhook, one
        entry each; the HTTP status (raises `WebhookRefused` on non-2xx unless `check=False`)."""
        entries, played = [], []
        for message in messages:
            message["timestamp"] = str(int(self._now().timestamp()))
            if "status" in message and "recipient_id" in message:
                entries.append(self._entry({"statuses": [message]}))
                continue
            person = self._person(message["from"])
            entries.append(self._entry(self._value(person, message)))
            played.append((person, message))
        body = _dump({"object": "whatsapp_business_account", "entry": entries})
        for person, message in played:
            self._record_inbound(person, message, body)
        status = await self.post_webhook(body)
        self.deliveries.append(("batch", status))
        if check and not 200 <= status < 300:
            raise WebhookRefused(status, f"a batch of {len(messages)}")
        return status

    async def redeliver(self, wamid: str, *, check: bool = True) -> int:
        """POST again, byte for byte, the webhook that carried the person's message `wamid` (Meta's retry)."""
        if wamid not in self._bodies:
            raise KeyError(f"no webhook carried {wamid!r}")
        self._transcript.append(f"[WA] (pesan {self._short(wamid)} dikirim ulang)")
        status = await self.post_webhook(self._bodies[wamid])
        self.deliveries.append((wamid, status))
        if check and not 200 <= status < 300:
            raise WebhookRefused(status, f"redelivery of {wamid}")
        return status

    def status_dict(self, wamid: str, status: str, errors: list[JSON] | None = None) -> JSON:
        """A status of one of the bot's messages, as a webhook carries it (for `batch`)."""
        if status not in ("sent", "delivered", "read", "failed"):
            raise ValueError("status must be sent, delivered, read or failed")
        if wamid not in self._by_wamid:
            raise KeyError(f"the bot sent no message {wamid!r}")
        message = self._by_wamid[wamid]
        stamp = str(int(self._now().timestamp()))
        item: JSON = {"id": wamid, "status": status, "timestamp": stamp, "recipient_id": message.to}
        if status in ("sent", "delivered") and message.type == "template":
            item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}
        if status == "failed":
            item["errors"] = [_status_error(error) for error in errors or [{"code": 131026}]]
        return item

    async def status(self, wamid: str, status: str, errors: list[JSON] | None = None, *, check: bool = True) -> int:
        """POST a signed status webhook (sent / delivered / read / failed with `errors`) for the bot's message."""
        body = _dump({"object": "whatsapp_business_account",
                      "entry": [self._entry({"statuses": [self.status_dict(wamid, status, errors)]})]})  # fmt: skip
        person = self._people.get(self._by_wamid[wamid].to)
        who = person.label if person else self._by_wamid[wamid].to
        self._transcript.append(f"[WA] ({who}: {self._short(wamid)} {status})")
        code = await self.post_webhook(body)
        self.deliveries.append((f"status {status} {wamid}", code))
        if check and not 200 <= code < 300:
            raise WebhookRefused(code, f"status {status} of {wamid}")
        return code

    async def verify(self, verify_token: str, challenge: str = "12345") -> tuple[int, str]:
        """Meta's subscription handshake: GET `webhook_url` with hub.mode, hub.verify_token and hub.challenge."""
        if not self.webhook_url:
            raise ValueError("no webhook_url is set")
        query = urlencode({"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge})
        separator = "&" if "?" in self.webhook_url else "?"
        assert self._client is not None, "the sandbox is not started"
        async with self._client.get(f"{self.webhook_url}{separator}{query}") as response:
            return response.status, await response.text()

    # --- playing people --------------------------------------------------------------------------------------------

    def _person(self, key: str) -> WaPerson:
        if key not in self._people:
            raise KeyError(f"the sandbox has no person {key!r}")
        return self._people[key]

    def _entry(self, value: JSON) -> JSON:
        metadata = {"display_phone_number": self.business_number, "phone_number_id": self.phone_number_id}
        value = {"messaging_product": "whatsapp", "metadata": metadata} | value
        return {"id": self.waba_id, "changes": [{"value": value, "field": "messages"}]}

    def _value(self, person: WaPerson, message: JSON) -> JSON:
        contact: JSON = {"profile": {"name": person.name}}
        contact |= {"wa_id": person.wa_id} if person.wa_id else {}
        contact |= {"user_id": person.user_id} if person.user_id else {}
        return {"contacts": [contact], "messages": [message]}

    def _record_inbound(self, person: WaPerson, message: JSON, body: bytes) -> None:
        person.last_inbound = self._now()
        person.inbound.append(message["id"])
        person._mark = len(person._events)
        self._bodies[message["id"]], self._inbound[message["id"]] = body, person
        self._transcript.append(f"[WA] {person.label} > {_render_inbound(message)}")
        self._pulse()

    async def _play(self, message: JSON, check: bool) -> Any:
        person = self._person(message["from"])
        message["timestamp"] = str(int(self._now().timestamp()))
        body = _dump({"object": "whatsapp_business_account", "entry": [self._entry(self._value(person, message))]})
        self._record_inbound(person, message, body)
        status = await self.post_webhook(body)
        self.deliveries.append((message["id"], status))
        if not check:
            return status
        if not 200 <= status < 300:
            raise WebhookRefused(status, f"{person.label}: {_render_inbound(message)}")
        return message["id"]

    def _new_wamid(self, key: str) -> str:
        raw = b"\x15\x02\x00\x11\x18\x12" + f"{key}:{next(self._numbers)}:".encode() + secrets.token_bytes(9)
        return "wamid.HBgM" + base64.b64encode(raw).decode()

    def _short(self, wamid: str) -> str:
        return wamid[:16] + "…"

    def _store(self, data: bytes, mime_type: str, filename: str | None = None) -> Media:
        media_id = str(1_000_000_000_000_000 + next(self._numbers) * 7919 + secrets.randbelow(1000))
        media = Media(media_id, data, mime_type, filename, token=secrets.token_urlsafe(24))
        self._media[media_id], self._media_tokens[media.token] = media, media
        return media

    # --- waiting ---------------------------------------------------------------------------------------------------

    def _pulse(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), max(timeout, 0))

    # --- HTTP: the bot's side --------------------------------------------------------------------------------------

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.access_token.encode()):
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token", subcode=None)

    def _node(self, request: web.Request, expected: str | None = None) -> str:
        if request.match_info["version"] != self.version:
            raise GraphError(2500, f"Unknown path components: /{request.match_info['version']}")
        node = request.match_info["node"]
        if expected is not None and node != expected:
            raise GraphError(
                100,
                f"Unsupported post request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation.",
                subcode=33,
            )
        return node

    async def _messages(self, request: web.Request) -> web.Response:
        to: str | None = None
        try:
            self._authorize(request)
            self._node(request, self.phone_number_id)
            body = await _json_body(request)
            to = body.get("to") or body.get("recipient")
            if body.get("messaging_product") != "whatsapp":
                raise GraphError(100, "The parameter messaging_product is required and must be whatsapp.")
            if "status" in body:
                return web.json_response(self._mark_read(body))
            return web.json_response(await self._send(body))
        except (KeyError, TypeError, AttributeError, ValueError) as problem:  # a shape the checks did not foresee
            error = GraphError(100, f"Invalid parameter: {type(problem).__name__} in the request's shape.")
            self.refusals.append((error.code, to if isinstance(to, str) else None))
            return error.response()
        except GraphError as error:
            if request.match_info.get("version") == self.version:
                self.refusals.append((error.code, to if isinstance(to, str) else None))
            return error.response()

    def _mark_read(self, body: JSON) -> JSON:
        if body["status"] != "read":
            raise GraphError(100, "Param status must be read.")
        wamid = body.get("message_id")
        if not isinstance(wamid, str) or not wamid:
            raise GraphError(131008, "The parameter message_id is required.")
        if wamid not in self._inbound:
            raise GraphError(100, f"Invalid parameter: message_id {wamid} is not a message this number received.")
        typing = body.get("typing_indicator")
        if typing is not None and typing != {"type": "text"}:
            raise GraphError(131009, 'typing_indicator must be {"type": "text"}.')
        self.read_marks.append(wamid)
        if typing is not None:
            self.typing.append(wamid)
        self._pulse()
        return {"success": True}

    async def _send(self, body: JSON) -> JSON:
        kind = body.get("type", "text")
        if body.get("recipient_type", "individual") != "individual":
            raise GraphError(131009, "recipient_type must be individual.")
        to, recipient = body.get("to"), body.get("recipient")
        if to is None and recipient is None:
            raise GraphError(131008, "The parameter to is required.")
        message = GraphMessage("", "", json.loads(json.dumps(body)), self._now())
        if "context" in body:
            context = body["context"]
            if not isinstance(context, dict) or not isinstance(context.get("message_id"), str):
                raise GraphError(131009, "context must be an object with message_id.")
        validators: dict[str, Callable[[JSON, GraphMessage], None]] = {
            "text": self._check_text, "interactive": self._check_interactive, "document": self._check_media,
            "image": self._check_media, "template": self._check_template_shape, "reaction": self._check_reaction,
        }  # fmt: skip
        if kind not in validators:
            raise GraphError(100, f"Param type must be one of {sorted(validators)}; got {kind!r}.")
        validators[kind](body, message)
        person = self._recipient(to, recipient)
        if kind == "template":
            self._check_template_send(body, message)
        elif not person.window_open():
            raise GraphError(131047)
        self._injected_fault(person)
        self._throttle(person)
        message.wamid, message.to = self._new_wamid(person.key), person.key
        self.sent.append(message)
        self._by_wamid[message.wamid] = message
        rendered = _render_outbound(message)
        person._events.append((message, rendered))
        self._transcript.append(f"[WA] bot > {person.label}: {rendered}")
        self._pulse()
        if self.auto_statuses:
            task = asyncio.create_task(self._auto_status(message.wamid))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        contact = {"input": to, "wa_id": person.wa_id} if to is not None else {"input": recipient}
        if to is None:
            contact["user_id"] = person.user_id
        answer: JSON = {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": message.wamid}]}
        if kind == "template":
            answer["messages"][0]["message_status"] = "accepted"
        return answer

    async def _auto_status(self, wamid: str) -> None:
        await asyncio.sleep(0)
        with contextlib.suppress(Exception):
            await self.status(wamid, "delivered", check=False)

    def _recipient(self, to: Any, recipient: Any) -> WaPerson:
        if to is not None:
            if not isinstance(to, str) or not re.fullmatch(r"\+?[\d\s-]{5,20}", to):
                raise GraphError(131009, f"Param to must be a phone number; got {to!r}.")
            person = self._people.get(re.sub(r"\D", "", to))
            if person is not None and person.wa_id != re.sub(r"\D", "", to):
                person = None
        else:
            if not isinstance(recipient, str):
                raise GraphError(131009, "Param recipient must be a string.")
            person = self._people.get(recipient)
            if person is not None and person.user_id != recipient:
                person = None
        if person is None or person.blocked:
            raise GraphError(131026)
        return person

    def _injected_fault(self, person: WaPerson) -> None:
        for fault in self._faults:
            code, to, remaining = fault
            if to is None or to in (person.wa_id, person.user_id):
                fault[2] = remaining - 1
                if fault[2] <= 0:
                    self._faults.remove(fault)
                raise GraphError(code)

    def _throttle(self, person: WaPerson) -> None:
        now = self._monotonic()
        pair = self._pair_sends[person.key]
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        while pair and pair[0] <= now - self.pair_seconds:
            pair.popleft()
        if len(self._sends) >= self.rate_per_second:
            raise GraphError(130429, subcode=2494055)
        if len(pair) >= self.pair_limit:
            raise GraphError(131056)
        self._sends.append(now)
        pair.append(now)

    # --- validation of what the bot sends --------------------------------------------------------------------------

    def _check_text(self, body: JSON, message: GraphMessage) -> None:
        text = body.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str):
            raise GraphError(131008, "The parameter text['body'] is required.")
        _length("text['body']", text["body"], 4096)
        if "preview_url" in text and not isinstance(text["preview_url"], bool):
            raise GraphError(131009, "text['preview_url'] must be a boolean.")

    def _check_interactive(self, body: JSON, message: GraphMessage) -> None:
        interactive = body.get("interactive")
        if not isinstance(interactive, dict):
            raise GraphError(131008, "The parameter interactive is required.")
        kind = interactive.get("type")
        if kind not in ("button", "list"):
            raise GraphError(131009, f"interactive['type'] must be button or list; got {kind!r}.")
        text = (interactive.get("body") or {}).get("text")
        if not isinstance(text, str):
            raise GraphError(131008, "The parameter interactive['body']['text'] is required.")
        _length("interactive['body']['text']", text, 1024 if kind == "button" else 4096)
        if (header := interactive.get("header")) is not None:
            if not isinstance(header, dict) or header.get("type") not in ("text", "document", "image"):
                raise GraphError(131009, "interactive['header']['type'] must be text, document or image.")
            if header["type"] == "text":
                _length("interactive['header']['text']", header.get("text"), 60)
            elif kind == "list":
                raise GraphError(131009, "A list message's header must be text.")
        if (footer := interactive.get("footer")) is not None:
            _length("interactive['footer']['text']", (footer or {}).get("text"), 60)
        action = interactive.get("action")
        if not isinstance(action, dict):
            raise GraphError(131008, "The parameter interactive['action'] is required.")
        if kind == "button":
            self._check_buttons(action)
        else:
            self._check_list(action)

    def _check_buttons(self, action: JSON) -> None:
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not buttons:
            raise GraphError(131008, "The parameter interactive['action']['buttons'] is required.")
        if len(buttons) > 3:
            raise GraphError(131009, f"Buttons count invalid: {len(buttons)}. Min count: 1, Max count: 3.")
        ids, titles = set(), set()
        for button in buttons:
            reply = button.get("reply") if isinstance(button, dict) else None
            if not isinstance(button, dict) or button.get("type") != "reply" or not isinstance(reply, dict):
                raise GraphError(131009, "Each button must be {'type': 'reply', 'reply': {'id', 'title'}}.")
            _length("Button title", reply.get("title"), 20)
            _length("Button id", reply.get("id"), 256)
            if reply["id"] in ids or reply["title"] in titles:
                raise GraphError(131009, "Duplicate button id or title: buttons must be unique.")
            ids.add(reply["id"])
            titles.add(reply["title"])

    def _check_list(self, action: JSON) -> None:
        _length("interactive['action']['button']", action.get("button"), 20)
        sections = action.get("sections")
        if not isinstance(sections, list) or not sections:
            raise GraphError(131008, "The parameter interactive['action']['sections'] is required.")
        if len(sections) > 10:
            raise GraphError(131009, f"Sections count invalid: {len(sections)}. Max count: 10.")
        total, ids = 0, set()
        for section in sections:
            if not isinstance(section, dict) or not isinstance(section.get("rows"), list) or not section["rows"]:
                raise GraphError(131009, "Each section needs a non-empty rows list.")
            if len(sections) > 1 and "title" not in section:
                raise GraphError(131009, "Section title is required when a list has more than one section.")
            if "title" in section:
                _length("Section title", section["title"], 24)
            for row in section["rows"]:
                if not isinstance(row, dict):
                    raise GraphError(131009, "Each row must be an object with id and title.")
                _length("Row title", row.get("title"), 24)
                _length("Row id", row.get("id"), 200)
                if "description" in row:
                    _length("Row description", row["description"], 72)
                if row["id"] in ids:
                    raise GraphError(131009, f"Duplicate row id {row['id']!r}: row ids must be unique.")
                ids.add(row["id"])
                total += 1
        if total > 10:
            raise GraphError(131009, f"Total row count exceed max allowed count: 10 (got {total}).")

    def _check_media(self, body: JSON, message: GraphMessage) -> None:
        kind = body["type"]
        content = body.get(kind)
        if not isinstance(content, dict):
            raise GraphError(131008, f"The parameter {kind} is required.")
        if ("id" in content) == ("link" in content):
            raise GraphError(131009, f"{kind} needs exactly one of id and link.")
        if "caption" in content:
            _length(f"{kind}['caption']", content["caption"], 1024)
        if "filename" in content and (kind != "document" or not isinstance(content["filename"], str)):
            raise GraphError(131009, f"{kind}['filename'] is not valid here.")
        if "link" in content:
            link = content["link"]
            if not isinstance(link, str) or not re.match(r"https?://\S+$", link):
                raise GraphError(131009, f"{kind}['link'] must be an http(s) URL.")
            message.media = SentMedia(None, content.get("filename"), None, link=link)
            return
        media = self._media.get(str(content["id"]))
        if media is None or media.deleted:
            raise GraphError(131009, f"{kind}['id'] {content['id']} is not a media id of this phone number.")
        if kind == "image" and media.mime_type not in IMAGE_TYPES:
            raise GraphError(131009, f"An image must be JPEG or PNG; media {media.id} is {media.mime_type}.")
        filename = content.get("filename") or media.filename
        message.media = SentMedia(media.data, filename, media.mime_type, media_id=media.id)

    def _check_reaction(self, body: JSON, message: GraphMessage) -> None:
        reaction = body.get("reaction")
        if not isinstance(reaction, dict) or not isinstance(reaction.get("message_id"), str):
            raise GraphError(131008, "The parameter reaction['message_id'] is required.")
        if not isinstance(reaction.get("emoji", ""), str):
            raise GraphError(131009, "reaction['emoji'] must be a string.")

    def _check_template_shape(self, body: JSON, message: GraphMessage) -> None:
        template = body.get("template")
        if not isinstance(template, dict) or not isinstance(template.get("name"), str):
            raise GraphError(131008, "The parameter template['name'] is required.")
        language = template.get("language")
        if not isinstance(language, dict) or not isinstance(language.get("code"), str):
            raise GraphError(131008, "The parameter template['language']['code'] is required.")
        if not isinstance(template.get("components", []), list):
            raise GraphError(131009, "template['components'] must be a list.")

    def _check_template_send(self, body: JSON, message: GraphMessage) -> None:
        call = body["template"]
        name, language = call["name"], call["language"]["code"]
        template = self._templates.get((name, language))
        if template is None or template.status != "APPROVED":
            raise GraphError(132001, f"template name ({name}) does not exist in {language}")
        parameters: dict[str, list[Any]] = {}
        buttons: dict[int, str] = {}
        for component in call.get("components") or []:
            kind = str(component.get("type", "")).lower() if isinstance(component, dict) else ""
            if kind in ("header", "body"):
                parameters[kind] = component.get("parameters") or []
            elif kind == "button":
                index = _button_index(component, template)
                payloads = component.get("parameters") or []
                payload = payloads[0].get("payload") if payloads and isinstance(payloads[0], dict) else None
                if not isinstance(payload, str) or not payload:
                    raise GraphError(131008, f"button {index}: the parameter payload is required.")
                buttons[index] = payload
            else:
                raise GraphError(131009, f"Unknown template component type {component!r}.")
        texts: dict[str, list[str]] = {}
        for kind, source in (("header", (template.component("HEADER") or {}).get("text", "")), ("body", template.body)):
            expected = len(set(_PARAMETER.findall(source or "")))
            given = parameters.get(kind, [])
            if len(given) != expected:
                raise GraphError(
                    132000,
                    f"{kind}: number of localizable_params ({len(given)}) does not match the expected number of "
                    f"params ({expected})",
                )
            texts[kind] = [_template_text(parameter, kind) for parameter in given]
        values = texts["body"]
        message.rendered = _PARAMETER.sub(lambda m: values[int(m.group(1)) - 1], template.body)
        for index, button in enumerate(template.buttons):
            if button.get("type") == "QUICK_REPLY":
                message.template_buttons.append((button["text"], buttons.get(index, button["text"])))

    # --- media -----------------------------------------------------------------------------------------------------

    async def _upload(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            self._node(request, self.phone_number_id)
            if request.content_type != "multipart/form-data":
                raise GraphError(100, "The media upload must be multipart/form-data.")
            fields = await request.post()
            if fields.get("messaging_product") != "whatsapp":
                raise GraphError(100, "The parameter messaging_product is required and must be whatsapp.")
            upload = fields.get("file")
            if not isinstance(upload, web.FileField):
                raise GraphError(100, "The parameter file is required.")
            mime_type = str(fields.get("type") or upload.content_type or "")
            data = upload.file.read()
            if mime_type in IMAGE_TYPES:
                limit = IMAGE_LIMIT
            elif mime_type in DOCUMENT_TYPES:
                limit = DOCUMENT_LIMIT
            elif mime_type in OTHER_MEDIA_TYPES:
                limit = 16 * 1024 * 1024
            else:
                raise GraphError(100, f"Param file must be a file with one of the supported types; got {mime_type!r}.")
            if not data:
                raise GraphError(100, "The file is empty.")
            if len(data) > limit:
                raise GraphError(100, f"File of {len(data)} bytes is larger than the {limit} bytes {mime_type} allows.")
            media = self._store(data, mime_type, upload.filename)
            return web.json_response({"id": media.id})
        except GraphError as error:
            return error.response()

    async def _get_node(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            node = self._node(request)
            if node == self.phone_number_id:
                return web.json_response({
                    "verified_name": "Kecamatan (sandbox)", "display_phone_number": self.business_number,
                    "id": self.phone_number_id, "quality_rating": "GREEN", "code_verification_status": "VERIFIED",
                })  # fmt: skip
            media = self._media.get(node)
            if media is None or media.deleted:
                raise GraphError(
                    100,
                    f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
                    "missing permissions, or does not support this operation.",
                    subcode=33,
                )
            return web.json_response({
                "messaging_product": "whatsapp", "url": f"{self.base_url}/media/{media.token}",
                "mime_type": media.mime_type, "sha256": media.sha256_hex, "file_size": len(media.data), "id": media.id,
            })  # fmt: skip
        except GraphError as error:
            return error.response()

    async def _delete_media(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            media = self._media.get(self._node(request))
            if media is None or media.deleted:
                raise GraphError(100, "Unsupported delete request.", subcode=33)
            media.deleted = True
            return web.json_response({"success": True})
        except GraphError as error:
            return error.response()

    async def _download(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
        except GraphError as error:
            return error.response()
        media = self._media_tokens.get(request.match_info["token"])
        if media is None or media.deleted:
            return web.Response(status=404, text="URL signature mismatch")
        if media.failure is not None:
            return web.Response(status=media.failure, text="Media download failed")
        self.media_fetches[media.id] += 1
        data = media.data
        if media.corrupt:
            data = bytes(b ^ 0x5A for b in data[:64]) + data[64:] if data else b"\x00"
        return web.Response(body=data, headers={"Content-Type": media.mime_type})

    # --- templates -------------------------------------------------------------------------------------------------

    async def _subscribed_apps(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            self._node(request, self.waba_id)
            return web.json_response({"data": self.subscribed_apps})
        except GraphError as error:
            return error.response()

    async def _list_templates(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            self._node(request, self.waba_id)
            name, status = request.query.get("name"), request.query.get("status")
            chosen = [
                t.graph()
                for t in self._templates.values()
                if (not name or name in t.name) and (not status or t.status == status.upper())
            ]
            try:
                limit = max(1, min(int(request.query.get("limit", "25")), 1000))
                start = int(base64.b64decode(request.query["after"]).decode()) + 1 if "after" in request.query else 0
            except ValueError:
                raise GraphError(100, "limit and after must be numbers.") from None
            page = chosen[start : start + limit]
            paging: JSON = {"cursors": {"before": _cursor(start), "after": _cursor(start + max(len(page), 1) - 1)}}
            if start + limit < len(chosen):
                query = dict(request.query) | {"after": paging["cursors"]["after"], "limit": str(limit)}
                paging["next"] = f"{self.graph_url}/{self.waba_id}/message_templates?{urlencode(query)}"
            return web.json_response({"data": page, "paging": paging})
        except GraphError as error:
            return error.response()

    async def _create_template(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            self._node(request, self.waba_id)
            body = await _json_body(request)
            template = _new_template(body, str(8_000_000_000_000_000 + next(self._numbers)))
            if (template.name, template.language) in self._templates:
                raise GraphError(
                    100,
                    f"There is already {template.language} content for this template. You can create a new "
                    "template and try again.",
                    subcode=2388024,
                    user_title="Content in This Language Already Exists",
                )
            template.status = "APPROVED" if self.auto_approve else "PENDING"
            self._templates[(template.name, template.language)] = template
            return web.json_response({"id": template.id, "status": template.status, "category": template.category})
        except GraphError as error:
            return error.response()


# --- helpers ------------------------------------------------------------------------------------------------------


async def _json_body(request: web.Request) -> JSON:
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise GraphError(100, "The request body must be a JSON object.")
    return body


def _dump(value: JSON) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _cursor(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


def _length(what: str, value: Any, limit: int, minimum: int = 1) -> None:
    if not isinstance(value, str):
        raise GraphError(131008, f"The parameter {what} is required.")
    if not minimum <= len(value) <= limit:
        raise GraphError(131009, f"{what} length invalid: {len(value)}. Min length: {minimum}, Max length: {limit}.")


def _button_index(component: JSON, template: Template) -> int:
    if component.get("sub_type") != "quick_reply":
        raise GraphError(131009, "Only quick_reply button components are supported by the sandbox.")
    try:
        index = int(component.get("index"))
    except (TypeError, ValueError):
        raise GraphError(131009, "button index must be a number.") from None
    buttons = template.buttons
    if not 0 <= index < len(buttons) or buttons[index].get("type") != "QUICK_REPLY":
        raise GraphError(131009, f"Button at index {index} is not a quick reply button of {template.name}.")
    return index


def _template_text(parameter: Any, kind: str) -> str:
    if not isinstance(parameter, dict) or parameter.get("type") != "text":
        raise GraphError(132012, f"{kind}: only text parameters are supported.")
    text = parameter.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GraphError(131008, f"{kind}: Parameter of type text is missing text value.")
    if "\n" in text or "\t" in text or "     " in text:
        raise GraphError(132018)
    if len(text) > 32768:
        raise GraphError(131009, f"{kind}: a parameter is too long.")
    return text


def _new_template(body: JSON, template_id: str) -> Template:
    """A template definition checked against Meta's rules, or the GraphError Meta gives."""
    name, language, category = body.get("name"), body.get("language"), body.get("category")
    if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
        raise GraphError(100, "Param name must be 1 to 512 lowercase letters, digits or underscores.")
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        raise GraphError(100, "Param language must be a language code such as id or en_US.")
    if category not in _CATEGORIES:
        raise GraphError(100, f"Param category must be one of {', '.join(_CATEGORIES)}.")
    components = body.get("components")
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise GraphError(100, "Param components must be a list of objects.")
    kinds = [str(c.get("type", "")).upper() for c in components]
    if kinds.count("BODY") != 1 or any(kinds.count(k) > 1 for k in ("HEADER", "FOOTER", "BUTTONS")):
        raise GraphError(100, "A template needs exactly one BODY and at most one HEADER, FOOTER and BUTTONS.")
    if unknown := set(kinds) - {"BODY", "HEADER", "FOOTER", "BUTTONS"}:
        raise GraphError(100, f"Unknown component type {sorted(unknown)[0]}.")
    template = Template(template_id, name, language, category, json.loads(json.dumps(components)))
    _check_template_text("BODY", template.component("BODY") or {}, 1024)
    if (header := template.component("HEADER")) is not None:
        if header.get("format", "TEXT") == "TEXT":
            _check_template_text("HEADER", header, 60)
        elif header.get("format") not in ("IMAGE", "DOCUMENT", "VIDEO"):
            raise GraphError(100, "HEADER format must be TEXT, IMAGE, DOCUMENT or VIDEO.")
    if (footer := template.component("FOOTER")) is not None:
        _length("FOOTER text", footer.get("text"), 60)
        if _PARAMETER.search(footer["text"]):
            raise GraphError(100, "A FOOTER may not have parameters.")
    if (buttons := template.component("BUTTONS")) is not None:
        listed = buttons.get("buttons")
        if not isinstance(listed, list) or not 1 <= len(listed) <= 10:
            raise GraphError(100, "BUTTONS needs 1 to 10 buttons.")
        for button in listed:
            if not isinstance(button, dict) or button.get("type") not in ("QUICK_REPLY", "URL", "PHONE_NUMBER"):
                raise GraphError(100, "A button's type must be QUICK_REPLY, URL or PHONE_NUMBER.")
            _length("Button text", button.get("text"), 25)
    return template


def _check_template_text(kind: str, component: JSON, limit: int) -> None:
    text = component.get("text")
    _length(f"{kind} text", text, limit)
    numbers = [int(n) for n in _PARAMETER.findall(text)]
    if not numbers:
        return
    if sorted(set(numbers)) != list(range(1, max(numbers) + 1)) or len(set(numbers)) != len(numbers):
        raise GraphError(100, f"{kind}: parameters must be numbered {{{{1}}}} to {{{{n}}}}, each once, in sequence.")
    stripped = text.strip()
    if _PARAMETER.match(stripped) or re.search(r"\{\{\d+\}\}$", stripped):
        raise GraphError(100, f"{kind}: Variables can't be at the start or end of the template.", subcode=2388299)
    example_key = "body_text" if kind == "BODY" else "header_text"
    example = (component.get("example") or {}).get(example_key)
    values = example[0] if kind == "BODY" and isinstance(example, list) and example else example
    if not isinstance(values, list) or len(values) != len(numbers) or not all(isinstance(v, str) and v for v in values):
        raise GraphError(
            100, f"{kind}: example.{example_key} must give exactly {len(numbers)} example values.", subcode=2388043
        )


def _status_error(error: JSON) -> JSON:
    code = int(error.get("code", 131026))
    title = error.get("title") or ERRORS.get(code, (400, "Unknown error", ""))[1]
    details = error.get("error_data", {}).get("details") or ERRORS.get(code, (0, "", title))[2]
    return {"code": code, "title": title, "message": error.get("message", title), "error_data": {"details": details}}


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} B"


def _render_outbound(message: GraphMessage) -> str:
    """A bot message as the transcript and `expect` show it."""
    parts = []
    if message.template:
        parts.append(f"(template {message.template})")
    if media := message.media:
        size = f", {_size(len(media.data))}" if media.data is not None else ""
        if message.type == "document":
            parts.append(f"📎 {media.filename or 'dokumen'} ({media.mime_type or media.link}{size})")
        else:
            parts.append(f"🖼 foto ({media.mime_type or media.link}{size})")
    if message.header:
        parts.append(f"*{message.header}*")
    if message.text:
        parts.append(message.text)
    if message.footer:
        parts.append(f"_{message.footer}_")
    if reaction := message.reaction:
        parts.append(f"(reaksi {reaction[1]})")
    parts += [f"[{title}]" for title, _ in message.buttons]
    parts += [f"[{text}]" for text, _ in message.template_buttons]
    if message.list_button:
        parts.append(f"≡ {message.list_button}: " + " ".join(f"[{title}]" for title, _, _ in message.rows))
    return " ".join(parts).replace("\n", "\n  ")


def _render_inbound(message: JSON) -> str:
    """A person's message as the transcript shows it."""
    kind = message["type"]
    context = " (membalas)" if "context" in message and kind == "text" else ""
    if kind == "text":
        return message["text"]["body"].replace("\n", "\n  ") + context
    if kind == "interactive":
        reply = message["interactive"].get("button_reply") or message["interactive"].get("list_reply") or {}
        return f"[{reply.get('title', '?')}]"
    if kind == "button":
        return f"[{message['button']['text']}]"
    if kind == "document":
        document = message["document"]
        caption = f" {document['caption']}" if document.get("caption") else ""
        return f"📎 {document.get('filename')} ({document['mime_type']}){caption}"
    if kind == "image":
        caption = f" {message['image']['caption']}" if message["image"].get("caption") else ""
        return f"🖼 foto ({message['image']['mime_type']}){caption}"
    if kind == "reaction":
        return f"(reaksi {message['reaction'].get('emoji', '')})"
    return f"({kind})"
