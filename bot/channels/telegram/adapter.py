"""The Telegram adapter: an `Update` becomes the chat core's `Incoming`, its `Outcome` becomes Bot API calls.

Everything Telegram-shaped lives here: commands with `/` and `@bot`, inline keyboards (a choice's id is its
`callback_data`), editing the pressed message in place, files by their Telegram id or uploaded, a person's command
menu, `t.me` invitation links, downloading a sent file, and the flood gate's warning (the gate itself runs at
arrival, in `bot.channels.telegram.processor`, before any database work).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import App
from bot.chat.actions import encode
from bot.chat.messages import (
    Choices,
    Formatted,
    Incoming,
    IncomingFile,
    OutFile,
    OutMessage,
    Pressed,
    Sender,
)
from bot.config import TelegramSettings
from bot.errors import InputError
from bot.i18n import t
from bot.services.links import telegram_invite_link
from handlers import dispatch
from handlers.common import ChannelFacts, Conversations, Outcome
from handlers.flood import QUIET, FloodGate

log = logging.getLogger("klambi.telegram")
CHANNEL = "telegram"
CAPTION_LIMIT = 1024
DOWNLOAD_CHUNK = 64 * 1024
DOWNLOAD_TIMEOUT = ClientTimeout(total=300, sock_connect=30, sock_read=60)


async def bot_username(telegram: TelegramSettings) -> str:
    """The bot's username (for t.me links): from the configuration, else asked from the Bot API with the token."""
    if telegram.username:
        return telegram.username
    if telegram.token is None:
        raise InputError("error.no_username")
    try:
        async with Bot(telegram.token.get_secret_value(), base_url=telegram.base_url) as bot:
            return bot.username
    except InvalidToken:
        raise InputError("error.username_token_refused") from None
    except TelegramError as exc:
        log.debug("getMe failed", exc_info=True)
        raise InputError("error.username_unreachable", reason=type(exc).__name__) from None


def register(application: Application, app: App) -> None:
    """The flood gate (asked at arrival by the update processor) and the one handler that hands every update to the
    chat core."""
    application.bot_data["flood_gate"] = FloodGate()
    application.bot_data["conversations"] = Conversations(app)
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)


# --- in -------------------------------------------------------------------------------------------------------------


def warn_flood(application: Application, app: App) -> Callable[[Update], Awaitable[None]]:
    """What the flood gate (at arrival, `bot.channels.telegram.processor`) says to a person who sends too fast: the
    warning, once, in a private chat or over a pressed button (never to a whole group)."""

    async def warn(update: Update) -> None:
        chat = update.effective_chat
        if update.callback_query is not None or (chat is not None and chat.type == ChatType.PRIVATE):
            await refuse(update, t("flood.warning", app.settings.bot.language, seconds=int(QUIET)))

    return warn


