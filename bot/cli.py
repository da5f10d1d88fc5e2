"""The `klambi` command line: loading villages, recording documents, targets, and the indicator."""

from __future__ import annotations

import asyncio
import functools
import gettext
import importlib
import io
import json
import logging
import os
import re
import shutil
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from bot.app import App
from bot.cleaning import clean_text
from bot.clock import Clock, ManualClock, SystemClock, today
from bot.config import ConfigError, Settings, load_settings
from bot.db import upgrade
from bot.errors import InputError, InputErrors
from bot.i18n import CATALOG, Language, doc_label, fmt_date, fmt_datetime, fmt_percent, status_label, t
from bot.parsing import DATE_YEARS, FIRST_YEAR, limit_text, parse_figure, parse_option_date, parse_year
from bot.services.calendar import DayOff, add_day_off, days_off, load_calendar, remove_day_off
from bot.services.indicator import KecamatanIndicator, kecamatan_indicator, obligation_rows
from bot.services.places import ImportSummary, import_area, import_csv
from bot.services.records import NOMOR_LIMIT, REASON_LIMIT, RecordRequest, record_document
from bot.services.targets import set_target
from bot.views import indicator_text, render_table
from models.status import ReviewStatus, end_of_day
from models.tables import Desa, Kecamatan, Role

T = TypeVar("T")
PROGRESS_THRESHOLD = 500  # desa: smaller areas load without a progress bar
REPLAN_AT_IMPORT = 50  # kecamatan: reminders of a small import are planned at once
log = logging.getLogger("klambi")
_ERROR_LANGUAGE: list[Language] = ["id"]  # set once the configuration is read; errors before that are in Indonesian


@dataclass
class Context:
    config_path: Path | None
    clock: Clock
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            _ERROR_LANGUAGE[0] = self._settings.bot.language
            speak_click(self._settings.bot.language)
        return self._settings

    @property
    def language(self) -> Language:
        return self.settings.bot.language

    def today(self) -> date:
        return today(self.clock, ZoneInfo(self.settings.bot.timezone))

    def run(self, work: Callable[[App], Awaitable[T]], settings: Settings | None = None) -> T:
        async def main() -> T:
            app = App.create(settings or self.settings, self.clock)
            try:
                return await work(app)
            finally:
                await app.close()

        return asyncio.run(main())


pass_context = click.make_pass_decorator(Context)
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui", "types",
                 "utils", "_termui_impl")  # fmt: skip


@functools.cache
def _click_catalog() -> gettext.GNUTranslations:
    """click's messages in Indonesian: bot/i18n/click-id.po, compiled in memory with Babel."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with resources.files("bot.i18n").joinpath("click-id.po").open("rb") as source:
        catalog = read_po(source, locale="id")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def speak_click(language: Language) -> None:
    """click's own words (usage, help headings, its errors) in the deployment's language. click looks `_` and
    `ngettext` up in each of its modules when it speaks, so those names are pointed at the catalog."""
    words: gettext.NullTranslations = _click_catalog() if language == "id" else gettext.NullTranslations()
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = words.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = words.ngettext  # type: ignore[attr-defined]


class _Text(click.ParamType):
    """A free text option (a nomor, a reason, a name): one line, without control characters (`bot.cleaning`)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return clean_text(value) if isinstance(value, str) else value


TEXT = _Text()


def _moment(value: str | None) -> Clock:
    if value is None:
        return SystemClock()
    try:
        if not value.isascii():
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("error.bad_now", value=value[:40]) from None
    if not DATE_YEARS[0] <= moment.year <= DATE_YEARS[1]:
        raise InputError("error.year_out_of_range", option="--now", value=moment.year, low=DATE_YEARS[0],
                         high=DATE_YEARS[1])  # fmt: skip
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    return ManualClock(moment)


METAVARS = {"text": "TEKS", "path": "BERKAS", "file": "BERKAS", "directory": "FOLDER", "integer": "ANGKA"}


