"""Bulk import of document versions from a CSV or XLSX file, and the XLSX template to fill in.

Columns (first row, any case): `desa, doc, ta, penetapan` (required), `diterima, nomor, status, alasan` (optional),
`nama_desa` (the template's reading aid, not read). Each row means what `klambi record`'s options mean and goes through
the same `record_document`, so every check and the idempotence are the same.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InputError
from bot.parsing import FIRST_YEAR, limit_text, parse_iso_date, parse_year
from bot.services.archive import write_atomically
from bot.services.places import document_kinds, require_kecamatan
from bot.services.records import NOMOR_LIMIT, REASON_LIMIT, RecordRequest, record_document
from bot.storage import FileStore
from bot.texts import Language, t
from models.documents import performance_year_obligations
from models.status import ReviewStatus
from models.tables import Channel, Desa

REQUIRED = ("desa", "doc", "ta", "penetapan")
OPTIONAL = ("diterima", "nomor", "status", "alasan")
IGNORED = ("nama_desa",)
TEMPLATE_COLUMNS = ("desa", "nama_desa", "doc", "ta", "penetapan", "diterima", "nomor", "status", "alasan")
FACTS = ("penetapan", "diterima", "nomor", "status", "alasan")  # a row with none of these was not filled in
REVIEW_VALUES = {s.value: s for s in ReviewStatus}


@dataclass(frozen=True)
class ImportRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    request: RecordRequest


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ImportRow]
    problems: list[InputError]  # rows that could not be read, each `cli.import.row`
    skipped: int  # rows with a desa and document but no facts (the template's rows nobody filled in)


@dataclass
class Applied:
    created: int = 0
    unchanged: int = 0
    problems: list[InputError] = field(default_factory=list)
    good: list[int] = field(default_factory=list)  # row numbers that were recorded (or already were)
    kecamatan_codes: set[str] = field(default_factory=set)


def row_problem(number: int, error: InputError, language: Language) -> InputError:
    """'baris 7: …' — the error's own text, naming the column instead of `klambi record`'s option."""
    values = dict(error.values)
    if isinstance(values.get("option"), str):
        values["option"] = values["option"].removeprefix("--")
    return InputError("cli.import.row", row=number, problem=t(error.key, language, **values).rstrip("."))


def read_rows(path: Path, language: Language) -> ParsedFile:
    """Read and check every row of a CSV or XLSX file; nothing touches the database here."""
    if not path.is_file():
        raise InputError("error.file_not_found", path=path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, records = _csv_records(path)
    elif suffix == ".xlsx":
        header, records = _xlsx_records(path)
    else:
        raise InputError("cli.import.file_type", path=path)
    columns = _columns(path, header)
    rows: list[ImportRow] = []
    problems: list[InputError] = []
    skipped = 0
    for number, cells in records:
        values = {name: cells[index] if index < len(cells) else None for name, index in columns.items()}
        if all(_text(v) == "" for v in values.values()):
            continue  # an empty line
        if all(_text(values.get(name)) == "" for name in FACTS):
            skipped += 1
            continue
        try:
            rows.append(ImportRow(number, _request(values)))
        except InputError as error:
            problems.append(row_problem(number, error, language))
    return ParsedFile(rows, problems, skipped)


async def apply_rows(
    session: AsyncSession, rows: Iterable[ImportRow], now: datetime, files: FileStore, language: Language
) -> Applied:
    """Record every row in the caller's transaction; a row `record_document` refuses becomes a problem.

    `record_document` checks everything before it writes, so a refused row leaves nothing behind; the caller still
    commits only when there is no problem at all (or replays only the good rows, in a fresh transaction, for
    --partial). No SAVEPOINT per row: on SQLite (pysqlite's implicit transactions, as `bot/db.py` configures it)
    releasing a savepoint that opened the transaction commits it, and "nothing was written" would be false.
    """
    applied = Applied()
    for row in rows:
        try:
            outcome = await record_document(session, row.request, now, files, actor_label="cli")
        except InputError as error:
            applied.problems.append(row_problem(row.number, error, language))
            continue
        applied.good.append(row.number)
        applied.kecamatan_codes.add(outcome.desa_kode.rsplit(".", 1)[0])
        if outcome.created:
            applied.created += 1
        else:
            applied.unchanged += 1
    return applied


# --- reading the file ------------------------------------------------------------------------------------------


def _csv_records(path: Path) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("cli.import.not_utf8", path=path) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)  # Excel writes ';' where the decimal mark is a comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    return header, ((number, row) for number, row in enumerate(reader, 2))


def _xlsx_records(path: Path) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InputError("cli.import.bad_xlsx", path=path) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    header = rows[0] if rows else []
    return header, ((number, row) for number, row in enumerate(rows[1:], 2))


def _columns(path: Path, header: list[Any]) -> dict[str, int]:
    names = [_text(h).lower().replace(" ", "_") for h in header]
    known = (*REQUIRED, *OPTIONAL, *IGNORED)
    duplicate = sorted({n for n in names if n and names.count(n) > 1})
    if duplicate:
        raise InputError("cli.import.header_duplicate", path=path, columns=", ".join(duplicate))
    unknown = [n for n in names if n and n not in known]
    if unknown:
        raise InputError("cli.import.header_unknown", path=path, columns=", ".join(unknown), known=", ".join(known))
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InputError("cli.import.header_missing", path=path, columns=", ".join(missing))
    return {n: i for i, n in enumerate(names) if n in (*REQUIRED, *OPTIONAL)}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _required(values: dict[str, Any], column: str) -> str:
    text = _text(values.get(column))
    if not text:
        raise InputError("cli.import.missing_value", column=column)
    return text


def _date(column: str, value: Any) -> date:
    """A real date cell, or text written 2024-09-27; a bare number (an Excel serial) is refused."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_iso_date(column, _text(value))


def _request(values: dict[str, Any]) -> RecordRequest:
    desa = _required(values, "desa")
    doc = _required(values, "doc")
    ta = parse_year("ta", _required(values, "ta"), FIRST_YEAR, 2100)
    _required(values, "penetapan")
    penetapan = _date("penetapan", values["penetapan"])
    received = _date("diterima", values["diterima"]) if _text(values.get("diterima")) else None
    status = _text(values.get("status")).lower() or ReviewStatus.ACCEPTED.value
    if status not in REVIEW_VALUES:
        raise InputError("cli.import.bad_status", value=_text(values.get("status")))
    review = REVIEW_VALUES[status]
    nomor = limit_text("nomor", _text(values.get("nomor")), NOMOR_LIMIT)
    reason = limit_text("alasan", _text(values.get("alasan")), REASON_LIMIT)
    if review is ReviewStatus.REJECTED and not reason:
        raise InputError("cli.import.reason_required")
    if review is not ReviewStatus.REJECTED and reason:
        raise InputError("cli.import.reason_only_rejected")
    return RecordRequest(
        desa_kode=desa,
        document_code=doc,
        tahun_anggaran=ta,
        tanggal_penetapan=penetapan,
        received_on=received,
        nomor=nomor,
        review=review,
        reason=reason,
        channel=Channel.IMPORT,
    )


# --- the template ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSummary:
    kecamatan_kode: str
    kecamatan_nama: str
    year: int
    desa: int
    documents: int
    rows: int


async def template_rows(
    session: AsyncSession, kecamatan_kode: str, year: int
) -> tuple[TemplateSummary, list[tuple[str, str, str, int]]]:
    """(desa kode, desa nama, document, TA) for every desa × counted document of the performance year."""
    kecamatan = await require_kecamatan(session, kecamatan_kode)
    desa = list(await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan.kode).order_by(Desa.kode)))
    pairs = performance_year_obligations(await document_kinds(session), year)
    rows = [(d.kode, d.nama, kind.code, ta) for kind, ta in pairs for d in desa]
    return TemplateSummary(kecamatan.kode, kecamatan.nama, year, len(desa), len(pairs), len(rows)), rows


