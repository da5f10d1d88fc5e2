"""Charts as PNG bytes (matplotlib, imported only when a chart is drawn: the bot starts without it).

`indicator_png`: each document's percentage and the combined realisasi against the target line.
`history_png`: target, realisasi and capaian year after year, like the LKjIP's Gambar 2.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.i18n import Language, doc_label, fmt_number, t
from bot.services.indicator import KecamatanIndicator
from reports.tables import LkjipData

COLOURS = {"bar": "#2e7d32", "combined": "#1565c0", "target": "#c62828", "renstra": "#ef6c00", "capaian": "#6a1b9a"}


@dataclass(frozen=True)
class YearFigure:
    year: int
    target: Decimal | None
    realisasi: Decimal | None
    capaian: Decimal | None
    published: bool  # from an earlier LKjIP, as published


def _figure(panels: int = 1):
    """A figure of its own (no pyplot global state), so charts can be drawn in a worker thread."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(7.5, 4.2 * panels))
    axes = figure.subplots(panels, 1) if panels > 1 else [figure.subplots()]
    for one in axes:
        one.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}".replace(".", ",")))
    return figure, list(axes)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    return buffer.getvalue()


def indicator_png(report: KecamatanIndicator, language: Language) -> bytes:
    """Bars per document and combined, the target as a line; the values written on the bars the Indonesian way."""
    figure, (axes,) = _figure()
    _draw_indicator(axes, report, language)
    return _png(figure)


def history_png(kecamatan_nama: str, years: Sequence[YearFigure], language: Language) -> bytes:
    """Target, realisasi and capaian per year; published years are drawn as published."""
    figure, (axes,) = _figure()
    _draw_history(axes, kecamatan_nama, years, language)
    return _png(figure)


def render_indicator_png(data: LkjipData, language: Language) -> bytes:
    """`klambi report --format png`: the year's indicator, and below it the years before as published (Gambar 2)."""
    report = data.indicator
    years = [YearFigure(h.year, h.target, h.realisasi, h.capaian, True) for h in data.history]
    if report.result is not None and data.has_data:
        result = report.result
        years.append(YearFigure(data.year, result.target.effective, result.realisasi, result.capaian, False))
    elif (h := data.published) is not None:  # nothing recorded for the year: what was published for it
        years.append(YearFigure(h.year, h.target, h.realisasi, h.capaian, True))
    if len(years) < 2:
        return indicator_png(report, language)
    figure, (top, bottom) = _figure(2)
    _draw_indicator(top, report, language)
    _draw_history(bottom, data.kecamatan_nama, years, language)
    figure.tight_layout()
    return _png(figure)


def _draw_indicator(axes, report: KecamatanIndicator, language: Language) -> None:
    result = report.result
    if result is None:
        message = t("indicator.no_desa", language, kecamatan=report.kecamatan.nama, kode=report.kecamatan.kode)
        axes.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
        axes.axis("off")
        return
    labels = [f"{doc_label(d.code)}\nTA {d.tahun_anggaran}" for d in result.documents] + [t("chart.combined", language)]
    values = [float(d.persen) for d in result.documents] + [float(result.realisasi)]
    colours = [COLOURS["bar"]] * len(result.documents) + [COLOURS["combined"]]
    bars = axes.bar(labels, values, color=colours, width=0.6)
    for bar, value in zip(bars, [d.persen for d in result.documents] + [result.realisasi], strict=True):
        axes.annotate(f"{fmt_number(value, language)}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")  # fmt: skip
    target = result.target.effective
    if target is not None:
        axes.axhline(float(target), color=COLOURS["target"], linestyle="--", linewidth=1.5)
        label = t("chart.target", language, value=fmt_number(target, language))
        axes.annotate(label, (-0.45, float(target)), ha="left", va="bottom", color=COLOURS["target"], fontsize=9)
    axes.set_ylim(0, 110)
    axes.set_ylabel("%")
    axes.set_title(t("chart.indicator_title", language, kecamatan=report.kecamatan.nama, year=report.year), fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)


def _draw_history(axes, kecamatan_nama: str, years: Sequence[YearFigure], language: Language) -> None:
    xs = [y.year for y in years]
    for key, attribute, marker in (
        ("target", "target", "s"),
        ("combined", "realisasi", "o"),
        ("capaian", "capaian", "^"),
    ):
        points = [(y.year, float(getattr(y, attribute))) for y in years if getattr(y, attribute) is not None]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker=marker, color=COLOURS[key],
                      label=t(f"chart.series_{attribute}", language))  # fmt: skip
    axes.set_xticks(xs)
    axes.set_ylim(0, 130)
    axes.set_ylabel("%")
    axes.set_title(t("chart.history_title", language, kecamatan=kecamatan_nama), fontsize=11)
    # below the axes, never over a point: inside, "lower right" covered this year's points when they were low
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=9, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
