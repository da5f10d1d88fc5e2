"""`klambi holidays`: the days off that an admin may correct."""

from __future__ import annotations

import click

from bot.app import App
from bot.cli.common import (
    TEXT,
    Context,
    echo_json,
    format_option,
    group,
    pass_context,
    ready,
    replan,
)
from bot.i18n import fmt_date, t
from bot.parsing import FIRST_YEAR, parse_option_date, parse_year
from bot.services.calendar import DayOff, add_day_off, days_off, remove_day_off
from bot.views import render_table

# --- holidays --------------------------------------------------------------------------------------------------


@group()
def holidays() -> None:
    """Hari libur nasional dan cuti bersama (yang bisa dikoreksi admin)."""


@holidays.command("list")
@click.option("--year", "year_text", required=True, metavar="TAHUN")
@format_option
@pass_context
def holidays_list(ctx: Context, year_text: str, output: str) -> None:
    """Hari kerja yang libur dalam satu tahun: libur nasional, cuti bersama, dan tambahan admin."""
    year = parse_year("--year", year_text, FIRST_YEAR, 2100)

    async def work(app: App) -> list[DayOff]:
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await days_off(session, year, ctx.language)

    rows = ctx.run(work)
    lang = ctx.language
    if output == "json":
        echo_json([{"date": r.day.isoformat(), "name": r.name, "added_by_admin": r.added_by_admin} for r in rows])
        return
    click.echo(t("holidays.title", lang, year=year))
    click.echo()
    source = {True: t("holidays.by_admin", lang), False: t("holidays.official", lang)}
    click.echo(
        render_table(
            [t("column.date", lang), t("column.name", lang), t("column.source", lang)],
            [[fmt_date(r.day, lang), r.name, source[r.added_by_admin]] for r in rows],
        )
    )


@holidays.command("add")
@click.argument("day_text", metavar="TANGGAL")
@click.option("--name", type=TEXT, required=True, help='Nama hari libur, mis. "Cuti bersama Idul Fitri".')
@pass_context
def holidays_add(ctx: Context, day_text: str, name: str) -> None:
    """Jadikan TANGGAL hari libur (cuti bersama baru)."""
    day = parse_option_date("TANGGAL", day_text)

    async def work(app: App) -> str | None:
        await ready(app)
        async with app.sessions() as session, session.begin():
            added = await add_day_off(session, day, name, app.clock.now())
            await replan(app, session, None)
            return added

    added = ctx.run(work)
    key = "holidays.added" if added else "holidays.unchanged"
    click.echo(t(key, ctx.language, day=fmt_date(day, ctx.language), name=added))


@holidays.command("remove")
@click.argument("day_text", metavar="TANGGAL")
@pass_context
def holidays_remove(ctx: Context, day_text: str) -> None:
    """Jadikan TANGGAL hari kerja lagi (cuti bersama yang dipindah)."""
    day = parse_option_date("TANGGAL", day_text)

    async def work(app: App) -> str:
        await ready(app)
        async with app.sessions() as session, session.begin():
            removed = await remove_day_off(session, day, app.clock.now())
            await replan(app, session, None)
            return removed

    name = ctx.run(work)
    click.echo(t("holidays.removed", ctx.language, day=fmt_date(day, ctx.language), name=name))
