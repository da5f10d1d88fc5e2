"""Every choice the bot offers is a typed action, encoded short: one codec for every channel.

An action is a frozen dataclass registered under a short tag (`k:o`, "kirim: the obligation"). Its id is the tag and
its fields joined by ":", e.g. `k:o:12` — at most 64 bytes, so the same id is a Telegram `callback_data` and a
WhatsApp button or list-row id. `decode` refuses anything unknown or forged (a wrong tag, a field that is not what
its type says, too many or too few parts) with the "stale button" answer: a pressed choice is data from a person.

The ids are the ones the bot has always sent, so buttons of messages already in people's chats (and rows already on
the outbox) keep working after an upgrade.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from typing import Any, ClassVar, TypeVar

from bot.errors import InputError
from bot.parsing import MAX_ID, whole_number

MAX_BYTES = 64  # Telegram's callback_data limit; WhatsApp allows more (256 for a button id, 200 for a row id)
SEPARATOR = ":"
_CODE = re.compile(r"[A-Za-z0-9._-]{1,32}")  # a desa or kecamatan code, a document code, a role

A = TypeVar("A", bound="Action")


class Action:
    """A choice's meaning. Subclasses are frozen dataclasses registered with `@action(tag…)`."""

    tag: ClassVar[tuple[str, ...]]

    def valid(self) -> bool:
        """Whether the decoded fields name something that can exist (beyond their types); a choice that does not
        is refused like a forged one."""
        return True


_BY_TAG: dict[tuple[str, ...], type[Action]] = {}
_FIELDS: dict[type[Action], tuple[tuple[str, type], ...]] = {}


def action(*tag: str):
    """Register a dataclass as the action behind `tag`."""

    def register(cls: type[A]) -> type[A]:
        cls = dataclasses.dataclass(frozen=True)(cls)
        assert tag not in _BY_TAG, f"action tag {tag} used twice"
        hints = typing.get_type_hints(cls)
        fields = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
        assert all(kind in (int, str) for _, kind in fields), f"{cls.__name__}: fields are int or str"
        cls.tag = tag
        _BY_TAG[tag] = cls
        _FIELDS[cls] = fields
        return cls

    return register


def encode(chosen: Action) -> str:
    parts = [*chosen.tag]
    for name, kind in _FIELDS[type(chosen)]:
        value = getattr(chosen, name)
        text = str(value)
        if kind is int:
            assert isinstance(value, int) and 0 <= value <= MAX_ID, f"{name}={value!r}"
        else:
            assert _CODE.fullmatch(text), f"{name}={value!r} cannot travel in a choice id"
        parts.append(text)
    assert chosen.valid(), chosen
    encoded = SEPARATOR.join(parts)
    assert len(encoded.encode()) <= MAX_BYTES, encoded
    return encoded


def decode(data: str | None) -> Action:
    """The action behind a choice id; `InputError("chat.stale_button")` when it is unknown or forged."""
    found = decode_or_none(data)
    if found is None:
        raise InputError("chat.stale_button")
    return found


def decode_or_none(data: str | None) -> Action | None:
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    parts = data.split(SEPARATOR)
    for size in (2, 1):  # tags are one or two parts; the longest that is known wins
        cls = _BY_TAG.get(tuple(parts[:size]))
        if cls is None:
            continue
        values = parts[size:]
        fields = _FIELDS[cls]
        if len(values) != len(fields):
            return None
        converted: dict[str, Any] = {}
        for (name, kind), text in zip(fields, values, strict=True):
            if kind is int:
                number = whole_number(text)
                if number is None:
                    return None
                converted[name] = number
            elif _CODE.fullmatch(text):
                converted[name] = text
            else:
                return None
        found = cls(**converted)
        return found if found.valid() else None
    return None


# --- the actions ----------------------------------------------------------------------------------------------------
# (dataclass fields declared as annotations; `@action` makes each a frozen dataclass)


@action("batal")
class Cancel(Action):
    """Batal: drop the conversation in progress."""


# /kirim
@action("k", "o")
class KirimObligation(Action):
    obligation_id: int


@action("k", "go")
class KirimFromReminder(Action):
    """The button under a reminder: start /kirim at this obligation."""

    obligation_id: int


@action("k", "next")
class KirimPagesDone(Action):
    pass


