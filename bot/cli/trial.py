"""`klambi try`: the real bot against the local sandboxes, played by hand in a browser (bot/sandbox/trial.py)."""

from __future__ import annotations

import asyncio

import click

from bot.app import until_stopped
from bot.cli.common import Context, command, pass_context
from bot.i18n import t


@command("try")
@click.option("--port", type=click.IntRange(0, 65535), default=8090, show_default=True,
              help="Port halaman di 127.0.0.1.")  # fmt: skip
@click.option("--kecamatan", default="35.08.17", show_default=True, metavar="NAMA|KODE",
              help="Kecamatan yang dimuat (nama atau kode).")  # fmt: skip
@pass_context
def try_(ctx: Context, port: int, kecamatan: str) -> None:
    """Coba bot di peramban tanpa token: tiga ponsel (Sekdes di WhatsApp, Kasi Pemerintahan dan Camat di Telegram).

    Basis data dan berkas dibuat baru di folder sementara lalu dihapus saat berhenti; klambi.db dan basis data yang
    dikonfigurasi tidak disentuh. Hentikan dengan Ctrl-C.
    """
    from bot.sandbox.trial import choose_kecamatan, trying

    choose_kecamatan(kecamatan)  # a wrong name fails before anything starts
    settings, language = ctx.settings, ctx.language

    async def main() -> None:
        async with trying(settings, kecamatan, port) as (trial, url):
            click.echo(t("try.ready", language, url=url, kecamatan=trial.kecamatan[1], kode=trial.kecamatan[0]))
            await until_stopped()
        click.echo(t("try.stopped", language))

    asyncio.run(main())
