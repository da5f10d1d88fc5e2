"""Commands typed as words, the menu as choices, and DAFTAR KODE (issue 17), on the real chat core.

WhatsApp users do not type "/kirim": every command works as its word, with or without the slash, in any case, unless
a step of a conversation waits for text ("batal" always counts). The phones here are the in-process fake channel
(`tests/fake_channel.py`) writing plain text as the WhatsApp adapter hands it over, and, for a few cases, a Telegram
account over HTTP against the Bot API sandbox.
"""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from bot.chat.actions import MenuPage, RunCommand, encode
from bot.chat.messages import OutMessage
from bot.i18n import CATALOG, t
from bot.services.calendar import load_calendar
from bot.services.people import create_invitation
from bot.services.places import import_area
from handlers import COMMAND_HANDLERS, command_in, command_words
from handlers.onboarding import MENU_ROWS, MENU_SECTIONS, commands_for, menu_pages
from models.tables import Draft, ForumReply, ForumThread, Person, Role, RoleAssignment
from tests.fake_channel import FakePhone, FakeTransport
from tests.world import JATIROTO, ROJOPOLO

WORDS = sorted(COMMAND_HANDLERS)  # every command of the chat, "menu" included


def head(key: str) -> str:
    """The catalog text of `key` up to its first placeholder or line break."""
    return re.split(r"[{\n]", t(key), maxsplit=1)[0].strip()


# --- the one rule, on its own -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, waiting, expected",
    [
        ("kirim", False, ("kirim", ())),
        ("KIRIM", False, ("kirim", ())),
        (" /Status ", False, ("status", ())),
        ("Status 2024", False, ("status", ("2024",))),
        ("indikator 2024 35.08.17", False, ("indikator", ("2024", "35.08.17"))),
        ("menu?", False, ("menu", ())),
        ("daftar Ab12_cD-34", False, ("start", ("Ab12_cD-34",))),
        ("Daftar: Ab12cD34", False, ("start", ("Ab12cD34",))),
        ("DAFTAR:Ab12cD34", False, ("start", ("Ab12cD34",))),
        ("hubungkan whatsapp", False, ("hubungkan", ("whatsapp",))),
        ("tanya kapan batas APBDes?", False, ("tanya", ("kapan", "batas", "APBDes?"))),
        ("kirim dokumen desa", False, None),  # a sentence, not the command
        ("status dokumen", False, None),
        ("daftar dua kode", False, None),
        ("kirim-dokumen", False, None),
        ("halo", False, None),
        ("", False, None),
        ("27/09/2024", False, None),
        ("status", True, None),  # a step waits for text: the word is the text
        ("Kirim", True, None),
        ("batal", True, ("batal", ())),  # batal always counts
        ("BATAL", True, ("batal", ())),
        ("batal saja", False, None),
        ("/kirim", True, ("kirim", ())),  # a slash command always counts, as on Telegram
        ("/nosuch x", False, ("nosuch", ("x",))),  # and an unknown one gets the help, as on Telegram
        ("/daftar Ab12", True, ("start", ("Ab12",))),
    ],
)
def test_which_texts_are_commands(text, waiting, expected):
    assert command_in(text, waiting=waiting, language="id") == expected


def test_every_command_has_its_words_and_an_english_deployment_may_add_its_own():
    for name in COMMAND_HANDLERS:
        assert f"word.{name}" in CATALOG, name
        assert command_words("id")[name] == name and command_words("en")[name] == name
    assert command_words("id")["daftar"] == "start"
    assert command_in("SEND", waiting=False, language="en") == ("kirim", ())
    assert command_in("send", waiting=False, language="id") is None


def test_menu_texts_fit_a_whatsapp_list():
    listed = {name for _, names in MENU_SECTIONS for name in names}
    for language in ("id", "en"):
        for name in listed:
            assert len(t(f"menu.label.{name}", language)) <= 24, name
            assert len(t(f"command.{name}", language)) <= 72, name
        for section, _ in (*MENU_SECTIONS, ("lainnya", ())):
            assert len(t(f"menu.section.{section}", language)) <= 24, section
        assert len(t("menu.next", language)) <= 24
        assert len(t("menu.next_description", language, page=10, pages=10)) <= 72
    every = {name for role in Role for name, _ in commands_for({role}, "id")}
    assert every <= listed  # every command a role has is in the menu


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_menu_pages_hold_at_most_ten_rows_and_whole_sections_where_they_fit(role):
    commands = {name for name, _ in commands_for({role}, "id")}
    pages = menu_pages(commands)
    assert [name for page in pages for _, name in page] == [
        name for _, names in MENU_SECTIONS for name in names if name in commands
    ]  # every command once, in the sections' order
    for number, page in enumerate(pages):
        assert len(page) <= (MENU_ROWS if number == len(pages) - 1 else MENU_ROWS - 1)  # room for "Berikutnya"
    sections = [{section for section, _ in page} for page in pages]
    for first, second in itertools.combinations(sections, 2):
        assert not first & second  # no section is split: each fits on a page


