"""`klambi target`: the performance targets."""

from __future__ import annotations

from decimal import Decimal

import click

from bot.app import App
from bot.cli.common import (
    Context,
    group,
    pass_context,
    ready,
)
from bot.i18n import doc_label, fmt_percent, t
from bot.parsing import FIRST_YEAR, parse_figure, parse_year
from bot.services.places import require_kecamatan
from bot.services.targets import set_target


@group()
def target() -> None:
    """Target kinerja (Perjanjian Kinerja dan Renstra)."""


@target.command("set")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("--awal", help="Target awal (Perjanjian Kinerja), mis. 88,89.")
@click.option("--perubahan", help="Target perubahan, mis. 94,44.")
@click.option("--renstra", help="Target akhir Renstra.")
@click.option(
    "--indicator", default="IKU", show_default=True, help="IKU, atau kode dokumen untuk indikator programnya."
)
@pass_context
def target_set(
    ctx: Context,
    kecamatan: str,
    year_text: str,
    awal: str | None,
    perubahan: str | None,
    renstra: str | None,
    indicator: str,
) -> None:
    """Simpan target satu kecamatan untuk satu tahun; yang tidak disebut tetap."""
    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 5)
    figures = {
        name: parse_figure(f"--{name}", value, high=Decimal(100)) if value is not None else None  # % of desa
        for name, value in (("awal", awal), ("perubahan", perubahan), ("renstra", renstra))
    }

    async def work(app: App) -> tuple[str, str, dict[str, Decimal | None]]:
        await ready(app)
        async with app.sessions() as session, session.begin():
            row = await set_target(session, kecamatan, year, app.clock.now(), indicator=indicator, **figures)
            place = await require_kecamatan(session, row.kecamatan_kode)
            return (
                f"{place.nama} ({place.kode})",
                row.indicator,
                {"awal": row.awal, "perubahan": row.perubahan, "renstra": row.renstra},
            )

    kode, name, saved = ctx.run(work)
    click.echo(
        t(
            "target.saved",
            ctx.language,
            indicator=name if name == "IKU" else doc_label(name),
            kecamatan=kode,
            year=year,
            **{k: fmt_percent(v, ctx.language) for k, v in saved.items()},
        )
    )


# --- record ----------------------------------------------------------------------------------------------------