class _Words:
    """Usage lines in the words of the help around them: [OPSI], PERINTAH, TEKS, BERKAS (click's metavars are
    English names of types, outside its message catalog)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPSI]")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for param in self.params:  # type: ignore[attr-defined]
            if param.metavar is None and isinstance(param, click.Option) and param.type.name in METAVARS:
                param.metavar = METAVARS[param.type.name]


class KlambiCommand(_Words, click.Command):
    pass


class KlambiGroup(_Words, click.Group):
    command_class = KlambiCommand
    group_class = type  # subgroups are KlambiGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        optional = kwargs.get("invoke_without_command")
        kwargs.setdefault("subcommand_metavar", "[PERINTAH] [ARG]..." if optional else "PERINTAH [ARG]...")
        super().__init__(*args, **kwargs)


@click.group(cls=KlambiGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Berkas konfigurasi TOML.")
@click.option("--now", "now", metavar="WAKTU", help="Anggap sekarang WAKTU (ISO 8601), untuk demo dan uji.")
@click.version_option(package_name="ngobras-klambi", help="Tampilkan versi lalu keluar.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, now: str | None) -> None:
    """Ngobras Klambi: dokumen desa tepat waktu dan indikator akuntabilitas pemerintahan desa."""
    ctx.obj = Context(config_path, _moment(now))


# --- db --------------------------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Basis data."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Buat atau perbarui skema basis data (aman dijalankan berulang)."""

    async def work(app: App) -> str:
        await upgrade(app.engine)
        from bot.db import current_revision

        return await current_revision(app.engine) or "-"

    click.echo(t("db.upgraded", ctx.language, revision=ctx.run(work)))


async def _ready(app: App) -> None:
    """Every command brings the schema up to date first: a fresh folder just works."""
    await upgrade(app.engine)


# --- villages --------------------------------------------------------------------------------------------------


@cli.group()
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
        await _ready(app)
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
                await _replan(app, session, summary.kecamatan_codes)  # larger areas: the bot's hourly planning
            return summary, await _without_desa(session, summary.kecamatan_codes)

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


async def _without_desa(session, kecamatan_codes: list[str]) -> list[str]:
    """'Nama (kode)' of those kecamatan that hold no desa (only kelurahan): their tables will be empty."""
    from models.tables import Kecamatan

    found: list[str] = []
    for chunk in range(0, len(kecamatan_codes), 500):
        codes = kecamatan_codes[chunk : chunk + 500]
        with_desa = select(Desa.kode).where(Desa.kecamatan_kode == Kecamatan.kode).exists()
        rows = await session.execute(
            select(Kecamatan.nama, Kecamatan.kode).where(Kecamatan.kode.in_(codes), ~with_desa).order_by(Kecamatan.kode)
        )
        found += [f"{nama} ({kode})" for nama, kode in rows]
    return found


def note_kelurahan_only(kecamatan, has_desa: bool, language: Language) -> None:
    """Said above an empty table: the kecamatan holds only kelurahan, which make no village documents."""
    if not has_desa:
        click.echo(t("cli.kelurahan_only", language, kecamatan=kecamatan.nama, kode=kecamatan.kode))


def _obligation_years(ctx: Context) -> list[int]:
    """Obligations exist from the deployment's first year to the next one."""
    current = ctx.today().year
    first = min(ctx.settings.bot.first_year or current, current)
    return list(range(first, current + 2))


def _desa_count(area: str) -> int:
    from bot.wilayah import Level, areas_under, reference_areas

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


