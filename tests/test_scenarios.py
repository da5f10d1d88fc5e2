"""One scenario suite for every channel: the same conversations played by people on Telegram (the real adapter
against the Bot API sandbox, over HTTP) and on the in-process fake channel (tests/fake_channel.py), in every mix.
The fake channel plays WhatsApp's part (its name, its contacts' rule) until WhatsApp's own adapter exists.

The steps and the checks are written once, against a phone: say, press, send a file, expect. Expectations are the
catalog's words (the text of a key up to its first placeholder), so the scenarios assert meaning, not wording.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.chat.actions import KirimObligation, KoreksiSubmission, encode
from bot.i18n import t
from bot.services.people import create_invitation
from models.status import ReviewStatus
from models.tables import Contact, Person, Role, Submission
from tests.fake_channel import FakePhone, FakeTransport
from tests.world import JATIROTO, PDF, ROJOPOLO


def head(key: str) -> str:
    """The catalog text of `key` up to its first placeholder or line break: what any rendering of it starts with."""
    return re.split(r"[{\n]", t(key), maxsplit=1)[0].strip()


class TelegramPhone:
    """A sandbox user behind the same four verbs as `FakePhone`."""

    def __init__(self, user) -> None:
        self.user = user

    async def say(self, text: str) -> None:
        await self.user.send_text(text)

    async def press(self, label: str) -> None:
        await self.user.press(label)

    async def send_file(self, data: bytes, name: str, mime_type: str) -> None:
        await self.user.send_document(data, name, mime_type)

    async def expect(self, fragment: str, timeout: float = 5.0):
        return await self.user.expect(fragment, timeout)


FAKE = "whatsapp"  # the fake channel stands where WhatsApp will
CHANNELS = ("telegram", FAKE)


@pytest.fixture
def fake(world) -> FakeTransport:
    """The fake channel, known to the running bot's outbox and courier."""
    transport = FakeTransport(FAKE)
    world.bot.bot_data["transports"][FAKE] = transport
    return transport


async def join(world, fake: FakeTransport, channel: str, number: int, name: str, role: Role, place: str):
    if channel == "telegram":
        return TelegramPhone(await world.join(number, name, role, place, label=name))
    async with world.app.sessions() as session, session.begin():
        code = (await create_invitation(session, role, place, world.clock.now(), channel=FAKE)).code
    phone = FakePhone(world.app, fake, f"f{number}", name, wake=world.bot.bot_data["courier"].wake)
    await phone.say(f"/start {code}")
    await phone.expect(head("start.welcome"))
    return phone


@pytest.mark.parametrize("sekdes_on, staf_on", [(a, b) for a in CHANNELS for b in CHANNELS])
async def test_a_submission_sent_verified_and_told_on_any_mix_of_channels(world, fake, sekdes_on, staf_on):
    staf = await join(world, fake, staf_on, 501, "Bu Kasi", Role.STAF, JATIROTO)
    sekdes = await join(world, fake, sekdes_on, 502, "Siti", Role.SEKDES, ROJOPOLO)

    await send_rkpdes(world, sekdes)
    await staf.expect(head("verif.alert"))  # queued on the outbox, sent at once on the staf's own channel
    await staf.press(t("button.accept"))
    await staf.expect(head("verif.accepted_by"))
    await sekdes.expect(head("verif.to_sender_accepted"))

    statuses = await world.rows(select(Submission.review_status))
    assert statuses == [(ReviewStatus.ACCEPTED,)]
    channels = await world.rows(select(Contact.channel).join(Person).order_by(Person.id))
    assert channels == [(staf_on,), (sekdes_on,)]  # one contact each: nobody was made twice


async def test_one_person_two_apps_each_notice_once_where_they_last_wrote(world, fake):
    """`hubungkan` links the fake app to a secretary on Telegram; the verdict goes to the app she last wrote from,
    once, and after she writes from Telegram again, the next one goes there."""
    staf = TelegramPhone(await world.join(601, "Bu Kasi", Role.STAF, JATIROTO, label="staf"))
    on_telegram = TelegramPhone(await world.join(602, "Siti", Role.SEKDES, ROJOPOLO, label="siti"))
    await on_telegram.say(f"/hubungkan {FAKE}")
    code_message = await on_telegram.expect(head("hubungkan.code"))
    code = re.search(r": hubungkan (\S+)", code_message.text).group(1)  # "…kirim ke bot: hubungkan KODE"
    on_fake = FakePhone(world.app, fake, "f602", "Siti (HP baru)", wake=world.bot.bot_data["courier"].wake)
    await on_fake.say(f"/hubungkan {code}")  # typed in the other app (the words without a slash: issue 17)
    assert await world.rows(select(func.count()).select_from(Person)) == [(2,)]
    assert await world.rows(select(Contact.channel).where(Contact.person_id == 2).order_by(Contact.id)) == [
        ("telegram",),
        (FAKE,),
    ]

    await send_rkpdes(world, on_fake)  # she writes from the new app: notices follow her there
    await staf.expect(head("verif.alert"))
    await staf.press(t("button.accept"))
    await on_fake.expect(head("verif.to_sender_accepted"))
    await world.bot.bot_data["courier"].idle()
    told = head("verif.to_sender_accepted")
    assert len([m for m in fake.texts("f602") if told in m]) == 1
    assert not [m for m in on_telegram.user.messages if told in m.text]  # once, on the app the rule chose

    world.clock.advance(timedelta(minutes=5))
    await on_telegram.say("/status")  # she writes from Telegram again: the next notice goes there
    await on_telegram.expect(head("status.title"))
    [(submission_id,)] = await world.rows(select(Submission.id))
    await staf.say("/koreksi")
    await staf.press(encode(KoreksiSubmission(submission_id)))
    await staf.expect(head("koreksi.ask_reason"))
    await staf.say("salah tekan")
    await on_telegram.expect(head("koreksi.told"))
    await world.bot.bot_data["courier"].idle()
    assert not [m for m in fake.texts("f602") if head("koreksi.told") in m]


async def send_rkpdes(world, sekdes) -> None:
    """A whole /kirim of Rojopolo's RKPDes TA 2025 on any phone: choose, a PDF, today, no nomor, send."""
    await sekdes.say("/kirim")
    await sekdes.expect(head("kirim.choose"))
    await sekdes.press(encode(KirimObligation(await world.obligation_id(ROJOPOLO, "RKPDES", 2025))))
    await sekdes.expect(head("kirim.send_file"))
    await sekdes.send_file(PDF, "Perdes RKPDes 2025.pdf", "application/pdf")
    await sekdes.expect(head("kirim.ask_date"))
    await sekdes.press(t("button.today"))
    await sekdes.expect(head("kirim.ask_nomor"))
    await sekdes.press(t("button.skip"))
    await sekdes.expect(head("kirim.summary"))
    await sekdes.press(t("button.send"))
    await sekdes.expect(head("receipt.text"))
