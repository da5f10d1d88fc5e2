"""The working-day calendar with the admin's overrides from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InputError
from bot.services.audit import CLI, Actor, audit
from models.calendar import WorkingCalendar
from models.tables import CalendarOverride

NAME_LIMIT = 120


@dataclass(frozen=True)
class DayOff:
    day: date
    name: str
    added_by_admin: bool


async def load_calendar(session: AsyncSession, language: str = "id") -> WorkingCalendar:
    rows = (await session.scalars(select(CalendarOverride))).all()
    return WorkingCalendar.with_overrides(
        days_off=[(r.day, r.name) for r in rows if not r.is_working],
        working_days=[r.day for r in rows if r.is_working],
        language=language,
    )


async def days_off(session: AsyncSession, year: int, language: str = "id") -> list[DayOff]:
    """Every weekday of `year` that is not a working day: public holidays, cuti bersama, and the admin's days."""
    calendar = await load_calendar(session, language)
    return [DayOff(d, name, d in calendar.extra_days_off) for d, name in calendar.days_off(year).items()]


async def add_day_off(session: AsyncSession, day: date, name: str, now: datetime, *, actor: Actor = CLI) -> str | None:
    """Declare `day` a day off (a new cuti bersama); returns its name, or None when it already was one."""
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        raise InputError("error.text_too_long", option="--name", limit=NAME_LIMIT)
    calendar = await load_calendar(session)
    override = await session.get(CalendarOverride, day)
    if not calendar.is_working_day(day):
        return None
    if override is not None:  # an official holiday an admin had given back: it is a holiday again
        await session.delete(override)
        name = (await load_calendar(session)).holiday_name(day) or name
    else:
        session.add(CalendarOverride(day=day, is_working=False, name=name, created_at=now))
    audit(session, now, "calendar.day_off", "calendar", day.isoformat(), {"name": name}, actor=actor)
    await session.flush()
    return name


async def remove_day_off(session: AsyncSession, day: date, now: datetime, *, actor: Actor = CLI) -> str:
    """Make `day` a working day again (a cuti bersama moved by decree). Returns the name of the day removed."""
    calendar = await load_calendar(session)
    if calendar.is_working_day(day):
        raise InputError("error.not_a_day_off", day=day.isoformat())
    name = calendar.holiday_name(day)
    if name is None:  # a weekend
        raise InputError("error.weekend", day=day.isoformat())
    override = await session.get(CalendarOverride, day)
    if override is not None:  # an admin's own day off
        await session.delete(override)
        await session.flush()
    if (await load_calendar(session)).holiday_name(day) is not None:  # an official holiday: give it back
        session.add(CalendarOverride(day=day, is_working=True, name=name, created_at=now))
    audit(session, now, "calendar.working_day", "calendar", day.isoformat(), {"name": name}, actor=actor)
    await session.flush()
    return name
