"""What comes in from a channel and what goes out, as plain data: no handler sees a platform's objects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.chat.actions import Action

FileKind = Literal["document", "photo"]


# --- out ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A formatted stretch of a text, in UTF-16 units (as Telegram counts; WhatsApp renders `pre` as ``` blocks)."""

    kind: Literal["pre"]
    offset: int
    length: int


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Formatted:
    """A message text with the stretches that are formatted (a matrix in a monospace block)."""

    text: str
    spans: tuple[Span, ...] = ()

    def after(self, heading: str) -> Formatted:
        """`heading` and a new line in front, the spans moved along."""
        shift = utf16_length(heading + "\n")
        return Formatted(f"{heading}\n{self.text}", tuple(Span(s.kind, s.offset + shift, s.length) for s in self.spans))

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": [[s.kind, s.offset, s.length] for s in self.spans]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Formatted:
        return cls(data.get("text", ""), tuple(Span(k, o, n) for k, o, n in data.get("spans", [])))


@dataclass(frozen=True)
class Choice:
    """One button: its label and the action it stands for. A channel that shows choices as a list (WhatsApp, more
    than 3 choices) also shows the `description` under the label and groups rows under their `section`."""

    label: str
    action: Action
    description: str | None = None
    section: str | None = None


Choices = tuple[tuple[Choice, ...], ...]


def choices(rows: list[list[tuple[str, Action]]] | list[list[Choice]] | None) -> Choices:
    return tuple(tuple(c if isinstance(c, Choice) else Choice(*c) for c in row) for row in rows or ())


@dataclass(frozen=True)
class Recipe:
    """How to make a file's bytes off the event loop (`reports.pool`): the builder's name (`reports.work.BUILDERS`),
    the plain, picklable data it draws (dataclasses of figures, never ORM objects), and the language. The same recipe
    makes the same bytes: a built file is kept under a digest of it."""

    builder: str
    data: Any
    language: str
    waiting: str | None = None  # told at once while the file is built ("Rekap sedang disiapkan…"); None: nothing


@dataclass(frozen=True)
class OutFile:
    """A file to send: one the bot keeps (by its stored path, and the ids channels gave it, to send it again without
    uploading), or bytes made for this answer (a chart, a workbook), or a `recipe` for such bytes, built after the
    transaction, off the event loop (`reports.pool.Builds.settle`)."""

    kind: FileKind
    filename: str | None = None
    mime_type: str | None = None
    stored_path: str | None = None
    content: bytes | None = None
    channel_ids: Mapping[str, str] = field(default_factory=dict)  # channel -> that channel's id of the file
    recipe: Recipe | None = None  # bytes still to be built; `content` is None until they are

    def to_dict(self) -> dict[str, Any]:
        assert self.content is None and self.recipe is None, "bytes made for one answer are never queued"
        return {"kind": self.kind, "filename": self.filename, "mime_type": self.mime_type,
                "stored_path": self.stored_path, "channel_ids": dict(self.channel_ids)}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutFile:
        return cls(data.get("kind", "document"), data.get("filename"), data.get("mime_type"), data.get("stored_path"),
                   None, dict(data.get("channel_ids") or {}))  # fmt: skip

    @classmethod
    def stored(cls, record: Mapping[str, Any]) -> OutFile:
        """A stored file as a draft or a submission keeps it (`sha256`, `stored_path`, `mime_type`, `kind`, the
        channel's file id)."""
        ids = {"telegram": record["telegram_file_id"]} if record.get("telegram_file_id") else {}
        kind = record.get("kind") or ("photo" if (record.get("mime_type") or "").startswith("image/") else "document")
        return cls(kind, record.get("original_name"), record.get("mime_type"), record.get("stored_path"), None, ids)


@dataclass(frozen=True)
class OutMessage:
    """One message: a text, the choices under it, the files before it (the text becomes the caption of a single
    file when the channel allows)."""

    text: Formatted
    choices: Choices = ()
    files: tuple[OutFile, ...] = ()

    @classmethod
    def of(cls, text: str | Formatted, rows: list[list[tuple[str, Action]]] | None = None,
           files: tuple[OutFile, ...] | list[OutFile] = ()) -> OutMessage:  # fmt: skip
        return cls(text if isinstance(text, Formatted) else Formatted(text), choices(rows), tuple(files))

    def to_dict(self) -> dict[str, Any]:
        from bot.chat.actions import encode

        return {
            **self.text.to_dict(),
            "choices": [[_choice_dict(c, encode(c.action)) for c in row] for row in self.choices],
            "files": [f.to_dict() for f in self.files],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutMessage:
        """Read back from the outbox. A choice whose id no longer decodes is dropped, never sent forged."""
        from bot.chat.actions import decode_or_none

        rows = []
        for row in data.get("choices") or data.get("buttons") or []:
            decoded = [(label, decode_or_none(code), rest) for label, code, *rest in row]
            rows.append(tuple(Choice(label, action, *rest) for label, action, rest in decoded if action is not None))
        files = tuple(OutFile.from_dict(f) for f in data.get("files") or [])
        return cls(Formatted.from_dict(data), tuple(r for r in rows if r), files)


def _choice_dict(choice: Choice, code: str) -> list[str | None]:
    """[label, id] as before; description and section only when set (older rows have two items)."""
    if choice.section is not None:
        return [choice.label, code, choice.description, choice.section]
    if choice.description is not None:
        return [choice.label, code, choice.description]
    return [choice.label, code]


# --- in -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    """Who wrote: the channel, the channel's id of the person, where answers go, and the name they show."""

    channel: str
    user_id: str
    address: str
    display_name: str | None = None
    phone: str | None = None  # WhatsApp: the number in international digits, when the channel gives it


Fetch = Callable[[Path, int], Awaitable[None]]  # download into the path, refusing more than the limit (bytes)


@dataclass(frozen=True)
class IncomingFile:
    """A file someone sent: what the channel says about it, and a way to fetch its bytes."""

    kind: FileKind
    fetch: Fetch
    name: str | None = None
    size: int | None = None  # as announced; checked again while downloading
    channel_file_id: str | None = None
    mime_type: str | None = None  # as announced; the bytes are sniffed after download, this is never trusted


@dataclass(frozen=True)
class Pressed:
    """The message whose choice was pressed: its id on the channel, its text, and the label of the pressed choice."""

    message_id: str
    text: str
    label: str


@dataclass(frozen=True)
class Incoming:
    """One thing a person did in a chat with the bot, whatever the channel.

    Exactly one of command, text, choice and files is set (`unsupported` when it is none of them: a voice note, a
    sticker). `group` is the group chat's address when it was said in a group (the forum), None in a private chat.
    """

    channel: str
    key: str  # the channel's id of this update: handled once
    sender: Sender
    command: str | None = None
    args: tuple[str, ...] = ()
    text: str | None = None
    choice: str | None = None  # the id of the pressed choice, not yet decoded
    pressed: Pressed | None = None
    files: tuple[IncomingFile, ...] = ()
    caption: str | None = None
    reply_to: str | None = None  # the channel's id of our message this replies to
    group: str | None = None
    unsupported: bool = False
