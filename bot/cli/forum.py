"""`klambi forum`: the kecamatan's forum group."""

from __future__ import annotations

import re

import click

from bot.app import App
from bot.cli.common import (
    Context,
    command,
    pass_context,
    ready,
    replan,
)
from bot.errors import InputError
from bot.i18n import t
from bot.services.audit import CLI
from bot.services.places import set_forum_chat


@command("forum")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option(
    "--chat", "chat_text", required=True, metavar="CHAT_ID", help="Id grup Telegram (mis. -1001234567890), atau 'none'."
)
@pass_context
def forum(ctx: Context, kecamatan: str, chat_text: str) -> None:
    """Atur grup forum kecamatan (rekap mingguan setiap Senin)."""
    chat_id = None
    if chat_text.strip().lower() != "none":
        if not re.fullmatch(r"-[0-9]{5,15}", chat_text.strip()):  # Telegram's ids fit in 52 bits
            raise InputError("error.bad_chat_id", value=chat_text)
        chat_id = int(chat_text)

    async def work(app: App) -> str:
        await ready(app)
        async with app.sessions() as session, session.begin():
            row = await set_forum_chat(session, kecamatan, chat_id, app.clock.now(), actor=CLI)
            await replan(app, session, [row.kode])
            return row.nama

    name = ctx.run(work)
    click.echo(t("forum.saved" if chat_id else "forum.cleared", ctx.language, kecamatan=name, chat=chat_id))
