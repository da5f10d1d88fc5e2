"""`klambi run` (the bot) and `klambi invite` (a link for one role in one place)."""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

import click

from bot.app import App
from bot.channels.telegram.adapter import bot_username
from bot.cli.common import (
    ROLE_CHOICES,
    Context,
    command,
    pass_context,
    person_number,
    ready,
)
from bot.errors import InputError
from bot.i18n import fmt_datetime, t
from bot.services.queries import place_timezone
from models.tables import Role

# --- the bot ---------------------------------------------------------------------------------------------------

log = logging.getLogger("klambi")
CHANNELS = ("telegram", "whatsapp")


@command("run")
@pass_context
def run(ctx: Context) -> None:
    """Jalankan bot: Telegram bila token diatur (long polling, atau webhook di belakang reverse proxy), WhatsApp bila
    [whatsapp] diatur, atau keduanya dalam satu proses."""
    token = ctx.settings.telegram.token
    whatsapp = ctx.settings.whatsapp
    if token is None and not whatsapp.configured:
        raise InputError("error.no_token")
    missing = whatsapp.missing()
    if missing is not None:
        raise InputError("whatsapp.missing_key", setting=missing, env=missing.upper())
    webhook = ctx.settings.telegram.mode == "webhook"
    if token is not None and webhook and ctx.settings.telegram.webhook_secret is None:
        raise InputError("error.webhook_secret")

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request log line would carry the token

    async def prepare(app: App) -> None:
        await ready(app)

    ctx.run(prepare)
    app = App.create(ctx.settings, ctx.clock)
    try:
        if whatsapp.configured:
            from bot.channels.run import run_channels

            run_channels(app, token.get_secret_value() if token else None)
        else:
            from bot.channels.telegram.application import run_polling, run_webhook

            assert token is not None
            (run_webhook if webhook else run_polling)(app, token.get_secret_value())
    finally:
        asyncio.run(app.close())


@command("invite")
@click.option("--role", type=click.Choice(ROLE_CHOICES), help="Wajib, kecuali dengan --person.")
@click.option("--desa", metavar="KODE", help="Untuk sekdes dan pendamping.")
@click.option("--kecamatan", metavar="KODE", help="Untuk staf dan camat (atau admin satu kecamatan).")
@click.option("--kabupaten", metavar="KODE", help="Untuk admin satu kabupaten.")
@click.option("--expires", default="7d", show_default=True, help="Masa berlaku: 7d, 12h, 30m (paling lama 90d).")
@click.option("--person", "person_text", metavar="ID", help="Tambahkan akun aplikasi lain untuk orang yang sudah ada.")
@click.option(
    "--channel", default="telegram", show_default=True, type=click.Choice(CHANNELS), help="Aplikasi undangan ini."
)
@pass_context
def invite(
    ctx: Context, role: str | None, desa: str | None, kecamatan: str | None, kabupaten: str | None, expires: str,
    person_text: str | None, channel: str,
) -> None:  # fmt: skip
    """Buat tautan undangan sekali pakai untuk satu peran di satu tempat, atau (--person) untuk menautkan akun
    aplikasi lain ke orang yang sudah terdaftar."""
    from bot.services.people import create_invitation, first_grant, parse_expiry

    given = [p for p in (desa, kecamatan, kabupaten) if p]
    if len(given) > 1:
        raise InputError("error.one_place")
    if role is None and person_text is None:
        raise InputError("error.invite_needs_role", roles=", ".join(ROLE_CHOICES))
    person_id = person_number(person_text) if person_text is not None else None
    duration = parse_expiry(expires)
    place = given[0].strip() if given else None

    async def work(app: App):
        await ready(app)
        # before anything is written: no link, no invitation
        username = await bot_username(app.settings.telegram) if channel == "telegram" else None
        async with app.sessions() as session, session.begin():
            chosen, where = (Role(role), place) if role is not None else (None, None)
            if person_id is not None and chosen is None:  # the account joins the person as they are
                grant = await first_grant(session, person_id)
                chosen, where = grant.role, grant.scope_code
            assert chosen is not None
            created = await create_invitation(session, chosen, where, app.clock.now(), duration, channel=channel,
                                              person_id=person_id)  # fmt: skip
            return created, username, await place_timezone(session, where) or app.settings.bot.timezone

    created, username, zone = ctx.run(work)
    lang = ctx.language
    from bot.channels.telegram.adapter import invite_link
    from bot.services.submissions import zone_label

    link = invite_link(username, created.code) if username else t("invite.other_app", lang, code=created.code)

    click.echo(
        t(
            "invite.created",
            lang,
            role=t(f"role.{created.role.value}", lang),
            scope=created.scope_name,
            expires=f"{fmt_datetime(created.expires_at.astimezone(ZoneInfo(zone)), lang)} {zone_label(zone)}",
            link=link,
            code=created.code,
        )
    )
