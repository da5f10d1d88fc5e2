"""A local Telegram Bot API for tests and the scripted demo: the real bot talks HTTP to it, a script plays the users.

Build the bot with ``.base_url(sandbox.base_url).base_file_url(sandbox.base_file_url)`` and it cannot tell the sandbox
from Telegram: the methods it uses answer with Bot API JSON, and mistakes get Telegram's errors (400 Bad Request with
Telegram's wording, 401, 403, 404, 409, 429). A script in the same event loop plays the people::

    async with BotApiSandbox() as sandbox:
        siti = sandbox.user(1001, "Siti", label="Sekdes Rojopolo")
        ...  # start the Application against sandbox.base_url and poll
        await siti.send_text("/start")
        await siti.expect("Selamat datang")
        print("\\n".join(sandbox.transcript()))

What users do becomes updates served by getUpdates, or, once the bot called setWebhook, POSTed to its URL with the
`X-Telegram-Bot-Api-Secret-Token` header, one at a time, in order, again until answered with 2xx (as Telegram does;
http on loopback is accepted). `redeliver(update_id)` sends an update again exactly as before (same update_id), as
Telegram does after a crash before the offset was confirmed; `push` POSTs one to any URL; `RoundRobinProxy` models a
reverse proxy spreading webhook requests over several workers. What the bot sends lands in `SandboxChat.messages`.
File downloads are served in counted pieces (`served`) and can answer like a proxy in trouble, with an HTML error
page (`download_failure`).
Not emulated: inline mode, payments, media other than documents and photos, and photo resizing (every PhotoSize of a
photo downloads the original bytes).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import mimetypes
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any, NoReturn

from aiohttp import ClientError, ClientSession, ClientTimeout, web

JSON = dict[str, Any]
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current "
    "content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
    "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}  # fmt: skip
COMMAND_SCOPES = {
    "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators",
    "chat_member",
}  # fmt: skip
DOWNLOAD_PIECE = 64 * 1024
_MARKUP_KINDS = {"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"}
_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_JSON_FIELDS = {
    "reply_markup", "entities", "caption_entities", "commands", "scope", "reply_parameters", "link_preview_options",
    "allowed_updates",
}  # fmt: skip


class ApiError(Exception):
    """A Bot API error answer: the HTTP status, Telegram's description and optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def response(self) -> web.Response:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.status)


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class FloodControl:
    """Telegram's sending limits: at most `per_second` messages a second overall, `per_chat_per_second` per chat."""

    per_second: int = 30
    per_chat_per_second: int = 1


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request (how it appears in `BotApiSandbox.calls`)."""

    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class CallbackAnswer:
    """One answerCallbackQuery: which press it answered and what the user was shown."""

    callback_query_id: str
    user: SandboxUser
    text: str | None
    show_alert: bool
    url: str | None


class Hold:
    """A Bot API call held on purpose (`BotApiSandbox.hold`): it is carried out, but its answer waits for
    `release()`: the bot sits between "Telegram did it" and "the bot knows it", where a crash hurts most."""

    def __init__(self, method: str, skip: int) -> None:
        self.method, self.skip = method, skip
        self.arrived = asyncio.Event()
        self.parameters: JSON = {}
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def wait_arrived(self, timeout: float = 30.0) -> JSON:
        """Wait until the held call came; its parameters."""
        await asyncio.wait_for(self.arrived.wait(), timeout)
        return self.parameters


@dataclass
class _File:
    file_id: str
    unique_id: str
    kind: str  # "document" or "photo"
    path: str
    data: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class SandboxMessage:
    """A message in a sandbox chat: `raw` is the Bot API Message as it stands now (edits replace it)."""

    raw: JSON
    from_bot: bool
    # the markup it was sent with: inline keyboard, reply keyboard, keyboard removal or force reply
    reply_markup: JSON | None = None
    edited: bool = False
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return self.raw["message_id"]

    @property
    def text(self) -> str:
        """The text, or the caption of a document or photo ("" when there is neither), markup already applied."""
        return self.raw.get("text") or self.raw.get("caption") or ""

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """The inline keyboard as rows of (text, callback_data); callback_data is None for URL buttons."""
        rows = self.raw.get("reply_markup", {}).get("inline_keyboard", [])
        return [[(button["text"], button.get("callback_data")) for button in row] for row in rows]

    @property
    def keyboard(self) -> list[list[str]]:
        """The reply keyboard this message brought, as rows of button texts."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [[button if isinstance(button, str) else button["text"] for button in row] for row in rows]

    @property
    def document(self) -> JSON | None:
        return self.raw.get("document")

    @property
    def photo(self) -> list[JSON] | None:
        return self.raw.get("photo")


