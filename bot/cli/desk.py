"""The kecamatan's desk on the command line: agreed dates, bulk import and template, the evidence archive."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.cli.common import (
    REPLAN_AT_IMPORT,
    Context,
    check_output,
    command,
    echo_json,
    format_option,
    group,
    note_kelurahan_only,
    pass_context,
    ready,
    replan,
)
from bot.errors import InputError
from bot.i18n import doc_label, fmt_date, fmt_datetime, t
from bot.parsing import FIRST_YEAR, parse_option_date, parse_year
from bot.services.calendar import load_calendar
from bot.services.queries import deadline_table
from bot.views import render_table
from models.tables import Extension

# --- deadlines -------------------------------------------------------------------------------------------------


@group()
def deadlines() -> None:
    """Batas kesepakatan pengumpulan dokumen (di samping batas waktu peraturan)."""


@deadlines.command("set")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--doc", required=True, metavar="DOKUMEN", help="RKPDES, APBDES, LPPDES, ...")
@click.option("--ta", "ta_text", required=True, metavar="TAHUN", help="Tahun anggaran dokumen.")
@click.option(
    "--agreed",
    "agreed_text",
    required=True,
    metavar="TANGGAL",
    help="Batas kesepakatan, mis. 2025-01-31 atau 31/01/2025.",
)
@pass_context
def deadlines_set(ctx: Context, kecamatan: str, doc: str, ta_text: str, agreed_text: str) -> None:
    """Satu batas kesepakatan untuk semua desa kecamatan (kesepakatan bersama).

    Desa yang punya perpanjangan sendiri tetap dengan perpanjangannya; sekdes dan pendamping desa yang berubah diberi
    tahu lewat bot; pengingat dijadwal ulang. Batas waktu peraturan (dan indikator) tidak berubah.
    """
    ta = parse_year("--ta", ta_text, FIRST_YEAR, ctx.today().year + 2)
    agreed = parse_option_date("--agreed", agreed_text)
    lang = ctx.language

    async def work(app: App):
        from bot.services.deadlines import set_agreed_dates

        await ready(app)
        async with app.sessions() as session, session.begin():
            await _check_agreed(session, doc, ta, agreed)
            result = await set_agreed_dates(session, kecamatan, doc, ta, agreed, app.clock.now(), language=lang,
                                            reminders=app.settings.reminders)  # fmt: skip
            return result

    result = ctx.run(work)
    click.echo(t("cli.deadlines.set", lang, doc=result.document_code, ta=result.tahun_anggaran,
                 kecamatan=result.kecamatan_nama, kode=result.kecamatan_kode, date=fmt_date(result.agreed_date, lang),
                 legal=fmt_date(result.legal_deadline, lang)))  # fmt: skip
    if result.changed:
        click.echo(t("cli.deadlines.changed", lang, count=len(result.changed), names=", ".join(result.changed)))
    else:
        click.echo(t("cli.deadlines.none_changed", lang))
    if result.kept_extension:
        names = ", ".join(result.kept_extension)
        click.echo(t("cli.deadlines.kept", lang, count=len(result.kept_extension), names=names))
    click.echo(t("cli.deadlines.notified", lang, count=result.notified))
    if result.agreed_date > result.legal_deadline:
        click.echo(t("cli.deadlines.after_legal", lang, legal=fmt_date(result.legal_deadline, lang)))


async def _check_agreed(session: AsyncSession, doc: str, ta: int, agreed: date) -> None:
    """An agreed date before the year the document is due in (a year before APBDes TA 2025's 31 December 2024, say)
    is a slip of the year or of --ta: refused. A date after the legal deadline is allowed, with a warning."""
    from bot.services.places import require_document

    kind = await require_document(session, doc)
    if not kind.counted:
        return  # set_agreed_dates says so
    legal = kind.rule.legal_deadline(ta, await load_calendar(session))
    if agreed.year < legal.year:
        raise InputError("cli.deadlines.before_year", date=agreed.isoformat(), doc=kind.code, ta=ta,
                         legal=legal.isoformat(), year=legal.year)  # fmt: skip


@deadlines.command("list")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@format_option
@pass_context
def deadlines_list(ctx: Context, kecamatan: str, year_text: str, output: str) -> None:
    """Batas waktu peraturan, batas kesepakatan dan perpanjangan setiap desa dalam satu tahun kinerja."""
    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1)

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await deadline_table(session, kecamatan, year)

    kec, tz, documents, people = ctx.run(work)
    lang = ctx.language
    if output != "json":
        note_kelurahan_only(kec, any(rows for *_, rows in documents), lang)

    def extension_json(e: Extension) -> dict[str, Any]:
        by = {"id": e.granted_by_id, "name": people.get(e.granted_by_id)} if e.granted_by_id else None
        return {
            "previous_agreed_date": e.previous_agreed_date.isoformat(),
            "new_agreed_date": e.new_agreed_date.isoformat(),
            "reason": e.reason,
            "granted_at": e.granted_at.astimezone(tz).isoformat(),
            "granted_by": by,
        }

    if output == "json":
        echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama},
                "year": year,
                "documents": [
                    {
                        "document": code,
                        "tahun_anggaran": ta,
                        "legal_deadline": legal.isoformat(),
                        "desa": [
                            {
                                "desa": {"kode": r.desa_kode, "nama": r.desa_nama},
                                "agreed_date": r.agreed_date.isoformat(),
                                "extensions": [extension_json(e) for e in r.extensions],
                            }
                            for r in rows
                        ],
                    }
                    for code, ta, legal, rows in documents
                ],
            }
        )
        return

    def extension_text(e: Extension) -> str:
        return t("cli.deadlines.extension", lang, previous=fmt_date(e.previous_agreed_date, lang),
                 new=fmt_date(e.new_agreed_date, lang), reason=e.reason,
                 granted=fmt_datetime(e.granted_at.astimezone(tz), lang))  # fmt: skip

    click.echo(t("cli.deadlines.title", lang, kecamatan=kec.nama, kode=kec.kode, year=year))
    click.echo()
    headers = [
        "column.desa",
        "column.document",
        "column.ta",
        "column.deadline",
        "column.agreed",
        "cli.column.extensions",
    ]
    click.echo(
        render_table(
            [t(h, lang) for h in headers],
            [
                [f"{r.desa_nama} ({r.desa_kode[-4:]})", doc_label(code), str(ta), fmt_date(legal, lang),
                 fmt_date(r.agreed_date, lang), "; ".join(extension_text(e) for e in r.extensions) or t("none", lang)]
                for code, ta, legal, rows in documents
                for r in rows
            ],
        )
    )  # fmt: skip


# --- record import and template --------------------------------------------------------------------------------


@command("import")
@click.argument("file", metavar="BERKAS", type=click.Path(path_type=Path))
@click.option("--partial", is_flag=True, help="Simpan baris yang benar; baris yang salah dilaporkan.")
@pass_context
def record_import(ctx: Context, file: Path, partial: bool) -> None:
    """Muat banyak dokumen dari berkas CSV atau XLSX (kolom desa, doc, ta, penetapan, diterima, nomor, status, alasan).

    Setiap baris diperiksa seperti `klambi record`. Bila ada baris yang salah, setiap kesalahannya dilaporkan satu
    per baris dan tidak ada yang disimpan (kecuali dengan --partial). Memuat berkas yang sama dua kali tidak mengubah
    apa pun.
    """
    from bot.services.imports import import_rows, read_rows

    lang = ctx.language
    parsed = read_rows(file, lang)
    if not parsed.rows:
        raise InputError("cli.import.empty", path=file)

    async def work(app: App):
        await ready(app)
        imported = await import_rows(app.sessions, file, parsed, app.clock.now(), partial, lang)
        await replan_after_import(app, imported.kecamatan_codes)
        return imported

    imported = ctx.run(work)
    click.echo(t("cli.import.summary", lang, path=file, created=imported.created, unchanged=imported.unchanged,
                 bad=imported.bad_rows, skipped=parsed.skipped))  # fmt: skip
    if imported.problems:
        click.echo(f"klambi: {t('cli.import.rows_skipped', lang, path=file, count=imported.bad_rows)}", err=True)
        for problem in imported.problems:
            click.echo(f"  {t(problem.key, lang, **problem.values)}", err=True)


async def replan_after_import(app: App, kecamatan_codes: set[str]) -> None:
    """The reminders of a small import's kecamatan, each in its own short transaction after the import's (larger
    imports: the bot's hourly planning)."""
    if len(kecamatan_codes) > REPLAN_AT_IMPORT:
        return
    for kode in sorted(kecamatan_codes):
        async with app.sessions() as session, session.begin():
            await replan(app, session, [kode])


@command("template")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", metavar="TAHUN", help="Tahun kinerja (bawaan: tahun ini).")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Berkas .xlsx.")
@click.option("--force", is_flag=True, help="Timpa berkas yang sudah ada.")
@pass_context
def record_template(ctx: Context, kecamatan: str, year_text: str | None, out: Path, force: bool) -> None:
    """Tulis templat XLSX untuk `klambi record import`: setiap desa × dokumen tahun kinerja, siap diisi."""
    from bot.services.imports import template_rows, write_template

    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1) if year_text else ctx.today().year
    if out.suffix.lower() != ".xlsx":
        raise InputError("cli.template.suffix", path=out)
    check_output(out, force)
    lang = ctx.language

    async def work(app: App):
        from bot.services.places import document_kinds

        await ready(app)
        async with app.sessions() as session, session.begin():
            summary, rows = await template_rows(session, kecamatan, year)
            codes = [k.code for k in await document_kinds(session) if k.counted]  # the ones README describes
            return summary, rows, codes

    summary, rows, codes = ctx.run(work)
    if not summary.desa:
        raise InputError("cli.template.no_desa", kecamatan=summary.kecamatan_nama, kode=summary.kecamatan_kode)
    write_template(out, summary, rows, codes, lang)
    click.echo(t("cli.template.saved", lang, path=out, rows=summary.rows, desa=summary.desa,
                 documents=summary.documents, year=year))  # fmt: skip


