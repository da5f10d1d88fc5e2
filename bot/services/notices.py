"""Messages to people outside the planned reminders, queued on the outbox.

The outbox is the one restart-safe, rate-limited way out: the CLI has no Telegram connection of its own, and the bot's
sweep delivers what any process queued here. A notice (a new agreed date, a corrected verdict, an answer from the
kecamatan) says a fixed message (an `OutMessage`, stored as its dict); announcements and meetings are composed from
their own tables when they go out. A row names a person (or a group) and a kind; the contact, channel, address and the
channel's message id are resolved and recorded when it is sent (`scheduler/sweep.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.messages import OutMessage
from bot.services.contacts import TELEGRAM, is_reachable
from models.tables import OutboxMessage, OutboxStatus, Person


@dataclass(frozen=True)
class Group:
    """A group chat (a kecamatan's forum group, on Telegram): its outbox rows name channel and address directly."""

    channel: str
    address: str

    @property
    def key(self) -> str:
        return f"chat:{self.address}" if self.channel == TELEGRAM else f"chat:{self.channel}:{self.address}"

    @classmethod
    def telegram(cls, chat_id: int) -> Group:
        return cls(TELEGRAM, str(chat_id))


async def queue_message(
    session: AsyncSession,
    kecamatan_kode: str,
    subject_type: str,
    subject_id: str,
    recipient: Person | Group,
    role: str,
    kind: str,
    for_date: date,
    send_at: datetime,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Add one outbox row for a person (None when they have no reachable contact) or a group chat.

    A person's row names only the person: which contact it goes to is decided when it is sent
    (`bot.services.contacts.contact_for_notice`). A group's row names its channel and address at once."""
    if isinstance(recipient, Person):
        if not await is_reachable(session, recipient.id):
            return None
        key, person_id, channel, address = f"person:{recipient.id}", recipient.id, None, None
    else:
        key, person_id, channel, address = recipient.key, None, recipient.channel, recipient.address
    row = OutboxMessage(
        kecamatan_kode=kecamatan_kode, subject_type=subject_type, subject_id=subject_id[:60], recipient_key=key,
        person_id=person_id, channel=channel, address=address, role=role, kind=kind, for_date=for_date,
        send_at=send_at, status=OutboxStatus.PLANNED, attempts=0, details=details or {}, created_at=now,
    )  # fmt: skip
    session.add(row)
    if subject_type in SENT_AT_ONCE and send_at <= now:
        session.info[WAKE] = True  # the chat's transaction wakes the courier once it commits
    return row


async def queue_notice(
    session: AsyncSession,
    *,
    kecamatan_kode: str,
    person: Person,
    role: str,
    key: str,
    message: OutMessage,
    now: datetime,
) -> bool:
    """Queue `message` for `person` now. `key` makes it once-only: the same key for the same person, one message a
    day — put an event id in the key where the same kind of notice can happen twice a day (a verdict undone and
    given again). False when it was queued already or the person has no reachable contact."""
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
    row = await queue_message(session, kecamatan_kode, "notice", key, person, role, "notice", now.date(), now, now,
                              message.to_dict())  # fmt: skip
    return row is not None


WAKE = "notices_queued"  # set in a session's `info` when something to send at once was queued in its transaction
# Messages to people that a person's action causes: sent as soon as the transaction commits (scheduler/courier.py),
# not at the minute's sweep. Reminders, digests and recaps keep their planned times.
SENT_AT_ONCE = frozenset({"notice", "announcement", "meeting"})


def notice_message(details: dict[str, Any]) -> OutMessage:
    """A queued notice as it is sent: `OutMessage.from_dict` (rows queued before contacts carried `text` and
    `buttons`, which it reads too)."""
    return OutMessage.from_dict(details)
