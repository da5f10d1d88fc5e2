"""The kecamatan page (matrix, indicator, chart, downloads), the kabupaten and national rankings.

Every figure comes from the functions the CLI and the chat use: the indicator as `klambi indicator --format json`
prints it (`indicator_json` on `kecamatan_indicator`), the matrix as `/status` shows it
(`obligation_rows`), both read from one `year_facts` (`kecamatan_season`); the rankings from `ranking`, as
`klambi indicator --kabupaten` and `/indikator`'s comparison. Nothing is counted here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import func, select

from bot.i18n import Language, doc_label, fmt_percent, status_label
from bot.services.indicator import (
    KecamatanIndicator,
    RankedKecamatan,
    indicator_json,
    json_number,
    kecamatan_indicator,
    kecamatan_season,
    ranking,
)
from bot.web.dashboard.common import PageContext, PageError, Routes, year_and_moment
from bot.wilayah import Level, level_of, timezone_of_province
from models.indicator import predikat
from models.status import ObligationStatus
from models.tables import AuditEntry, Kabupaten, Kecamatan, Provinsi

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTS = (  # the names behind, as `/indikator` groups them, and what waits for verification
    (ObligationStatus.TERLAMBAT, "terlambat", "Terlambat"),
    (ObligationStatus.DITOLAK, "ditolak", "Ditolak"),
    (ObligationStatus.TIDAK_ADA, "belum-ada", "Belum ada"),
    (ObligationStatus.MENUNGGU_VERIFIKASI, "menunggu", "Menunggu verifikasi"),
)
NATIONAL_EDGE = 10  # the national page lists this many kecamatan from the top and from the bottom


def mount(routes: Routes) -> None:
    """Register `/dasbor/kecamatan/{code}`, `/dasbor/kabupaten/{code}`, `/dasbor/nasional` and their downloads."""
    routes.page("/dasbor/kecamatan/{code}", kecamatan_page, name="dasbor_kecamatan")
    routes.page("/dasbor/kecamatan/{code}/grafik.png", chart, name="dasbor_grafik")
    routes.page("/dasbor/kecamatan/{code}/rekap.xlsx", recap_workbook, name="dasbor_rekap")
    routes.page("/dasbor/kecamatan/{code}/tabel.md", markdown_tables, name="dasbor_tabel")
    routes.page("/dasbor/kecamatan/{code}/bukti.zip", evidence_zip, name="dasbor_bukti")
    routes.page("/dasbor/kabupaten/{code}", kabupaten_page, name="dasbor_kabupaten")
    routes.page("/dasbor/nasional", national_page, name="dasbor_nasional")


# --- who may see what --------------------------------------------------------------------------------------------


async def _place(ctx: PageContext, code: str, level: Level, model: type[Kecamatan] | type[Kabupaten]) -> Any:
    """The kecamatan or kabupaten of the address, if this viewer may see it. Outside the viewer's scope, or a code
    that is malformed or unknown, is the one 403; only a viewer who sees everything learns that a code is unknown."""
    if not ctx.viewer.sees(code):
        ctx.refuse()
    row = await ctx.session.get(model, code) if level_of(code) is level else None
    if row is None:
        if ctx.viewer.sees_everything:
            ctx.not_found()
        ctx.refuse()
    return row


def _query(year: int, request: web.Request, local: date) -> str:
    """The `?tahun=…[&per=…]` the links of a page carry: the same year, and the same moment when one was asked."""
    values = {"tahun": str(year)}
    if request.query.get("per", "").strip():
        values["per"] = local.isoformat()
    return urlencode(values)


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


# --- figures as the CLI's JSON prints them ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure: `json` as `klambi indicator --format json` prints it (for `data-value`), `text` as people read
    it (94,44%)."""

    json: str
    text: str


