"""The operator's commands: `klambi db upgrade`, `klambi backup`, `klambi restore`, `klambi person export`
and `klambi person forget`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.app import App
from bot.backup import backup_name, database_is_empty, make_backup, restore_backup
from bot.cli.common import (
    Context,
    command,
    group,
    pass_context,
    person_number,
    ready,
)
from bot.db import current_revision, upgrade
from bot.errors import InputError
from bot.i18n import t
from bot.services.privacy import export_person, forget_person

# --- db --------------------------------------------------------------------------------------------------------


@group()
def db() -> None:
    """Basis data."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Buat atau perbarui skema basis data (aman dijalankan berulang)."""

    async def work(app: App) -> str:
        await upgrade(app.engine)
        from bot.db import current_revision

        return await current_revision(app.engine) or "-"

    click.echo(t("db.upgraded", ctx.language, revision=ctx.run(work)))


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} B"


@command("backup")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path),
              help="Folder baru, atau berkas .tar.gz, untuk cadangannya (bawaan: berkas baru di "
                   "[backup] path).")  # fmt: skip
@pass_context
def backup(ctx: Context, output: Path | None) -> None:
    """Cadangkan basis data (SQLite: online backup; PostgreSQL: pg_dump) beserta semua berkas yang tersimpan."""

    async def revision(app: App) -> str | None:
        return await current_revision(app.engine)

    if output is None:
        folder = ctx.settings.backup.path
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        output = folder / backup_name(ctx.clock.now())

    summary = make_backup(
        ctx.settings.database.url, ctx.settings.storage.path, ctx.run(revision), ctx.clock.now(), output
    )
    click.echo(t("cli.backup.done", ctx.language, database=summary.database, path=summary.path,
                 files=summary.files, size=_size(summary.bytes)))  # fmt: skip


@command("restore")
@click.argument("source", metavar="CADANGAN", type=click.Path(path_type=Path))
@pass_context
def restore(ctx: Context, source: Path) -> None:
    """Pulihkan CADANGAN (folder atau .tar.gz) ke basis data dan folder berkas yang masih kosong."""

    async def empty(app: App) -> bool:
        return await database_is_empty(app.engine)

    summary = restore_backup(source, ctx.settings.database.url, ctx.settings.storage.path, ctx.run(empty))
    ctx.run(ready)  # a backup of an older version gets today's schema
    click.echo(t("cli.backup.restored", ctx.language, path=source, database=summary.database, files=summary.files))


@command("export")
@click.option("--person", "person_text", required=True, metavar="ID", help="Id dari `klambi person list`.")
@pass_context
def person_export(ctx: Context, person_text: str) -> None:
    """Semua data seseorang sebagai JSON: identitas, peran, undangan, kiriman, putusan, dan jejak audit tentangnya."""
    person_id = person_number(person_text)

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await export_person(session, person_id)

    click.echo(json.dumps(ctx.run(work), indent=2, ensure_ascii=False))


@command("forget")
@click.option("--person", "person_text", required=True, metavar="ID", help="Id dari `klambi person list`.")
@click.option("--yes", is_flag=True, help="Ya, hapus (tidak bisa dibatalkan).")
@pass_context
def person_forget(ctx: Context, person_text: str, yes: bool) -> None:
    """Hapus data pribadi seseorang (nama, akun Telegram, peran); dokumen dan jejak audit tetap, tanpa nama."""
    person_id = person_number(person_text)
    if not yes:
        raise InputError("cli.person.forget_confirm", id=person_id)

    async def work(app: App) -> str:
        await ready(app)
        async with app.sessions() as session, session.begin():
            return (await forget_person(session, person_id, app.clock.now())).name

    label = ctx.run(work)
    click.echo(t("cli.person.forgotten", ctx.language, id=person_id, label=label))