def write_template(
    out: Path,
    summary: TemplateSummary,
    rows: list[tuple[str, str, str, int]],
    document_codes: list[str],
    lang: Language,
) -> None:
    """The XLSX to fill in: a header row, the desa prefilled, dates as dates, and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("cli.template.sheet", lang)
    sheet.append(list(TEMPLATE_COLUMNS))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for kode, nama, code, ta in rows:
        sheet.append([kode, nama, code, ta, None, None, None, None, None])
    last = max(len(rows) + 1, 2) + 200  # room for versions added by hand (a rejected one, then the corrected one)
    widths = {"desa": 16, "nama_desa": 24, "doc": 10, "ta": 7, "penetapan": 13, "diterima": 13, "nomor": 22,
              "status": 12, "alasan": 40}  # fmt: skip
    for index, name in enumerate(TEMPLATE_COLUMNS, 1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths[name]
        number_format = {"penetapan": "yyyy-mm-dd", "diterima": "yyyy-mm-dd", "ta": "0"}.get(name, "@")
        for row in range(2, last + 1):
            sheet.cell(row=row, column=index).number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:I{len(rows) + 1}"

    def choice(values: list[str], column: str) -> None:
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)

    choice(document_codes, "C")
    choice(list(REVIEW_VALUES), "H")
    dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2014,1,1)", allow_blank=True)
    dates.add(f"E2:F{last}")
    sheet.add_data_validation(dates)

    help_sheet = workbook.create_sheet(t("cli.template.help_sheet", lang))
    help_sheet.append([t("cli.template.help_title", lang, kecamatan=summary.kecamatan_nama,
                         kode=summary.kecamatan_kode, year=summary.year)])  # fmt: skip
    help_sheet["A1"].font = Font(bold=True, size=13)
    help_sheet.append([t("cli.template.help_intro", lang)])
    help_sheet.append([])
    help_sheet.append([t("cli.template.help_column", lang), t("cli.template.help_meaning", lang),
                       t("cli.template.help_required", lang)])  # fmt: skip
    for cell in help_sheet[4]:
        cell.font, cell.fill = bold, fill
    for name in TEMPLATE_COLUMNS:
        required = t("cli.yes", lang) if name in REQUIRED else t("cli.no", lang)
        help_sheet.append([name, t(f"cli.template.help.{name}", lang), required])
    help_sheet.append([])
    help_sheet.append([t("cli.template.help_twice", lang)])
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 90
    help_sheet.column_dimensions["C"].width = 8
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column == 2, vertical="top")
    write_atomically(out, workbook.save)
