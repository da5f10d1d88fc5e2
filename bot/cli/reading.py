"""`klambi read FILE...`: what the bot reads in a village document (docs/domain.md "Reading a document").

Needs no configuration and no database: it reads the files in a child process with limits (`read_isolated`), prints
what it found, and exits 0 even when every field is empty; 2 with one line for a file that cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import ERROR_LANGUAGE, command, echo_json
from bot.i18n import Language, fmt_date, t
from bot.i18n.core import doc_label
from bot.reading import FIELDS, Reading, Unreadable, read_isolated


@command("read")
@click.argument(
    "files", nargs=-1, required=True, metavar="BERKAS...", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Teks untuk dibaca orang, atau JSON (setiap kunci selalu ada).")  # fmt: skip
def read(files: tuple[Path, ...], output: str) -> None:
    """Baca nomor, tanggal penetapan, jenis dokumen, tahun anggaran dan nama desa dari berkas (PDF, DOCX, JPEG, PNG).
    Beberapa berkas = halaman-halaman satu dokumen, berurutan. Status keluar 2 bila berkas tidak bisa dibaca."""
    language = ERROR_LANGUAGE[0]  # the configuration's language when there is one; reading needs nothing else of it
    try:
        reading = read_isolated(list(files))
    except Unreadable as problem:
        click.echo(f"klambi: {_say(problem, language)}", err=True)
        raise click.exceptions.Exit(2) from None
    if output == "json":
        echo_json(reading.as_json())
        return
    for line in lines(reading, language):
        click.echo(line)


def _say(problem: Unreadable, language: Language) -> str:
    """The reason in one line; a reason this version has no text for is said as a damaged file."""
    values: dict[str, object] = {"name": "", "seconds": "", "limit": "", "pages": "", **problem.params}
    try:
        return t(problem.key, language, **values)
    except (KeyError, IndexError, ValueError):
        return t("reading.damaged", language, **values)


def lines(reading: Reading, language: Language) -> list[str]:
    """What was read, one field a line with its confidence and evidence; "tidak terbaca" for a field not found."""
    out = []
    for name in FIELDS:
        label = t(f"reading.field.{name}", language)
        value = getattr(reading, name)
        if value is None:
            out.append(t("reading.unread", language, label=label))
            continue
        if name == "document":
            value = doc_label(value)
        elif name == "tanggal_penetapan":
            value = fmt_date(value, language)
        percent = round(100 * float(reading.confidence.get(name, 0.0)))
        out.append(t("reading.line", language, label=label, value=value, percent=percent,
                     evidence=reading.evidence.get(name, "")))  # fmt: skip
    source = t(f"reading.source.{reading.source}", language)
    out.append(t("reading.summary", language, source=source, pages=reading.pages))
    if reading.source in ("ocr", "mixed"):
        from bot.reading import ocr

        if not ocr.available():
            out.append(t("reading.no_ocr", language))
    return out
