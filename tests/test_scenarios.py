"""One scenario suite for every channel: the same conversations played by people on Telegram (the real adapter
against the Bot API sandbox) and on WhatsApp (the real adapter, signed webhooks in, the Graph sandbox out), over
HTTP, in every mix, with both channels served by one process as `klambi run` does (tests/wa_world.py).

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
from models.status import ReviewStatus
from models.tables import Contact, Person, Role, Submission
from tests.world import JATIROTO, PDF, ROJOPOLO


def words(key: str) -> str:
    """The longest stretch of the catalog text of `key` without placeholders or line breaks: its telling words."""
    return max(re.split(r"\{[^}]*\}|\n", t(key)), key=len).strip()


def head(key: str) -> str:
    """The catalog text of `key` up to its first placeholder or line break: what any rendering of it starts with."""
    return re.split(r"[{\n]", t(key), maxsplit=1)[0].strip()


class TelegramPhone:
    """A sandbox user behind the same four verbs as a WhatsApp person."""

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


class WhatsAppPhone:
    """A Graph sandbox person: what they do reaches the bot as signed webhooks."""

    def __init__(self, person) -> None:
        self.person = person

    async def say(self, text: str) -> None:
        await self.person.say(text)

    async def press(self, label: str) -> None:
        await self.person.press(label)

    async def send_file(self, data: bytes, name: str, mime_type: str) -> None:
        await self.person.send_document(data, name, mime_type)

    async def expect(self, fragment: str, timeout: float = 5.0):
        return await self.person.expect(fragment, timeout)


CHANNELS = ("telegram", "whatsapp")


async def join(wa_world, channel: str, number: int, name: str, role: Role, place: str):
    if channel == "telegram":
        return TelegramPhone(await wa_world.join_telegram(number, name, role, place))
    return WhatsAppPhone(await wa_world.join_whatsapp(f"62812000{number:05d}", name, role, place))


@pytest.mark.parametrize("sekdes_on, staf_on", [(a, b) for a in CHANNELS for b in CHANNELS])
async def test_a_submission_sent_verified_and_told_on_any_mix_of_channels(wa_world, sekdes_on, staf_on):
    staf = await join(wa_world, staf_on, 501, "Bu Kasi", Role.STAF, JATIROTO)
    sekdes = await join(wa_world, sekdes_on, 502, "Siti", Role.SEKDES, ROJOPOLO)

    await send_rkpdes(wa_world, sekdes)
    await staf.expect(head("verif.alert"))  # queued on the outbox, sent at once on the staf's own channel
    await staf.press(t("button.accept"))
    await staf.expect(head("verif.accepted_by"))
    await sekdes.expect(head("verif.to_sender_accepted"))

    statuses = await wa_world.rows(select(Submission.review_status))
    assert statuses == [(ReviewStatus.ACCEPTED,)]
    channels = await wa_world.rows(select(Contact.channel).join(Person).order_by(Person.id))
    assert channels == [(staf_on,), (sekdes_on,)]  # one contact each: nobody was made twice


async def test_one_person_two_apps_each_notice_once_where_they_last_wrote(wa_world):
    """`hubungkan` links WhatsApp to a secretary on Telegram; the verdict goes to the app she last wrote from, once,
    and after she writes from Telegram again, the next one goes there."""
    staf = TelegramPhone(await wa_world.join_telegram(601, "Bu Kasi", Role.STAF, JATIROTO))
    telegram_user = await wa_world.join_telegram(602, "Siti", Role.SEKDES, ROJOPOLO)
    on_telegram = TelegramPhone(telegram_user)
    await on_telegram.say("/hubungkan whatsapp")
    code_message = await on_telegram.expect(head("hubungkan.code"))
    code = re.search(r": hubungkan (\S+)", code_message.text).group(1)  # "…kirim ke bot: hubungkan KODE"
    assert f"https://wa.me/{wa_world.graph.business_number}?text=DAFTAR%20{code}" in code_message.text  # or tap it
    person = wa_world.graph.person("6281200000602", "Siti (HP baru)")
    on_whatsapp = WhatsAppPhone(person)
    await on_whatsapp.say(f"hubungkan {code}")  # typed in WhatsApp, without a slash
    await wa_world.idle()
    assert await wa_world.rows(select(func.count()).select_from(Person)) == [(2,)]
    assert await wa_world.rows(select(Contact.channel).where(Contact.person_id == 2).order_by(Contact.id)) == [
        ("telegram",),
        ("whatsapp",),
    ]

    await send_rkpdes(wa_world, on_whatsapp)  # she writes from WhatsApp: notices follow her there
    await staf.expect(head("verif.alert"))
    await staf.press(t("button.accept"))
    await on_whatsapp.expect(head("verif.to_sender_accepted"))
    await wa_world.idle()
    told = words("verif.to_sender_accepted")
    assert len([m for m in person.messages if told in m.text]) == 1
    assert not [m for m in telegram_user.messages if told in m.text]  # once, on the app the rule chose

    wa_world.clock.advance(timedelta(minutes=5))
    await on_telegram.say("/status")  # she writes from Telegram again: the next notice goes there
    await on_telegram.expect(head("status.title"))
    [(submission_id,)] = await wa_world.rows(select(Submission.id))
    await staf.say("/koreksi")
    await staf.press(encode(KoreksiSubmission(submission_id)))
    await staf.expect(head("koreksi.ask_reason"))
    await staf.say("salah tekan")
    await on_telegram.expect(head("koreksi.told"))
    await wa_world.idle()
    assert not [m for m in person.messages if words("koreksi.told") in m.text]


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
