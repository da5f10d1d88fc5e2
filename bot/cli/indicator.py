"""`klambi indicator`: one kecamatan, or the ranking of a kabupaten."""

from __future__ import annotations

from datetime import date

import click

from bot.app import App
from bot.cli.common import (
    Context,
    command,
    echo_json,
    format_option,
    instant,
    pass_context,
    ready,
    year_and_moment,
)
from bot.errors import InputError
from bot.i18n import fmt_percent, t
from bot.services.indicator import KecamatanIndicator, indicator_json, kecamatan_indicator
from bot.views import indicator_text, render_table


@command("indicator")
@click.option("--kecamatan", metavar="KODE", help="Satu kecamatan.")
@click.option("--kabupaten", metavar="KODE", help="Semua kecamatan satu kabupaten, diurutkan menurut realisasi.")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("--at", "at_text", metavar="TANGGAL", help="Indikator pada akhir tanggal ini (bawaan: sekarang).")
@format_option
@pass_context
def indicator(
    ctx: Context, kecamatan: str | None, kabupaten: str | None, year_text: str, at_text: str | None, output: str
) -> None:
    """Indikator rata-rata persentase desa yang menyusun dokumen tepat waktu, seperti dalam LKjIP."""
    year, at = year_and_moment(ctx, year_text, at_text)
    if (kecamatan is None) == (kabupaten is None):
        raise InputError("error.kecamatan_or_kabupaten")
    if kabupaten is not None:
        _kabupaten_ranking(ctx, kabupaten, year, at, output)
        return
    assert kecamatan is not None
    report = ctx.run(lambda app: _indicator(app, kecamatan, year, at))
    if output == "json":
        echo_json(indicator_json(report))
    else:
        click.echo(indicator_text(report, ctx.language))


def _kabupaten_ranking(ctx: Context, kabupaten: str, year: int, at: date | None, output: str) -> None:
    from bot.services.indicator import kabupaten_ranking

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await kabupaten_ranking(session, kabupaten, year, at, app.clock.now())

    kab, reports = ctx.run(work)
    if output == "json":
        echo_json(
            {"kabupaten": {"kode": kab.kode, "nama": kab.nama}, "year": year,
             "kecamatan": [indicator_json(r) for r in reports]}
        )  # fmt: skip
        return
    lang = ctx.language
    click.echo(t("ranking.title", lang, kabupaten=kab.nama, kode=kab.kode, year=year))
    click.echo()
    rows = []
    for rank, r in enumerate(reports, 1):
        assert r.result is not None
        rows.append([str(rank), f"{r.kecamatan.nama} ({r.kecamatan.kode})", str(r.result.desa_count),
                     fmt_percent(r.result.realisasi, lang), fmt_percent(r.result.capaian, lang),
                     r.result.predikat or t("none", lang)])  # fmt: skip
    headers = ["#", "Kecamatan", t("column.desa", lang), "Realisasi", t("column.capaian", lang), "Predikat"]
    click.echo(render_table(headers, rows))


async def _indicator(app: App, kecamatan: str, year: int, at: date | None) -> KecamatanIndicator:
    await ready(app)
    async with app.sessions() as session, session.begin():
        from bot.services.places import require_kecamatan

        row = await require_kecamatan(session, kecamatan)
        return await kecamatan_indicator(session, row.kode, year, instant(app, row.timezone, at))