@cli.group()
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
        await _ready(app)
        async with app.sessions() as session, session.begin():
            row = await set_target(session, kecamatan, year, app.clock.now(), indicator=indicator, **figures)
            place = await session.get(Kecamatan, row.kecamatan_kode)
            return (
                f"{place.nama} ({place.kode})" if place else row.kecamatan_kode,
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

REVIEW_CHOICES = {s.value: s for s in ReviewStatus}


def _unless_subcommand(*required: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A group that is also a command: without a subcommand its `required` options must be given (click's own
    "Missing option"); with one (`klambi record import`) it does nothing, and its own options are refused."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def run(ctx: Context, **options: Any) -> None:
            current = click.get_current_context()
            if current.invoked_subcommand is not None:
                typed = click.core.ParameterSource.COMMANDLINE
                params = current.command.params
                given = [p.opts[0] for p in params if current.get_parameter_source(p.name or "") is typed]
                if given:
                    sub = current.invoked_subcommand
                    raise InputError("cli.record.options_with_subcommand", options=", ".join(given), command=sub)
                return
            for param in current.command.params:
                if param.name in required and options.get(param.name) is None:
                    raise click.MissingParameter(ctx=current, param=param)
            command(ctx, **options)

        return run

    return decorate


@cli.group("record", invoke_without_command=True)
@click.option("--desa", metavar="KODE", help="Kode desa, mis. 35.08.17.2001.")
@click.option("--doc", metavar="DOKUMEN", help="RKPDES, APBDES, LPPDES, ...")
@click.option("--ta", "ta_text", metavar="TAHUN", help="Tahun anggaran dokumen.")
@click.option("--penetapan", metavar="TANGGAL", help="Tanggal penetapan, mis. 2024-09-27 atau 27/09/2024.")
@click.option(
    "--diterima",
    metavar="TANGGAL",
    help="Tanggal diterima kecamatan; wajib bila ketepatan waktu dinilai dari tanggal ini (LPPDES), "
    "selain itu bawaan --penetapan.",
)
@click.option("--nomor", type=TEXT, metavar="TEKS", help="Nomor Perdes / dokumen.")
@click.option("--file", "file", type=click.Path(path_type=Path), help="Pindaian: PDF, JPEG/PNG atau DOCX.")
@click.option(
    "--status", "review", type=click.Choice(list(REVIEW_CHOICES), case_sensitive=False), default="diterima",
    show_default=True,
    help="Keputusan kecamatan atas versi ini.",
)  # fmt: skip
@click.option("--alasan", type=TEXT, metavar="TEKS", help="Alasan penolakan (wajib bila --status ditolak).")
@pass_context
@_unless_subcommand("desa", "doc", "ta_text", "penetapan")
def record(
    ctx: Context,
    desa: str,
    doc: str,
    ta_text: str,
    penetapan: str,
    diterima: str | None,
    nomor: str | None,
    file: Path | None,
    review: str,
    alasan: str | None,
) -> None:
    """Catat dokumen sebuah desa (salinan kertas, tahun-tahun lalu); `import` dan `template` untuk banyak sekaligus.

    --desa, --doc, --ta dan --penetapan wajib bila tanpa subperintah. Mencatat hal yang sama dua kali tidak mengubah
    apa pun.
    """
    request = RecordRequest(
        desa_kode=desa,
        document_code=doc,
        tahun_anggaran=parse_year("--ta", ta_text, FIRST_YEAR, 2100),
        tanggal_penetapan=parse_option_date("--penetapan", penetapan),
        received_on=parse_option_date("--diterima", diterima) if diterima else None,
        nomor=limit_text("--nomor", nomor, NOMOR_LIMIT),
        file=file,
        review=REVIEW_CHOICES[review],
        reason=limit_text("--alasan", alasan, REASON_LIMIT),
    )

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            outcome = await record_document(session, request, app.clock.now(), app.files)
            await _replan(app, session, [outcome.desa_kode.rsplit(".", 1)[0]])
            return outcome

    outcome = ctx.run(work)
    lang = ctx.language
    if not outcome.created:
        click.echo(t("record.unchanged", lang, version=outcome.version))
        return
    click.echo(
        t(
            "record.saved",
            lang,
            document=outcome.document_code,
            ta=outcome.tahun_anggaran,
            desa=f"{outcome.desa_nama} ({outcome.desa_kode})",
            version=outcome.version,
            review=t(f"review.{outcome.review.value}", lang),
            penetapan=fmt_date(outcome.tanggal_penetapan, lang),
            diterima=fmt_date(outcome.received_on, lang),
        )
    )


# --- obligations and the indicator -----------------------------------------------------------------------------


def _year_and_moment(ctx: Context, year_text: str, at_text: str | None) -> tuple[int, date | None]:
    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1)
    return year, parse_option_date("--at", at_text) if at_text else None


def _instant(app: App, kecamatan_tz: str, at: date | None) -> datetime:
    """A date means the end of that day in the kecamatan's time; no date means now."""
    return end_of_day(at, ZoneInfo(kecamatan_tz)) if at else app.clock.now()


format_option = click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@cli.command("obligations")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("--at", "at_text", metavar="TANGGAL", help="Keadaan pada akhir tanggal ini (bawaan: sekarang).")
@format_option
@pass_context
def obligations(ctx: Context, kecamatan: str, year_text: str, at_text: str | None, output: str) -> None:
    """Setiap kewajiban dokumen desa dalam satu tahun kinerja, dengan statusnya."""
    year, at = _year_and_moment(ctx, year_text, at_text)

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.places import require_kecamatan

            row = await require_kecamatan(session, kecamatan)
            found = await obligation_rows(session, row.kode, year, _instant(app, row.timezone, at))
            return *found, not await _without_desa(session, [row.kode])

    kec, local_date, rows, has_desa = ctx.run(work)
    if output == "json":
        _echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama},
                "year": year,
                "at": local_date.isoformat(),
                "obligations": [
                    {
                        "desa": {"kode": r.desa_kode, "nama": r.desa_nama},
                        "document": r.document_code,
                        "tahun_anggaran": r.tahun_anggaran,
                        "legal_deadline": r.legal_deadline.isoformat(),
                        "agreed_date": r.agreed_date.isoformat(),
                        "status": r.status.value,
                        "versions": r.versions,
                        "tanggal_penetapan": _iso(r.tanggal_penetapan),
                        "diterima": _iso(r.received_on),
                    }
                    for r in rows
                ],
            }
        )
        return
    lang = ctx.language
    click.echo(
        t("obligations.title", lang, kecamatan=kec.nama, kode=kec.kode, year=year, at=fmt_date(local_date, lang))
    )
    click.echo()
    note_kelurahan_only(kec, has_desa, lang)
    headers = ["column.desa", "column.document", "column.ta", "column.deadline", "column.status", "column.penetapan",
               "column.received", "column.versions"]  # fmt: skip
    click.echo(
        render_table(
            [t(h, lang) for h in headers],
            [
                [
                    f"{r.desa_nama} ({r.desa_kode[-4:]})",
                    doc_label(r.document_code),
                    str(r.tahun_anggaran),
                    fmt_date(r.legal_deadline, lang),
                    status_label(r.status, lang),
                    fmt_date(r.tanggal_penetapan, lang),
                    fmt_date(r.received_on, lang),
                    str(r.versions),
                ]
                for r in rows
            ],
        )
    )


