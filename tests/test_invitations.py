"""Invitations for either channel (issue 17): codes to read aloud, `klambi invite --channel` with wa.me links and QR
codes, a new WhatsApp number, `/undang` asking the app, the digest's standing links and the weekly recap to forward."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import App
from bot.chat.messages import Sender
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import t
from bot.services.audit import CLI
from bot.services.calendar import load_calendar
from bot.services.contacts import contact_by_sender
from bot.services.links import whatsapp_invite_link
from bot.services.people import (
    CODE_ALPHABET,
    CODE_LENGTH,
    create_invitation,
    hash_code,
    new_code,
    normalise_code,
    redeem_invitation,
    revoke_person_roles,
)
from bot.services.places import import_area
from models.reminders import weekly_recap_day
from models.tables import AuditEntry, Contact, Invitation, Kecamatan, OutboxMessage, OutboxStatus, Person, Role
from scheduler.messages import compose
from scheduler.planner import kecamatan_slots
from scheduler.sweep import sweep
from tests.conftest import WIB, query, table_counts
from tests.fake_channel import FakePhone, FakeTransport

JATIROTO, ROJOPOLO = "35.08.17", "35.08.17.2002"
NUMBER = "6281234567890"
LOOK_ALIKES = set("0O1IL5S2Z8BQUV")
WA_LINK = re.compile(rf"https://wa\.me/{NUMBER}\?text=DAFTAR%20([A-Z0-9]+)")
WHATSAPP = {"phone_number_id": "1098765432", "business_number": NUMBER, "access_token": "token-x",
            "app_secret": "secret-y", "verify_token": "verify-z"}  # fmt: skip


# --- the codes -------------------------------------------------------------------------------------------------


@given(st.randoms(use_true_random=False), st.data())
def test_codes_never_hold_look_alikes_fit_a_deep_link_and_survive_how_people_type_them(rnd, data) -> None:
    code = new_code(rnd.choice)
    assert len(code) == CODE_LENGTH >= 8 and set(code) <= set(CODE_ALPHABET)
    assert not set(code) & LOOK_ALIKES
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)  # Telegram's start parameter
    # typed in any case, with spaces or dashes between any characters
    typed = "".join(
        (c.lower() if data.draw(st.booleans()) else c) + data.draw(st.sampled_from(["", "", " ", "-", " - ", "–"]))
        for c in code
    )
    assert normalise_code(typed) == code


def test_the_alphabet_and_the_real_source() -> None:
    assert not LOOK_ALIKES & set(CODE_ALPHABET) and len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 22
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(set(c) <= set(CODE_ALPHABET) for c in codes)


# --- the command line ------------------------------------------------------------------------------------------


@pytest.fixture
def area(klambi):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    return klambi


def _whatsapp_env(monkeypatch, *, business_number: bool = True) -> None:
    for key, value in WHATSAPP.items():
        if key != "business_number" or business_number:
            monkeypatch.setenv(f"KLAMBI_WHATSAPP__{key.upper()}", value)


def test_only_whatsapp_configured_invites_on_whatsapp_link_first_then_the_code(area, monkeypatch, database_url):
    _whatsapp_env(monkeypatch)
    result = area("invite", "--role", "sekdes", "--desa", ROJOPOLO, "--expires", "3d")
    assert result.code == 0, result
    first, second, *rest = result.out.splitlines()
    found = WA_LINK.fullmatch(first)
    assert found is not None, result.out
    code = found.group(1)
    assert second == f"Kode: {code}"
    assert "Desa Rojopolo" in rest[0] and "18 Januari 2025" in rest[0]
    [(stored, channel)] = query(database_url, select(Invitation.code_hash, Invitation.channel))
    assert (stored, channel) == (hash_code(code), "whatsapp")


def test_both_channels_configured_invite_on_telegram_unless_told(area, monkeypatch, database_url):
    _whatsapp_env(monkeypatch)
    monkeypatch.setenv("KLAMBI_TELEGRAM__USERNAME", "ngobras_klambi_bot")
    result = area("invite", "--role", "sekdes", "--desa", ROJOPOLO)
    assert result.code == 0, result
    code = re.search(r"https://t\.me/ngobras_klambi_bot\?start=([A-Z0-9]+)\n", result.out).group(1)
    assert f"Kode: {code}" in result.out and "wa.me" not in result.out
    told = area("invite", "--role", "sekdes", "--desa", ROJOPOLO, "--channel", "whatsapp")
    assert told.code == 0 and WA_LINK.fullmatch(told.out.splitlines()[0]), told
    assert query(database_url, select(Invitation.channel).order_by(Invitation.id)) == [("telegram",), ("whatsapp",)]


@pytest.mark.parametrize("configured", [False, True])
def test_whatsapp_without_the_business_number_names_the_key_and_writes_nothing(area, monkeypatch, database_url,
                                                                             configured):  # fmt: skip
    if configured:
        _whatsapp_env(monkeypatch, business_number=False)
    before = table_counts(database_url)
    result = area("invite", "--role", "sekdes", "--desa", ROJOPOLO, "--channel", "whatsapp")
    assert result.code == 2, result
    assert "[whatsapp] business_number" in result.err and len(result.err.strip().splitlines()) == 1
    assert table_counts(database_url) == before


def test_the_qr_code_decodes_to_the_link(area, monkeypatch, tmp_path):
    import zxingcpp
    from PIL import Image

    _whatsapp_env(monkeypatch)
    target = tmp_path / "undangan rojopolo.png"
    result = area("invite", "--role", "sekdes", "--desa", ROJOPOLO, "--qr", str(target))
    assert result.code == 0, result
    link = result.out.splitlines()[0]
    decoded = zxingcpp.read_barcodes(Image.open(target))
    assert [(d.format, d.text) for d in decoded] == [(zxingcpp.BarcodeFormat.QRCode, link)]


@pytest.mark.parametrize("where", ["missing/folder/qr.png", "a-folder.png", "qr.txt"])
def test_a_qr_path_that_cannot_be_written_refuses_before_any_invitation(area, monkeypatch, database_url, tmp_path,
                                                                        where):  # fmt: skip
    _whatsapp_env(monkeypatch)
    (tmp_path / "a-folder.png").mkdir()
    before = table_counts(database_url)
    result = area("invite", "--role", "sekdes", "--desa", ROJOPOLO, "--qr", str(tmp_path / where))
    assert result.code == 2, result
    assert "QR" in result.err and len(result.err.strip().splitlines()) == 1
    assert table_counts(database_url) == before
    assert not (tmp_path / "qr.txt").exists() and not (tmp_path / "missing").exists()


# --- redeeming -------------------------------------------------------------------------------------------------


@pytest.fixture
async def jatiroto(app: App):
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, app.clock.now(), [2024, 2025], await load_calendar(session))
    return app


async def _invite(app: App, role: Role, place: str | None, channel: str, person_id: int | None = None) -> str:
    async with app.sessions() as session, session.begin():
        created = await create_invitation(session, role, place, app.clock.now(), channel=channel, person_id=person_id)
        return created.code


async def _redeem(app: App, code: str, sender: Sender) -> int:
    async with app.sessions() as session, session.begin():
        return (await redeem_invitation(session, code, sender, app.clock.now())).person.id


async def test_codes_redeem_in_any_case_with_spaces_and_dashes(jatiroto):
    code = await _invite(jatiroto, Role.SEKDES, ROJOPOLO, "whatsapp")
    typed = f"  {code[:3].lower()} {code[3:6]}-{code[6:].lower()} "
    person = await _redeem(jatiroto, typed, Sender("whatsapp", "62811", "62811", "Siti"))
    async with jatiroto.sessions() as session:
        assert (await session.get(Person, person)).name == "Siti"


@pytest.mark.parametrize("how", ["/start {a} {b}", "daftar {a} {b}", "DAFTAR: {a}-{b}"])
async def test_a_code_typed_in_pieces_joins(jatiroto, how):
    code = await _invite(jatiroto, Role.SEKDES, ROJOPOLO, "whatsapp")
    phone = FakePhone(jatiroto, FakeTransport("whatsapp"), "62811", "Siti")
    await phone.say(how.format(a=code[:5].lower(), b=code[5:]))
    await phone.expect(t("start.welcome").split("{")[0])


async def test_an_old_code_still_redeems_exactly_as_it_was_given(jatiroto):
    old = "aB3-_xYz09QwErTy"  # token_urlsafe(12), as invitations were made before issue 17
    async with jatiroto.sessions() as session, session.begin():
        await create_invitation(session, Role.SEKDES, ROJOPOLO, jatiroto.clock.now(), channel="telegram")
        row = await session.scalar(select(Invitation))
        row.code_hash = hash_code(old)
    assert await _redeem(jatiroto, old, Sender("telegram", "101", "101", "Siti")) > 0


async def test_a_new_whatsapp_number_retires_the_old_one_and_a_second_telegram_account_stays(jatiroto):
    clock = jatiroto.clock
    old_number = Sender("whatsapp", "62811", "62811", "Siti")
    siti = await _redeem(jatiroto, await _invite(jatiroto, Role.SEKDES, ROJOPOLO, "whatsapp"), old_number)
    await _redeem(jatiroto, await _invite(jatiroto, Role.SEKDES, ROJOPOLO, "telegram", siti),
                  Sender("telegram", "101", "101", "Siti TG"))  # fmt: skip
    async with jatiroto.sessions() as session, session.begin():  # a message that went to the old number
        old = await contact_by_sender(session, old_number)
        session.add(OutboxMessage(kecamatan_kode=JATIROTO, person_id=siti, role="sekdes", subject_type="notice",
                                  subject_id="x", kind="notice", for_date=clock.now().date(), send_at=clock.now(),
                                  status=OutboxStatus.SENT, channel="whatsapp", address="62811", contact_id=old.id,
                                  recipient_key=f"person:{siti}", created_at=clock.now()))  # fmt: skip

    clock.advance(timedelta(hours=1))
    new_number = Sender("whatsapp", "62899", "62899", "Siti (nomor baru)")
    assert await _redeem(jatiroto, await _invite(jatiroto, Role.SEKDES, ROJOPOLO, "whatsapp", siti), new_number) == siti
    async with jatiroto.sessions() as session:
        contacts = (await session.execute(select(Contact.channel, Contact.user_id).order_by(Contact.id))).all()
        assert contacts == [("telegram", "101"), ("whatsapp", "62899")]
        assert await contact_by_sender(session, old_number) is None  # the old number is a stranger now
        [(contact_id, address)] = (await session.execute(select(OutboxMessage.contact_id, OutboxMessage.address))).all()
        assert (contact_id, address) == (None, None)
        [details] = await session.scalars(select(AuditEntry.details).where(AuditEntry.action == "contact.retire"))
        assert details["channel"] == "whatsapp" and len(details["retired_contacts"]) == 1
        assert "62811" not in str(details)

    # Telegram: a second account of hers (a work phone) joins and the first stays
    await _redeem(jatiroto, await _invite(jatiroto, Role.SEKDES, ROJOPOLO, "telegram", siti),
                  Sender("telegram", "202", "202", "Siti kantor"))  # fmt: skip
    async with jatiroto.sessions() as session:
        telegram = await session.scalars(select(Contact.user_id).where(Contact.channel == "telegram"))
        assert sorted(telegram) == ["101", "202"]
        assert await session.scalar(select(func.count()).select_from(Person)) == 1


# --- /undang ---------------------------------------------------------------------------------------------------


def _app(database_url: str, tmp_path: Path, **sections) -> App:
    settings = Settings(database={"url": database_url}, storage={"path": tmp_path / "files"}, **sections)
    return App.create(settings, ManualClock(datetime(2025, 1, 15, 7, 0, tzinfo=WIB)))


@pytest.fixture
async def both(database_url, tmp_path):
    app = _app(database_url, tmp_path, telegram={"username": "ngobras_klambi_bot"}, whatsapp=WHATSAPP)
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, app.clock.now(), [2024, 2025], await load_calendar(session))
    yield app
    await app.close()


async def _staf_on(app: App, transport: FakeTransport) -> FakePhone:
    code = await _invite(app, Role.STAF, JATIROTO, transport.channel)
    staf = FakePhone(app, transport, "62800", "Bu Kasi")
    await staf.say(f"/start {code}")
    await staf.expect(t("start.welcome").split("{")[0])
    return staf


async def test_undang_asks_the_app_when_both_run_and_gives_its_link(both):
    fake = FakeTransport("whatsapp")
    staf = await _staf_on(both, fake)
    await staf.say("/undang")
    await staf.expect(t("invite.choose_channel"))
    await staf.press("WhatsApp")
    await staf.expect(t("invite.choose_role"))
    await staf.press(t("role.sekdes"))
    await staf.expect(t("invite.choose_desa"))
    await staf.press("Rojopolo")
    answer = (await staf.expect("wa.me")).text.text
    code = WA_LINK.search(answer).group(1)
    assert f"Kode: {code}" in answer
    siti = FakePhone(both, fake, "62811", "Siti")
    await siti.say(f"/start {code}")  # (DAFTAR CODE, the link's own text, reaches the same redemption)
    await siti.expect(t("start.welcome").split("{")[0])

    await staf.say("/undang")
    await staf.expect(t("invite.choose_channel"))
    await staf.say("telegram")  # typed instead of pressed
    await staf.expect(t("invite.choose_role"))
    await staf.press(t("role.pendamping"))
    await staf.press("Rojopolo")
    answer = (await staf.expect("t.me")).text.text
    code = re.search(r"https://t\.me/ngobras_klambi_bot\?start=([A-Z0-9]+)", answer).group(1)
    assert f"Kode: {code}" in answer
    async with both.sessions() as session:
        channels = (await session.execute(select(Invitation.channel).order_by(Invitation.id))).scalars().all()
    assert channels == ["whatsapp", "whatsapp", "telegram"]  # the staf's own, then the two from /undang


async def test_undang_with_one_app_does_not_ask(database_url, tmp_path):
    app = _app(database_url, tmp_path, whatsapp=WHATSAPP)
    try:
        async with app.sessions() as session, session.begin():
            await import_area(session, JATIROTO, app.clock.now(), [2024, 2025], await load_calendar(session))
        staf = await _staf_on(app, FakeTransport("whatsapp"))
        await staf.say("/undang")
        first = await staf.expect(t("invite.choose_role"))
        assert not [m for m in staf.transcript if t("invite.choose_channel") in m.text.text]
        assert first.choices
        await staf.press(t("role.sekdes"))
        await staf.press("Rojopolo")
        assert WA_LINK.search((await staf.expect("wa.me")).text.text)
    finally:
        await app.close()


# --- the staf digest and the weekly recap ---------------------------------------------------------------------


def _links(text: str) -> dict[str, str]:
    """Desa name -> the code of its link in a digest."""
    return dict(re.findall(rf"• ([^:\n]+): https://wa\.me/{NUMBER}\?text=DAFTAR%20([A-Z0-9]+)", text))


async def _digest_day(app: App, fake: FakeTransport) -> str:
    """Sweep the day's 08:00 messages; the digest the staf got."""
    before = len(fake.texts("62800"))
    app.clock.set(app.clock.now().replace(hour=8, minute=1))
    await sweep(app, {"whatsapp": fake})
    digests = [m for m in fake.texts("62800")[before:] if t("digest.invite_links") in m]
    assert len(digests) == 1, fake.texts("62800")[before:]
    return digests[0]


