"""An `OutMessage` as WhatsApp Cloud API messages (docs/architecture.md, "WhatsApp").

WhatsApp has no inline keyboards and no editing: at most 3 choices become reply buttons (titles ≤ 20), up to 10 a
list (row titles ≤ 24, descriptions ≤ 72, grouped under their `section`), more are paged — 9 rows and
"Berikutnya", the whole list kept on the contact (`Paged`) for the next page. A body over an interactive message's
1,024 characters goes as a text first and a short "Silakan pilih:" with the choices after it; a text over 4,096 is
split at line ends. Monospace stretches (`pre`) become ``` blocks. Files go first (by media id: the adapter uploads
them), a single file without choices carrying the text as its caption.

`merge` makes one turn's answers as few messages as it can: WhatsApp refuses more than a message every few seconds
to the same person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.chat.actions import encode
from bot.chat.messages import Choice, Formatted, OutFile, OutMessage, Span, utf16_length
from bot.i18n import Language, t

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
CAPTION_LIMIT = 1024
BUTTONS = 3
BUTTON_TITLE = 20
LIST_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
SECTION_TITLE = 24
PAGE_ROWS = LIST_ROWS - 1  # and "Berikutnya"
PAGE_PREFIX = "wa:page:"  # a "Berikutnya" row's id: the adapter pages, the chat core never sees it

Payload = dict[str, Any]
Media = Callable[[OutFile], Awaitable[str]]  # a file to send -> its WhatsApp media id


@dataclass(frozen=True)
class Paged:
    """A list longer than a message holds: every choice, to page through from the contact's record."""

    choices: tuple[Choice, ...]


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where one is near, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    space = room.rfind(" ")
    if space >= limit // 2:
        room = room[:space]
    return room.rstrip(" ,.;:-") + "…"


def plain(text: Formatted) -> str:
    """The text with its monospace stretches as WhatsApp's ``` blocks (offsets are UTF-16 units)."""
    if not text.spans:
        return text.text
    units = text.text.encode("utf-16-le")
    out, at = [], 0
    for span in sorted(text.spans, key=lambda s: s.offset):
        start, end = span.offset * 2, (span.offset + span.length) * 2
        out.append(units[at:start].decode("utf-16-le"))
        out.append("```" + units[start:end].decode("utf-16-le") + "```")
        at = end
    out.append(units[at:].decode("utf-16-le"))
    return "".join(out)


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        at = text.rfind("\n", 0, limit)
        if at < limit // 2:
            at = limit
        pieces.append(text[:at].rstrip())
        text = text[at:].lstrip("\n")
    if text.strip() or not pieces:
        pieces.append(text)
    return pieces


def flat(message: OutMessage) -> tuple[Choice, ...]:
    return tuple(choice for row in message.choices for choice in row)


def merge(answers: list[OutMessage]) -> list[OutMessage]:
    """Consecutive answers joined into one message where nothing is lost: texts without choices or files join the
    next answer's text (one blank line between) as long as the result fits what that message may carry."""
    merged: list[OutMessage] = []
    for answer in answers:
        last = merged[-1] if merged else None
        if last is not None and not last.choices and not last.files and last.text.text and not answer.files:
            joined = _join(last.text, answer.text)
            if len(joined.text) <= (BODY_LIMIT if answer.choices else TEXT_LIMIT):
                merged[-1] = OutMessage(joined, answer.choices)
                continue
        merged.append(answer)
    return merged


def _join(first: Formatted, second: Formatted) -> Formatted:
    if not second.text:
        return first
    shift = utf16_length(first.text + "\n\n")
    spans = first.spans + tuple(Span(s.kind, s.offset + shift, s.length) for s in second.spans)
    return Formatted(f"{first.text}\n\n{second.text}", spans)