# --- files -----------------------------------------------------------------------------------------------------


@group()
def files() -> None:
    """Berkas dokumen yang tersimpan."""


@files.command("export")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Berkas .zip.")
@click.option("--force", is_flag=True, help="Timpa berkas yang sudah ada.")
@pass_context
def files_export(ctx: Context, kecamatan: str, year_text: str, out: Path, force: bool) -> None:
    """Arsip zip dokumen bukti dukung satu tahun kinerja: berkas setiap dokumen yang diterima, dengan index.csv dan
    index.md untuk lampiran LKjIP."""
    from bot.services.archive import accepted_evidence, write_archive

    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1)
    if out.suffix.lower() != ".zip":
        raise InputError("cli.export.suffix", path=out)
    check_output(out, force)
    lang = ctx.language

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            evidence = await accepted_evidence(session, kecamatan, year, app.clock.now())
        return evidence, write_archive(evidence, app.files, out, lang)

    evidence, result = ctx.run(work)
    click.echo(t("cli.export.saved", lang, path=out, documents=len(evidence.accepted), year=year,
                 obligations=evidence.desa * evidence.kinds, files=result.files, paper=result.paper))  # fmt: skip
    if evidence.not_accepted:
        by_document: dict[str, list[str]] = {}
        for n in evidence.not_accepted:
            by_document.setdefault(f"{doc_label(n.document_code)} TA {n.tahun_anggaran}", []).append(n.desa_nama)
        items = "; ".join(f"{doc}: {', '.join(names)}" for doc, names in by_document.items())
        click.echo(t("cli.export.missing", lang, count=len(evidence.not_accepted), items=items))
    shas = {d.file_name(f): f.sha256 for d in evidence.accepted for f in d.files}
    for name in result.missing:
        click.echo(f"klambi: {t('cli.export.file_missing', lang, name=name, sha=shas[name][:12])}", err=True)
    for name in result.damaged:
        click.echo(f"klambi: {t('cli.export.file_damaged', lang, name=name, sha=shas[name][:12])}", err=True)


# --- people ----------------------------------------------------------------------------------------------------