class SandboxChat:
    """A chat the bot is in: a user's private chat (`SandboxUser.chat`) or a group from `BotApiSandbox.group`."""

    def __init__(self, sandbox: BotApiSandbox, info: JSON, label: str) -> None:
        self.id: int = info["id"]
        self.type: str = info["type"]
        self.label = label
        self.keyboard: list[list[str]] | None = None  # the reply keyboard the chat shows now
        self._sandbox, self._info = sandbox, info
        self._messages: dict[int, SandboxMessage] = {}
        self._ids = itertools.count(1)
        self._events: list[tuple[SandboxMessage, str]] = []  # each bot message sent or edited, as rendered then
        self._mark = 0  # `expect` looks at events from here on: later than the last action and the last match

    @property
    def messages(self) -> list[SandboxMessage]:
        """What the bot sent to this chat and has not deleted, oldest first."""
        return [message for message in self._messages.values() if message.from_bot and not message.deleted]

    @property
    def history(self) -> list[SandboxMessage]:
        """Everything in the chat that is not deleted, the people's messages and the bot's, oldest first (as a phone
        shows it: `klambi try`)."""
        return [message for message in self._messages.values() if not message.deleted]

    def message(self, message_id: int) -> SandboxMessage:
        """The message `message_id` of this chat; KeyError when there is none."""
        return self._messages[message_id]

    @property
    def last(self) -> SandboxMessage:
        """The newest message from the bot; AssertionError when there is none."""
        if not self.messages:
            raise AssertionError(f"the bot has sent nothing to {self.label}")
        return self.messages[-1]

    async def expect(self, text: str, timeout: float = 5.0) -> SandboxMessage:
        """Wait until a bot message, new or edited, contains `text` (as the transcript shows it: text or caption,
        📎 file name, [buttons]) and return it. Like pexpect, it consumes: only what the bot sent or edited after
        someone last wrote or pressed here and after the event the previous `expect` returned counts.
        AssertionError after `timeout` seconds, listing what the chat received."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index in range(self._mark, len(self._events)):
                if text in self._events[index][1]:
                    self._mark = index + 1
                    return self._events[index][0]
            if loop.time() >= deadline:
                break
            await self._sandbox._wait(deadline - loop.time())
        lines = [
            ("    " if index < self._mark else "  → ") + body.replace("\n", "\n    ")
            for index, (_, body) in enumerate(self._events)
        ]
        raise AssertionError(
            f"{self.label} received no message containing {text!r} within {timeout} s; it received "
            f"(→ not yet consumed):\n" + ("\n".join(lines) or "  (nothing)")
        )


class SandboxUser:
    """A person: writes and presses buttons in their private chat with the bot (`chat`) or in a group."""

    def __init__(self, sandbox: BotApiSandbox, info: JSON, label: str, started: bool) -> None:
        self.id: int = info["id"]
        self.info, self.label = info, label
        self.started = started  # the bot may only write to people who have opened the chat
        self.blocked = False  # set it to make the bot's messages fail with 403 "bot was blocked by the user"
        self._sandbox = sandbox
        names = {k: v for k, v in info.items() if k in ("first_name", "last_name", "username")}
        self.chat = SandboxChat(sandbox, {"id": self.id, "type": "private"} | names, label)

    @property
    def messages(self) -> list[SandboxMessage]:
        """What the bot sent to this user's private chat, oldest first."""
        return self.chat.messages

    @property
    def last(self) -> SandboxMessage:
        """The newest message from the bot in the private chat; AssertionError when there is none."""
        return self.chat.last

    async def send_text(
        self, text: str, *, chat: SandboxChat | None = None, reply_to: SandboxMessage | None = None
    ) -> SandboxMessage:
        """Write `text` (a leading /command gets its bot_command entity); returns the user's message."""
        content: JSON = {"text": text}
        if command := _LEADING_COMMAND.match(text):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": _u16(command.group())}]
        if reply_to is not None:
            content["reply_to_message"] = reply_to.raw
        return self._sandbox._user_message(self, chat or self.chat, content)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        chat: SandboxChat | None = None,
        file_size: int | None = None,
    ) -> SandboxMessage:
        """Send a file as a document (the MIME type is guessed from the name when not given). `file_size` makes the
        update announce another size than the file's (as a modified client or a self-hosted Bot API server may)."""
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        document = self._sandbox._store("document", data, file_name, mime_type)
        announced = _document(document) | ({"file_size": file_size} if file_size is not None else {})
        content: JSON = {"document": announced} | ({"caption": caption} if caption else {})
        return self._sandbox._user_message(self, chat or self.chat, content)

    async def send_photo(
        self,
        data: bytes,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        chat: SandboxChat | None = None,
        media_group_id: str | None = None,
    ) -> SandboxMessage:
        """Send a photo; it arrives as a PhotoSize list, largest last (the sandbox does not read the image). Photos
        sent together as an album share a `media_group_id` and arrive as one update each, as in Telegram."""
        content: JSON = {"photo": self._sandbox._store_photo(data, width, height)}
        content |= {"caption": caption} if caption else {}
        content |= {"media_group_id": media_group_id} if media_group_id else {}
        return self._sandbox._user_message(self, chat or self.chat, content)

    async def press(self, button: str, *, chat: SandboxChat | None = None, timeout: float = 5.0) -> str:
        """Press the inline button whose text or callback_data is `button`, in the newest bot message of the chat
        that shows one, waiting up to `timeout` seconds for it to appear; returns the callback query id.
        AssertionError when no message shows such a button in time."""
        chat = chat or self.chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in reversed(chat.messages):
                for text, data in itertools.chain.from_iterable(message.buttons):
                    if data is not None and button in (text, data):
                        return self._sandbox._press(self, chat, message, text, data)
            if loop.time() >= deadline:
                break
            await self._sandbox._wait(deadline - loop.time())
        shown = [f"[{text}]" for message in chat.messages for row in message.buttons for text, data in row if data]
        raise AssertionError(f"{self.label}: no button {button!r} in {chat.label}; buttons there: {shown or 'none'}")

    async def press_callback(self, message: SandboxMessage, data: str, text: str = "?") -> str:
        """Send the callback query a press of a button `data` on `message` would send, whether or not the message
        shows it now: a double tap that races an edit, or a forged callback from a modified client."""
        return self._sandbox._press(self, self._sandbox._chats[message.raw["chat"]["id"]], message, text, data)

    async def expect(self, text: str, timeout: float = 5.0, *, chat: SandboxChat | None = None) -> SandboxMessage:
        """`SandboxChat.expect` on this user's private chat (or on `chat`)."""
        return await (chat or self.chat).expect(text, timeout)


