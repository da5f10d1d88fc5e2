"""Contacts: one person, several channels; which contact a notice goes to (docs/domain.md, "Which contact a notice
goes to"), shown with the fake channel; joining and linking never make a second person."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.chat.actions import ThreadAnswer
from bot.chat.messages import OutMessage, Sender
from bot.errors import InputError
from bot.services.calendar import load_calendar
from bot.services.contacts import contact_for_notice, person_by_sender
from bot.services.notices import queue_notice
from bot.services.people import create_invitation, redeem_invitation
from bot.services.places import import_area
from models.tables import Contact, OutboxMessage, OutboxStatus, Person, Role
from scheduler.sweep import sweep
from tests.conftest import WIB
from tests.fake_channel import FakeTransport

JATIROTO, ROJOPOLO = "35.08.17", "35.08.17.2002"
T0 = datetime(2024, 9, 2, 9, 0, tzinfo=WIB)


async def _setup(app) -> None:
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, T0, [2025], await load_calendar(session))


async def _join(app, sender: Sender, at: datetime, role=Role.SEKDES, place=ROJOPOLO, person_id=None) -> Person:
    async with app.sessions() as session, session.begin():
        invitation = await create_invitation(session, role, place, at, channel=sender.channel, person_id=person_id)
        return (await redeem_invitation(session, invitation.code, sender, at)).person


async def _writes(app, sender: Sender, at: datetime) -> None:
    async with app.sessions() as session, session.begin():
        person, contact = await person_by_sender(session, sender, at)
        assert person is not None and contact is not None


async def _notice(app, person_id: int, key: str, at: datetime) -> bool:
    async with app.sessions() as session, session.begin():
        person = await session.get(Person, person_id)
        message = OutMessage.of(f"notice {key}", [[("Jawab", ThreadAnswer(7))]])
        return await queue_notice(session, kecamatan_kode=JATIROTO, person=person, role="sekdes", key=key,
                                  message=message, now=at)  # fmt: skip


async def test_a_person_with_two_contacts_gets_each_notice_once_where_they_last_wrote(app, clock):
    await _setup(app)
    telegram, fake = FakeTransport("telegram"), FakeTransport("fake")
    transports = {"telegram": telegram, "fake": fake}
    on_telegram, on_fake = Sender("telegram", "101", "101", "Siti"), Sender("fake", "f-101", "f-101", "Siti F")
    siti = await _join(app, on_telegram, T0)
    same = await _join(app, on_fake, T0 + timedelta(minutes=5), person_id=siti.id)  # linked, not a second person
    assert same.id == siti.id
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        assert await session.scalar(select(func.count()).select_from(Contact)) == 2

    # She last wrote from the fake channel (linking it was her message): the notice goes there, once.
    clock.set(T0 + timedelta(hours=1))
    assert await _notice(app, siti.id, "one", clock.now())
    assert not await _notice(app, siti.id, "one", clock.now())  # the same key the same day: once
    result = await sweep(app, transports)
    assert result.sent == 1
    assert fake.texts("f-101") == ["notice one"] and telegram.all_texts() == []
    async with app.sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.subject_id == "one"))
        contact = await session.scalar(select(Contact).where(Contact.channel == "fake"))
    assert (row.channel, row.address, row.contact_id, row.channel_message_id) == ("fake", "f-101", contact.id, "fake-1")
    assert OutMessage.from_dict(row.details).choices[0][0].action == ThreadAnswer(7)

    # She writes on Telegram: the next notice follows her there.
    await _writes(app, on_telegram, T0 + timedelta(hours=2))
    clock.set(T0 + timedelta(hours=3))
    await _notice(app, siti.id, "two", clock.now())
    await sweep(app, transports)
    assert telegram.texts("101") == ["notice two"] and fake.texts("f-101") == ["notice one"]

    # Telegram refuses her now: the contact is marked, the notice goes to the fake channel instead, once.
    telegram.refuse("101")
    await _notice(app, siti.id, "three", clock.now())
    first = await sweep(app, transports)
    assert (first.sent, first.rerouted, first.unreachable) == (0, 1, 0)
    second = await sweep(app, transports)
    assert second.sent == 1
    assert fake.texts("f-101") == ["notice one", "notice three"] and telegram.texts("101") == ["notice two"]
    await _notice(app, siti.id, "four", clock.now())
    await sweep(app, transports)
    assert fake.texts("f-101")[-1] == "notice four"
    async with app.sessions() as session:
        marked = await session.scalar(select(Contact.unreachable_since).where(Contact.channel == "telegram"))
        unreachable = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.UNREACHABLE)
        )
    assert marked is not None and unreachable == 0  # nobody was told she is unreachable: she is not

    # Writing from Telegram again makes that contact reachable and preferred again.
    await _writes(app, on_telegram, clock.now() + timedelta(minutes=1))
    telegram.unreachable.clear()
    clock.set(clock.now() + timedelta(minutes=2))
    await _notice(app, siti.id, "five", clock.now())
    await sweep(app, transports)
    assert telegram.texts("101")[-1] == "notice five"
    assert sorted(telegram.all_texts() + fake.all_texts()) == [f"notice {n}" for n in
                                                                ("five", "four", "one", "three", "two")]  # fmt: skip


async def test_a_whatsapp_contact_outside_its_window_is_used_only_when_nothing_else_is_reachable(app, clock):
    await _setup(app)
    telegram, whatsapp = FakeTransport("telegram"), FakeTransport("whatsapp")
    transports = {"telegram": telegram, "whatsapp": whatsapp}
    on_telegram, on_whatsapp = Sender("telegram", "102", "102"), Sender("whatsapp", "wa-102", "wa-102")
    budi = await _join(app, on_telegram, T0)
    await _join(app, on_whatsapp, T0 + timedelta(hours=1), person_id=budi.id)

    # Two days later the WhatsApp window is closed: Telegram, though older, is the one.
    clock.set(T0 + timedelta(days=2))
    async with app.sessions() as session:
        assert (await contact_for_notice(session, budi.id, clock.now())).channel == "telegram"
    await _notice(app, budi.id, "a", clock.now())
    await sweep(app, transports)
    assert telegram.texts("102") == ["notice a"] and whatsapp.all_texts() == []

    # He writes on WhatsApp: inside the window, WhatsApp is where he last wrote.
    await _writes(app, on_whatsapp, clock.now() - timedelta(hours=1))
    await _notice(app, budi.id, "b", clock.now())
    await sweep(app, transports)
    assert whatsapp.texts("wa-102") == ["notice b"]

    # A day later the window has closed again; with Telegram refused, WhatsApp is the only one left and is used,
    # marked as outside its window (a template, next issue).
    clock.set(clock.now() + timedelta(days=1))
    telegram.refuse("102")
    await _notice(app, budi.id, "c", clock.now())
    first = await sweep(app, transports)
    assert first.rerouted == 1 and first.outside_window == 0
    second = await sweep(app, transports)
    assert second.sent == 1 and second.outside_window == 1
    assert whatsapp.texts("wa-102") == ["notice b", "notice c"]


async def test_joining_twice_never_makes_a_second_person_and_a_linked_account_is_refused(app):
    await _setup(app)
    siti = await _join(app, Sender("telegram", "101", "101", "Siti"), T0)
    again = await _join(app, Sender("telegram", "101", "101", "Siti"), T0, role=Role.PENDAMPING)
    assert again.id == siti.id
    budi = await _join(app, Sender("telegram", "102", "102", "Budi"), T0)
    with pytest.raises(InputError) as refused:  # Budi's account cannot be added to Siti
        await _join(app, Sender("telegram", "102", "102", "Budi"), T0, person_id=siti.id)
    assert refused.value.key == "error.contact_linked_elsewhere"
    with pytest.raises(InputError) as other:  # a code for WhatsApp typed on Telegram
        async with app.sessions() as session, session.begin():
            invitation = await create_invitation(session, Role.SEKDES, ROJOPOLO, T0, channel="whatsapp")
            await redeem_invitation(session, invitation.code, Sender("telegram", "103", "103"), T0)
    assert other.value.key == "error.invitation_other_channel"
    async with app.sessions() as session:
        people = (await session.scalars(select(Person.id).order_by(Person.id))).all()
    assert people == [siti.id, budi.id]