@cli.command("indicator")
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
    year, at = _year_and_moment(ctx, year_text, at_text)
    if (kecamatan is None) == (kabupaten is None):
        raise InputError("error.kecamatan_or_kabupaten")
    if kabupaten is not None:
        _kabupaten_ranking(ctx, kabupaten, year, at, output)
        return
    assert kecamatan is not None
    report = ctx.run(lambda app: _indicator(app, kecamatan, year, at))
    if output == "json":
        _echo_json(indicator_json(report))
    else:
        click.echo(indicator_text(report, ctx.language))


def _kabupaten_ranking(ctx: Context, kabupaten: str, year: int, at: date | None, output: str) -> None:
    from bot.services.indicator import kabupaten_ranking

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            return await kabupaten_ranking(session, kabupaten, year, at, app.clock.now())

    kab, reports = ctx.run(work)
    if output == "json":
        _echo_json(
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
    await _ready(app)
    async with app.sessions() as session, session.begin():
        from bot.services.places import require_kecamatan

        row = await require_kecamatan(session, kecamatan)
        return await kecamatan_indicator(session, row.kode, year, _instant(app, row.timezone, at))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def indicator_json(report: KecamatanIndicator) -> dict[str, Any]:
    kec = report.kecamatan
    result = report.result
    data: dict[str, Any] = {
        "kecamatan": {"kode": kec.kode, "nama": kec.nama},
        "year": report.year,
        "at": report.local_date.isoformat(),
        "desa_count": result.desa_count if result else 0,
        "documents": {},
    }
    if result is None:
        data.update(realisasi=None, target=None, target_awal=None, capaian=None, predikat=None, triwulan={})
        return data
    from models.indicator import capaian as capaian_of
    from models.numbers import round_half_up

    for doc in result.documents:
        entry: dict[str, Any] = {"tahun_anggaran": doc.tahun_anggaran, "legal_deadline": doc.legal_deadline.isoformat()}
        entry.update({s.value: n for s, n in doc.counts.items()})
        entry["persen"] = _number(doc.persen)
        doc_target = report.document_targets.get(doc.code)
        if doc_target is not None and doc_target.effective is not None:
            entry["target"] = _number(doc_target.effective)
            exact = Fraction(doc.tepat_waktu * 100, result.desa_count)
            entry["capaian"] = _number(round_half_up(capaian_of(exact, doc_target.effective)))
        data["documents"][doc.code] = entry
    data.update(
        realisasi=_number(result.realisasi),
        target=_number(result.target.effective),
        target_awal=_number(result.target.awal),
        target_renstra=_number(result.target.renstra),
        capaian=_number(result.capaian),
        predikat=result.predikat,
        triwulan={k: _number(v) for k, v in result.triwulan.items()},
    )
    return data


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --- reminders -------------------------------------------------------------------------------------------------


@cli.group()
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
        await _ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.places import ensure_obligations, require_kecamatan
            from models.status import start_of_day
            from scheduler.planner import kecamatan_slots

            row = await require_kecamatan(session, kecamatan)
            calendar = await load_calendar(session)
            names = {d.kode: d.nama for d in await session.scalars(select(Desa).where(Desa.kecamatan_kode == row.kode))}
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
        _echo_json(
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


@cli.command("forum")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option(
    "--chat", "chat_text", required=True, metavar="CHAT_ID", help="Id grup Telegram (mis. -1001234567890), atau 'none'."
)
@pass_context
def forum(ctx: Context, kecamatan: str, chat_text: str) -> None:
    """Atur grup forum kecamatan (rekap mingguan setiap Senin)."""
    chat_id = None
    if chat_text.strip().lower() != "none":
        if not re.fullmatch(r"-[0-9]{5,15}", chat_text.strip()):  # Telegram's ids fit in 52 bits
            raise InputError("error.bad_chat_id", value=chat_text)
        chat_id = int(chat_text)

    async def work(app: App) -> str:
        await _ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.audit import audit
            from bot.services.places import require_kecamatan

            row = await require_kecamatan(session, kecamatan)
            row.forum_chat_id = chat_id
            audit(
                session,
                app.clock.now(),
                "kecamatan.forum",
                "kecamatan",
                row.kode,
                {"chat_id": chat_id},
                actor_label="cli",
            )
            await _replan(app, session, [row.kode])
            return row.nama

    name = ctx.run(work)
    click.echo(t("forum.saved" if chat_id else "forum.cleared", ctx.language, kecamatan=name, chat=chat_id))


async def _replan(app: App, session, kecamatan_codes: list[str] | None) -> None:
    """Planning follows every change made from the command line too (None: every kecamatan)."""
    if not app.settings.reminders.enabled:
        return
    from scheduler.planner import plan_everywhere, plan_kecamatan

    if kecamatan_codes is None:
        await plan_everywhere(session, app.clock.now(), app.settings.reminders)
    for kode in kecamatan_codes or []:
        await plan_kecamatan(session, kode, app.clock.now(), app.settings.reminders)


# --- history ---------------------------------------------------------------------------------------------------


@cli.group()
def history() -> None:
    """Angka kinerja yang sudah diterbitkan sebelum bot (LKjIP tahun-tahun lalu)."""


@history.command("import")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path))
@pass_context
def history_import(ctx: Context, path: Path) -> None:
    """Muat angka terbitan lama: kolom kecamatan, year, indicator, target, realisasi, capaian (apa adanya)."""
    from bot.services.history import import_history

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            return await import_history(session, path, app.clock.now(), ctx.today().year)

    result = ctx.run(work)
    click.echo(
        t("history.imported", ctx.language, path=path.name, added=result.added, updated=result.updated,
          unchanged=result.unchanged)
    )  # fmt: skip