class BotApiSandbox:
    """The emulated Bot API server (aiohttp on loopback) and the script's view of it; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:SANDBOX-TOKEN",
        bot_username: str = "ngobras_klambi_bot",
        *,
        bot_name: str = "Ngobras Klambi",
        host: str = "127.0.0.1",
        port: int = 0,
        file_size_limit: int = 20 * 1024 * 1024,
        flood_control: FloodControl | bool | None = None,
        now: Callable[[], datetime] | None = None,
        transcript: list[str] | None = None,
    ) -> None:
        self.token, self.host, self.port, self.file_size_limit = token, host, port, file_size_limit
        self.flood_control = FloodControl() if flood_control is True else flood_control or None
        self.me: JSON = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": bot_name}
        self.me["username"] = bot_username
        self.calls: list[tuple[str, JSON]] = []  # every API call but getUpdates: (method, parameters)
        self.answers: list[CallbackAnswer] = []
        self.flood_429_count = 0
        self._now = now or (lambda: datetime.now(UTC))
        self._chats: dict[int, SandboxChat] = {}
        self._users: dict[int, SandboxUser] = {}
        self._updates: list[JSON] = []  # not yet confirmed by a getUpdates offset
        self._fetched: set[int] = set()
        self._history: dict[int, JSON] = {}  # every update ever made, for `redeliver` and `push`
        self._again: set[int] = set()  # delivered again: served whatever the offset says, until fetched
        self._update_ids = itertools.count(1)
        self._files: dict[str, _File] = {}
        self._paths: dict[str, _File] = {}
        self._photo_sets: dict[str, list[JSON]] = {}
        self._file_numbers = itertools.count(1)
        self._queries: dict[str, SandboxUser] = {}
        self._query_ids = itertools.count(1)
        self._commands: dict[tuple[str, int | None, int | None, str], list[JSON]] = {}
        self._webhook_url = ""
        self._allowed_updates: set[str] | None = None
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_error: tuple[int, str] | None = None  # (unix time, message) of the last failed delivery
        self.webhook_deliveries: list[tuple[int, int | None]] = []  # (update_id, HTTP status or None) per attempt
        self.webhook_paused = False  # True: updates wait in the queue (to push them by hand)
        self._transcript: list[str] = transcript if transcript is not None else []  # may be shared with WhatsApp
        self._changed = asyncio.Event()
        self._last_call, self._inflight, self._poll_generation, self._closing = -math.inf, 0, 0, False
        self._sent: deque[float] = deque()
        self._sent_to: defaultdict[int, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._holds: list[Hold] = []
        # (HTTP status, HTML page): file downloads answer like a reverse proxy in trouble, not with Telegram's JSON
        self.download_failure: tuple[int, str] | None = None
        self.served: list[tuple[str, int]] = []  # per file download: (file_id, bytes sent before it ended)
        methods = {
            "getMe": self._get_me, "logOut": self._ok, "close": self._ok, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "sendMessage": self._send_message,
            "sendDocument": self._send_document, "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text, "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup, "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat, "getFile": self._get_file,
        }  # fmt: skip
        self._methods = {name.lower(): (name, handler) for name, handler in methods.items()}  # names ignore case

    # --- lifecycle -------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on `host`:`port` (port 0 picks a free one, then `port` holds it)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port, self._closing = self._runner.addresses[0][1], False

    async def stop(self) -> None:
        """Answer pending long polls, stop webhook delivery and stop listening."""
        await self._stop_webhook()
        for held in self._holds:
            held.release()
        if self._runner is not None:
            self._closing = True
            self._pulse()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder.base_url`: the bot appends its token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder.base_file_url`."""
        return f"http://{self.host}:{self.port}/file/bot"

    # --- the script's side -----------------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        label: str | None = None,
        language_code: str | None = "id",
        started: bool = True,
    ) -> SandboxUser:
        """A person with a private chat with the bot. `label` names them in the transcript (default: full name);
        with `started=False` the bot gets 403 writing to them until they write first."""
        if user_id <= 0 or user_id in self._chats:
            raise ValueError(f"user id {user_id} must be positive and not yet used")
        fields = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
        info = {"id": user_id, "is_bot": False} | {name: value for name, value in fields.items() if value is not None}
        user = SandboxUser(self, info, label or " ".join(filter(None, [first_name, last_name])), started)
        self._users[user_id], self._chats[user_id] = user, user.chat
        return user

    def group(self, chat_id: int, title: str) -> SandboxChat:
        """A group the bot is a member of (a supergroup when the id starts with -100); users post with `chat=`."""
        if chat_id >= 0 or chat_id in self._chats:
            raise ValueError(f"group id {chat_id} must be negative and not yet used")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        self._chats[chat_id] = SandboxChat(self, {"id": chat_id, "type": kind, "title": title}, title)
        return self._chats[chat_id]

    async def settle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Wait until getUpdates has fetched every queued update and the bot has made no API call for `quiet`
        seconds (a handler that works longer than that without calling the API is not waited for)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            held = self.webhook_paused and bool(self._webhook_url)  # held on purpose: not waited for
            unfetched = [u["update_id"] for u in self._updates if u["update_id"] not in self._fetched and not held]
            idle = loop.time() - self._last_call
            if not unfetched and not self._inflight and idle >= quiet:
                return
            if loop.time() >= deadline:
                raise AssertionError(
                    f"the bot did not settle within {timeout} s: updates not fetched {unfetched}, "
                    f"{self._inflight} API calls in progress, last call {idle:.2f} s ago"
                )
            busy = unfetched or self._inflight
            await self._wait(deadline - loop.time() if busy else min(quiet - idle, deadline - loop.time()))

    async def delivered(self, timeout: float = 30.0) -> None:
        """Wait until no update is pending (Telegram's `pending_update_count` 0): getUpdates confirmed each by a later
        offset, which the bot sends only after it queued the batch, or the webhook answered it with 2xx. Unlike
        `settle` this waits for no quiet moment: a signal, not a guess."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._updates:
            if loop.time() >= deadline:
                pending = [u["update_id"] for u in self._updates]
                raise AssertionError(f"updates {pending} were not delivered within {timeout} s")
            await self._wait(deadline - loop.time())

    async def answer_to(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Wait for the bot's answerCallbackQuery to the press `callback_query_id` (what `press` returned)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for answer in self.answers:
                if answer.callback_query_id == callback_query_id:
                    return answer
            if loop.time() >= deadline:
                raise AssertionError(f"the bot did not answer the press {callback_query_id} within {timeout} s")
            await self._wait(deadline - loop.time())

    def downloaded(self, file_id: str) -> bytes:
        """The bytes a download of `file_id` gives."""
        if file_id not in self._files:
            raise KeyError(f"the sandbox has no file {file_id!r}")
        return self._files[file_id].data

    def commands_for(self, chat_id: int, user_id: int | None = None, language_code: str = "") -> list[tuple[str, str]]:
        """The command menu a chat shows, resolved like Telegram: the narrowest scope with commands wins."""
        if chat_id > 0:
            keys = [("chat", chat_id, None), ("all_private_chats", None, None), ("default", None, None)]
        else:
            keys = [("chat_member", chat_id, user_id)] if user_id else []
            keys += [("chat", chat_id, None), ("all_group_chats", None, None), ("default", None, None)]
        for key in keys:
            for language in dict.fromkeys([language_code, ""]):
                if (commands := self._commands.get((*key, language))) is not None:
                    return [(command["command"], command["description"]) for command in commands]
        return []

    def hold(self, method: str, skip: int = 0) -> Hold:
        """Hold the answer to the next call of `method` after `skip` others (see `Hold`)."""
        held = Hold(method.lower(), skip)
        self._holds.append(held)
        return held

    @property
    def last_update_id(self) -> int:
        """The id of the newest update users made."""
        return max(self._history, default=0)

    def redeliver(self, update_id: int) -> None:
        """Deliver update `update_id` again, identical (same update_id): by getUpdates whatever offset the bot
        confirmed, or by the webhook."""
        if update_id not in self._history:
            raise KeyError(f"the sandbox made no update {update_id}")
        self._fetched.discard(update_id)
        self._again.add(update_id)
        self._updates.append(json.loads(json.dumps(self._history[update_id])))
        self._transcript.append(f"(update {update_id} dikirim ulang)")
        self._pulse()

    async def push(self, update_id: int, url: str | None = None, secret: str | None = None) -> int | None:
        """POST update `update_id` once to `url` (default: the webhook) with `secret` (default: the webhook's) in the
        secret-token header, as Telegram would; the HTTP status, or None when nothing answered."""
        target = url or self._webhook_url
        if not target:
            raise ValueError("no webhook is set and no url given")
        secret = self._webhook_secret if secret is None else secret
        return await self._post_update(self._history[update_id], target, secret)

    def transcript(self) -> list[str]:
        """The conversation so far, one readable entry per event, in order."""
        return list(self._transcript)

    # --- HTTP ------------------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        name, handler = self._methods.get(request.match_info["method"].lower(), (None, None))
        if name is None or handler is None:
            return ApiError(404, "Not Found").response()
        polling = name == "getUpdates"  # a long poll is not activity: `settle` would never see quiet
        if not polling:
            self._inflight += 1
            self._touch()
        try:
            values = await _read_parameters(request)
            if not polling:
                self.calls.append((name, values))
            result = await handler(_Parameters(values))
            await self._maybe_hold(name, values)
        except ApiError as error:
            return error.response()
        finally:
            if not polling:
                self._inflight -= 1
                self._touch()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        if (file := self._paths.get(request.match_info["path"])) is None:
            return ApiError(404, "Not Found").response()
        if self.download_failure is not None:
            status, page = self.download_failure
            return web.Response(status=status, text=page, content_type="text/html")
        response = web.StreamResponse(headers={"Content-Type": file.mime_type or "application/octet-stream"})
        response.content_length = len(file.data)
        await response.prepare(request)
        sent = 0
        try:  # in pieces, counted: a bot that stops reading is seen to stop
            while sent < len(file.data):
                await response.write(file.data[sent : sent + DOWNLOAD_PIECE])
                sent = min(sent + DOWNLOAD_PIECE, len(file.data))
            await response.write_eof()
        except ConnectionError:
            pass
        finally:
            self.served.append((file.file_id, sent))
        return response

    async def _maybe_hold(self, name: str, values: JSON) -> None:
        for held in self._holds:
            if held.method == name.lower() and not held.arrived.is_set():
                if held.skip > 0:
                    held.skip -= 1
                    return
                held.parameters = values
                held.arrived.set()
                self._inflight -= 1  # a held call is not work in progress: `settle` does not wait for it
                try:
                    await held._released.wait()
                finally:
                    self._inflight += 1
                return

    def _pulse(self) -> None:
        """Wake everyone waiting in `_wait` (long polls, `expect`, `settle`)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), max(timeout, 0))

    def _touch(self) -> None:
        self._last_call = asyncio.get_running_loop().time()
        self._pulse()

    # --- what users do ---------------------------------------------------------------------------------------------

    def _user_message(self, user: SandboxUser, chat: SandboxChat, content: JSON) -> SandboxMessage:
        if chat.type == "private" and chat is not user.chat:
            raise ValueError(f"{user.label} cannot write in another person's private chat")
        raw = {"message_id": next(chat._ids), "from": user.info, "chat": chat._info, "date": self._stamp(), **content}
        message = chat._messages[raw["message_id"]] = SandboxMessage(raw, from_bot=False)
        if chat is user.chat:
            user.started, user.blocked = True, False
        chat._mark = len(chat._events)
        self._transcript.append(f"{user.label}{_where(chat)}: {_render(message)}")
        self._enqueue("message", raw)
        return message

    def _press(self, user: SandboxUser, chat: SandboxChat, message: SandboxMessage, text: str, data: str) -> str:
        query_id = str(next(self._query_ids))
        self._queries[query_id] = user
        chat._mark = len(chat._events)
        self._transcript.append(f"{user.label} menekan [{text}]{_where(chat)}")
        callback = {"id": query_id, "from": user.info, "message": message.raw, "chat_instance": str(chat.id)}
        self._enqueue("callback_query", callback | {"data": data})
        return query_id

    def _enqueue(self, kind: str, payload: JSON) -> None:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._history[update["update_id"]] = json.loads(json.dumps(update))
        self._updates.append(update)
        self._pulse()

    def _store(self, kind: str, data: bytes, file_name: str | None = None, mime_type: str | None = None) -> _File:
        number = next(self._file_numbers)
        prefix, folder = ("BQACAgIAAxkBAAI", "documents") if kind == "document" else ("AgACAgIAAxkBAAI", "photos")
        suffix = PurePosixPath(file_name or "").suffix if kind == "document" else ".jpg"
        path = f"{folder}/file_{number}{suffix}"
        file = _File(f"{prefix}{number:06d}", f"AQAD{number:06d}", kind, path, data, file_name, mime_type)
        self._files[file.file_id] = self._paths[path] = file
        return file

    def _store_photo(self, data: bytes, width: int, height: int) -> list[JSON]:
        scales = [side / max(width, height) for side in (90, 320, 800) if side < max(width, height)] + [1.0]
        photo = []
        for scale in scales:
            file = self._store("photo", data, mime_type="image/jpeg")
            size = {"width": round(width * scale), "height": round(height * scale), "file_size": len(data)}
            photo.append({"file_id": file.file_id, "file_unique_id": file.unique_id, **size})
        for size in photo:
            self._photo_sets[size["file_id"]] = photo
        return photo

    def _stamp(self) -> int:
        return int(self._now().timestamp())

    # --- what the bot does -----------------------------------------------------------------------------------------

    async def _ok(self, p: _Parameters) -> bool:
        return True

    async def _get_me(self, p: _Parameters) -> JSON:
        return self.me | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_updates(self, p: _Parameters) -> list[JSON]:
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                           "delete the webhook first")  # fmt: skip
        offset, limit = p.integer("offset") or 0, min(max(p.integer("limit") or 100, 1), 100)
        if (allowed := p.json("allowed_updates")) is not None:
            self._allowed_updates = set(allowed) or None
        if offset > 0:  # everything below the offset is confirmed: Telegram forgets it
            pending = len(self._updates)
            self._updates = [u for u in self._updates if u["update_id"] >= offset or u["update_id"] in self._again]
            if len(self._updates) < pending:
                self._pulse()  # wakes `delivered`
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation, loop = self._poll_generation, asyncio.get_running_loop()
        deadline = loop.time() + p.number("timeout")
        while True:
            if self._allowed_updates:
                self._updates = [
                    u for u in self._updates if next(k for k in u if k != "update_id") in self._allowed_updates
                ]
            batch = self._updates[:limit]
            if batch or self._closing or loop.time() >= deadline:
                break
            await self._wait(deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot "
                               "instance is running")  # fmt: skip
        if batch:
            self._fetched.update(update["update_id"] for update in batch)
            self._again.difference_update(update["update_id"] for update in batch)
            self._touch()
        return batch

    async def _set_webhook(self, p: _Parameters) -> bool:
        url, secret = p.string("url") or "", p.string("secret_token")
        if not url:  # Telegram: an empty url removes the webhook
            return await self._delete_webhook(p)
        if not re.match(r"https?://[^/\s]+", url):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("bad webhook: secret token contains unallowed characters")
        if p.flag("drop_pending_updates"):
            self._updates.clear()
        if (allowed := p.json("allowed_updates")) is not None:
            self._allowed_updates = set(allowed) or None
        self._webhook_url, self._webhook_secret = url, secret
        self._webhook_max_connections = p.integer("max_connections") or 40  # Telegram's default
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._deliver_webhook())
        self._pulse()
        return True

    async def _delete_webhook(self, p: _Parameters) -> bool:
        if p.flag("drop_pending_updates"):
            self._updates.clear()
        await self._stop_webhook()
        self._webhook_url, self._webhook_secret = "", None
        return True

    async def _get_webhook_info(self, p: _Parameters) -> JSON:
        info: JSON = {"url": self._webhook_url, "has_custom_certificate": False,
                      "pending_update_count": len(self._updates)}  # fmt: skip
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
        if self._webhook_url and self._webhook_error:
            info |= {"last_error_date": self._webhook_error[0], "last_error_message": self._webhook_error[1]}
        return info

    async def _stop_webhook(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_webhook(self) -> None:
        """Telegram's side of a webhook: the oldest pending update is POSTed until a 2xx answer, then the next."""
        while True:
            if self.webhook_paused or not self._updates or not self._webhook_url:
                await self._wait(1.0)
                continue
            update = self._updates[0]
            self._fetched.add(update["update_id"])
            self._inflight += 1
            self._touch()
            try:
                status = await self._post_update(update, self._webhook_url, self._webhook_secret)
            finally:
                self._inflight -= 1
                self._touch()
            if status is not None and 200 <= status < 300:
                self._again.discard(update["update_id"])
                with contextlib.suppress(ValueError):
                    self._updates.remove(update)
            else:
                self._webhook_error = (int(time.time()), f"Wrong response from the webhook: {status}")
                await self._wait(0.2)  # and try again, as Telegram does (it waits longer)

    async def _post_update(self, update: JSON, url: str, secret: str | None) -> int | None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=60)) as client,
                client.post(url, json=update, headers=headers) as response,
            ):
                await response.read()
                status = response.status
        except (ClientError, TimeoutError):
            status = None
        self.webhook_deliveries.append((update["update_id"], status))
        return status

    async def _send_message(self, p: _Parameters) -> JSON:
        chat = self._recipient(p)
        return self._post(chat, _formatted(p, "text", "entities", 4096, "message text is empty"), p)

    async def _send_document(self, p: _Parameters) -> JSON:
        chat = self._recipient(p)
        file = p.upload("document")
        if isinstance(file, Upload):
            name = file.filename or "document"
            mime_type = mimetypes.guess_type(name)[0] or file.content_type or "application/octet-stream"
            file = self._store("document", file.data, name, mime_type)
        elif file is None:
            raise _bad("there is no document in the request")
        else:
            file = self._known_file(file, "document")
        return self._post(chat, {"document": _document(file)} | _formatted(p, "caption", "caption_entities", 1024), p)

    async def _send_photo(self, p: _Parameters) -> JSON:
        chat = self._recipient(p)
        file = p.upload("photo")
        if isinstance(file, Upload):
            photo = self._store_photo(file.data, 1280, 960)
        elif file is None:
            raise _bad("there is no photo in the request")
        else:
            photo = self._photo_sets[self._known_file(file, "photo").file_id]
        return self._post(chat, {"photo": photo} | _formatted(p, "caption", "caption_entities", 1024), p)

    async def _send_chat_action(self, p: _Parameters) -> bool:
        self._recipient(p)
        if p.string("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    async def _edit_message_text(self, p: _Parameters) -> JSON:
        chat, message = self._bot_message(p)
        if "text" not in message.raw:
            raise _bad("there is no text in the message to edit")
        content = _formatted(p, "text", "entities", 4096, "message text is empty")
        return self._edit(chat, message, {"text": None, "entities": None} | content, p)

    async def _edit_message_caption(self, p: _Parameters) -> JSON:
        chat, message = self._bot_message(p)
        if "text" in message.raw:
            raise _bad("there is no caption in the message to edit")
        content = _formatted(p, "caption", "caption_entities", 1024)
        return self._edit(chat, message, {"caption": None, "caption_entities": None} | content, p)

    async def _edit_message_reply_markup(self, p: _Parameters) -> JSON:
        chat, message = self._bot_message(p)
        return self._edit(chat, message, {}, p)

    async def _delete_message(self, p: _Parameters) -> bool:
        chat = self._chat(p)
        message = chat._messages.get(p.integer("message_id", "message identifier is not specified") or 0)
        if message is None or message.deleted:
            raise _bad("message to delete not found")
        message.deleted = True
        self._transcript.append(f"bot (hapus) → {chat.label}: {_render(message)}")
        return True

    async def _answer_callback_query(self, p: _Parameters) -> bool:
        query_id = p.string("callback_query_id") or ""
        if query_id not in self._queries:  # unknown or already answered
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        answer = CallbackAnswer(
            query_id, self._queries[query_id], p.string("text"), p.flag("show_alert"), p.string("url")
        )
        if len(answer.text or "") > 200:
            raise _bad("MESSAGE_TOO_LONG")
        del self._queries[query_id]
        self.answers.append(answer)
        if answer.text:
            self._transcript.append(f"bot ⟶ pop-up: {answer.text}")
        return True

    async def _set_my_commands(self, p: _Parameters) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope(p)
        if commands:
            self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, p: _Parameters) -> list[JSON]:
        return self._commands.get(self._scope(p), [])

    async def _delete_my_commands(self, p: _Parameters) -> bool:
        self._commands.pop(self._scope(p), None)
        return True

    async def _get_chat(self, p: _Parameters) -> JSON:
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False)
        extra = {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts | {"gifts_from_channels": False},
        }
        return self._chat(p)._info | extra

    async def _get_file(self, p: _Parameters) -> JSON:
        file = self._files.get(p.string("file_id") or "")
        if file is None:
            raise _bad("invalid file_id")
        if len(file.data) > self.file_size_limit:
            raise _bad("file is too big")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.unique_id,
            "file_size": len(file.data),
            "file_path": file.path,
        }

    # --- helpers of the bot's side ---------------------------------------------------------------------------------

    def _chat(self, p: _Parameters) -> SandboxChat:
        raw = p.values.get("chat_id")
        if raw in (None, ""):
            raise _bad("chat_id is empty")
        with contextlib.suppress(TypeError, ValueError):
            if (chat := self._chats.get(int(raw))) is not None:
                return chat
        raise _bad("chat not found")

    def _recipient(self, p: _Parameters) -> SandboxChat:
        chat = self._chat(p)
        if (user := self._users.get(chat.id)) is not None and user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if user is not None and not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _bot_message(self, p: _Parameters) -> tuple[SandboxChat, SandboxMessage]:
        chat = self._chat(p)
        message = chat._messages.get(p.integer("message_id", "message identifier is not specified") or 0)
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return chat, message

    def _known_file(self, file_id: str, kind: str) -> _File:
        if (file := self._files.get(file_id)) is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if file.kind != kind:
            raise _bad("type of file mismatch")
        return file

    def _post(self, chat: SandboxChat, content: JSON, p: _Parameters) -> JSON:
        """Put a new bot message in `chat` (sendMessage, sendDocument, sendPhoto)."""
        markup, reply = _markup(p), p.json("reply_parameters") or {}
        raw: JSON = {"message_id": 0, "from": self.me, "chat": chat._info, "date": self._stamp(), **content}
        if reply_id := p.integer("reply_to_message_id") or reply.get("message_id"):
            replied = chat._messages.get(int(reply_id))
            if replied is not None and not replied.deleted:
                raw["reply_to_message"] = {k: v for k, v in replied.raw.items() if k != "reply_to_message"}
            elif not (p.flag("allow_sending_without_reply") or reply.get("allow_sending_without_reply")):
                raise _bad("message to be replied not found")
        if markup and "inline_keyboard" in markup:  # only inline keyboards belong to the message
            raw["reply_markup"] = markup
        self._check_flood(chat.id)
        raw["message_id"] = next(chat._ids)
        message = chat._messages[raw["message_id"]] = SandboxMessage(raw, from_bot=True, reply_markup=markup)
        if markup and ("keyboard" in markup or markup.get("remove_keyboard")):
            chat.keyboard = message.keyboard or None
        self._bot_event(chat, message, "bot")
        return raw

    def _edit(self, chat: SandboxChat, message: SandboxMessage, content: JSON, p: _Parameters) -> JSON:
        markup = _markup(p, inline_only=True)  # without reply_markup an edit removes the inline keyboard
        before = {k: v for k, v in message.raw.items() if k != "edit_date"}
        after = {k: v for k, v in (before | content).items() if v is not None and k != "reply_markup"}
        after |= {"reply_markup": markup} if markup else {}
        if after == before:
            raise _bad(NOT_MODIFIED)
        message.raw, message.edited = after | {"edit_date": self._stamp()}, True
        self._bot_event(chat, message, "bot (ubah)")
        return message.raw

    def _bot_event(self, chat: SandboxChat, message: SandboxMessage, who: str) -> None:
        body = _render(message)
        chat._events.append((message, body))
        self._transcript.append(f"{who} → {chat.label}: {body}")
        self._pulse()

    def _scope(self, p: _Parameters) -> tuple[str, int | None, int | None, str]:
        scope = p.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise _bad("wrong parameter scope")
        try:
            chat_id, user_id = (int(scope[k]) if k in scope else None for k in ("chat_id", "user_id"))
        except (TypeError, ValueError):
            raise _bad("chat not found") from None
        if chat_id is not None and chat_id not in self._chats:
            raise _bad("chat not found")
        return scope["type"], chat_id, user_id, p.string("language_code") or ""

    def _check_flood(self, chat_id: int) -> None:
        if self.flood_control is None:
            return
        now = asyncio.get_running_loop().time()
        windows = [
            (self._sent, self.flood_control.per_second),
            (self._sent_to[chat_id], self.flood_control.per_chat_per_second),
        ]
        for times, _ in windows:
            while times and times[0] <= now - 1:
                times.popleft()
        if waits := [times[0] + 1 - now for times, limit in windows if len(times) >= limit]:
            self.flood_429_count += 1
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        for times, _ in windows:
            times.append(now)