async def payloads(
    message: OutMessage, media: Media, lang: Language, page: int = 0
) -> tuple[list[Payload], Paged | None]:
    """The Graph messages for one `OutMessage`, in order, and the whole list when it had to be paged."""
    text = plain(message.text)
    choices = flat(message)
    out: list[Payload] = []
    captioned = len(message.files) == 1 and not choices and text and len(text) <= CAPTION_LIMIT
    for file in message.files:
        out.append(await _file(file, media, text if captioned else None))
    if captioned:
        return out, None
    if not choices:
        out += [{"type": "text", "text": {"body": piece, "preview_url": False}} for piece in split(text) if piece]
        return out, None
    if len(text) > BODY_LIMIT:
        out += [{"type": "text", "text": {"body": piece, "preview_url": False}} for piece in split(text)]
        text = ""
    body = text or t("whatsapp.choose", lang)
    interactive, paged = choice_message(body, choices, lang, page)
    out.append(interactive)
    return out, paged


def choice_message(
    body: str, choices: tuple[Choice, ...], lang: Language, page: int = 0
) -> tuple[Payload, Paged | None]:
    """Reply buttons, a list, or one page of a longer list (the rest follows "Berikutnya")."""
    titles = [cut(c.label, BUTTON_TITLE) for c in choices]
    if (
        len(choices) <= BUTTONS
        and all(len(c.label) <= BUTTON_TITLE for c in choices)
        and len(set(titles)) == len(titles)
    ):
        buttons = [{"type": "reply", "reply": {"id": encode(c.action), "title": title}}
                   for c, title in zip(choices, titles, strict=True)]  # fmt: skip
        return {"type": "interactive", "interactive": {"type": "button", "body": {"text": body},
                                                       "action": {"buttons": buttons}}}, None  # fmt: skip
    paged = None
    shown = list(choices)
    extra: Payload | None = None
    if len(choices) > LIST_ROWS:
        paged = Paged(choices)
        pages = -(-len(choices) // PAGE_ROWS)
        page = max(0, min(page, pages - 1))
        start = page * PAGE_ROWS
        shown = list(choices[start : start + PAGE_ROWS])
        if page + 1 < pages:
            end = min(len(choices), start + 2 * PAGE_ROWS)
            extra = {"id": f"{PAGE_PREFIX}{page + 1}", "title": cut(t("whatsapp.next", lang), ROW_TITLE),
                     "description": t("whatsapp.next_description", lang, start=start + PAGE_ROWS + 1, end=end,
                                      total=len(choices))}  # fmt: skip
        if page:
            body = t("whatsapp.more_choices", lang, page=page + 1, pages=pages)
    sections: list[Payload] = []
    for choice in shown:
        title = choice.section and cut(choice.section, SECTION_TITLE)
        if not sections or sections[-1].get("title") != title:
            sections.append({"title": title, "rows": []} if title else {"rows": []})
        sections[-1]["rows"].append(_row(choice))
    if extra is not None:
        sections[-1]["rows"].append(extra)
    if len(sections) > 1:  # WhatsApp wants a title on every section when there are several
        for section in sections:
            section.setdefault("title", "…")
    action = {"button": cut(t("whatsapp.list_button", lang), BUTTON_TITLE), "sections": sections}
    interactive = {"type": "list", "body": {"text": body}, "action": action}
    return {"type": "interactive", "interactive": interactive}, paged


def _row(choice: Choice) -> Payload:
    row: Payload = {"id": encode(choice.action), "title": cut(choice.label, ROW_TITLE)}
    description = choice.description
    if description is None and len(" ".join(choice.label.split())) > ROW_TITLE:
        description = choice.label  # the whole label, where the title had to be cut
    if description:
        row["description"] = cut(description, ROW_DESCRIPTION)
    return row


async def _file(file: OutFile, media: Media, caption: str | None) -> Payload:
    media_id = await media(file)
    kind = "image" if file.kind == "photo" else "document"
    part: Payload = {"id": media_id}
    if kind == "document" and file.filename:
        part["filename"] = file.filename[:240]
    if caption:
        part["caption"] = caption
    return {"type": kind, kind: part}
