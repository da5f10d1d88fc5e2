"""`klambi villages`: kecamatan and desa from the reference data or a CSV."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from bot.app import App
from bot.cli.common import (
    REPLAN_AT_IMPORT,
    Context,
    group,
    pass_context,
    ready,
    replan,
)
from bot.errors import InputError
from bot.i18n import t
from bot.services.calendar import load_calendar
from bot.services.places import ImportSummary, import_area, import_csv
from bot.services.queries import kecamatan_without_desa
from bot.wilayah import Level

PROGRESS_THRESHOLD = 500  # desa: smaller areas load without a progress bar


@group()
def villages() -> None:
    """Kecamatan dan desa."""


@villages.command("import")
@click.argument("file", metavar="[BERKAS.csv]", required=False, type=click.Path(path_type=Path))
@click.option("--area", metavar="KODE", help="Provinsi (35), kabupaten (35.08) atau kecamatan (35.08.17).")
@pass_context
def villages_import(ctx: Context, file: Path | None, area: str | None) -> None:
    """Muat desa dari data rujukan Kepmendagri 2025 (--area) atau dari berkas CSV `kode,nama`.

    Kelurahan dilewati: mereka tidak menyusun RKPDes, APBDes, maupun LPPDes. Memuat dua kali tidak mengubah apa pun.
    """
    if (file is None) == (area is None):
        raise InputError("error.area_or_file")
    years = _obligation_years(ctx)

    async def work(app: App) -> ImportSummary:
        await ready(app)
        async with app.sessions() as session, session.begin():
            calendar = await load_calendar(session, ctx.language)
            now = app.clock.now()
            if area is not None:
                size = _desa_count(area)
                with _progress(size, t("villages.progress", ctx.language)) as progress:
                    summary = await import_area(session, area, now, years, calendar, progress)
            else:
                assert file is not None
                summary = await import_csv(session, file, now, years, calendar)
            if summary.kecamatan_codes and len(summary.kecamatan_codes) <= REPLAN_AT_IMPORT:
                await replan(app, session, summary.kecamatan_codes)  # larger areas: the bot's hourly planning
            return summary, await kecamatan_without_desa(session, summary.kecamatan_codes)

    summary, kelurahan_only = ctx.run(work)
    click.echo(
        t(
            "villages.imported",
            ctx.language,
            area=summary.area,
            kecamatan=summary.kecamatan_added,
            desa=summary.desa_added,
            kewajiban=summary.obligations_added,
            unchanged=summary.desa_unchanged,
            kelurahan=summary.kelurahan_skipped,
        )
    )
    if kelurahan_only:
        names = ", ".join(kelurahan_only[:5]) + (f" (+{len(kelurahan_only) - 5})" if len(kelurahan_only) > 5 else "")
        click.echo(t("villages.kelurahan_only", ctx.language, names=names))


def _obligation_years(ctx: Context) -> list[int]:
    """Obligations exist from the deployment's first year to the next one."""
    current = ctx.today().year
    first = min(ctx.settings.bot.first_year or current, current)
    return list(range(first, current + 2))


def _desa_count(area: str) -> int:
    from bot.wilayah import areas_under, reference_areas

    if area.strip() not in reference_areas():
        return 0
    return sum(1 for a in areas_under(area.strip()) if a.level in (Level.DESA, Level.DESA_ADAT))


class _progress:
    def __init__(self, total: int, label: str) -> None:
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr) if total > PROGRESS_THRESHOLD else None

    def __enter__(self) -> Callable[[int], None] | None:
        if self.bar is None:
            return None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


# --- targets ---------------------------------------------------------------------------------------------------
