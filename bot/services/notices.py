"""Messages to people outside the planned reminders, queued on the outbox.

The outbox is the one restart-safe, rate-limited way out: the CLI has no Telegram connection of its own, and the bot's
sweep delivers what any process queued here. A notice (a new agreed date, a corrected verdict, an answer from the
kecamatan) says a fixed text; announcements and meetings are composed from their own tables when they go out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import OutboxMessage, OutboxStatus, Person


def queue_message(
    session: AsyncSession,
    kecamatan_kode: str,
    subject_type: str,
    subject_id: str,
    recipient: Person | int,
    role: str,
    kind: str,
    for_date: date,
    send_at: datetime,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Add one outbox row for a person (None when they cannot be reached) or a group chat (an int chat id)."""
    if isinstance(recipient, Person):
        if recipient.telegram_chat_id is None or recipient.unreachable_at is not None:
            return None
        key, person_id, chat_id = f"person:{recipient.id}", recipient.id, recipient.telegram_chat_id
    else:
        key, person_id, chat_id = f"chat:{recipient}", None, recipient
    row = OutboxMessage(
        kecamatan_kode=kecamatan_kode, subject_type=subject_type, subject_id=subject_id[:60], recipient_key=key,
        person_id=person_id, chat_id=chat_id, role=role, kind=kind, for_date=for_date, send_at=send_at,
        status=OutboxStatus.PLANNED, attempts=0, details=details or {}, created_at=now,
    )  # fmt: skip
    session.add(row)
    return row


async def queue_notice(
    session: AsyncSession,
    kecamatan_kode: str,
    person: Person,
    role: str,
    key: str,
    text: str,
    now: datetime,
    buttons: list[list[tuple[str, str]]] | None = None,
) -> bool:
    """Queue `text` for `person` now; `key` makes it once-only (the same key for the same person, one message a day)."""
    if person.telegram_chat_id is None or person.unreachable_at is not None:
        return False
    already = await session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.subject_type == "notice",
            OutboxMessage.subject_id == key[:60],
            OutboxMessage.recipient_key == f"person:{person.id}",
            OutboxMessage.for_date == now.date(),
        )
    )
    if already is not None:
        return False
    details: dict[str, Any] = {"text": text}
    if buttons:
        details["buttons"] = buttons
    queue_message(session, kecamatan_kode, "notice", key, person, role, "notice", now.date(), now, now, details)
    return True
