"""`klambi whatsapp templates`: the message templates WhatsApp needs outside the 24-hour window — their definitions,
registering them on the WhatsApp Business Account, and Meta's verdicts."""

from __future__ import annotations

import asyncio

import click

from bot.channels.whatsapp.templates import TEMPLATES, Template, TemplateRegistry
from bot.cli.common import Context, echo_json, group, pass_context
from bot.errors import InputError
from bot.i18n import Language, t


@group("whatsapp")
def whatsapp() -> None:
    """WhatsApp (Cloud API): templat pesan untuk di luar jendela 24 jam."""


@whatsapp.group("templates", invoke_without_command=True)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def templates(click_ctx: click.Context, output: str) -> None:
    """Templat pesan (UTILITY, bahasa Indonesia) dalam bentuk yang diterima Graph API."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.find_object(Context)
    assert ctx is not None
    if output == "json":
        echo_json([template.creation() for template in TEMPLATES])
        return
    language = ctx.language
    click.echo("\n\n".join(_block(template, language) for template in TEMPLATES))


def _block(template: Template, language: Language) -> str:
    lines = [
        t("cli.templates.heading", language, name=template.name, lang=template.language,
          category=template.category),
        *(f"  {line}" for line in template.body.splitlines()),
        f"  {t('cli.templates.example', language)}: {template.render(template.examples)}",
    ]  # fmt: skip
    if template.buttons:
        lines.append(f"  {t('cli.templates.buttons', language)}: " + " · ".join(template.buttons))
    return "\n".join(lines)


@templates.command("push")
@pass_context
def push(ctx: Context) -> None:
    """Daftarkan templat yang belum ada di akun WhatsApp Business ([whatsapp] waba_id)."""
    language = ctx.language

    async def work() -> bool:
        registry = TemplateRegistry(ctx.settings.whatsapp, ctx.clock)
        registered = await registry.list()
        ok = True
        for template in TEMPLATES:
            values = {"name": template.name, "lang": template.language}
            status = registered.get((template.name, template.language))
            if status is not None:
                click.echo(t("cli.templates.exists", language, status=status, **values))
                continue
            try:
                status = await registry.create(template)
            except InputError as problem:
                if problem.key != "whatsapp.graph_error":
                    raise
                ok = False
                click.echo(t("cli.templates.failed", language, reason=t(problem.key, language, **problem.values),
                             **values))  # fmt: skip
                continue
            click.echo(t("cli.templates.created", language, status=status, **values))
        return ok

    if not asyncio.run(work()):
        raise click.exceptions.Exit(1)


@templates.command("status")
@pass_context
def status(ctx: Context) -> None:
    """Status tiap templat di akun: APPROVED, PENDING, REJECTED, PAUSED, atau belum dibuat."""
    language = ctx.language
    registered = asyncio.run(TemplateRegistry(ctx.settings.whatsapp, ctx.clock).list())
    for template in TEMPLATES:
        found = registered.get((template.name, template.language)) or t("cli.templates.not_created", language)
        click.echo(t("cli.templates.status", language, name=template.name, lang=template.language, status=found))
