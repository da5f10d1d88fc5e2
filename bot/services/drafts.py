"""Conversations in progress, kept in the database so a restart or a second worker loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Draft


async def get_draft(session: AsyncSession, person_id: int) -> Draft | None:
    return await session.get(Draft, person_id)


async def save_draft(
    session: AsyncSession, person_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> Draft:
    """Start or move a conversation; one per person (starting another replaces it)."""
    draft = await session.get(Draft, person_id)
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