# --- request parameters ------------------------------------------------------------------------------------------


async def _read_parameters(request: web.Request) -> JSON:
    """Query string plus body: form-urlencoded, multipart/form-data (files become `Upload`) or JSON."""
    values: JSON = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise _bad("can't parse JSON object")
        values |= body
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            is_file = isinstance(value, web.FileField)
            values[name] = Upload(value.filename, value.content_type, value.file.read()) if is_file else value
    for name in _JSON_FIELDS & values.keys():  # sent as JSON text in a form field
        values[name] = _Parameters(values).json(name)
    return values


class _Parameters:
    """Typed access to one call's parameters; complex values arrive as JSON text in form fields."""

    def __init__(self, values: JSON) -> None:
        self.values = values

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None or isinstance(value, Upload) else str(value)

    def integer(self, name: str, missing: str | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            if missing:
                raise _bad(missing)
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(f"invalid {name} specified") from None

    def number(self, name: str) -> float:
        try:
            return float(self.values.get(name) or 0)
        except (TypeError, ValueError):
            raise _bad(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        return self.values.get(name) in (True, "true", "True", "1", 1)

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise _bad(f"can't parse {what} JSON object") from None

    def upload(self, name: str) -> Upload | str | None:
        """A file parameter: an uploaded file (directly or via attach://name) or a file_id string."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
        return value if isinstance(value, Upload | str) and value != "" else None


def _markup(p: _Parameters, inline_only: bool = False) -> JSON | None:
    markup = p.json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict) or not markup.keys() & _MARKUP_KINDS:
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if inline_only:
            raise _bad("inline keyboard expected")
        return markup
    for button in itertools.chain.from_iterable(markup["inline_keyboard"]):
        if not isinstance(button, dict) or not button.get("text"):
            raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
            raise _bad("BUTTON_DATA_INVALID")
    return markup


def _formatted(p: _Parameters, name: str, entities_name: str, limit: int, missing: str | None = None) -> JSON:
    """A text or caption parameter with parse_mode applied: {name: text, entities_name: entities}."""
    text, entities = p.string(name) or "", p.json(entities_name)
    mode = (p.string("parse_mode") or "").lower()
    if text and entities is None and mode:
        if mode not in ("html", "markdown", "markdownv2"):
            raise _bad("unsupported parse_mode")
        text, entities = _Html(text).parse() if mode == "html" else _parse_markdown(text, v2=mode == "markdownv2")
    if not text.strip():
        if missing:
            raise _bad(missing)
        return {}
    if len(text) > limit:
        raise _bad("message is too long" if name == "text" else "message caption is too long")
    return {name: text} | ({entities_name: entities} if entities else {})


# --- parse modes -------------------------------------------------------------------------------------------------

_HTML_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler",
    "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip


class _Html(HTMLParser):
    """Telegram's HTML parse mode: the plain text and its entities, or Telegram's error for markup it refuses."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source, self.parts, self.length = source, [], 0
        self.open: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        self.feed(self.source)
        self.close()
        if self.open:
            self._fail(f'Can\'t find end tag corresponding to start tag "{self.open[-1][0]}"')
        return "".join(self.parts), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in _HTML_ENTITIES or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            self._fail(f'Unsupported start tag "{tag}"')
        self.open.append((tag, self.length, attributes))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self._fail(f'Unmatched end tag "{tag}"')
        name, start, attributes = self.open.pop()
        if name == "code" and self.open and self.open[-1][0] == "pre":  # <pre><code class="language-x">
            self.open[-1][2]["language"] = (attributes.get("class") or "").removeprefix("language-")
            return
        entity: JSON = {"type": _HTML_ENTITIES[name], "offset": start, "length": self.length - start}
        if name == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        for key, attribute in (("url", "href"), ("language", "language"), ("custom_emoji_id", "emoji-id")):
            if attributes.get(attribute):
                entity[key] = attributes[attribute]
        if entity["length"]:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += _u16(data)

    def _fail(self, problem: str) -> NoReturn:
        line, column = self.getpos()
        index = sum(len(row) + 1 for row in self.source.split("\n")[: line - 1]) + column
        raise _bad(f"can't parse entities: {problem} at byte offset {len(self.source[:index].encode())}")


_MARKDOWN = {"*": "bold", "_": "italic"}
_MARKDOWN_V2 = {"*": "bold", "__": "underline", "_": "italic", "~": "strikethrough", "||": "spoiler"}
_RESERVED_V2 = frozenset("_*[]()~`>#+-=|{}.!")


def _parse_markdown(source: str, v2: bool) -> tuple[str, list[JSON]]:
    """Telegram's Markdown and MarkdownV2 parse modes: bold, italic, underline, strike, spoiler, code, pre and links;
    an unclosed entity, or in MarkdownV2 a reserved character without its backslash, gets Telegram's error."""
    markers = _MARKDOWN_V2 if v2 else _MARKDOWN
    parts: list[str] = []
    opened: list[tuple[str, int, int]] = []  # (marker, offset in UTF-16 units, index in source)
    entities: list[JSON] = []
    length = index = 0

    def fail(problem: str, at: int) -> NoReturn:
        raise _bad(f"can't parse entities: {problem} at byte offset {len(source[:at].encode())}")

    def emit(text: str) -> None:
        nonlocal length
        parts.append(text)
        length += _u16(text)

    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source) and (v2 or source[index + 1] in "_*`["):
            emit(source[index + 1])
            index += 2
        elif char == "`":
            fence = "```" if source.startswith("```", index) else "`"
            end = _find_unescaped(source, fence, index + len(fence), v2)
            if end < 0:
                fail("Can't find end of the entity starting", index)
            body, entity = source[index + len(fence) : end], {"type": "code" if fence == "`" else "pre"}
            head, newline, rest = body.partition("\n")
            if fence == "```" and newline and not any(c.isspace() for c in head):
                body, entity = rest, entity | ({"language": head} if head else {})
            body = re.sub(r"\\([\\`])", r"\1", body) if v2 else body
            entities.append(entity | {"offset": length, "length": _u16(body)})
            emit(body)
            index = end + len(fence)
        elif char == "[":
            opened.append(("[", length, index))
            index += 1
        elif char == "]" and opened and opened[-1][0] == "[" and source.startswith("(", index + 1):
            end = _find_unescaped(source, ")", index + 2, v2)
            if end < 0:
                fail("Can't find end of a url", index)
            start = opened.pop()[1]
            url = re.sub(r"\\(.)", r"\1", source[index + 2 : end]) if v2 else source[index + 2 : end]
            entities.append({"type": "text_link", "offset": start, "length": length - start, "url": url})
            index = end + 1
        elif marker := next((m for m in markers if source.startswith(m, index)), None):
            if opened and opened[-1][0] == marker:
                start = opened.pop()[1]
                if length > start:
                    entities.append({"type": markers[marker], "offset": start, "length": length - start})
            elif opened and not v2:  # legacy Markdown does not nest
                emit(marker)
            else:
                opened.append((marker, length, index))
            index += len(marker)
        elif v2 and char == ">" and (index == 0 or source[index - 1] == "\n"):
            index += 1  # a block quotation line
        elif v2 and char in _RESERVED_V2:
            fail(f"Character '{char}' is reserved and must be escaped with the preceding '\\'", index)
        else:
            emit(char)
            index += 1
    if opened:
        marker, _, at = opened[-1]
        kind = markers.get(marker, "text_link")
        fail(f"Can't find end of {kind.capitalize()} entity" if v2 else "Can't find end of the entity starting", at)
    return "".join(parts), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _find_unescaped(source: str, token: str, start: int, v2: bool) -> int:
    index = start
    while index < len(source):
        if v2 and source[index] == "\\":
            index += 2
        elif source.startswith(token, index):
            return index
        else:
            index += 1
    return -1


# --- small helpers -----------------------------------------------------------------------------------------------


def _u16(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _document(file: _File) -> JSON:
    return {
        "file_name": file.file_name, "mime_type": file.mime_type, "file_id": file.file_id,
        "file_unique_id": file.unique_id, "file_size": len(file.data),
    }  # fmt: skip


def _where(chat: SandboxChat) -> str:
    return "" if chat.type == "private" else f" di {chat.label}"


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} B"


def _render(message: SandboxMessage) -> str:
    """A message as the transcript shows it: file, text or caption, [inline buttons], ⌨ [reply keyboard]."""
    parts = []
    if document := message.document:
        parts.append(f"📎 {document['file_name']} ({document['mime_type']}, {_size(document['file_size'])})")
    if photo := message.photo:
        parts.append(f"🖼 foto ({_size(photo[-1]['file_size'])})")
    parts += [message.text] if message.text else []
    parts += [f"[{text}]" for row in message.buttons for text, _ in row]
    if message.keyboard:
        parts.append("⌨ " + " ".join(f"[{text}]" for row in message.keyboard for text in row))
    return " ".join(parts).replace("\n", "\n  ")


class RoundRobinProxy:
    """A reverse proxy in front of several webhook workers: each request goes to the next worker in turn, with its
    body and headers (the secret token too); the worker's status is the answer, 502 when it does not answer."""

    def __init__(self, targets: list[str], host: str = "127.0.0.1") -> None:
        self.targets, self.host, self.port = list(targets), host, 0
        self.forwarded: list[tuple[str, int]] = []  # (target, status)
        self._next = itertools.cycle(range(len(self.targets)))
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/telegram"

    async def __aenter__(self) -> RoundRobinProxy:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        target = self.targets[next(self._next)]
        passed = ("content-type", "x-telegram-bot-api-secret-token")
        headers = {k: v for k, v in request.headers.items() if k.lower() in passed}
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=60)) as client,
                client.request(request.method, target, data=await request.read(), headers=headers) as reply,
            ):
                body, status = await reply.read(), reply.status
        except (ClientError, TimeoutError):
            body, status = b"", 502
        self.forwarded.append((target, status))
        return web.Response(body=body, status=status)
