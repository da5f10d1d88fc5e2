"""Text from people is data, never code: cleaned where it enters, written as text wherever it goes out.

Where text enters (chat, CLI options, imported files) `clean_text` removes C0 control characters: Word's manual line
break (`\\x0b`) in a nomor, a NUL that PostgreSQL refuses, escape sequences. A newline and a tab are kept only in texts
that may have them (an announcement, a notulen); elsewhere every control character becomes a space.

Where text goes out, `csv_field` neutralises a value that a spreadsheet would read as a formula (OWASP's advice: a
leading apostrophe). Workbooks write such text as a string cell instead (see `reports/workbook.py`).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# What makes Excel or LibreOffice read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The text without control characters; with `multiline`, newlines (any style, as `\\n`) and tabs are kept."""
    if multiline:
        return _CONTROL_BUT_LINES.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub(" ", value)


def csv_field(value: object) -> object:
    """A value for a CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