@action("k", "d")
class KirimDate(Action):
    days_back: int  # 0 today, 1 yesterday


@action("k", "skip")
class KirimSkipNomor(Action):
    pass


@action("k", "send")
class KirimSend(Action):
    pass


@action("k", "ok")
class KirimReadRight(Action):
    """Benar: what the bot read from the file is the tanggal penetapan and the nomor."""


@action("k", "edit")
class KirimReadChange(Action):
    """Ubah: the secretary types them herself."""


@action("k", "use")
class KirimUseRead(Action):
    """At the summary, take what the file says instead of what was typed."""


# verification
@action("v", "a")
class Accept(Action):
    submission_id: int


@action("v", "r")
class Reject(Action):
    submission_id: int


# /perpanjang
@action("p", "d")
class PerpanjangDesa(Action):
    desa_kode: str


@action("p", "o")
class PerpanjangObligation(Action):
    obligation_id: int


# /tenggat
@action("t", "o")
class TenggatDocument(Action):
    document_code: str
    tahun_anggaran: int


# /catat
@action("c", "d")
class CatatDesa(Action):
    desa_kode: str


@action("c", "o")
class CatatObligation(Action):
    obligation_id: int


@action("c", "p")
class CatatPenetapan(Action):
    days_back: int


@action("c", "r")
class CatatReceived(Action):
    days_back: int


@action("c", "f")
class CatatFilesDone(Action):
    pass


@action("c", "s")
class CatatSave(Action):
    pass


# /koreksi, /cabut, /arsip
@action("x", "s")
class KoreksiSubmission(Action):
    submission_id: int


@action("r", "a")
class CabutAssignment(Action):
    assignment_id: int


@action("r", "y")
class CabutConfirm(Action):
    assignment_id: int


@action("a", "d")
class ArsipDesa(Action):
    desa_kode: str


@action("a", "o")
class ArsipObligation(Action):
    obligation_id: int


@action("a", "v")
class ArsipVersion(Action):
    submission_id: int


# /undang
@action("u", "r")
class UndangRole(Action):
    role: str


@action("u", "d")
class UndangPlace(Action):
    kode: str


@action("u", "c")
class UndangChannel(Action):
    channel: str  # telegram, whatsapp: the app the invitation is for, when the deployment runs both


# /umumkan, /pengumuman
@action("n", "k")
class UmumkanKecamatan(Action):
    kecamatan_kode: str


@action("n", "t")
class UmumkanToggle(Action):
    desa_kode: str


@action("n", "a")
class UmumkanAll(Action):
    pass


@action("n", "g")
class UmumkanNext(Action):
    pass


@action("n", "s")
class UmumkanSend(Action):
    pass


@action("n", "r")
class AnnouncementRead(Action):
    announcement_id: int


@action("n", "d")
class AnnouncementDetail(Action):
    announcement_id: int


# /kendala, /tanya, answering and closing
@action("kd", "d")
class KendalaDesa(Action):
    desa_kode: str


@action("kd", "o")
class KendalaObligation(Action):
    obligation_id: int


@action("q", "d")
class TanyaDesa(Action):
    desa_kode: str


@action("f", "j")
class ThreadAnswer(Action):
    thread_id: int


@action("f", "c")
class ThreadClose(Action):
    thread_id: int


# /rapat, /agenda
@action("m", "r")
class RapatRole(Action):
    role: str


@action("m", "t")
class RapatPlace(Action):
    kode: str


@action("m", "a")
class RapatAll(Action):
    pass


@action("m", "g")
class RapatNext(Action):
    pass


@action("m", "s")
class RapatSave(Action):
    pass


@action("m", "y")
class RapatAttend(Action):
    meeting_id: int


@action("m", "n")
class RapatDecline(Action):
    meeting_id: int


@action("m", "d")
class RapatDetail(Action):
    meeting_id: int


@action("m", "c")
class NotulenStart(Action):
    meeting_id: int


# the menu (a person's commands as choices)
@action("cmd")
class RunCommand(Action):
    """Run a chat command, as if its name had been typed: only a command the chat knows decodes."""

    name: str

    def valid(self) -> bool:
        from bot.authz import COMMANDS  # the one table of the chat's commands (bot.authz imports only models)

        return self.name in COMMANDS


@action("menu")
class MenuPage(Action):
    """Another page of the menu ("Berikutnya")."""

    page: int
