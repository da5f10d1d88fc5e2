"""Bulk import of document versions from a CSV or XLSX file, and the XLSX template to fill in.

Columns (first row, any case): `desa, doc, ta, penetapan` (required), `diterima, nomor, status, alasan` (optional),
`nama_desa` (the template's reading aid, not read). Each row means what `klambi record`'s options mean and is checked
the same way (`version_problems`, `version_key`), so a row refused here is refused there and recording the same facts
twice changes nothing.

The import reads what it needs in a few bulk reads (desa, obligations, existing versions), each in its own short
transaction, and checks every row in memory. It then stages the new rows in temporary tables (on SQLite without
taking the write lock) and writes them in one short transaction that copies them: the bot keeps answering meanwhile.
Whatever changed in between (a version the bot received for the same obligation) makes a unique key refuse the
write; the import then reads and checks again.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Integer, MetaData, String, Table, cast, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.cleaning import clean_text, sheet_cell
from bot.db import lock_free, reading
from bot.errors import InputError, InputErrors
from bot.i18n import Language, t
from bot.parsing import FIRST_YEAR, limit_text, parse_iso_date, parse_year
from bot.services.archive import write_atomically
from bot.services.audit import CLI
from bot.services.calendar import load_calendar
from bot.services.places import desa_code_problem, document_kinds, require_kecamatan
from bot.services.planning import mark
from bot.services.records import NOMOR_LIMIT, REASON_LIMIT, version_key, version_problems
from models.documents import DocumentKind, performance_year_obligations
from models.status import ReviewStatus, start_of_day
from models.tables import AuditEntry, Channel, Desa, Kecamatan, Obligation, Submission, SubmissionFile

REQUIRED = ("desa", "doc", "ta", "penetapan")
OPTIONAL = ("diterima", "nomor", "status", "alasan")
IGNORED = ("nama_desa",)
COLUMNS = (*REQUIRED, *OPTIONAL)
TEXT_COLUMNS = ("desa", "doc", "nomor", "status", "alasan")  # a date here is Excel's guess, never the person's
TEMPLATE_COLUMNS = ("desa", "nama_desa", "doc", "ta", "penetapan", "diterima", "nomor", "status", "alasan")
FACTS = ("penetapan", "diterima", "nomor", "status", "alasan")  # a row with none of these was not filled in
REVIEW_VALUES = {s.value: s for s in ReviewStatus}
CHUNK = 900  # keys per IN (...) of the bulk reads: under every driver's parameter limit
VERSIONS_CHUNK = 200  # obligations whose versions are read in one transaction: a few milliseconds each
ATTEMPTS = 3  # reads and checks again when the data changed between the check and the write


class Unreadable:
    """A cell whose value the file does not hold: reported by row, never guessed."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values


@dataclass
class ImportRow:
    """One row as read; None where the cell was empty or could not be read (then `problems` says why)."""

    number: int  # as the spreadsheet shows it: the header is row 1
    desa: str = ""
    doc: str = ""
    ta: int | None = None
    penetapan: date | None = None
    received_on: date | None = None
    received_unreadable: bool = False
    nomor: str | None = None
    review: ReviewStatus = ReviewStatus.ACCEPTED
    reason: str | None = None
    problems: list[tuple[str, InputError]] = field(default_factory=list)  # (column, what is wrong)

    def problem(self, column: str, error: InputError) -> None:
        self.problems.append((column, error))


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ImportRow]
    skipped: int  # rows with a desa and document but no facts (the template's rows nobody filled in)


@dataclass
class Imported:
    created: int = 0
    unchanged: int = 0
    bad_rows: int = 0
    problems: list[InputError] = field(default_factory=list)  # `cli.import.row`, one per column and row
    kecamatan_codes: set[str] = field(default_factory=set)  # where a version was added: plan their reminders again


