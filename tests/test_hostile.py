"""Hostile input: parsers and the conversation itself under property-based fuzzing (hypothesis).

Every input gets a friendly answer, no exception escapes a handler, nothing half-written remains, and what people
type (names and texts with HTML or Markdown characters) is shown exactly as typed.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.authz import COMMANDS
from bot.errors import InputError
from bot.i18n import CATALOG, t
from bot.parsing import parse_chat_datetime
from handlers.common import STRANGER_QUIET
from models.tables import Channel, Draft, Submission, SubmissionFile
from tests.world import JATIROTO, JPEG, PDF, ROJOPOLO, Role

REFUSED = (t("chat.not_allowed"), t("chat.stale_button"))

WIB = ZoneInfo("Asia/Jakarta")
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
FLOWS = {"kirim", "tolak", "undang", "perpanjang", "tenggat", "catat", "koreksi", "cabut", "arsip", "umumkan",
         "kendala", "tanya", "jawab", "tutup", "rapat", "notulen"}  # fmt: skip


@given(st.text(max_size=60))
def test_any_text_is_a_meeting_time_or_a_friendly_refusal(text):
    try:
        moment = parse_chat_datetime(text, WIB)
        assert moment.tzinfo is WIB
    except InputError as refused:
        assert refused.key in ("rapat.time_not_understood", "chat.date_not_understood")
        assert len(refused.values["value"]) <= 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12/12/2024 09.00", datetime(2024, 12, 12, 9, 0, tzinfo=WIB)),
     ("12 Desember 2024 pukul 9.00", datetime(2024, 12, 12, 9, 0, tzinfo=WIB)),
     ("2024-12-12 14:30 WIB", datetime(2024, 12, 12, 14, 30, tzinfo=WIB)),
     ("12 Des 2024, jam 08.15", datetime(2024, 12, 12, 8, 15, tzinfo=WIB))],
)  # fmt: skip
def test_meeting_times_as_people_type_them(text, expected):
    assert parse_chat_datetime(text, WIB) == expected


def test_every_text_in_the_catalog_has_both_languages_and_fits_a_message():
    for key, (indonesian, english) in CATALOG.items():
        assert indonesian and english, key
        assert len(indonesian) < 1500 and len(english) < 1500, key


MARKUP = st.sampled_from(["<b>", "</i>", "*tebal*", "_miring_", "[tautan](http://x)", "`kode`", "&amp;", "<a href=x>"])
TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(MARKUP, st.text(max_size=10)), max_size=6).map("".join),
    st.sampled_from(["27/09/2024", "hari ini", "5 Tahun 2024", "01/01/2099 09.00", "x" * 4100, "", " "]),
)
ACTION = st.one_of(
    st.tuples(st.just("command"), st.integers(0, 3), st.sampled_from(sorted(COMMANDS)), st.one_of(st.just(""), TEXT)),
    st.tuples(st.just("text"), st.integers(0, 3), TEXT),
    st.tuples(st.just("file"), st.integers(0, 3), st.sampled_from(["pdf", "photo", "garbage", "html"])),
    st.tuples(st.just("press"), st.integers(0, 3), st.integers(0, 12)),
    st.tuples(st.just("forge"), st.integers(0, 3), st.one_of(
        st.text(max_size=64),
        st.tuples(st.sampled_from(["k:o", "k:go", "v:a", "v:r", "p:d", "c:d", "x:s", "r:a", "a:v", "n:r", "m:y",
                                   "f:j", "n:t", "m:t", "kd:o", "u:r", "k:d", "c:p"]),
                  st.one_of(st.integers(-5, 10 ** 12).map(str), st.text(max_size=20))).map(":".join),
    )),
)  # fmt: skip
FILES = {
    "pdf": (PDF, "Perdes <b>2025</b>.pdf", "application/pdf"),
    "photo": (JPEG, None, None),
    "garbage": (b"MZ\x90\x00" + b"\x00" * 300, "virus.exe.pdf", "application/pdf"),
    "html": (b"<html><script>alert(1)</script></html>", "dokumen.docx", "application/msword"),
}


@settings(max_examples=300 if THOROUGH else 15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(ACTION, min_size=1, max_size=10))
async def test_random_conversations_always_get_a_friendly_answer(world, caplog, actions):
    people = await _cast(world)
    caplog.set_level(logging.ERROR, logger="klambi")
    caplog.clear()
    for kind, who, *rest in actions:
        user = people[who]
        if who == 3:
            world.clock.advance(STRANGER_QUIET)  # the stranger is told how to join once in a while
        if kind == "command":
            command, argument = rest
            if command == "start" and argument == "":
                argument = "kode-salah"
            await user.send_text(f"/{command} {argument}".strip()[:4096] or "/bantuan")
        elif kind == "text":
            await user.send_text(rest[0][:4096] or ".")
        elif kind == "file":
            data, name, mime = FILES[rest[0]]
            if name is None:
                await user.send_photo(data)
            else:
                await user.send_document(data, name, mime)
        else:
            message = next((m for m in reversed(user.chat.messages) if m.buttons), None)
            if message is None:
                continue
            if kind == "press":
                buttons = [d for row in message.buttons for _, d in row if d]
                data = buttons[rest[0] % len(buttons)]
            else:
                data = rest[0] or "?"
            query = await user.press_callback(message, data[:64])
            await world.sandbox.answer_to(query)
            continue
        await user.expect("", timeout=10)  # an answer, whatever it says
        await world.sandbox.settle(quiet=0.05)
    await world.sandbox.settle(quiet=0.05)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    sorry = t("chat.error")
    assert not [line for line in world.sandbox.transcript() if sorry in line]
    async with world.app.sessions() as session:
        orphans = await session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(
                Submission.channel == Channel.TELEGRAM,
                ~select(SubmissionFile.id).where(SubmissionFile.submission_id == Submission.id).exists(),
            )
        )
        assert orphans == 0  # a version from the chat always has its files
        flows = set(await session.scalars(select(Draft.flow)))
        assert flows <= FLOWS


async def _cast(world):
    """The same four people for every example: a sekdes, a staf, a pendamping, a stranger (names with markup)."""
    if "fuzz" not in world.people:
        from models.tables import Role

        world.people["fuzz"] = [
            await world.join(101, "Siti <b>Aminah</b>", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo"),
            await world.join(201, "Kasi *Pem* _Jatiroto_", Role.STAF, JATIROTO, "Kasi Pemerintahan"),
            await world.join(301, "Budi [Pendamping](x)", Role.PENDAMPING, ROJOPOLO, "Pendamping Rojopolo"),
            world.sandbox.user(999, "Orang & Asing", label="Orang asing"),
        ]
        welcome = world.people["fuzz"][0].chat.messages[0].text
        assert "Selamat datang, Siti <b>Aminah</b>!" in welcome  # shown as typed
    return world.people["fuzz"]


ODD_NUMBERS = ["²", "٢٠٢٤", "9" * 20, str(2**31), "0" * 200 + "1"]
ID_BUTTONS = [  # (the command that opens the step, or None; callback data with {} for the id)
    (None, "v:a:{}"), (None, "v:r:{}"), (None, "k:go:{}"), (None, "r:y:{}"), (None, "n:r:{}"), (None, "n:d:{}"),
    (None, "m:y:{}"), (None, "m:d:{}"), (None, "m:c:{}"), (None, "f:j:{}"), (None, "f:c:{}"), ("koreksi", "x:s:{}"),
    ("cabut", "r:a:{}"), ("perpanjang", "p:o:{}"), ("tenggat", "t:o:RKPDES:{}"), ("catat", "c:o:{}"),
]  # fmt: skip


async def test_odd_digits_and_huge_ids_are_refused_kindly(world, caplog):
    """`"²".isdigit()` is true and `int("²")` raises; a 20-digit id overflows the database's integer. Typed after a
    command or carried by a button, each gets a friendly refusal: nothing raises, nothing is logged as an error."""
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    caplog.set_level(logging.ERROR, logger="klambi")
    for value in ODD_NUMBERS:
        for command in ("status", "indikator"):
            await staf.send_text(f"/{command} {value}")
            await staf.expect("tidak bisa dipakai")
        await staf.send_text(f"/libur {value}")
        await staf.expect("Hari libur")
        for opener, template in ID_BUTTONS:
            if opener is not None:
                await staf.send_text(f"/{opener}")
                await staf.expect("")
            query = await staf.press_callback(staf.last, template.format(value))
            answer = await world.sandbox.answer_to(query)
            assert answer.show_alert and any(text[:25] in (answer.text or "") for text in REFUSED), (template, value)
            await staf.send_text("/batal")
            await world.sandbox.settle(quiet=0.05)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
