"""`klambi run` (the bot) and `klambi invite` (a link for one role in one place)."""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

import click

from bot.app import App
from bot.cli.common import (
    ROLE_CHOICES,
    Context,
    command,
    pass_context,
    ready,
)
from bot.errors import InputError
from bot.i18n import fmt_datetime, t
from bot.services.queries import place_timezone
from models.tables import Role

# --- the bot ---------------------------------------------------------------------------------------------------

log = logging.getLogger("klambi")


@command("run")
@pass_context
def run(ctx: Context) -> None:
    """Jalankan bot Telegram (long polling, atau webhook di belakang reverse proxy) dengan token dari konfigurasi."""
    token = ctx.settings.telegram.token
    if token is None:
        raise InputError("error.no_token")
    webhook = ctx.settings.telegram.mode == "webhook"
    if webhook and ctx.settings.telegram.webhook_secret is None:
        raise InputError("error.webhook_secret")
    from bot.channels.telegram.application import run_polling, run_webhook

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request log line would carry the token

    async def prepare(app: App) -> None:
        await ready(app)

    ctx.run(prepare)
    app = App.create(ctx.settings, ctx.clock)
    try:
        (run_webhook if webhook else run_polling)(app, token.get_secret_value())
    finally:
        asyncio.run(app.close())


@command("invite")
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@click.option("--desa", metavar="KODE", help="Untuk sekdes dan pendamping.")
@click.option("--kecamatan", metavar="KODE", help="Untuk staf dan camat (atau admin satu kecamatan).")
@click.option("--kabupaten", metavar="KODE", help="Untuk admin satu kabupaten.")
@click.option("--expires", default="7d", show_default=True, help="Masa berlaku: 7d, 12h, 30m (paling lama 90d).")
@pass_context
def invite(
    ctx: Context, role: str, desa: str | None, kecamatan: str | None, kabupaten: str | None, expires: str
) -> None:
    """Buat tautan undangan sekali pakai untuk satu peran di satu tempat."""
    from bot.services.people import create_invitation, parse_expiry

    given = [p for p in (desa, kecamatan, kabupaten) if p]
    if len(given) > 1:
        raise InputError("error.one_place")
    duration = parse_expiry(expires)
    place = given[0].strip() if given else None

    async def work(app: App):
        await ready(app)
        username = await _bot_username(app)  # before anything is written: no link, no invitation
        async with app.sessions() as session, session.begin():
            created = await create_invitation(session, Role(role), place, app.clock.now(), duration)
            return created, username, await place_timezone(session, place) or app.settings.bot.timezone

    created, username, zone = ctx.run(work)
    lang = ctx.language
    from bot.channels.telegram.adapter import invite_link
    from bot.services.submissions import zone_label

    click.echo(
        t(
            "invite.created",
            lang,
            role=t(f"role.{created.role.value}", lang),
            scope=created.scope_name,
            expires=f"{fmt_datetime(created.expires_at.astimezone(ZoneInfo(zone)), lang)} {zone_label(zone)}",
            link=invite_link(username, created.code),
            code=created.code,
        )
    )


async def _bot_username(app: App) -> str:
    """The bot's username: from the configuration, else asked from the Bot API with the token."""
    telegram = app.settings.telegram
    if telegram.username:
        return telegram.username
    if telegram.token is None:
        raise InputError("error.no_username")
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    try:
        async with Bot(telegram.token.get_secret_value(), base_url=telegram.base_url) as bot:
            return bot.username
    except InvalidToken:
        raise InputError("error.username_token_refused") from None
    except TelegramError as exc:
        log.debug("getMe failed", exc_info=True)
        raise InputError("error.username_unreachable", reason=type(exc).__name__) from None
