"""`klambi history`: figures published before the bot."""

from __future__ import annotations

from pathlib import Path

import click

from bot.app import App
from bot.cli.common import (
    Context,
    echo_json,
    format_option,
    group,
    number,
    pass_context,
    ready,
)
from bot.i18n import fmt_percent, t
from bot.views import render_table

# --- history ---------------------------------------------------------------------------------------------------


@group()
def history() -> None:
    """Angka kinerja yang sudah diterbitkan sebelum bot (LKjIP tahun-tahun lalu)."""


@history.command("import")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path))
@pass_context
def history_import(ctx: Context, path: Path) -> None:
    """Muat angka terbitan lama: kolom kecamatan, year, indicator, target, realisasi, capaian (apa adanya)."""
    from bot.services.history import import_history

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await import_history(session, path, app.clock.now(), ctx.today().year)

    result = ctx.run(work)
    click.echo(
        t("history.imported", ctx.language, path=path.name, added=result.added, updated=result.updated,
          unchanged=result.unchanged)
    )  # fmt: skip


@history.command("list")
@click.option("--kecamatan", required=True, metavar="KODE")
@format_option
@pass_context
def history_list(ctx: Context, kecamatan: str, output: str) -> None:
    """Angka terbitan lama satu kecamatan; capaian yang tidak sesuai realisasi ÷ target ditandai *."""
    from bot.services.history import history_for
    from bot.services.places import require_kecamatan

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            row = await require_kecamatan(session, kecamatan)
            return row, await history_for(session, row.kode)

    kec, rows = ctx.run(work)
    if output == "json":
        echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama},
                "history": [
                    {"year": r.year, "indicator": r.indicator, "target": number(r.target),
                     "realisasi": number(r.realisasi), "capaian": number(r.capaian),
                     "capaian_computed": number(r.capaian_computed), "capaian_differs": r.differs}
                    for r in rows
                ],
            }
        )  # fmt: skip
        return
    lang = ctx.language
    click.echo(
        render_table(
            [t("column.year", lang), "Target", "Realisasi", t("column.capaian", lang)],
            [[str(r.year), fmt_percent(r.target, lang), fmt_percent(r.realisasi, lang),
              fmt_percent(r.capaian, lang) + (" *" if r.differs else "")] for r in rows],
        )
    )  # fmt: skip
    differing = [r for r in rows if r.differs]
    if differing:
        computed = "; ".join(f"{r.year}: {fmt_percent(r.capaian_computed, lang)}" for r in differing)
        click.echo(t("history.legend", lang, computed=computed))