# --- on the fake channel ------------------------------------------------------------------------------------------


@pytest.fixture
async def office(app):
    """Kecamatan Jatiroto loaded; `join(role, place)` gives a registered phone, `stranger()` one that is not."""
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, app.clock.now(), [2024, 2025], await load_calendar(session))
    transport = FakeTransport("whatsapp")
    numbers = itertools.count(1)

    class Office:
        async def code(self, role: Role, place: str | None) -> str:
            async with app.sessions() as session, session.begin():
                return (await create_invitation(session, role, place, app.clock.now(), channel="whatsapp")).code

        def stranger(self) -> FakePhone:
            number = next(numbers)
            return FakePhone(app, transport, f"62812{number:04d}", f"Orang {number}")

        async def join(self, role: Role, place: str | None) -> FakePhone:
            phone = self.stranger()
            await write(phone, f"DAFTAR {await self.code(role, place)}")
            await phone.expect(head("start.welcome"))
            return phone

    return Office()


async def write(phone: FakePhone, text: str) -> list[OutMessage]:
    """Type `text` as a WhatsApp user does: plain text, no channel's command parsing. Returns the answers."""
    before = len(phone.transcript)
    await phone._act(text=text)
    return phone.transcript[before:]


async def command(phone: FakePhone, name: str) -> list[OutMessage]:
    """The command as a channel that knows commands hands it over (Telegram's "/name")."""
    before = len(phone.transcript)
    await phone._act(command=name)
    return phone.transcript[before:]


async def press(phone: FakePhone, action) -> list[OutMessage]:
    """Press a choice with this action (shown or forged) under the newest message."""
    before = len(phone.transcript)
    await phone._act(choice=encode(action) if not isinstance(action, str) else action)
    return phone.transcript[before:]


def texts(messages: list[OutMessage]) -> list[str]:
    return [m.text.text for m in messages]


def shape(messages: list[OutMessage]) -> list[str]:
    """What an answer says, without what changes from one asking to the next (codes, links, times)."""
    return [re.split(r"\d", m.text.text, maxsplit=1)[0][:60] for m in messages]


@pytest.mark.parametrize("word", WORDS)
async def test_each_command_word_reaches_its_handler_in_any_case_with_or_without_the_slash(office, word, monkeypatch):
    monkeypatch.setattr("reports.pool.CACHE_FILES", 0)  # /rekap and /indikator answer alike each time: nothing kept
    phone = await office.join(Role.SEKDES if word == "kirim" else Role.STAF, ROJOPOLO if word == "kirim" else JATIROTO)
    helped = shape(await command(phone, "bantuan"))
    expected = shape(await command(phone, word))
    await command(phone, "batal")
    assert expected and not any(head("menu.not_understood") in text for text in expected)
    assert (expected == helped) is (word in ("bantuan", "help"))  # its own handler, not the help for the unknown
    for typed in (word, word.upper(), f" /{word.capitalize()} "):
        answer = await write(phone, typed)
        assert shape(answer) == expected, typed
        await command(phone, "batal")


async def test_a_word_while_a_step_waits_for_text_is_the_text_but_batal_cancels(office, app):
    sekdes = await office.join(Role.SEKDES, ROJOPOLO)
    await write(sekdes, "kendala")
    await sekdes.press(t("kendala.no_document"))
    await sekdes.expect(head("kendala.ask_text"))
    answer = await write(sekdes, "status")  # the problem, in one word
    assert head("kendala.recorded") in texts(answer)[0]
    async with app.sessions() as session:
        assert await session.scalar(select(ForumThread.text)) == "status"

    await write(sekdes, "Kendala")
    await sekdes.press(t("kendala.no_document"))
    await sekdes.expect(head("kendala.ask_text"))
    assert texts(await write(sekdes, "Batal")) == [t("chat.cancelled")]
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Draft)) == 0
        assert await session.scalar(select(func.count()).select_from(ForumThread)) == 1

    await write(sekdes, "kendala")  # between the buttons (no step waits for text) a word is a command
    assert head("status.title") in texts(await write(sekdes, "status"))[0]
    await write(sekdes, "kendala")
    await sekdes.press(t("kendala.no_document"))
    assert head("status.title") in texts(await write(sekdes, "/status"))[0]  # a slash command always counts


async def test_daftar_with_a_code_joins_a_stranger_and_a_wrong_code_is_refused(office, app):
    stranger = office.stranger()
    assert texts(await write(stranger, "daftar salahsekali")) == [t("error.invitation_unknown")]
    answer = await write(stranger, f"Daftar: {await office.code(Role.SEKDES, ROJOPOLO)}")
    assert head("start.welcome") in texts(answer)[0]
    answer = await write(stranger, f"DAFTAR {await office.code(Role.PENDAMPING, ROJOPOLO)}")  # a second role
    assert head("start.welcome") in texts(answer)[0]
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        roles = (await session.scalars(select(RoleAssignment.role).order_by(RoleAssignment.id))).all()
    assert roles == [Role.SEKDES, Role.PENDAMPING]