def _figure(value: float | None, lang: Language) -> Figure:
    return Figure(json.dumps(value), fmt_percent(_decimal(value), lang))


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def _indicator_view(report: KecamatanIndicator, lang: Language) -> dict[str, Any] | None:
    """The LKjIP's rows (each document, then the IKU) and the quarters, from `indicator_json`: the numbers of the
    page are the CLI's numbers."""
    if report.result is None:
        return None
    data = indicator_json(report)
    documents = []
    for doc in report.result.documents:
        entry = data["documents"][doc.code]
        capaian = entry.get("capaian")
        documents.append(
            {
                "code": doc.code,
                "label": f"{doc_label(doc.code)} TA {doc.tahun_anggaran}",
                "tepat": entry["tepat_waktu"],
                "persen": _figure(entry["persen"], lang),
                "target": _figure(entry["target"], lang) if "target" in entry else None,
                "capaian": _figure(capaian, lang) if capaian is not None else None,
                "predikat": predikat(_decimal(capaian)) if capaian is not None else None,  # type: ignore[arg-type]
            }
        )
    target_awal = data["target_awal"] if report.result.target.perubahan is not None else None
    return {
        "desa_count": data["desa_count"],
        "documents": documents,
        "tepat": sum(d["tepat"] for d in documents),
        "realisasi": _figure(data["realisasi"], lang),
        "target": _figure(data["target"], lang) if data["target"] is not None else None,
        "target_awal": _figure(target_awal, lang) if target_awal is not None else None,
        "capaian": _figure(data["capaian"], lang),
        "predikat": data["predikat"],
        "triwulan": [(label, _figure(value, lang)) for label, value in data["triwulan"].items()],
    }


# --- the kecamatan page ------------------------------------------------------------------------------------------


