"""`klambi reminders preview`: what the planner would send."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from bot.app import App
from bot.cli.common import (
    Context,
    echo_json,
    group,
    note_kelurahan_only,
    pass_context,
    ready,
)
from bot.errors import InputError
from bot.i18n import CATALOG, Language, doc_label, fmt_datetime, t
from bot.parsing import parse_option_date
from bot.services.calendar import load_calendar
from bot.services.queries import desa_names
from bot.views import render_table
from models.status import end_of_day

# --- reminders -------------------------------------------------------------------------------------------------


@group()
def reminders() -> None:
    """Pengingat dan eskalasi."""


@reminders.command("preview")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--from", "start_text", required=True, metavar="TANGGAL")
@click.option("--to", "end_text", required=True, metavar="TANGGAL")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_context
def reminders_preview(ctx: Context, kecamatan: str, start_text: str, end_text: str, output: str) -> None:
    """Apa yang akan dikirim perencana dalam rentang tanggal itu (kode yang sama dengan bot)."""
    start, end = parse_option_date("--from", start_text), parse_option_date("--to", end_text)
    if end < start or (end - start).days > 800:
        raise InputError("error.bad_window")

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.places import ensure_obligations, require_kecamatan
            from models.status import start_of_day
            from scheduler.planner import kecamatan_slots

            row = await require_kecamatan(session, kecamatan)
            calendar = await load_calendar(session)
            names = await desa_names(session, row.kode)
            desa = list(names)
            years = range(start.year - 1, end.year + 2)  # every obligation whose reminders may fall in the window
            await ensure_obligations(session, desa, list(years), calendar)
            tz = ZoneInfo(row.timezone)
            slots = await kecamatan_slots(
                session, row, start_of_day(start, tz), end_of_day(end, tz), app.settings.reminders, calendar
            )
            return row, slots, names

    row, slots, names = ctx.run(work)
    tz = ZoneInfo(row.timezone)
    if output == "json":
        echo_json(
            [
                {
                    "send_at": s.send_at.astimezone(tz).isoformat(),
                    "recipient_role": s.role,
                    "desa": s.desa,
                    "document": s.document,
                    "tahun_anggaran": s.tahun_anggaran,
                    "kind": s.kind,
                }
                for s in slots
            ]
        )
        return
    lang = ctx.language
    note_kelurahan_only(row, bool(names), lang)
    click.echo(
        render_table(
            [t("column.date", lang), t("column.recipient", lang), t("column.desa", lang), t("column.document", lang),
             t("column.kind", lang)],
            [
                [f"{fmt_datetime(s.send_at.astimezone(tz), lang)}", t(f"reminders.recipient.{s.role}", lang),
                 f"{names.get(s.desa, s.desa)} ({s.desa})" if s.desa else "—",
                 f"{doc_label(s.document)} TA {s.tahun_anggaran}" if s.document else "—", _kind_label(s.kind, lang)]
                for s in slots
            ],
        )
    )  # fmt: skip


def _kind_label(kind: str, lang: Language) -> str:
    """A planned message's kind as people call it: "pengingat H-14", "ringkasan pagi staf"."""
    key = f"reminders.kind.{kind}"
    return t(key, lang) if key in CATALOG else t("reminders.kind.reminder", lang, day=kind)
