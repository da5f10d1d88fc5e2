"""`klambi report`: the LKjIP's tables of one kecamatan and performance year as xlsx, csv, Markdown or png."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from bot.app import App
from bot.cli.common import (
    Context,
    check_output,
    command,
    instant,
    pass_context,
    ready,
    year_and_moment,
)
from bot.errors import InputError
from bot.i18n import t

FORMATS = ("xlsx", "csv", "md", "png")


@command("report")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS), help="Jenis berkas.")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Berkas tujuan.")
@click.option("--at", "at_text", metavar="TANGGAL", help="Keadaan pada akhir tanggal ini (bawaan: sekarang).")
@click.option("--part", type=click.Choice(["per-desa", "rincian"]), help="Untuk csv: per-desa (bawaan) atau rincian.")
@click.option("--compare", "compare", metavar="KODE", help="Kecamatan pembanding Tabel 3.7 (bawaan: tolok ukur).")
@click.option("--force", is_flag=True, help="Timpa berkas yang sudah ada.")
@pass_context
def report(
    ctx: Context,
    kecamatan: str,
    year_text: str,
    fmt: str,
    out: Path,
    at_text: str | None,
    part: str | None,
    compare: str | None,
    force: bool,
) -> None:
    """Tabel LKjIP (3.2–3.7) satu kecamatan dan tahun kinerja: xlsx, csv (per-desa/rincian), md atau png."""
    year, at_day = year_and_moment(ctx, year_text, at_text)
    if part is not None and fmt != "csv":
        raise InputError("report.part_only_csv")
    if out.suffix.lower() != f".{fmt}":
        raise InputError("report.suffix", path=out, format=fmt)
    check_output(out, force)
    lang = ctx.language
    render = None
    if fmt == "png":
        try:
            from reports.charts import render_indicator_png
        except ImportError:
            raise InputError("report.png_unavailable") from None
        render = render_indicator_png

    async def work(app: App):
        from bot.services.places import require_kecamatan
        from reports.tables import gather

        await ready(app)
        async with app.sessions() as session, session.begin():
            row = await require_kecamatan(session, kecamatan)
            at: datetime = instant(app, row.timezone, at_day)
            return await gather(session, row.kode, year, at, compare)

    data = ctx.run(work)
    if fmt == "xlsx":
        from reports.workbook import workbook_bytes

        content = workbook_bytes(data, lang)
    elif fmt == "csv":
        from reports.csvfiles import csv_bytes

        content = csv_bytes(data, part or "per-desa")
    elif fmt == "md":
        from reports.markdown import markdown_bytes

        content = markdown_bytes(data, lang)
    else:
        assert render is not None
        content = render(data, lang)

    from bot.services.archive import write_atomically

    def write(path: str) -> None:
        Path(path).write_bytes(content)

    write_atomically(out, write)
    click.echo(t("report.saved", lang, format=fmt, path=out))