@history.command("list")
@click.option("--kecamatan", required=True, metavar="KODE")
@format_option
@pass_context
def history_list(ctx: Context, kecamatan: str, output: str) -> None:
    """Angka terbitan lama satu kecamatan; capaian yang tidak sesuai realisasi ÷ target ditandai *."""
    from bot.services.history import history_for
    from bot.services.places import require_kecamatan

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            row = await require_kecamatan(session, kecamatan)
            return row, await history_for(session, row.kode)

    kec, rows = ctx.run(work)
    if output == "json":
        _echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama},
                "history": [
                    {"year": r.year, "indicator": r.indicator, "target": _number(r.target),
                     "realisasi": _number(r.realisasi), "capaian": _number(r.capaian),
                     "capaian_computed": _number(r.capaian_computed), "capaian_differs": r.differs}
                    for r in rows
                ],
            }
        )  # fmt: skip
        return
    lang = ctx.language
    click.echo(
        render_table(
            [t("column.year", lang), "Target", "Realisasi", t("column.capaian", lang)],
            [[str(r.year), fmt_percent(r.target, lang), fmt_percent(r.realisasi, lang),
              fmt_percent(r.capaian, lang) + (" *" if r.differs else "")] for r in rows],
        )
    )  # fmt: skip
    differing = [r for r in rows if r.differs]
    if differing:
        computed = "; ".join(f"{r.year}: {fmt_percent(r.capaian_computed, lang)}" for r in differing)
        click.echo(t("history.legend", lang, computed=computed))