async def kecamatan_page(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    code = request.match_info["code"]
    kecamatan: Kecamatan = await _place(ctx, code, Level.KECAMATAN, Kecamatan)
    year, at, local = year_and_moment(request, ctx, kecamatan.timezone)
    lang = ctx.app.settings.bot.language
    season = await kecamatan_season(ctx.session, kecamatan.kode, year, at)
    report = season.indicator

    columns = []
    for kind, ta in season.kinds:
        cells = [r for r in season.rows if r.document_code == kind.code and r.tahun_anggaran == ta]
        legal = next((r.legal_deadline for r in cells), None)
        agreed = Counter(r.agreed_date for r in cells).most_common(1)
        columns.append({"code": kind.code, "ta": ta, "label": f"{doc_label(kind.code)} TA {ta}", "legal": legal,
                        "agreed": agreed[0][0] if agreed else None})  # fmt: skip
    matrix: list[dict[str, Any]] = []
    by_desa: dict[str, dict[str, Any]] = {}
    for row in season.rows:
        line = by_desa.get(row.desa_kode)
        if line is None:
            line = by_desa[row.desa_kode] = {"kode": row.desa_kode, "nama": row.desa_nama, "cells": []}
            matrix.append(line)
        column = columns[len(line["cells"])]
        line["cells"].append(
            {"row": row, "label": status_label(row.status, lang),
             "own_agreed": row.agreed_date if row.agreed_date != column["agreed"] else None}
        )  # fmt: skip

    lists = []
    for status, anchor, title in LISTS:
        names = [(r.desa_kode, r.desa_nama, f"{doc_label(r.document_code)} TA {r.tahun_anggaran}")
                 for r in season.rows if r.status is status]  # fmt: skip
        lists.append({"id": anchor, "title": title, "status": status.value, "names": names})

    query = _query(year, request, local)
    base = f"/dasbor/kecamatan/{kecamatan.kode}"
    kabupaten = await ctx.session.get(Kabupaten, kecamatan.kabupaten_kode)
    return ctx.render(
        "kecamatan.html",
        kecamatan=kecamatan,
        kabupaten=kabupaten if kabupaten and ctx.viewer.sees(kabupaten.kode) else None,
        year=year,
        local=local,
        indicator=_indicator_view(report, lang),
        columns=columns,
        matrix=matrix,
        lists=lists,
        query=query,
        desa_query=urlencode({"tahun": str(year)}),
        chart=f"{base}/grafik.png?{query}",
        downloads=[
            (f"{base}/rekap.xlsx?{query}", "Rekap (xlsx)", "rekap", "Tabel LKjIP, setiap desa dan setiap versi"),
            (f"{base}/tabel.md?{query}", "Tabel (Markdown)", "tabel", "Tabel LKjIP untuk disalin ke dokumen"),
            (f"{base}/bukti.zip?{query}", "Bukti dukung (zip)", "bukti", "Berkas setiap dokumen yang diterima"),
        ],
    )


# --- the chart and the downloads ---------------------------------------------------------------------------------


async def _built(ctx: PageContext, recipe) -> bytes:
    """The file's bytes from the report pool (`reports.pool`): kept ones at once; one of each kind at a time per
    viewer, a second request meanwhile is a kind 429."""
    from reports.pool import Busy

    try:
        return await ctx.app.builds.build_for(("dasbor", ctx.viewer.session_id, recipe.builder), recipe)
    except Busy:
        raise PageError(429, "dasbor.building") from None


async def chart(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """The indicator's chart (the same picture `/indikator` sends), drawn in the report pool, kept while its figures
    hold."""
    from reports.recipes import indicator_chart

    kecamatan: Kecamatan = await _place(ctx, request.match_info["code"], Level.KECAMATAN, Kecamatan)
    year, at, _ = year_and_moment(request, ctx, kecamatan.timezone)
    lang = ctx.app.settings.bot.language
    report = await kecamatan_indicator(ctx.session, kecamatan.kode, year, at)
    png = await _built(ctx, indicator_chart(report, lang))
    return web.Response(body=png, content_type="image/png")


async def recap_workbook(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """The recap workbook: the same xlsx as `/rekap` and `klambi report --format xlsx`."""
    from reports.recipes import workbook
    from reports.tables import gather

    kecamatan: Kecamatan = await _place(ctx, request.match_info["code"], Level.KECAMATAN, Kecamatan)
    year, at, _ = year_and_moment(request, ctx, kecamatan.timezone)
    lang = ctx.app.settings.bot.language
    data = await gather(ctx.session, kecamatan.kode, year, at)
    content = await _built(ctx, workbook(data, lang))
    return ctx.attachment(content, f"rekap-{_slug(kecamatan.nama)}-{year}.xlsx", XLSX)


async def markdown_tables(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """The LKjIP's tables in Markdown: the same file as `klambi report --format md`."""
    from reports.recipes import markdown
    from reports.tables import gather

    kecamatan: Kecamatan = await _place(ctx, request.match_info["code"], Level.KECAMATAN, Kecamatan)
    year, at, _ = year_and_moment(request, ctx, kecamatan.timezone)
    lang = ctx.app.settings.bot.language
    data = await gather(ctx.session, kecamatan.kode, year, at)
    content = await _built(ctx, markdown(data, lang))
    response = ctx.attachment(content, f"tabel-{_slug(kecamatan.nama)}-{year}.md", "text/markdown")
    response.charset = "utf-8"
    return response


async def evidence_zip(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """The evidence archive: the same zip as `klambi files export` (each accepted document's files, index.csv and
    index.md), as of the page's moment; written in the report pool (the stored files are read there)."""
    from bot.services.archive import accepted_evidence
    from reports.recipes import evidence_zip as recipe

    kecamatan: Kecamatan = await _place(ctx, request.match_info["code"], Level.KECAMATAN, Kecamatan)
    year, at, _ = year_and_moment(request, ctx, kecamatan.timezone)
    lang = ctx.app.settings.bot.language
    evidence = await accepted_evidence(ctx.session, kecamatan.kode, year, at)
    content = await _built(ctx, recipe(evidence, ctx.app.files.root, lang))
    return ctx.attachment(content, f"bukti-{_slug(kecamatan.nama)}-{year}.zip", "application/zip")


# --- the rankings --------------------------------------------------------------------------------------------------


def _ranked_view(ranked: list[RankedKecamatan], lang: Language) -> list[dict[str, Any]]:
    """Each kecamatan's figures, `json` as `klambi indicator --kabupaten --format json` prints them."""
    return [_ranked_row(position, r, lang) for position, r in enumerate(ranked, 1)]


def _ranked_row(position: int, r: RankedKecamatan, lang: Language) -> dict[str, Any]:
    return {
        "rank": position,
        "kecamatan": r.kecamatan,
        "desa": r.desa_count,
        "realisasi": _figure(json_number(r.realisasi), lang),
        "target": _figure(json_number(r.target.effective), lang),
        "capaian": _figure(json_number(r.capaian), lang),
        "predikat": r.predikat,
    }


async def kabupaten_page(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """Every kecamatan of the kabupaten with desa, ranked: the figures of `klambi indicator --kabupaten`."""
    kabupaten: Kabupaten = await _place(ctx, request.match_info["code"], Level.KABUPATEN, Kabupaten)
    year, _, local = year_and_moment(request, ctx, timezone_of_province(kabupaten.provinsi_kode))
    at_day = local if request.query.get("per", "").strip() else None
    lang = ctx.app.settings.bot.language
    ranked = await ranking(ctx.session, year, at_day, ctx.now, kabupaten.kode)
    provinsi = await ctx.session.get(Provinsi, kabupaten.provinsi_kode)
    return ctx.render(
        "kabupaten.html",
        kabupaten=kabupaten,
        provinsi=provinsi,
        year=year,
        local=local,
        asked_per=at_day is not None,
        rows=_ranked_view(ranked, lang),
        query=_query(year, request, local),
        national=ctx.viewer.sees_everything,
    )


async def _national_ranking(ctx: PageContext, year: int, at_day: date | None, local: date) -> list[RankedKecamatan]:
    """`ranking` of the whole deployment (seconds at national size), kept while nothing changed: every change writes
    the audit log, so its last id and the day say whether the figures can differ (docs/DECISIONS.md, issue 18)."""
    stamp = await ctx.session.scalar(select(func.max(AuditEntry.id)))
    key = ("national-ranking", year, at_day, local, stamp)
    cache = ctx.dashboard.cache
    if key in cache:
        cache.move_to_end(key)
        return cache[key]  # type: ignore[no-any-return]
    ranked = await ranking(ctx.session, year, at_day, ctx.now)
    return ctx.dashboard.cached(key, lambda: ranked)  # type: ignore[no-any-return]


async def national_page(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """The deployment: every kabupaten (by province and code) with its kecamatan's spread, and the kecamatan at the top
    and the bottom of the country. One `ranking` call; the full list of a kabupaten is on its own page."""
    if not ctx.viewer.sees_everything:
        ctx.refuse()
    year, _, local = year_and_moment(request, ctx, ctx.app.settings.bot.timezone)
    at_day = local if request.query.get("per", "").strip() else None
    lang = ctx.app.settings.bot.language
    ranked = await _national_ranking(ctx, year, at_day, local)
    kabupaten: dict[str, str] = dict((await ctx.session.execute(select(Kabupaten.kode, Kabupaten.nama))).all())
    provinsi: dict[str, str] = dict((await ctx.session.execute(select(Provinsi.kode, Provinsi.nama))).all())
    # only the rows shown are formatted (formatting every kecamatan of the country costs more than counting them)
    groups: dict[str, list[tuple[int, RankedKecamatan]]] = {}
    for position, r in enumerate(ranked, 1):  # best first: each kabupaten's first is its highest, its last its lowest
        groups.setdefault(r.kecamatan.kabupaten_kode, []).append((position, r))
    summary = []
    for kode in sorted(groups):
        members = groups[kode]
        (best_rank, best), (worst_rank, worst) = members[0], members[-1]
        summary.append(
            {"kode": kode, "nama": kabupaten.get(kode, kode), "provinsi": provinsi.get(kode[:2], kode[:2]),
             "kecamatan": len(members), "desa": sum(r.desa_count for _, r in members),
             "best": {"rank": best_rank, "nama": best.kecamatan.nama,
                      "realisasi": _figure(json_number(best.realisasi), lang)},
             "worst": {"rank": worst_rank, "nama": worst.kecamatan.nama,
                       "realisasi": _figure(json_number(worst.realisasi), lang)}}
        )  # fmt: skip
    edge = min(NATIONAL_EDGE, len(ranked))
    top = [_ranked_row(position, r, lang) for position, r in enumerate(ranked[:edge], 1)]
    first_bottom = max(edge, len(ranked) - NATIONAL_EDGE)  # never a kecamatan twice
    bottom = [_ranked_row(position, r, lang) for position, r in enumerate(ranked[first_bottom:], first_bottom + 1)]
    return ctx.render(
        "nasional.html",
        year=year,
        local=local,
        asked_per=at_day is not None,
        total=len(ranked),
        desa=sum(r.desa_count for r in ranked),
        summary=summary,
        top=top,
        bottom=bottom,
        query=_query(year, request, local),
    )
