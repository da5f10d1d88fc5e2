"""Text from people is data, never code: cleaned where it enters, written as text wherever it goes out.

Where text enters (chat, CLI options, imported files) `clean_text` removes C0 control characters: Word's manual line
break (`\\x0b`) in a nomor, a NUL that PostgreSQL refuses, escape sequences. A newline and a tab are kept only in texts
that may have them (an announcement, a notulen, a kendala, a question and its answers); elsewhere every control
character becomes a space. The chat cleans every string of an update once, before any handler reads it
(`clean_update`); the text router then makes a one-line answer (a nomor, a reason, a title) one line.

Where text goes out, every writer goes through one helper per format: `sheet_cell` (a workbook: text is always a
string cell, never a formula, and characters a workbook cannot hold are dropped), `csv_row` (a leading apostrophe
before what a spreadsheet would run as a formula, as OWASP advises) and `markdown_cell` (a table cell a pipe or a line
break cannot leave).
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# What makes Excel or LibreOffice read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Strings of an update that are one line by nature; every other string (a text, a caption) may have lines.
ONE_LINE_KEYS = frozenset({"first_name", "last_name", "username", "file_name", "title"})


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The text without control characters; with `multiline`, newlines (any style, as `\\n`) and tabs are kept."""
    if multiline:
        return _CONTROL_BUT_LINES.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub(" ", value)


def clean_update(data: Any, key: str | None = None) -> Any:
    """An update's JSON with every string cleaned: names and file names to one line, texts and captions keeping
    their lines."""
    if isinstance(data, str):
        return clean_text(data, multiline=key not in ONE_LINE_KEYS)
    if isinstance(data, dict):
        return {k: clean_update(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [clean_update(v, key) for v in data]
    return data


def csv_field(value: object) -> object:
    """A value for a CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: list[object]) -> list[object]:
    """A CSV row whose every text is safe to open in a spreadsheet (`csv_field`)."""
    return [csv_field(value) for value in values]


def sheet_cell(sheet: Any, row: int, column: int, value: object = None) -> Any:
    """Write `value` into a worksheet cell and return the cell. Text is always a string cell, kept as typed: openpyxl
    would store `=HYPERLINK(...)` as a live formula and `#N/A` as an error. Characters a workbook cannot hold (a
    `\\x0b` already stored in a nomor) become spaces instead of failing the whole workbook; a carriage return is
    the line break it means (XML would read it back as one anyway)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row, column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def markdown_cell(text: str) -> str:
    """Text for one cell of a Markdown table: a pipe is escaped, and a line break or another control character
    becomes a space, so no text can end the row or the table."""
    return _CONTROL.sub(" ", text.replace("\\", "\\\\").replace("|", "\\|"))
