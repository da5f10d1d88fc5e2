"""`klambi run` (the bot) and `klambi invite` (a link for one role in one place)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
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
    "--channel",
    type=click.Choice(CHANNELS),
    help="Aplikasi undangan ini. Bawaan: satu-satunya aplikasi yang diatur, atau telegram bila keduanya diatur.",
)
@click.option(
    "--qr", "qr_path", metavar="BERKAS.png", type=click.Path(path_type=Path), help="Tulis juga kode QR tautannya."
)
@pass_context
def invite(
    ctx: Context, role: str | None, desa: str | None, kecamatan: str | None, kabupaten: str | None, expires: str,
    person_text: str | None, channel: str | None, qr_path: Path | None,
) -> None:  # fmt: skip
    """Buat tautan undangan sekali pakai untuk satu peran di satu tempat, atau (--person) untuk menautkan akun
    aplikasi lain ke orang yang sudah terdaftar."""
    from bot.services.links import WHATSAPP, default_channel, telegram_invite_link, whatsapp_invite_link
    from bot.services.people import create_invitation, first_grant, parse_expiry

    given = [p for p in (desa, kecamatan, kabupaten) if p]
    if len(given) > 1:
        raise InputError("error.one_place")
    if role is None and person_text is None:
        raise InputError("error.invite_needs_role", roles=", ".join(ROLE_CHOICES))
    person_id = person_number(person_text) if person_text is not None else None
    duration = parse_expiry(expires)
    place = given[0].strip() if given else None
    channel = channel or default_channel(ctx.settings)
    business_number = ctx.settings.whatsapp.business_number
    if channel == WHATSAPP and business_number is None:
        raise InputError("error.no_business_number")
    if qr_path is not None:
        _check_writable(qr_path)

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
    from bot.services.submissions import zone_label

    expires_text = f"{fmt_datetime(created.expires_at.astimezone(ZoneInfo(zone)), lang)} {zone_label(zone)}"
    role_text = t(f"role.{created.role.value}", lang)
    if channel == WHATSAPP:
        assert business_number is not None
        link = whatsapp_invite_link(business_number, created.code)
        click.echo(link)  # the first line: what a script or a person copies
        click.echo(t("invite.code_line", lang, code=created.code))
        click.echo(t("invite.summary", lang, role=role_text, scope=created.scope_name, expires=expires_text))
    else:
        assert username is not None
        link = telegram_invite_link(username, created.code)
        click.echo(t("invite.created", lang, role=role_text, scope=created.scope_name, expires=expires_text,
                     link=link, code=created.code))  # fmt: skip
    if qr_path is not None:
        write_qr(qr_path, link)
        click.echo(t("invite.qr_written", lang, path=qr_path))


def _check_writable(path: Path) -> None:
    """A QR file that cannot be written is refused before the invitation is made (no invitation without its QR)."""
    if path.suffix.lower() != ".png":
        raise InputError("error.qr_not_png", path=path)
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as exc:
        raise InputError("error.qr_not_writable", path=path, reason=exc.strerror or type(exc).__name__) from None
    if not existed:
        path.unlink()


def write_qr(path: Path, link: str) -> None:
    """The link as a QR code PNG, by `qrcode`'s pure-Python PNG writer (pypng)."""
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(link, image_factory=PyPNGImage, error_correction=qrcode.constants.ERROR_CORRECT_M)
    with path.open("wb") as target:
        image.save(target)
