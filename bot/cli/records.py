"""`klambi record` (one document) and `klambi obligations`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot.app import App
from bot.cli.common import (
    TEXT,
    Context,
    command,
    echo_json,
    format_option,
    group,
    instant,
    iso,
    note_kelurahan_only,
    pass_context,
    ready,
    year_and_moment,
)
from bot.errors import InputError
from bot.i18n import doc_label, fmt_date, status_label, t
from bot.parsing import FIRST_YEAR, limit_text, parse_option_date, parse_year
from bot.services.indicator import obligation_rows
from bot.services.queries import kecamatan_without_desa
from bot.services.records import NOMOR_LIMIT, REASON_LIMIT, RecordRequest, record_document
from bot.views import render_table
from models.status import ReviewStatus

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


@group("record", invoke_without_command=True)
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
        await ready(app)
        async with app.sessions() as session, session.begin():
            outcome = await record_document(session, request, app.clock.now(), app.files,
                                            reminders=app.settings.reminders)  # fmt: skip
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


@command("obligations")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("--at", "at_text", metavar="TANGGAL", help="Keadaan pada akhir tanggal ini (bawaan: sekarang).")
@format_option
@pass_context
def obligations(ctx: Context, kecamatan: str, year_text: str, at_text: str | None, output: str) -> None:
    """Setiap kewajiban dokumen desa dalam satu tahun kinerja, dengan statusnya."""
    year, at = year_and_moment(ctx, year_text, at_text)

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.places import require_kecamatan

            row = await require_kecamatan(session, kecamatan)
            found = await obligation_rows(session, row.kode, year, instant(app, row.timezone, at))
            return *found, not await kecamatan_without_desa(session, [row.kode])

    kec, local_date, rows, has_desa = ctx.run(work)
    if output == "json":
        echo_json(
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
                        "tanggal_penetapan": iso(r.tanggal_penetapan),
                        "diterima": iso(r.received_on),
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
