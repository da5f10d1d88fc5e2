"""Conversations in progress, kept in the database so a restart or a second worker loses nothing.

A draft is read to be changed (a page added to the pages before it), so it is read under a lock held until the
update's transaction ends: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite every transaction already holds the write
lock from its `BEGIN IMMEDIATE` (`bot.db`). Ten pages of an album handled at once are then added one after another.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Draft


async def get_draft(session: AsyncSession, person_id: int) -> Draft | None:
    """The person's draft, locked until the transaction ends."""
    return await session.get(Draft, person_id, with_for_update=True)


async def save_draft(
    session: AsyncSession, person_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> Draft:
    """Start or move a conversation; one per person (starting another replaces it)."""
    draft = await get_draft(session, person_id)
    if draft is None:
        draft = Draft(person_id=person_id, flow=flow, step=step, data=dict(data), updated_at=now)
        session.add(draft)
    else:
        draft.flow, draft.step, draft.data, draft.updated_at = flow, step, dict(data), now
    await session.flush()
    return draft


async def clear_draft(session: AsyncSession, person_id: int) -> bool:
    result = await session.execute(delete(Draft).where(Draft.person_id == person_id))
    return result.rowcount > 0
