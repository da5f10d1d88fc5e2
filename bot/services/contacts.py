"""Contacts: the ways a person is reached, and the one rule for which of them a message goes to.

docs/domain.md, "Which contact a notice goes to": the contact the person last wrote from; contacts marked unreachable
are skipped; a contact on a channel with a service window (WhatsApp: 24 hours after the person's last message) whose
window is closed is used only when the person has no other reachable contact — and then the sender must use a
template (`outside_window`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.messages import Sender
from bot.services.planning import mark_person
from models.tables import Contact, Person

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
# Channels that let the bot write freely only for a while after the person's last message.
SERVICE_WINDOW: dict[str, timedelta] = {WHATSAPP: timedelta(hours=24)}
_NEVER = datetime.min.replace(tzinfo=UTC)


def outside_window(contact: Contact, now: datetime) -> bool:
    """True when the contact's channel has a service window and it is closed (no message from them within it, or
    never): the sender may reach them only with a template."""
    window = SERVICE_WINDOW.get(contact.channel)
    if window is None:
        return False
    return contact.last_message_at is None or now - contact.last_message_at >= window


def choose(contacts: Iterable[Contact], now: datetime) -> Contact | None:
    """The rule itself, on a person's contacts as loaded."""
    reachable = [c for c in contacts if c.unreachable_since is None]
    if not reachable:
        return None
    open_ = [c for c in reachable if not outside_window(c, now)]
    candidates = open_ or reachable

    def recency(c: Contact) -> tuple[datetime, datetime, int]:
        return (c.last_message_at or _NEVER, c.linked_at, c.id or 0)

    return max(candidates, key=recency)


async def contacts_of(session: AsyncSession, person_id: int) -> list[Contact]:
    return list(await session.scalars(select(Contact).where(Contact.person_id == person_id).order_by(Contact.id)))


async def contacts_by_person(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, list[Contact]]:
    """The contacts of many people in one query (the sweep composes a batch of rows at once), each person's by id."""
    ids = sorted(set(person_ids))
    found: dict[int, list[Contact]] = {pid: [] for pid in ids}
    if ids:
        for contact in await session.scalars(select(Contact).where(Contact.person_id.in_(ids)).order_by(Contact.id)):
            found[contact.person_id].append(contact)
    return found


async def contact_for_notice(
    session: AsyncSession, person_id: int, now: datetime, channels: Collection[str] | None = None
) -> Contact | None:
    """The contact a message to this person goes to now; None when none is reachable. `channels`: only contacts on
    these (the channels the sender has a transport for)."""
    contacts = await contacts_of(session, person_id)
    return choose([c for c in contacts if channels is None or c.channel in channels], now)


def has_reachable_contact() -> ColumnElement[bool]:
    """A WHERE clause on `Person`: the person has at least one contact not marked unreachable."""
    return exists().where(Contact.person_id == Person.id, Contact.unreachable_since.is_(None))


async def reachable_person_ids(session: AsyncSession, person_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(person_ids))
    if not ids:
        return set()
    return set(
        await session.scalars(
            select(Contact.person_id).where(Contact.person_id.in_(ids), Contact.unreachable_since.is_(None)).distinct()
        )
    )


async def is_reachable(session: AsyncSession, person_id: int) -> bool:
    return bool(await reachable_person_ids(session, [person_id]))


async def contact_by_sender(session: AsyncSession, sender: Sender) -> Contact | None:
    return await session.scalar(
        select(Contact).where(Contact.channel == sender.channel, Contact.user_id == sender.user_id)
    )


# The contact a message came from and its person, in one statement built once.
_SENDER_AND_PERSON = (
    select(Contact, Person)
    .join(Person, Person.id == Contact.person_id)
    .where(Contact.channel == bindparam("channel"), Contact.user_id == bindparam("user_id"))
)


def _sender(sender: Sender) -> dict[str, str]:
    return {"channel": sender.channel, "user_id": sender.user_id}


async def known_person(session: AsyncSession, sender: Sender) -> Person | None:
    """The person behind an account, without recording anything (a read before the update's own transaction)."""
    row = (await session.execute(_SENDER_AND_PERSON, _sender(sender))).first()
    return row[1] if row is not None and row[1].forgotten_at is None else None


async def wrote(session: AsyncSession, contact: Contact, sender: Sender, now: datetime) -> None:
    """Record that the person wrote from this contact now (the rule prefers it from now on) and that they are
    reachable there again (their kecamatan's plan marked: docs/architecture.md, planning)."""
    contact.last_message_at = now
    if contact.unreachable_since is not None:  # reachable again: their reminders are planned again
        contact.unreachable_since = None
        await mark_person(session, contact.person_id)
    if sender.phone and contact.phone is None:
        contact.phone = sender.phone
    if sender.display_name:
        contact.display_name = sender.display_name[:120]


async def person_by_sender(
    session: AsyncSession, sender: Sender, now: datetime
) -> tuple[Person | None, Contact | None]:
    """The person behind a message and the contact it came from, (None, None) for a stranger. Records that they
    wrote now (`wrote`). The chat core reads the person's roles in the same statement (`people.writer`)."""
    row = (await session.execute(_SENDER_AND_PERSON, _sender(sender))).first()
    if row is None or row[1].forgotten_at is not None:
        return None, None
    contact, person = row
    await wrote(session, contact, sender, now)
    return person, contact


async def mark_unreachable(session: AsyncSession, contact_id: int, now: datetime) -> Contact | None:
    """The channel refused this contact (blocked the bot, no such chat). Returns the contact when this marked it
    (it was not marked before)."""
    contact = await session.get(Contact, contact_id)
    if contact is None or contact.unreachable_since is not None:
        return None
    contact.unreachable_since = now
    await mark_person(session, contact.person_id)  # reminders to them are cancelled by the next planning job
    return contact


def add_contact(session: AsyncSession, person: Person, sender: Sender, now: datetime) -> Contact:
    contact = Contact(
        person_id=person.id, channel=sender.channel, user_id=sender.user_id, phone=sender.phone,
        display_name=(sender.display_name or None)
        and sender.display_name[:120], linked_at=now, last_message_at=now,
    )  # fmt: skip
    session.add(contact)
    return contact