def row_problem(number: int, column: str, error: InputError, language: Language) -> InputError:
    """'baris 7, kolom penetapan: …' — the error's own text, without the column it already names."""
    values = dict(error.values)
    if isinstance(values.get("option"), str):
        values["option"] = values["option"].removeprefix("--")
    text = t(error.key, language, **values).rstrip(".")
    text = text.removeprefix(f"{column}: ").removeprefix(f"{column} ")
    return InputError("cli.import.row", row=number, column=column, problem=text)


def read_rows(path: Path, language: Language) -> ParsedFile:
    """Read and check every row of a CSV or XLSX file; nothing touches the database here."""
    if not path.is_file():
        raise InputError("error.file_not_found", path=path)
    suffix = path.suffix.lower()
    merged: dict[tuple[int, int], str] = {}
    if suffix == ".csv":
        header, records = _csv_records(path)
    elif suffix == ".xlsx":
        header, records, merged = _xlsx_records(path)
    else:
        raise InputError("cli.import.file_type", path=path)
    columns = _columns(path, header)
    rows: list[ImportRow] = []
    skipped = 0
    for number, cells in records:
        values = {name: cells[index] if index < len(cells) else None for name, index in columns.items()}
        for name, index in columns.items():
            if (number, index) in merged:
                values[name] = Unreadable("cli.import.merged", cells=merged[number, index])
        if all(_blank(v) for v in values.values()):
            continue  # an empty line
        if all(_blank(values.get(name)) for name in FACTS):
            skipped += 1
            continue
        rows.append(_row(number, values))
    return ParsedFile(rows, skipped)


async def import_rows(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    parsed: ParsedFile,
    now: datetime,
    partial: bool,
    language: Language,
) -> Imported:
    """Check every row against the database, then write the new versions at once (all, or with `partial` the good
    rows). A bad row without `partial` raises `InputErrors` and nothing is written."""
    for _ in range(ATTEMPTS):
        known = await _read_known(sessions, parsed.rows)
        plan = _check(known, parsed.rows, now, language)
        if plan.result.problems and not partial:
            raise InputErrors("cli.import.rows", plan.result.problems, path=path, count=plan.result.bad_rows)
        try:
            await _write(known.engine, known, plan, now)
        except IntegrityError:
            continue  # a version or an obligation appeared meanwhile: read and check again
        return plan.result
    raise InputError("cli.import.changed", path=path)


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


