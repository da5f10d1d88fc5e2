"""Recipes for the heavy files (`bot.chat.messages.Recipe`): what was read in the transaction, as plain picklable
data holding exactly what the file shows, for `reports.work` to build after it, off the event loop.

What a file does not show stays out of its recipe, so that it does not make a new file: the moment of the request
becomes the start of its local day (a workbook says "as of <date>"), the chart keeps only its bars.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

from bot.chat.messages import Recipe
from bot.i18n import Language
from bot.services.indicator import KecamatanIndicator

UNDATED = date(2000, 1, 1)  # the day in a chart's recipe: the chart shows none


@dataclass(frozen=True)
class Place:
    """A kecamatan as the files name it (in place of the ORM row, which stays with its session)."""

    kode: str
    nama: str
    kabupaten_kode: str
    timezone: str


def _day(local_date) -> datetime:
    return datetime.combine(local_date, time())


def plain_indicator(report: KecamatanIndicator, *, chart: bool = False) -> KecamatanIndicator:
    """The indicator with its kecamatan as a `Place` and its moment as its day. For the chart (`chart`), only what
    it draws: no desa statuses, names or quarters, and no day (`UNDATED`): another day with the same figures is the
    same picture."""
    k = report.kecamatan
    local = UNDATED if chart else report.local_date
    day = _day(local)
    result = report.result
    if result is not None:
        documents = result.documents
        if chart:
            documents = tuple(replace(d, statuses={}) for d in documents)
        result = replace(result, at=day, documents=documents, triwulan={} if chart else dict(result.triwulan))
    return replace(
        report,
        kecamatan=Place(k.kode, k.nama, k.kabupaten_kode, k.timezone),  # type: ignore[arg-type]
        at=day,
        local_date=local,
        result=result,
        desa_names={} if chart else dict(report.desa_names),
        document_targets={} if chart else dict(report.document_targets),
    )


def indicator_chart(report: KecamatanIndicator, language: Language, waiting: str | None = None) -> Recipe:
    """`/indikator`'s and the dashboard's chart."""
    return Recipe("indicator_png", plain_indicator(report, chart=True), language, waiting)


def _lkjip(data):
    return replace(data, at=_day(data.local_date), indicator=plain_indicator(data.indicator))


def workbook(data, language: Language, waiting: str | None = None) -> Recipe:
    """The recap workbook (`reports.tables.LkjipData`)."""
    return Recipe("workbook", _lkjip(data), language, waiting)


def markdown(data, language: Language) -> Recipe:
    """The LKjIP's tables in Markdown."""
    return Recipe("markdown", _lkjip(data), language)


def evidence_zip(evidence, root: Path, language: Language) -> Recipe:
    """The evidence archive (`bot.services.archive.EvidenceSet`) of the files under the store's `root`."""
    return Recipe("evidence_zip", (replace(evidence, at=_day(evidence.local_date)), str(root)), language)
