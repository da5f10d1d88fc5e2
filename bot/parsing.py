"""Parsing what people type: dates, years, figures. Bad input raises `InputError` with a friendly text."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.errors import InputError

FIRST_YEAR = 2015  # the first tahun anggaran under UU 6/2014 tentang Desa


MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL's int4)
_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str, high: int = MAX_ID) -> int | None:
    """An id in a button or a number in a command: ASCII digits only (`"²".isdigit()` is true, and `int` refuses it),
    at most `high` (a 20-digit id overflows the database's integer); None for anything else."""
    if not _DIGITS.fullmatch(text) or len(text) > len(str(high)) or int(text) > high:
        return None
    return int(text)


DATE_YEARS = (2000, 2100)  # a date typed outside these is a slip, and date arithmetic near year 1 or 9999 overflows


def parse_iso_date(option: str, value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError("error.not_a_date", option=option, value=value) from None


def parse_option_date(option: str, value: str) -> date:
    """A date in a command-line option, in the formats the chat accepts (2024-09-27, 27/09/2024, 27 September 2024),
    with ASCII digits, in a year people mean."""
    shown = value.strip()[:40]
    try:
        if any(c.isdigit() and not c.isascii() for c in value):
            raise InputError("error.not_a_date")
        day = parse_chat_date(value)
    except InputError:
        raise InputError("error.not_a_date_option", option=option, value=shown) from None
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        low, high = DATE_YEARS
        raise InputError("error.year_out_of_range", option=option, value=day.year, low=low, high=high)
    return day


def parse_year(option: str, value: str | int, low: int, high: int) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,6}", text):  # ASCII digits only: int() also reads '٢٠٢٤' and '2_024'
        raise InputError("error.not_a_year", option=option, value=text[:20])
    year = int(text)
    if not low <= year <= high:
        raise InputError("error.year_out_of_range", option=option, value=year, low=low, high=high)
    return year


def parse_figure(option: str, value: str, low: Decimal = Decimal(0), high: Decimal = Decimal(1000)) -> Decimal:
    """A figure typed the Indonesian way ('94,44', '1.234,5') or the machine way ('94.44')."""
    text = value.strip().removesuffix("%").strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        figure = Decimal(text)
    except InvalidOperation:
        raise InputError("error.not_a_number", option=option, value=value) from None
    if not figure.is_finite():
        raise InputError("error.not_a_number", option=option, value=value)
    if not low <= figure <= high or figure != figure.quantize(Decimal("0.01")):
        raise InputError("error.number_out_of_range", option=option, value=value, low=low, high=high)
    return figure.quantize(Decimal("0.01"))


def limit_text(option: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise InputError("error.text_too_long", option=option, limit=limit)
    return value or None


def _month_names() -> dict[str, int]:
    """Month names and abbreviations people type, Indonesian and English ('September', 'Sep', 'Agt', 'Agustus')."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in ("id", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = number
    names.update({"agt": 8, "ags": 8, "agu": 8, "okt": 10, "des": 12, "peb": 2, "nop": 11, "sept": 9})
    return names


MONTHS = _month_names()


def parse_chat_date(text: str) -> date:
    """A date as a secretary types it.

    27/09/2024, 27-09-2024, 27.09.2024, 27 September 2024, 27 Sep 2024, 27 Agustus 2024, 2024-09-27.
    """
    value = " ".join(text.strip().split())
    numeric = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", value)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    named = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", value)
    try:
        if numeric:
            return date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if named and named[2].lower() in MONTHS:
            return date(int(named[3]), MONTHS[named[2].lower()], int(named[1]))
    except ValueError:
        pass
    raise InputError("chat.date_not_understood", value=text.strip()[:40])


TIME_OF_DAY = re.compile(r"(?:pukul|jam|pkl\.?)?\s*(\d{1,2})[.:](\d{2})\s*(?:wib|wita|wit)?$", re.IGNORECASE)


def parse_chat_datetime(text: str, tz: ZoneInfo) -> datetime:
    """A date and a time of day as people type them, in the kecamatan's zone.

    12/12/2024 09.00, 12 Desember 2024 pukul 9.00, 2024-12-12 09:00 WIB.
    """
    value = " ".join(text.replace(",", " ").split())
    found = TIME_OF_DAY.search(value)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise InputError("rapat.time_not_understood", value=text.strip()[:40])
    day = parse_chat_date(value[: found.start()].strip())
    return datetime.combine(day, time(int(found[1]), int(found[2])), tz)
