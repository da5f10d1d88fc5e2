"""The one codec of choices: every action survives the trip, fits Telegram's 64 bytes, and anything else is refused."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.authz import COMMANDS
from bot.chat import actions
from bot.chat.actions import MAX_BYTES, decode, decode_or_none, encode
from bot.chat.messages import Formatted, OutFile, OutMessage, Span
from bot.errors import InputError
from bot.parsing import MAX_ID

ALL = sorted({cls for cls in vars(actions).values() if isinstance(cls, type) and hasattr(cls, "tag")},
             key=lambda c: c.__name__)  # fmt: skip
BIGGEST_ID = MAX_ID  # the largest id the database holds
LONGEST_CODE = "35.08.17.2001-XX-XXXXXXXXXXXXXXXX"[:32]


def _widest(cls: type[actions.Action]) -> actions.Action:
    values = {f.name: BIGGEST_ID if f.type in (int, "int") else LONGEST_CODE for f in dataclasses.fields(cls)}
    if cls is actions.RunCommand:  # only a command the chat knows is a valid choice
        values = {"name": max(COMMANDS, key=len)}
    return cls(**values)


def test_every_action_is_registered_once_and_round_trips_at_its_widest() -> None:
    assert len(ALL) == 53 and len({cls.tag for cls in ALL}) == len(ALL)
    for cls in ALL:
        widest = _widest(cls)
        code = encode(widest)
        assert len(code.encode()) <= MAX_BYTES, code
        assert decode(code) == widest


def test_the_ids_are_the_ones_already_in_peoples_chats() -> None:
    """Buttons sent before the codec existed (and rows on the outbox) keep working."""
    assert decode("k:go:7") == actions.KirimFromReminder(7)
    assert decode("n:r:3") == actions.AnnouncementRead(3)
    assert decode("m:y:2") == actions.RapatAttend(2)
    assert decode("t:o:RKPDES:2025") == actions.TenggatDocument("RKPDES", 2025)
    assert decode("batal") == actions.Cancel()
    assert encode(actions.KendalaObligation(0)) == "kd:o:0"


@pytest.mark.parametrize(
    "forged",
    ["", "k", "k:o", "k:o:", "k:o:-1", "k:o:1.5", "k:o:²", "k:o:1:2", "k:send:1", "batal:1", "zz:o:1",
     "v:a:99999999999999999999", "p:d:35.08/../..", "p:d:" + "9" * 40, "t:o:RKPDES:twenty", "u:r:a b", "x" * 65,
     "cmd:nosuch", "cmd:", "cmd:kirim:1", "menu:x"],
)  # fmt: skip
def test_forged_or_unknown_ids_are_refused_as_stale(forged: str) -> None:
    assert decode_or_none(forged) is None
    with pytest.raises(InputError) as refused:
        decode(forged)
    assert refused.value.key == "chat.stale_button"


@given(st.text(max_size=80))
def test_any_string_is_either_exactly_an_action_or_refused(data: str) -> None:
    found = decode_or_none(data)
    if found is not None:
        assert encode(found) == data


def test_a_queued_message_reads_back_the_same_and_drops_a_choice_that_no_longer_decodes() -> None:
    message = OutMessage.of(
        Formatted("Rekap\nA  B", (Span("pre", 6, 4),)),
        [[("Terima", actions.Accept(5)), ("Tolak", actions.Reject(5))]],
        [OutFile("photo", None, "image/jpeg", "ab/cd.jpg", None, {"telegram": "AgAD"})],
    )
    assert OutMessage.from_dict(message.to_dict()) == message
    stored = message.to_dict() | {"choices": [[["Lama", "zz:9"], ["Terima", "v:a:5"]]]}
    assert OutMessage.from_dict(stored).choices == ((message.choices[0][0],),)