async def test_the_digest_links_each_desa_without_a_sekdes_reusing_one_invitation_until_used(both):
    fake = FakeTransport("whatsapp")
    await _staf_on(both, fake)
    first = _links(await _digest_day(both, fake))
    assert len(first) == 6 and "Rojopolo" in first  # no desa of Jatiroto has a secretary yet

    both.clock.advance(timedelta(days=1))
    second = _links(await _digest_day(both, fake))
    assert second == first  # the same links: one standing invitation per desa
    async with both.sessions() as session:
        standing = await session.scalar(select(func.count()).where(Invitation.standing_code.is_not(None)))
        assert standing == 6

    siti = await _redeem(both, first["Rojopolo"].lower(), Sender("whatsapp", "62811", "62811", "Siti"))
    both.clock.advance(timedelta(days=1))
    third = _links(await _digest_day(both, fake))
    assert "Rojopolo" not in third and third == {k: v for k, v in first.items() if k != "Rojopolo"}

    async with both.sessions() as session, session.begin():  # she leaves: the desa is listed again, with a new link
        await revoke_person_roles(session, person_id=siti, actor=CLI, now=both.clock.now(),
                                  reminders=both.settings.reminders, language="id")  # fmt: skip
    both.clock.advance(timedelta(days=3))  # Monday 20 January: no digest on a weekend
    fourth = _links(await _digest_day(both, fake))
    assert fourth["Rojopolo"] != first["Rojopolo"] and len(fourth) == 6
    with pytest.raises(Exception, match="invitation"):  # the used one stays used
        await _redeem(both, first["Rojopolo"], Sender("whatsapp", "62822", "62822", "Orang lain"))

    both.clock.advance(timedelta(days=14))  # the standing links end: new ones
    fifth = _links(await _digest_day(both, fake))
    assert set(fifth.values()).isdisjoint(fourth.values())