async def test_a_stranger_is_told_how_to_join_without_naming_an_app(office):
    stranger = office.stranger()
    assert texts(await write(stranger, "menu")) == [t("help.stranger")]
    assert not stranger.transcript[-1].choices
    assert "DAFTAR" in t("help.stranger")
    assert texts(await write(stranger, "kirim")) == [t("chat.unknown_person")]
    for language in ("id", "en"):
        assert "Telegram" not in t("chat.unknown_person", language)


async def test_the_menu_of_a_sekdes_fits_one_page_and_its_choices_run_their_commands(office):
    sekdes = await office.join(Role.SEKDES, ROJOPOLO)
    [menu] = await write(sekdes, "Menu")
    assert menu.text.text == t("menu.title")
    choices = [choice for row in menu.choices for choice in row]
    assert len(choices) <= MENU_ROWS and not [c for c in choices if isinstance(c.action, MenuPage)]
    names = [c.action.name for c in choices]
    assert set(names) == {name for name, _ in commands_for({Role.SEKDES}, "id")}
    status = next(c for c in choices if c.action == RunCommand("status"))
    assert (status.label, status.description, status.section) == (
        t("menu.label.status"), t("command.status"), t("menu.section.dokumen"),
    )  # fmt: skip
    assert all(len(c.label) <= 24 and len(c.description or "") <= 72 for c in choices)

    await sekdes.press(t("menu.label.status"))
    pressed = await sekdes.expect(head("status.title"))
    assert shape([pressed]) == shape(await command(sekdes, "status"))  # the same as typing it


async def test_a_choice_is_refused_like_the_command_it_runs_and_a_forged_one_as_stale(office):
    sekdes = await office.join(Role.SEKDES, ROJOPOLO)
    typed = texts(await write(sekdes, "verifikasi"))
    assert typed == [t("chat.not_allowed")]
    assert texts(await press(sekdes, RunCommand("verifikasi"))) == typed
    assert sekdes.refusals[-2:] == typed * 2
    assert texts(await press(sekdes, "cmd:nosuch")) == [t("chat.stale_button")]
    assert texts(await press(sekdes, MenuPage(3))) == [t("chat.stale_button")]  # a sekdes's menu has one page


async def test_the_menu_of_an_admin_pages_with_berikutnya(office):
    admin = await office.join(Role.ADMIN, None)
    [page] = await write(admin, "MENU")
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        choices = [choice for row in page.choices for choice in row]
        assert len(choices) <= MENU_ROWS
        assert t("menu.page", page=pages, pages=3) in page.text.text
        seen += [c.action.name for c in choices if isinstance(c.action, RunCommand)]
        following = [c for c in choices if isinstance(c.action, MenuPage)]
        if not following:
            break
        assert following == [choices[-1]] and following[0].label == t("menu.next")
        [page] = await press(admin, following[0].action)
    assert pages == 3
    assert seen == [name for _, names in MENU_SECTIONS for name in names if name in set(seen)]
    assert set(seen) == {name for name, _ in commands_for({Role.ADMIN}, "id")}


async def test_a_text_the_bot_cannot_place_is_answered_with_the_menu(office):
    camat = await office.join(Role.CAMAT, JATIROTO)
    [answer] = await write(camat, "selamat pagi pak")
    assert answer.text.text == t("menu.not_understood")
    assert {c.action for row in answer.choices for c in row} == {
        RunCommand(name) for name, _ in commands_for({Role.CAMAT}, "id")
    }


# --- on Telegram, over HTTP -------------------------------------------------------------------------------------------


async def test_on_telegram_words_daftar_and_the_menu_work_as_on_any_channel(world):
    stranger = world.sandbox.user(301, "Siti", label="Siti")
    await stranger.send_text(f"daftar {await world.invite(Role.SEKDES, ROJOPOLO)}")
    await stranger.expect("Selamat datang")
    await stranger.send_text("Status")
    await stranger.expect(head("status.title"))
    await stranger.send_text("menu")
    menu = await stranger.expect(t("menu.title"))
    assert [row[0][1] for row in menu.buttons][:2] == ["cmd:kirim", "cmd:status"]  # one choice a row
    await stranger.press(t("menu.label.status"))
    await stranger.expect(head("status.title"))


async def test_on_telegram_a_reply_to_a_question_is_its_answer_even_when_it_is_a_command_word(world):
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await siti.send_text("Tanya Boleh saya kirim RKPDes sekarang?")  # the word, and the question after it
    await siti.expect(head("tanya.recorded"))
    alert = await staf.expect("Pertanyaan #1")  # sent at once by the courier the commit woke
    await world.bot.bot_data["courier"].idle()  # and marked with its message id, which the reply names
    await staf.send_text("Kirim", reply_to=alert)  # the answer, in one word
    await staf.expect(head("jawab.sent"))
    assert await world.rows(select(ForumReply.text)) == [("Kirim",)]
