"""Planning follows every change, in the change's own transaction: a use-case that changes what reminders should say
plans its kecamatan again itself, so the chat and the command line cannot drift apart (docs/architecture.md).

The planner reads services, so it is imported when a plan is made, not when this module is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RemindersSettings


def kecamatan_of(place: str) -> str | None:
    """The kecamatan a desa or kecamatan code lies in (None above a kecamatan)."""
    parts = place.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else None


async def plan_again(
    session: AsyncSession, kecamatan_codes: Iterable[str] | None, now: datetime, reminders: RemindersSettings | None
) -> None:
    """Re-plan these kecamatan (None: every kecamatan). Without reminder settings (a caller that plans by itself,
    tests of one service) or with reminders off, nothing."""
    if reminders is None or not reminders.enabled:
        return
    from scheduler.planner import plan_everywhere, plan_kecamatan

    if kecamatan_codes is None:
        await plan_everywhere(session, now, reminders)
        return
    for kode in dict.fromkeys(kecamatan_codes):
        await plan_kecamatan(session, kode, now, reminders)
