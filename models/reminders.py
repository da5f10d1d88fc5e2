"""When reminders go out: offsets from the agreed collection date, moved onto working days.

H-30 … H (on or before the agreed date) move back to the previous working day; H+1 … (after it) move forward to the
next working day; reminders of one obligation that land on the same day become one, named after the offset nearest
the agreed date (the most urgent). Pure: the caller passes the calendar and the local send time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.calendar import WorkingCalendar

DEFAULT_OFFSETS = (-30, -14, -7, -3, -1, 0, 1, 3, 7)
DIGEST_HORIZON_DAYS = 7  # staf hear of what is due within a week, and of everything overdue


def kind_of(offset: int) -> str:
    """'H-3', 'H', 'H+1'."""
    return "H" if offset == 0 else f"H{offset:+d}"


@dataclass(frozen=True)
class ReminderDay:
    day: date
    kind: str  # the offset nearest the agreed date among those that landed here
    offset: int
    after_date: bool  # sent only while the document is still missing


def reminder_days(agreed_date: date, offsets: Sequence[int], calendar: WorkingCalendar) -> list[ReminderDay]:
    chosen: dict[date, int] = {}
    for offset in sorted(set(offsets)):
        day = agreed_date + timedelta(days=offset)
        day = calendar.previous_working_day(day) if offset <= 0 else calendar.next_working_day(day)
        if day not in chosen or abs(offset) < abs(chosen[day]):
            chosen[day] = offset
    return [ReminderDay(d, kind_of(o), o, o > 0) for d, o in sorted(chosen.items())]


def send_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tz)


def working_days(start: date, end: date, calendar: WorkingCalendar) -> Iterable[date]:
    """Every working day in [start, end]."""
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            yield day
        day += timedelta(days=1)


def first_working_day_after(day: date, calendar: WorkingCalendar) -> date:
    return calendar.next_working_day(day + timedelta(days=1))


def weekly_recap_day(monday: date, calendar: WorkingCalendar) -> date:
    """The week's recap goes out on Monday, or the first working day after it when Monday is a holiday."""
    return calendar.next_working_day(monday)


def days_left(agreed_date: date, today: date) -> int:
    """Calendar days from the day the reminder is sent to the agreed date (negative: overdue)."""
    return (agreed_date - today).days