# --- the bot ---------------------------------------------------------------------------------------------------


@cli.command("run")
@pass_context
def run(ctx: Context) -> None:
    """Jalankan bot Telegram (long polling, atau webhook di belakang reverse proxy) dengan token dari konfigurasi."""
    token = ctx.settings.telegram.token
    if token is None:
        raise InputError("error.no_token")
    webhook = ctx.settings.telegram.mode == "webhook"
    if webhook and ctx.settings.telegram.webhook_secret is None:
        raise InputError("error.webhook_secret")
    from bot.channels.telegram.application import run_polling, run_webhook

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request log line would carry the token

    async def prepare(app: App) -> None:
        await _ready(app)

    ctx.run(prepare)
    app = App.create(ctx.settings, ctx.clock)
    try:
        (run_webhook if webhook else run_polling)(app, token.get_secret_value())
    finally:
        asyncio.run(app.close())


ROLE_CHOICES = [r.value for r in Role]


@cli.command("invite")
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@click.option("--desa", metavar="KODE", help="Untuk sekdes dan pendamping.")
@click.option("--kecamatan", metavar="KODE", help="Untuk staf dan camat (atau admin satu kecamatan).")
@click.option("--kabupaten", metavar="KODE", help="Untuk admin satu kabupaten.")
@click.option("--expires", default="7d", show_default=True, help="Masa berlaku: 7d, 12h, 30m (paling lama 90d).")
@pass_context
def invite(
    ctx: Context, role: str, desa: str | None, kecamatan: str | None, kabupaten: str | None, expires: str
) -> None:
    """Buat tautan undangan sekali pakai untuk satu peran di satu tempat."""
    from bot.services.people import create_invitation, parse_expiry

    given = [p for p in (desa, kecamatan, kabupaten) if p]
    if len(given) > 1:
        raise InputError("error.one_place")
    duration = parse_expiry(expires)
    place = given[0].strip() if given else None

    async def work(app: App):
        await _ready(app)
        username = await _bot_username(app)  # before anything is written: no link, no invitation
        async with app.sessions() as session, session.begin():
            created = await create_invitation(session, Role(role), place, app.clock.now(), duration)
            return created, username, await _place_timezone(session, place) or app.settings.bot.timezone

    created, username, zone = ctx.run(work)
    lang = ctx.language
    from bot.channels.telegram.adapter import invite_link
    from bot.services.submissions import zone_label

    click.echo(
        t(
            "invite.created",
            lang,
            role=t(f"role.{created.role.value}", lang),
            scope=created.scope_name,
            expires=f"{fmt_datetime(created.expires_at.astimezone(ZoneInfo(zone)), lang)} {zone_label(zone)}",
            link=invite_link(username, created.code),
            code=created.code,
        )
    )


async def _bot_username(app: App) -> str:
    """The bot's username: from the configuration, else asked from the Bot API with the token."""
    telegram = app.settings.telegram
    if telegram.username:
        return telegram.username
    if telegram.token is None:
        raise InputError("error.no_username")
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    try:
        async with Bot(telegram.token.get_secret_value(), base_url=telegram.base_url) as bot:
            return bot.username
    except InvalidToken:
        raise InputError("error.username_token_refused") from None
    except TelegramError as exc:
        log.debug("getMe failed", exc_info=True)
        raise InputError("error.username_unreachable", reason=type(exc).__name__) from None


async def _place_timezone(session, place: str | None) -> str | None:
    """The time zone of the place an invitation is for (a Bali desa's is WITA); None above a kabupaten."""
    from models.tables import Kecamatan

    if place is None:
        return None
    parts = place.split(".")
    if len(parts) >= 3:
        return await session.scalar(select(Kecamatan.timezone).where(Kecamatan.kode == ".".join(parts[:3])))
    return await session.scalar(select(Kecamatan.timezone).where(Kecamatan.kabupaten_kode == place).limit(1))


# --- holidays --------------------------------------------------------------------------------------------------


