"""Indonesian working days: Monday to Friday, minus public holidays and cuti bersama.

Holidays come from the `holidays` package (PUBLIC and GOVERNMENT categories: GOVERNMENT is cuti bersama). The
government moves cuti bersama by decree, so an admin can add a day off or give a day back as a working day; those
overrides are passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _official_days_off(year: int, language: str) -> Mapping[date, str]:
    days = holidays.country_holidays(
        "ID", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT), language=language
    )
    return dict(days.items())


@dataclass(frozen=True)
class WorkingCalendar:
    """A calendar of working days.

    `extra_days_off` are days an admin declared off (a new cuti bersama); `extra_working_days` are official
    holidays an admin gave back (a cuti bersama that was moved). An override always wins over the package.
    """

    extra_days_off: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: frozenset[date] = frozenset()
    language: str = "id"

    def days_off(self, year: int) -> dict[date, str]:
        """Every weekday that is not a working day in `year`, with its name."""
        result = {d: n for d, n in _official_days_off(year, self.language).items() if d.weekday() < 5}
        result.update({d: n for d, n in self.extra_days_off.items() if d.year == year})
        for d in self.extra_working_days:
            result.pop(d, None)
        return dict(sorted(result.items()))

    def holiday_name(self, day: date) -> str | None:
        if day in self.extra_working_days:
            return None
        if day in self.extra_days_off:
            return self.extra_days_off[day]
        return _official_days_off(day.year, self.language).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day.weekday() >= 5:
            return False
        return self.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open range (start, end]: 'within N working days' counts from the day after."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    @classmethod
    def with_overrides(
        cls, days_off: Iterable[tuple[date, str]] = (), working_days: Iterable[date] = (), language: str = "id"
    ) -> WorkingCalendar:
        return cls(dict(days_off), frozenset(working_days), language)
