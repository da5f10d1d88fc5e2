"""A kabupaten's kecamatan ranked, and the charts as real PNG images."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from decimal import Decimal

import pytest

from bot.db import make_engine, session_factory
from bot.services.indicator import kecamatan_indicator
from reports.charts import YearFigure, _draw_history, _figure, history_png, indicator_png
from tests.conftest import WIB


def test_kabupaten_ranked_by_realisasi_kelurahan_only_kecamatan_left_out(klambi):
    assert klambi("villages", "import", "--area", "35.08").code == 0
    for i in (1, 2, 3):
        assert klambi("record", "--desa", f"35.08.17.200{i}", "--doc", "RKPDES", "--ta", "2025",
                      "--penetapan", f"2024-09-2{i}").code == 0  # fmt: skip
    assert klambi("record", "--desa", "35.08.07.2001", "--doc", "RKPDES", "--ta", "2025",
                  "--penetapan", "2024-09-20").code == 0  # fmt: skip
    data = klambi("indicator", "--kabupaten", "35.08", "--year", "2024", "--format", "json").json()
    assert data["kabupaten"] == {"kode": "35.08", "nama": "Kabupaten Lumajang"} and data["year"] == 2024
    ranked = data["kecamatan"]
    assert [k["kecamatan"]["kode"] for k in ranked[:3]] == ["35.08.17", "35.08.07", "35.08.01"]  # ties by code
    assert ranked[0]["realisasi"] == 16.67 and ranked[1]["realisasi"] == 2.78
    assert len(ranked) == 21 and all(k["desa_count"] > 0 for k in ranked)
    single = klambi("indicator", "--kecamatan", "35.08.17", "--year", "2024", "--format", "json").json()
    assert ranked[0] == single  # each object as `klambi indicator --kecamatan` prints it
    table = klambi("indicator", "--kabupaten", "35.08", "--year", "2024")
    assert table.code == 0 and "1   Jatiroto (35.08.17)" in table.out
    for args, message in (
        (["--kabupaten", "35.99"], "belum terdaftar"),
        (["--kabupaten", "35.08", "--kecamatan", "35.08.17"], "salah satu"),
    ):
        refused = klambi("indicator", "--year", "2024", *args)
        assert refused.code == 2 and message in refused.err


def test_charts_are_png_images_with_the_figures(klambi, database_url):
    from PIL import Image

    assert klambi("villages", "import", "--area", "35.08.17").code == 0
    klambi("target", "set", "--kecamatan", "35.08.17", "--year", "2024", "--perubahan", "94,44")
    klambi("record", "--desa", "35.08.17.2001", "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-20")

    async def report():
        engine = make_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                return await kecamatan_indicator(session, "35.08.17", 2024, datetime(2025, 1, 15, tzinfo=WIB))
        finally:
            await engine.dispose()

    png = indicator_png(asyncio.run(report()), "id")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] > 600 and image.size[1] > 300
    colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=100_000)}
    assert (0x2E, 0x7D, 0x32) in colours and (0x15, 0x65, 0xC0) in colours  # document bars and the combined bar
    years = [YearFigure(2023, Decimal("94.44"), Decimal("94.12"), Decimal("88.89"), True),
             YearFigure(2024, Decimal("94.44"), Decimal("100.00"), Decimal("105.89"), False)]  # fmt: skip
    assert Image.open(io.BytesIO(history_png("Jatiroto", years, "en"))).format == "PNG"


@pytest.mark.parametrize("low", [Decimal("5.56"), Decimal("0"), Decimal("120")])
def test_the_history_legend_covers_no_point(low):
    """Wherever this year's figures fall (a year just begun, a year over target), the legend leaves them visible."""

    years = [YearFigure(y, Decimal("90"), Decimal("95"), Decimal("105"), True) for y in range(2019, 2024)]
    years.append(YearFigure(2024, Decimal("94.44"), low, low, False))
    figure, (axes,) = _figure()
    _draw_history(axes, "Jatiroto", years, "id")
    figure.canvas.draw()
    legend = axes.get_legend().get_window_extent().padded(6)  # a marker is about 6 px across
    for line in axes.get_lines():
        for x, y in line.get_xydata():
            px, py = axes.transData.transform((x, y))
            assert not legend.contains(px, py), (line.get_label(), x, y)
