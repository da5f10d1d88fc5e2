"""One-off messages to people (a new agreed date, a corrected verdict), queued on the outbox.

The outbox is the one restart-safe, rate-limited way out: the CLI has no Telegram connection of its own, and the bot's
sweep delivers what any process queued here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import OutboxMessage, OutboxStatus, Person


async def queue_notice(
    session: AsyncSession, kecamatan_kode: str, person: Person, role: str, key: str, text: str, now: datetime
) -> bool:
    """Queue `text` for `person` now; `key` makes it once-only (the same key for the same person, one message a day)."""
    if person.telegram_chat_id is None or person.unreachable_at is not None:
        return False
    recipient = f"person:{person.id}"
    already = await session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.subject_type == "notice",
            OutboxMessage.subject_id == key[:60],
            OutboxMessage.recipient_key == recipient,
            OutboxMessage.for_date == now.date(),
        )
    )
    if already is not None:
        return False
    session.add(
        OutboxMessage(
            kecamatan_kode=kecamatan_kode,
            subject_type="notice",
            subject_id=key[:60],
            recipient_key=recipient,
            person_id=person.id,
            chat_id=person.telegram_chat_id,
            role=role,
            kind="notice",
            for_date=now.date(),
            send_at=now,
            status=OutboxStatus.PLANNED,
            attempts=0,
            details={"text": text},
            created_at=now,
        )
    )
    return True