async def test_a_digest_without_whatsapp_keeps_the_forward_text(jatiroto):
    async with jatiroto.sessions() as session, session.begin():
        row = OutboxMessage(kecamatan_kode=JATIROTO, person_id=None, role="staf", subject_type="digest",
                            subject_id=JATIROTO, kind="digest", for_date=jatiroto.clock.now().date(),
                            send_at=jatiroto.clock.now(), status=OutboxStatus.PLANNED, recipient_key="person:1",
                            created_at=jatiroto.clock.now())  # fmt: skip
        message = await compose(session, row, jatiroto.clock.now(), "id", whatsapp=jatiroto.settings.whatsapp)
        assert "https://wa.me/?text=" in message.text.text and "DAFTAR" not in message.text.text
        assert await session.scalar(select(func.count()).select_from(Invitation)) == 0


async def test_the_weekly_recap_goes_to_staf_as_plain_text_when_there_is_no_forum_group(jatiroto):
    app = jatiroto
    async with app.sessions() as session, session.begin():
        kecamatan = await session.get(Kecamatan, JATIROTO)
        calendar = await load_calendar(session)
        start = app.clock.now()
        slots = await kecamatan_slots(session, kecamatan, start, start + timedelta(days=7), app.settings.reminders)
        recaps = [s for s in slots if s.subject_type == "recap"]
        monday = start.date() + timedelta(days=7 - start.weekday())
        assert [(s.role, s.for_date) for s in recaps] == [("staf", weekly_recap_day(monday, calendar))]
        row = OutboxMessage(kecamatan_kode=JATIROTO, person_id=None, role="staf", subject_type="recap",
                            subject_id=JATIROTO, kind="recap", for_date=recaps[0].for_date, send_at=recaps[0].send_at,
                            status=OutboxStatus.PLANNED, recipient_key="person:1", created_at=start)  # fmt: skip
        message = await compose(session, row, recaps[0].send_at, "id")
        assert not message.text.spans  # nothing monospace: it is pasted into a WhatsApp group
        lines = message.text.text.splitlines()
        assert lines[0].startswith("🗓️") and any(re.fullmatch(r"• Rojopolo: RKPDes \S+ · APBDes \S+ · LPPDes \S+", x)
                                                  for x in lines), lines  # fmt: skip

        kecamatan.forum_chat_id = -100123  # with a forum group, the recap goes there (as a grid), not to staf
        await session.flush()
        slots = await kecamatan_slots(session, kecamatan, start, start + timedelta(days=7), app.settings.reminders)
        assert {s.role for s in slots if s.subject_type == "recap"} == {"forum"}
        row.role = "forum"
        assert (await compose(session, row, recaps[0].send_at, "id")).text.spans


def test_whatsapp_link_is_url_encoded() -> None:
    assert whatsapp_invite_link(NUMBER, "ACDEF34679") == f"https://wa.me/{NUMBER}?text=DAFTAR%20ACDEF34679"
