"""Conversations in progress, kept in the database so a restart or a second worker loses nothing.

A draft is read to be changed (a page added to the pages before it), so it is read under a lock held until the
update's transaction ends: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite every transaction already holds the write
lock from its `BEGIN IMMEDIATE` (`bot.db`). Ten pages of an album handled at once are then added one after another.

A draft read under the lock stays the transaction's to read again: a step that reads it to route the text, again to
check its step and again to save the next one sends one statement, not three (`session.info`, forgotten when any
transaction or savepoint of the session ends, so a rolled-back savepoint never leaves a stale draft behind).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from bot.chat.messages import Sender
from models.tables import Contact, Draft, Person

_READ = "klambi.drafts_read"  # session.info: person id -> the draft (or None) read under the lock in this transaction


@event.listens_for(Session, "after_transaction_end")
def _forget_read(session: Session, transaction: SessionTransaction) -> None:
    session.info.pop(_READ, None)


def _read(session: AsyncSession) -> dict[int, Draft | None]:
    return session.sync_session.info.setdefault(_READ, {})


async def get_draft(session: AsyncSession, person_id: int) -> Draft | None:
    """The person's draft, locked until the transaction ends (read once per transaction)."""
    read = _read(session)
    if person_id not in read:
        read[person_id] = await session.get(Draft, person_id, with_for_update=True)
    return read[person_id]


# Where the conversation of an account stands, without a lock: one statement.
_STEP_OF_SENDER = (
    select(Draft.flow, Draft.step)
    .join(Person, Person.id == Draft.person_id)
    .join(Contact, Contact.person_id == Person.id)
    .where(
        Contact.channel == bindparam("channel"), Contact.user_id == bindparam("user_id"), Person.forgotten_at.is_(None)
    )
)


async def step_of_sender(session: AsyncSession, sender: Sender) -> tuple[str, str] | None:
    """(flow, step) of the conversation of the person behind this account, None when there is none (or no person):
    a read before the update's transaction (a file is fetched only where one is expected); the draft is read again,
    locked, in the update's own transaction."""
    row = (await session.execute(_STEP_OF_SENDER, {"channel": sender.channel, "user_id": sender.user_id})).first()
    return (row[0], row[1]) if row is not None else None


async def draft_of_sender(session: AsyncSession, sender: Sender) -> tuple[str, str, dict[str, Any]] | None:
    """(flow, step, data) of the person behind this account, without a lock: what a step needs before its
    transaction (the pages to read when the secretary presses Lanjut)."""
    query = _STEP_OF_SENDER.add_columns(Draft.data)
    row = (await session.execute(query, {"channel": sender.channel, "user_id": sender.user_id})).first()
    return (row[0], row[1], dict(row[2] or {})) if row is not None else None


async def save_draft(
    session: AsyncSession, person_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> Draft:
    """Start or move a conversation; one per person (starting another replaces it)."""
    draft = await get_draft(session, person_id)
    if draft is None:
        draft = Draft(person_id=person_id, flow=flow, step=step, data=dict(data), updated_at=now)
        session.add(draft)
        _read(session)[person_id] = draft
    else:
        draft.flow, draft.step, draft.data, draft.updated_at = flow, step, dict(data), now
    await session.flush()
    return draft


async def clear_draft(session: AsyncSession, person_id: int) -> bool:
    result = await session.execute(delete(Draft).where(Draft.person_id == person_id))
    gone = _read(session).get(person_id)
    if gone is not None and gone in session:
        session.expunge(gone)  # deleted by the statement: a draft started again in this transaction is a new row
    _read(session)[person_id] = None
    return result.rowcount > 0
