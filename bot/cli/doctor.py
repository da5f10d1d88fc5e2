"""`klambi doctor`: one line per check of a deployment's health, ✓, ✗ with the fix, or – when it does not apply."""

from __future__ import annotations

import click

from bot.app import App
from bot.cli.common import Context, command, echo_json, pass_context
from bot.config import ConfigError, config_file
from bot.doctor import Check, config_check, config_failed, notify_admins, run_checks
from bot.i18n import t


@command("doctor")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--notify", is_flag=True, help="Beri tahu para admin lewat chat bila ada pemeriksaan yang gagal "
              "(sekali sehari per pemeriksaan).")  # fmt: skip
@pass_context
def doctor(ctx: Context, output: str, notify: bool) -> None:
    """Periksa kesehatan instalasi: konfigurasi, basis data, saluran, alamat web, jam, penyimpanan, cadangan,
    pengingat, dan orang yang tidak bisa dihubungi. Status keluar 0 bila semua lolos, 1 bila ada yang gagal."""
    try:
        settings = ctx.settings
    except ConfigError as problem:
        results = [config_failed(str(problem), "id")]
        _show(results, output, "id")
        raise click.exceptions.Exit(1) from None
    language = settings.bot.language
    config = config_check(settings, config_file(ctx.config_path), language)

    async def work(app: App) -> tuple[list[Check], int]:
        results = await run_checks(app, config, language)
        told = await notify_admins(app, results, language) if notify and _database_reachable(results) else 0
        return results, told

    results, told = ctx.run(work)
    _show(results, output, language)
    if notify and output == "text" and told:
        click.echo(t("doctor.notified", language, count=told))
    if any(not c.ok for c in results):
        raise click.exceptions.Exit(1)


def _database_reachable(results: list[Check]) -> bool:
    return any(c.check == "database" and c.ok for c in results)


def _show(results: list[Check], output: str, language) -> None:
    if output == "json":
        echo_json([c.as_json() for c in results])
        return
    for check in results:
        click.echo(check.line(language))
    failed = sum(1 for c in results if not c.ok)
    click.echo(t("doctor.summary_failed", language, count=failed) if failed else t("doctor.summary_ok", language))
