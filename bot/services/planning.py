"""Planning follows every change, in the change's own transaction: a use-case that changes what reminders should say
plans its kecamatan again itself, so the chat and the command line cannot drift apart (docs/architecture.md).

A change that is not planned at once (too large for one transaction: a holiday, a province's import; or made where
planning would cost more than the change: a contact the channel refused) marks the places it touched instead; the
hourly planning job (`scheduler/planner.plan_changes`) plans the marked kecamatan.

The planner reads services, so it is imported when a plan is made, not when this module is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.config import RemindersSettings
from models.tables import PlanMark, Role, RoleAssignment

EVERYWHERE = "*"  # the mark of a change every kecamatan reads (the calendar, the document kinds)
PLANNED_ROLES = (Role.SEKDES, Role.PENDAMPING, Role.STAF, Role.CAMAT)  # the roles reminders go to


def kecamatan_of(place: str) -> str | None:
    """The kecamatan a desa or kecamatan code lies in (None above a kecamatan)."""
    parts = place.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else None


def _place(code: str | None) -> str:
    """What a mark names for a desa, kecamatan, kabupaten or provinsi code (None: the whole deployment)."""
    if code is None:
        return EVERYWHERE
    return kecamatan_of(code) or code


async def mark(session: AsyncSession | AsyncConnection, places: Iterable[str | None]) -> None:
    """Mark these places (desa, kecamatan, kabupaten, provinsi codes; None for every kecamatan) for the next planning
    job, in the caller's transaction. Marking a place twice is marking it once."""
    rows = [{"place": p} for p in dict.fromkeys(_place(code) for code in places)]
    if not rows:
        return
    bind = session.bind if isinstance(session, AsyncSession) else session
    insert = pg_insert if bind is not None and bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(PlanMark).on_conflict_do_nothing(index_elements=["place"]), rows)


async def mark_person(session: AsyncSession, person_id: int) -> None:
    """Mark every place where the person holds a role reminders go to (whether they can be reached changed)."""
    scopes = await session.scalars(
        select(RoleAssignment.scope_code).where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.revoked_at.is_(None),
            RoleAssignment.role.in_(PLANNED_ROLES),
        )
    )
    await mark(session, list(scopes))


async def plan_again(
    session: AsyncSession, kecamatan_codes: Iterable[str] | None, now: datetime, reminders: RemindersSettings | None
) -> None:
    """Re-plan these kecamatan (None: every kecamatan, which is marked for the planning job instead: the whole country
    is too much for one transaction). Without reminder settings (a caller that plans by itself, tests of one service),
    nothing; with reminders off, the kecamatan are marked, so turning them on again plans what changed meanwhile."""
    if reminders is None:
        return
    if kecamatan_codes is None or not reminders.enabled:
        await mark(session, [None] if kecamatan_codes is None else kecamatan_codes)
        return
    from scheduler.planner import plan_kecamatan

    for kode in dict.fromkeys(kecamatan_codes):
        await plan_kecamatan(session, kode, now, reminders)