def incoming_of(update: Update, bot: Bot) -> Incoming | None:
    """The chat core's view of an update; None for what the bot never answers (edits, joins, other bots' commands)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    sender = Sender(CHANNEL, str(user.id), str(chat.id), user.full_name)
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "key": f"{bot.id}:{update.update_id}",
        "sender": sender,
        "group": None if chat.type == ChatType.PRIVATE else str(chat.id),
    }
    query = update.callback_query
    if query is not None:
        message = query.message if isinstance(query.message, Message) else None
        pressed = None
        if message is not None:
            pressed = Pressed(
                str(message.message_id), message.text or message.caption or "", _label(message, query.data)
            )
        return Incoming(**base, choice=query.data or "", pressed=pressed)
    message = update.message
    if message is None:
        return None
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        base["reply_to"] = str(replied.message_id)  # an answer to one of our messages
    if message.text is not None:
        command = _command(message, bot)
        if command is not None:
            name, args = command
            return Incoming(**base, command=name, args=args) if name else None
        return Incoming(**base, text=message.text)
    if message.document is not None or message.photo:
        return Incoming(**base, files=(_incoming_file(message),), caption=message.caption)
    return Incoming(**base, unsupported=True)


def _command(message: Message, bot: Bot) -> tuple[str, tuple[str, ...]] | None:
    """("kirim", args) for "/kirim args" (or "/kirim@thisbot"); ("", ()) for another bot's command; None for text."""
    entity = next((e for e in message.entities or () if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    if entity is None:
        return None
    text = message.text or ""
    word = message.parse_entity(entity)[1:]
    name, _, addressee = word.partition("@")
    if addressee and addressee.lower() != (bot.username or "").lower():
        return "", ()
    return name.lower(), tuple(text[entity.length :].split())


def _label(message: Message, data: str | None) -> str:
    markup = message.reply_markup
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""


def _incoming_file(message: Message) -> IncomingFile:
    if message.document is not None:
        document = message.document
        attachment, name, kind, announced = document, document.file_name, "document", document.mime_type
    else:
        attachment, name, kind, announced = message.photo[-1], None, "photo", "image/jpeg"

    async def fetch(target: Path, limit: int) -> None:
        try:
            telegram_file = await attachment.get_file()
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise InputError("kirim.over_limit", limit=limit // 2**20) from None
            raise InputError("kirim.download_failed") from None
        except TelegramError as exc:
            log.warning("getFile failed: %s", type(exc).__name__)
            raise InputError("kirim.download_failed") from None
        await download(telegram_file.file_path, target, limit)

    return IncomingFile(kind, fetch, name, attachment.file_size, attachment.file_id, announced)  # type: ignore[arg-type]


async def download(url: str | None, target: Path, limit: int) -> None:
    """Stream the file to `target` and stop as soon as it passes `limit` bytes, whatever size was announced.

    Any answer but 200 (a proxy's HTML error page as much as Telegram's JSON) and any network failure is
    "download failed". The URL holds the bot token: it is never logged.
    """
    if not url or not url.startswith(("http://", "https://")):
        raise InputError("kirim.download_failed")
    over_limit = InputError("kirim.over_limit", limit=limit // 2**20)
    received = 0
    try:
        async with (
            ClientSession(timeout=DOWNLOAD_TIMEOUT, trust_env=True) as client,
            client.get(url) as response,
        ):
            if response.status != 200:
                log.warning("file download answered HTTP %s", response.status)
                raise InputError("kirim.download_failed")
            if (response.content_length or 0) > limit:
                raise over_limit
            with target.open("wb") as writer:
                async for chunk in response.content.iter_chunked(DOWNLOAD_CHUNK):
                    received += len(chunk)
                    if received > limit:
                        raise over_limit
                    writer.write(chunk)
    except (ClientError, TimeoutError) as exc:
        log.warning("file download failed: %s", type(exc).__name__)
        raise InputError("kirim.download_failed") from None


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    incoming = incoming_of(update, context.bot)
    if incoming is None:
        return
    app: App = context.bot_data["app"]
    core: Conversations = context.bot_data["conversations"]
    username = context.bot.username
    facts = ChannelFacts(CHANNEL, lambda code: telegram_invite_link(username, code))
    outcome = await dispatch(core, incoming, facts)
    if outcome.notices_queued:  # messages to other people, queued by this update's commit: out now
        context.bot_data["courier"].wake()
    await render(context.bot, app, update, outcome)


# --- out ------------------------------------------------------------------------------------------------------------


async def render(bot: Bot, app: App, update: Update, outcome: Outcome) -> None:
    """Carry out an outcome: the refusal, or the pressed message settled, the answers, the menu."""
    query = update.callback_query
    if outcome.refusal is not None:
        await refuse(update, outcome.refusal)
        return
    if not outcome.handled:
        return
    if query is not None:
        await _safe(query.answer(outcome.note))
        message = query.message if isinstance(query.message, Message) else None
        if outcome.settled is not None and message is not None:
            await _safe(_edit(bot, message, outcome.settled))
    chat = update.effective_chat
    assert chat is not None
    for answer in outcome.answers:
        await _safe(send(bot, app, chat.id, answer))
    for later in outcome.later:  # files still being built (reports.pool): sent when ready
        app.builds.follow(later, lambda message, chat_id=chat.id: _safe(send(bot, app, chat_id, message)))
    if outcome.menu is not None:
        commands = [BotCommand(name, description) for name, description in outcome.menu]
        await _safe(bot.set_my_commands(commands, scope=BotCommandScopeChat(chat.id)))


def keyboard(choices: Choices) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=encode(c.action)) for c in row] for row in choices]
    )


def entities(text: Formatted) -> list[MessageEntity] | None:
    return [MessageEntity(MessageEntity.PRE, s.offset, s.length) for s in text.spans] or None


async def _edit(bot: Bot, message: Message, settled: OutMessage) -> Any:
    markup = keyboard(settled.choices)
    if message.text is None and message.caption is not None:  # a file with its text as the caption
        return await bot.edit_message_caption(message.chat.id, message.message_id, caption=settled.text.text,
                                              reply_markup=markup)  # fmt: skip
    return await bot.edit_message_text(settled.text.text, chat_id=message.chat.id, message_id=message.message_id,
                                       reply_markup=markup)  # fmt: skip


async def send(bot: Bot, app: App, chat_id: int | str, message: OutMessage) -> Message | None:
    """Files first, each the way it came; a single file without choices takes the text as its caption when it fits."""
    text, markup = message.text, keyboard(message.choices)
    captioned = len(message.files) == 1 and not message.choices and text.text and len(text.text) <= CAPTION_LIMIT
    sent = None
    for file in message.files:
        payload = await _payload(app, file)
        send_file = bot.send_photo if file.kind == "photo" else bot.send_document
        if captioned:
            return await send_file(chat_id, payload, caption=text.text)
        sent = await send_file(chat_id, payload)
    if text.text:
        sent = await bot.send_message(chat_id, text.text, reply_markup=markup, entities=entities(text))
    return sent


async def _payload(app: App, file: OutFile) -> str | InputFile:
    """The Telegram id of a file sent before, or its bytes to upload."""
    known = file.channel_ids.get(CHANNEL)
    if known:
        return known
    content = file.content
    if content is None:
        assert file.stored_path is not None
        content = await asyncio.to_thread((app.files.root / file.stored_path).read_bytes)
    return InputFile(content, filename=file.filename)


async def refuse(update: Update, text: str) -> None:
    """Bad input's answer: an alert over the chat for a pressed button, a message otherwise."""
    if update.callback_query is not None:
        await _safe(update.callback_query.answer(text[:200], show_alert=True))
    elif update.effective_chat is not None:
        await _safe(update.get_bot().send_message(update.effective_chat.id, text))


async def _safe(call: Awaitable[Any]) -> None:
    """Telegram may refuse one message (a chat that blocked the bot); the rest still goes out."""
    try:
        await call
    except TelegramError:
        log.warning("Telegram refused a message", exc_info=True)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last resort: log, and tell the person kindly."""
    log.error("unhandled error", exc_info=context.error)
    app: App | None = context.bot_data.get("app")
    language = app.settings.bot.language if app else "id"
    if isinstance(update, Update):
        await refuse(update, t("chat.error", language))
