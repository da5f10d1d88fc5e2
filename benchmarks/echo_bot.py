"""The yardstick: a bare python-telegram-bot echo bot, long polling the Bot API named by BENCH_BASE_URL.

Built like the real bot (the same library, long polling, one update at a time) but with no database and no work:
it answers every text with the same text.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    application = Application.builder().token(os.environ["BENCH_TOKEN"]).base_url(os.environ["BENCH_BASE_URL"]).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=1)


if __name__ == "__main__":
    main()