@cli.group()
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
        await _ready(app)
        async with app.sessions() as session, session.begin():
            return await days_off(session, year, ctx.language)

    rows = ctx.run(work)
    lang = ctx.language
    if output == "json":
        _echo_json([{"date": r.day.isoformat(), "name": r.name, "added_by_admin": r.added_by_admin} for r in rows])
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
        await _ready(app)
        async with app.sessions() as session, session.begin():
            added = await add_day_off(session, day, name, app.clock.now())
            await _replan(app, session, None)
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
        await _ready(app)
        async with app.sessions() as session, session.begin():
            removed = await remove_day_off(session, day, app.clock.now())
            await _replan(app, session, None)
            return removed

    name = ctx.run(work)
    click.echo(t("holidays.removed", ctx.language, day=fmt_date(day, ctx.language), name=name))


# --- demo ----------------------------------------------------------------------------------------------------


@cli.command("demo")
@pass_context
def demo(ctx: Context) -> None:
    """Demo tanpa token: satu musim Kecamatan Jatiroto lewat bot sungguhan dan Bot API tiruan di komputer ini.

    Menulis klambi-demo.db dan demo-data/ (dibuat ulang setiap kali), tidak menyentuh klambi.db.
    """
    from bot.sandbox.demo import DEMO_DATABASE, run_demo

    report = asyncio.run(run_demo(ctx.settings, click.echo))
    click.echo()
    click.echo(indicator_text(report, ctx.language))
    click.echo()
    program, on_path = _program()
    key = "demo.try" if on_path else "demo.try_path"
    activate = str(Path(program).parent / "activate")
    click.echo(t(key, ctx.language, url=f"sqlite:///{DEMO_DATABASE}", klambi=program, activate=activate))


def _program() -> tuple[str, bool]:
    """How to call this klambi from here, and whether the shell finds it as `klambi`: the README's install leaves it
    in .venv/bin, which is not on PATH until the venv is activated."""
    here = Path(sys.executable).parent / "klambi"  # the console script sits next to the venv's python
    found = shutil.which("klambi")
    if not here.is_file() or (found is not None and Path(found).resolve() == here.resolve()):
        return "klambi", found is not None
    relative = os.path.relpath(here)
    return (str(here) if relative.startswith("..") else relative), False


# --- entry point -----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input prints one line and exits with 2, having written nothing."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    language = _configured_language(argv if argv is not None else sys.argv[1:])
    _ERROR_LANGUAGE[0] = language
    speak_click(language)  # click parses (and may answer --help) before any command reads the configuration
    try:
        cli.main(args=argv, prog_name="klambi", standalone_mode=False)
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        _say(t("error.aborted", language))
        return 1
    except click.UsageError as exc:
        words = " ".join(exc.format_message().split())  # click lays choices out on lines; values come quoted
        _say(f"{t('error.prefix', language)}: {words}")
        return 2
    except ConfigError as exc:
        _say(str(exc))
        return 2
    except InputErrors as exc:
        language = _language_or_default()
        _say(t(exc.key, language, **exc.values))
        for problem in exc.problems:  # one a line: a file's errors are read one by one, not as a paragraph
            _say(_render(problem, language), prefix="  ")
        return 2
    except InputError as exc:
        _say(_render(exc, _language_or_default()))
        return 2
    except (OperationalError, ProgrammingError, DBAPIError) as exc:
        log.debug("database error", exc_info=True)
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        _say(t("error.database", _language_or_default(), reason=reason))
        return 1


def _configured_language(argv: list[str]) -> Language:
    """[bot] language, read before click parses; Indonesian when the configuration cannot be read (the command
    will say why)."""
    config: Path | None = None
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            config = Path(argv[index + 1])
        elif arg.startswith("--config="):
            config = Path(arg.removeprefix("--config="))
        elif not arg.startswith("-"):
            break  # a command: its options are its own
    try:
        return load_settings(config).bot.language
    except ConfigError:
        return "id"


def _say(message: str, prefix: str = "klambi: ") -> None:
    """An error on one line: what a person typed is echoed with its line breaks and control characters escaped."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message)
    click.echo(f"{prefix}{text}", err=True)


def _render(problem: InputError, language: Language) -> str:
    """An error's text; an error inside it (a row's reason) is put in words too."""
    values = {k: _render(v, language) if isinstance(v, InputError) else v for k, v in problem.values.items()}
    return t(problem.key, language, **values)


def _language_or_default() -> Language:
    return _ERROR_LANGUAGE[0]


from bot import cli_desk, cli_ops, cli_reports  # noqa: E402, F401  (the desk's, operator's, reports' commands join)
