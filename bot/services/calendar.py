"""The working-day calendar with the admin's overrides from the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.calendar import WorkingCalendar
from models.tables import CalendarOverride


async def load_calendar(session: AsyncSession, language: str = "id") -> WorkingCalendar:
    rows = (await session.scalars(select(CalendarOverride))).all()
    return WorkingCalendar.with_overrides(
        days_off=[(r.day, r.name) for r in rows if not r.is_working],
        working_days=[r.day for r in rows if r.is_working],
        language=language,
    )