def _xlsx_records(
    path: Path,
) -> tuple[list[Any], Iterator[tuple[int, list[Any]]], dict[tuple[int, int], str]]:
    """The first sheet's rows (cells by column index), and the merged ranges by (row, column index) they cover.

    One streaming pass over the sheet with openpyxl's own parser (pinned in pyproject): its read-only sheets give
    neither the merged ranges nor whether an empty value is a formula Excel never calculated, and both must be
    reported instead of read as empty.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            if cell["data_type"] == "e":
                cell["value"] = Unreadable("cli.import.excel_error", value=cell["value"])
            elif cell["value"] is None and (formula := element.find(FORMULA_TAG)) is not None:
                cell["value"] = Unreadable("cli.import.formula_no_value", formula="=" + (formula.text or ""))
            return cell

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InputError("cli.import.bad_xlsx", path=path) from None
    rows: list[list[Any]] = []
    try:
        sheet = workbook.worksheets[0]
        with sheet._get_source() as source:
            parser = Parser(
                source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats,
            )  # fmt: skip
            for number, cells in parser.parse():
                while len(rows) < number:
                    rows.append([])
                line = rows[number - 1]
                for cell in cells:
                    while len(line) < cell["column"]:
                        line.append(None)
                    line[cell["column"] - 1] = cell["value"]
        merged: dict[tuple[int, int], str] = {}
        for merge in parser.merged_cells.mergeCell if parser.merged_cells else []:
            low_col, low_row, high_col, high_row = range_boundaries(merge.ref)
            for row in range(low_row, high_row + 1):
                for column in range(low_col, high_col + 1):
                    merged[(row, column - 1)] = merge.ref
    except (KeyError, ValueError, TypeError, OSError, SyntaxError, zipfile.BadZipFile):  # XML errors are SyntaxErrors
        raise InputError("cli.import.bad_xlsx", path=path) from None
    finally:
        workbook.close()
    header = rows[0] if rows else []
    return header, ((number, row) for number, row in enumerate(rows[1:], 2)), merged


def _columns(path: Path, header: list[Any]) -> dict[str, int]:
    names = [_text(h).lower().replace(" ", "_") if not isinstance(h, Unreadable) else "?" for h in header]
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
    return {n: i for i, n in enumerate(names) if n in COLUMNS}


def _blank(value: Any) -> bool:
    return not isinstance(value, Unreadable) and _text(value) == ""


def _text(value: Any) -> str:
    """A cell as clean text: control characters (Word's line break in a nomor, a NUL) become spaces."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def _row(number: int, values: dict[str, Any]) -> ImportRow:
    """Every problem of the row, column by column: the first one does not hide the others."""
    row = ImportRow(number)
    text: dict[str, str] = {}
    for column in COLUMNS:
        value = values.get(column)
        if isinstance(value, Unreadable):
            row.problem(column, InputError(value.key, **value.values))
            row.received_unreadable |= column == "diterima"
        elif column in TEXT_COLUMNS and isinstance(value, date | time | timedelta):
            shown = value.date() if isinstance(value, datetime) else value
            row.problem(column, InputError("cli.import.date_in_text", value=shown))
        else:
            text[column] = _text(value)
    for column in REQUIRED:
        if column in text and not text[column]:
            row.problem(column, InputError("cli.import.missing_value", column=column))
    row.desa, row.doc = text.get("desa", ""), text.get("doc", "")
    if text.get("ta"):
        row.ta = _attempt(row, "ta", lambda: parse_year("ta", text["ta"], FIRST_YEAR, 2100))
    if text.get("penetapan"):
        row.penetapan = _attempt(row, "penetapan", lambda: _date("penetapan", values["penetapan"]))
    if text.get("diterima"):
        row.received_on = _attempt(row, "diterima", lambda: _date("diterima", values["diterima"]))
    row.received_unreadable |= bool(text.get("diterima")) and row.received_on is None
    status = text.get("status", "").lower() or ReviewStatus.ACCEPTED.value
    review = REVIEW_VALUES.get(status)
    if review is None and "status" in text:
        row.problem("status", InputError("cli.import.bad_status", value=text["status"]))
    row.review = review or ReviewStatus.ACCEPTED
    if "nomor" in text:
        row.nomor = _attempt(row, "nomor", lambda: limit_text("nomor", text["nomor"], NOMOR_LIMIT))
    if "alasan" in text:
        row.reason = _attempt(row, "alasan", lambda: limit_text("alasan", text["alasan"], REASON_LIMIT))
    if "alasan" in text or "alasan" not in values:  # a reason that could not be read is not judged again
        if review is ReviewStatus.REJECTED and not text.get("alasan"):
            row.problem("alasan", InputError("cli.import.reason_required"))
        if review is not None and review is not ReviewStatus.REJECTED and text.get("alasan"):
            row.problem("alasan", InputError("cli.import.reason_only_rejected"))
    return row


def _attempt(row: ImportRow, column: str, parse: Callable[[], Any]) -> Any:
    try:
        return parse()
    except InputError as error:
        row.problem(column, error)
        return None


def _date(column: str, value: Any) -> date:
    """A real date cell, or text written 2024-09-27; a bare number (an Excel serial) is refused."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_iso_date(column, _text(value))


# --- checking against the database, then writing ---------------------------------------------------------------


@dataclass
class _Obligation:
    id: int | None  # None: created by this import
    last_version: int
    versions: set[tuple] = field(default_factory=set)  # `version_key`s of the versions that have no file


@dataclass
class _Known:
    """What the rows need from the database, read in bulk before anything is written."""

    kinds: dict[str, DocumentKind]
    desa: dict[str, str]  # kode → kecamatan kode
    timezones: dict[str, ZoneInfo]  # kecamatan kode → zone
    obligations: dict[tuple[str, str, int], _Obligation]
    calendar: Any
    engine: AsyncEngine


@dataclass
class _NewVersion:
    key: tuple[str, str, int]
    version: int
    row: ImportRow
    received_at: datetime


@dataclass
class _Plan:
    result: Imported
    versions: list[_NewVersion]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _read_known(sessions: async_sessionmaker[AsyncSession], rows: list[ImportRow]) -> _Known:
    """Bulk reads, each chunk in its own short transaction."""
    async with reading(sessions) as session:
        kinds = {k.code: k for k in await document_kinds(session)}
        calendar = await load_calendar(session)
        engine = session.bind
    codes = sorted({r.desa for r in rows if r.desa})
    desa: dict[str, str] = {}
    for chunk in _chunks(codes):
        async with reading(sessions) as session:
            found = await session.execute(select(Desa.kode, Desa.kecamatan_kode).where(Desa.kode.in_(chunk)))
            desa.update(found.all())
    timezones: dict[str, ZoneInfo] = {}
    for chunk in _chunks(sorted(set(desa.values()))):
        async with reading(sessions) as session:
            found = await session.execute(select(Kecamatan.kode, Kecamatan.timezone).where(Kecamatan.kode.in_(chunk)))
            timezones.update((kode, ZoneInfo(zone)) for kode, zone in found)
    wanted = {(r.desa, r.doc.upper(), r.ta) for r in rows if r.desa in desa and r.ta is not None}
    obligations: dict[tuple[str, str, int], _Obligation] = {}
    by_id: dict[int, _Obligation] = {}
    for chunk in _chunks(sorted({key[0] for key in wanted})):
        async with reading(sessions) as session:
            found = await session.execute(
                select(Obligation.id, Obligation.desa_kode, Obligation.document_code, Obligation.tahun_anggaran).where(
                    Obligation.desa_kode.in_(chunk)
                )
            )
            for id_, kode, code, ta in found:
                if (kode, code, ta) in wanted:
                    obligations[(kode, code, ta)] = by_id[id_] = _Obligation(id_, 0)
    has_files = exists().where(SubmissionFile.submission_id == Submission.id)
    for chunk in _chunks(sorted(by_id), VERSIONS_CHUNK):
        async with reading(sessions) as session:
            query = select(
                Submission.obligation_id, Submission.version, Submission.tanggal_penetapan, Submission.nomor,
                Submission.received_at, Submission.review_status, Submission.review_reason, has_files,
            ).where(Submission.obligation_id.in_(chunk))  # fmt: skip
            found = (await session.execute(query)).all()
        for obligation_id, version, penetapan, nomor, received_at, review, reason, with_files in found:
            known = by_id[obligation_id]
            known.last_version = max(known.last_version, version)
            if not with_files:  # an imported row has no file: a version with files is never the same
                known.versions.add(version_key(penetapan, nomor, received_at, review, reason, ()))
    return _Known(kinds, desa, timezones, obligations, calendar, engine)


def _check(known: _Known, rows: list[ImportRow], now: datetime, language: Language) -> _Plan:
    """Every row checked in memory; the good ones become new versions or are found already recorded."""
    result = Imported()
    versions: list[_NewVersion] = []
    obligations = {key: _Obligation(o.id, o.last_version, set(o.versions)) for key, o in known.obligations.items()}
    for row in rows:
        problems = list(row.problems)
        kind = known.kinds.get(row.doc.upper()) if row.doc else None
        if row.doc and kind is None:
            choices = ", ".join(known.kinds)
            problems.append(("doc", InputError("error.unknown_document", code=row.doc, choices=choices)))
        kecamatan = None
        if row.desa:
            wrong = desa_code_problem(row.desa)
            if wrong is None and row.desa not in known.desa:
                wrong = InputError("error.unknown_desa", kode=row.desa, kecamatan=row.desa.rsplit(".", 1)[0])
            if wrong is not None:
                problems.append(("desa", wrong))
            else:
                kecamatan = known.desa[row.desa]
        if kecamatan is not None and kind is not None:
            tz = known.timezones[kecamatan]
            received = None if row.received_unreadable else row.received_on
            for option, error in version_problems(kind, row.ta, row.penetapan, received, now.astimezone(tz).date()):
                column = option.removeprefix("--")
                if not (row.received_unreadable and column == "diterima"):
                    problems.append((column, error))
        if problems:
            result.bad_rows += 1
            order = {c: i for i, c in enumerate(COLUMNS)}
            for column, error in sorted(problems, key=lambda p: order[p[0]]):
                result.problems.append(row_problem(row.number, column, error, language))
            continue
        assert kind is not None and kecamatan is not None and row.ta is not None and row.penetapan is not None
        received_at = start_of_day(row.received_on or row.penetapan, known.timezones[kecamatan])
        key = (row.desa, kind.code, row.ta)
        obligation = obligations.setdefault(key, _Obligation(None, 0))
        facts = version_key(row.penetapan, row.nomor, received_at, row.review, row.reason, ())
        if facts in obligation.versions:
            result.unchanged += 1
            continue
        obligation.versions.add(facts)
        obligation.last_version += 1
        versions.append(_NewVersion(key, obligation.last_version, row, received_at))
        result.created += 1
        result.kecamatan_codes.add(kecamatan)
    return _Plan(result, versions)


# --- writing: staged beside the database, then copied in one statement per table ------------------------------

STAGING = MetaData()


def _staging(table: Table, without: tuple[str, ...], *extra: Column[Any]) -> Table:
    """A TEMPORARY table of `table`'s columns (the same types: values are converted as they are staged) where `n`
    numbers the rows; the copy makes the ids from it (`_numbers`)."""
    columns = [Column(c.name, c.type) for c in table.c if c.name not in without]
    return Table(f"import_{table.name}", STAGING, Column("n", Integer, primary_key=True), *columns, *extra,
                 prefixes=["TEMPORARY"])  # fmt: skip


STAGED_OBLIGATION = _staging(Obligation.__table__, ("id",))
STAGED_SUBMISSION = _staging(Submission.__table__, ("id",), Column("new_obligation", Integer))  # its staged `n`
STAGED_AUDIT = _staging(AuditEntry.__table__, ("id", "entity_id"))  # `n`: the staged version's


async def _write(engine: AsyncEngine, known: _Known, plan: _Plan, now: datetime) -> None:
    """The new obligations, versions and their audit entries (the same as `record_document` writes). They are staged
    in the connection's temporary tables, converted by their column types, in a transaction that writes nothing else
    (SQLite: it takes no lock, the bot keeps answering); the write transaction then copies each table with one
    `INSERT … SELECT` and does nothing else. A unique key refusing the copy raises `IntegrityError`."""
    if not plan.versions:
        return
    async with engine.connect() as connection:
        try:
            async with lock_free(connection):
                await connection.run_sync(STAGING.create_all)
                await _stage(connection, known, plan, now)
            async with connection.begin():
                await _copy(connection)
                await mark(connection, plan.result.kecamatan_codes)  # planned at once when few (`klambi import`)
        finally:
            async with lock_free(connection):
                await connection.run_sync(STAGING.drop_all)


async def _stage(connection: AsyncConnection, known: _Known, plan: _Plan, now: datetime) -> None:
    existing = {key: o.id for key, o in known.obligations.items() if o.id is not None}
    missing = sorted({v.key for v in plan.versions if v.key not in existing})
    new = dict(zip(missing, await _numbers(connection, Obligation.__table__, len(missing)), strict=True))
    if missing:
        obligations = []
        for (kode, code, ta), n in new.items():
            deadline = known.kinds[code].rule.legal_deadline(ta, known.calendar)
            obligations.append({"n": n, "desa_kode": kode, "document_code": code, "tahun_anggaran": ta,
                                "legal_deadline": deadline, "agreed_date": deadline})  # fmt: skip
        await connection.execute(insert(STAGED_OBLIGATION), obligations)
    numbers = await _numbers(connection, Submission.__table__, len(plan.versions))
    submissions = [
        {"n": n, "obligation_id": existing.get(v.key), "new_obligation": new.get(v.key), "version": v.version,
         "tanggal_penetapan": v.row.penetapan, "nomor": v.row.nomor, "received_at": v.received_at,
         "received_by_id": None, "channel": Channel.IMPORT, "review_status": v.row.review, "reviewed_by_id": None,
         "reviewed_at": v.received_at if v.row.review is not ReviewStatus.MENUNGGU else None,
         "review_reason": v.row.reason, "recorded_at": now}
        for n, v in zip(numbers, plan.versions, strict=True)
    ]  # fmt: skip
    await connection.execute(insert(STAGED_SUBMISSION), submissions)
    audit = [
        {"n": n, "at": now, "actor_id": CLI.person_id, "actor_label": CLI.channel, "action": "submission.record",
         "entity": "submission",
         "details": {"desa": v.key[0], "document": v.key[1], "tahun_anggaran": v.key[2], "version": v.version,
                     "tanggal_penetapan": v.row.penetapan.isoformat(),
                     "received_on": (v.row.received_on or v.row.penetapan).isoformat(),
                     "review_status": v.row.review.value, "channel": Channel.IMPORT.value, "files": []}}
        for n, v in zip(numbers, plan.versions, strict=True)
    ]  # fmt: skip
    await connection.execute(insert(STAGED_AUDIT), audit)


async def _copy(connection: AsyncConnection) -> None:
    """One `INSERT … SELECT` per table, the staged `n` offset by the ids' base (`_id_base`)."""
    obligation, submission, audit = Obligation.__table__, Submission.__table__, AuditEntry.__table__
    obligation_base = await _id_base(connection, obligation)
    submission_base = await _id_base(connection, submission)

    def copy(target: Table, staged: Table, computed: dict[str, Any]) -> Any:
        names = [c.name for c in staged.c if c.name in target.c and c.name not in computed]
        columns = [*computed.values(), *(staged.c[name] for name in names)]
        return insert(target).from_select([*computed, *names], select(*columns).order_by(staged.c.n))

    staged = STAGED_SUBMISSION.c
    await connection.execute(copy(obligation, STAGED_OBLIGATION, {"id": STAGED_OBLIGATION.c.n + obligation_base}))
    await connection.execute(copy(submission, STAGED_SUBMISSION, {
        "id": staged.n + submission_base,
        "obligation_id": func.coalesce(staged.obligation_id, staged.new_obligation + obligation_base),
    }))  # fmt: skip
    await connection.execute(copy(audit, STAGED_AUDIT, {"entity_id": cast(STAGED_AUDIT.c.n + submission_base, String)}))


async def _numbers(connection: AsyncConnection, table: Table, count: int) -> list[int]:
    """The `n` of `count` staged rows of `table`. PostgreSQL: their ids, from the column's sequence (taken before the
    write; a sequence is never rolled back, so they stay ours). SQLite: 1…count, the ids after the largest being ours
    only under the write lock (`_id_base`)."""
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        found = await connection.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count)))
        return list(found)
    return list(range(1, count + 1))


async def _id_base(connection: AsyncConnection, table: Table) -> int:
    """What the write adds to a staged `n` to make the id: SQLite, in the write transaction that holds the database's
    only write lock (`BEGIN IMMEDIATE`), the largest id; PostgreSQL: nothing, `n` is the id."""
    if connection.dialect.name == "postgresql":
        return 0
    return await connection.scalar(select(func.max(table.c.id))) or 0


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
    for row, values in enumerate(rows, 2):  # a desa named like a formula stays its name
        for column, value in enumerate(values, 1):
            sheet_cell(sheet, row, column, value)
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
