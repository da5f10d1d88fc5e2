"""The Telegram side of the outbox: deliver an `OutMessage` to a chat through the Bot API, as bulk messages
(`BROADCAST`: the overall 29 a second of `bot.channels.telegram.limits`).

A file goes with its text as the caption when there is one file and the text fits a caption (1024 characters);
otherwise the files go first and the text, with the choices, after them. Files are sent by the id Telegram gave them
(`OutFile.channel_ids["telegram"]`), each the way it came: a photo as a photo, a document as a document.
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.limits import BROADCAST
from bot.chat.actions import encode
from bot.chat.messages import Formatted, OutFile, OutMessage, utf16_length
from bot.chat.transport import TryLater, Unreachable

log = logging.getLogger("klambi.telegram.transport")
CHANNEL = "telegram"
CAPTION_LIMIT = 1024


def entities(text: Formatted) -> list[MessageEntity] | None:
    return [MessageEntity(s.kind, s.offset, s.length) for s in text.spans] or None


def markup(message: OutMessage) -> InlineKeyboardMarkup | None:
    if not message.choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=encode(c.action)) for c in row] for row in message.choices]
    )


class TelegramTransport:
    """A `bot.chat.transport.Transport` over a `telegram.Bot`; an address is a chat id as a string."""

    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def deliver(self, address: str, message: OutMessage, prepared: object = None) -> str:
        chat_id = int(address)
        try:
            return str(await self._send(chat_id, message))
        except (Forbidden, BadRequest) as problem:
            log.warning("outbox message to a chat refused: %s", type(problem).__name__)
            raise Unreachable(str(problem)) from problem
        except (RetryAfter, TimedOut, NetworkError) as problem:
            log.warning("outbox message to a chat not delivered: %s", type(problem).__name__)
            raise TryLater(str(problem)) from problem

    async def _send(self, chat_id: int, message: OutMessage) -> int:
        keyboard = markup(message)
        files = [f for f in message.files if f.channel_ids.get(CHANNEL)]
        text = message.text
        if len(files) == 1 and len(text.text) <= CAPTION_LIMIT and utf16_length(text.text) <= CAPTION_LIMIT:
            sent = await self._file(chat_id, files[0], text, keyboard)
            return sent.message_id
        for file in files:
            await self._file(chat_id, file, None, None)
        sent = await self.bot.send_message(chat_id, text.text, reply_markup=keyboard, entities=entities(text),
                                           rate_limit_args=BROADCAST)  # fmt: skip
        return sent.message_id

    async def _file(self, chat_id: int, file: OutFile, caption: Formatted | None, keyboard):
        send = self.bot.send_photo if file.kind == "photo" else self.bot.send_document
        if caption is None:
            return await send(chat_id, file.channel_ids[CHANNEL], rate_limit_args=BROADCAST)
        return await send(chat_id, file.channel_ids[CHANNEL], caption=caption.text, caption_entities=entities(caption),
                          reply_markup=keyboard, rate_limit_args=BROADCAST)  # fmt: skip
