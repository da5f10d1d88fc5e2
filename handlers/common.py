"""What every conversation shares: one database session per incoming message, the person behind it, and what to
answer — all channel-neutral (docs/architecture.md).

A channel adapter turns what a person did into an `Incoming` and hands it to `Conversations.handle`, which opens the
transaction, finds the person, routes it (`handlers.route`) and returns an `Outcome`: the answers to the person who
wrote, the settling of a pressed message, a short note for a pressed choice, and the person's new command menu. The
adapter renders the outcome only after the transaction committed: a person is never told "received" about something
the database did not keep. Messages to *other* people go on the outbox in the same transaction (`Turn.notify`).

An incoming message handled before (delivered again) changes nothing and gets no second answer
(`bot.services.updates`). Bad input (`InputError`) rolls the handler's work back (a savepoint) and gets its friendly
text, and the message counts as handled: a redelivery is not answered again. A busy database rolls everything back,
the delivery's key too, and asks to try again. A stranger is told how to join at most once in `STRANGER_QUIET`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.authz import Grant
from bot.chat.actions import Action
from bot.chat.messages import Formatted, Incoming, OutFile, OutMessage
from bot.clock import today
from bot.errors import InputError
from bot.i18n import Language, t
from bot.services.audit import Actor
from models.tables import Person

log = logging.getLogger("klambi.handlers")
Buttons = list[list[tuple[str, Action]]]


@dataclass(frozen=True)
class ChannelFacts:
    """What a conversation may need to know about the channel it runs on, without knowing the channel."""

    name: str
    invite_link: Callable[[str], str]  # an invitation code -> the link that opens the chat with it
    command_prefix: str = "/"  # how a command is written to people: "/kirim" on Telegram, "kirim" on WhatsApp


@dataclass
class Outcome:
    """What to do after the transaction: nothing when the message was handled before."""

    answers: list[OutMessage] = field(default_factory=list)
    settled: OutMessage | None = None  # the pressed message becomes this (its choices go unless given again)
    note: str | None = None  # a short answer to a pressed choice
    refusal: str | None = None  # bad input's friendly text
    menu: list[tuple[str, str]] | None = None  # the person's commands and their descriptions, when they changed
    notices_queued: bool = False  # the outbox has notices to send now: wake the sender
    handled: bool = True  # False: delivered before, or a stranger told lately; nothing to say
    busy: bool = False  # the database was busy or away: nothing was kept; a channel with an inbox tries again
    later: list[Any] = field(default_factory=list)  # answers whose files are being built: `app.builds.follow` each


@dataclass
class Turn:
    """One incoming message being handled."""

    app: App
    session: AsyncSession
    incoming: Incoming
    channel: ChannelFacts
    person: Person | None
    grants: list[Grant]
    outcome: Outcome = field(default_factory=Outcome)
    notices: list[tuple[Person, OutMessage, str, str, str]] = field(default_factory=list)

    @property
    def lang(self) -> Language:
        return self.app.settings.bot.language

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    @property
    def args(self) -> tuple[str, ...]:
        return self.incoming.args

    @property
    def pressed(self) -> bool:
        return self.incoming.choice is not None

    @property
    def actor(self) -> Actor:
        """Who acts, for the audit log: this person, through this channel."""
        return Actor(self.require_person().id, self.incoming.channel)

    def require_person(self) -> Person:
        """The registered person behind this message; a stranger is told how to get an invitation."""
        if self.person is None:
            raise InputError("chat.unknown_person")
        return self.person

    def reply(self, text: str | Formatted, buttons: Buttons | None = None, files: list[OutFile] | None = None) -> None:
        self.outcome.answers.append(OutMessage.of(text, buttons, files or ()))

    def reply_files(self, files: list[OutFile]) -> None:
        """Files alone, each as it came (a document as a document, a photo as a photo)."""
        if files:
            self.outcome.answers.append(OutMessage.of("", None, files))

    def tell(self, person: Person, text: str | Formatted, buttons: Buttons | None = None,
             files: list[OutFile] | None = None, *, about: str, kecamatan_kode: str, role: str) -> None:  # fmt: skip
        """A message to another person: queued on the outbox in this transaction (`about` names the event, e.g.
        "verdict:12"), sent on the channel the rules choose right after the commit (docs/domain.md)."""
        self.notices.append((person, OutMessage.of(text, buttons, files or ()), about, kecamatan_kode, role))

    async def queue_notices(self) -> None:
        """Each notice keyed by its event and this delivery: the same event told twice in a day (a verdict undone
        and given again) is two notices; this delivery handled twice is one."""
        from bot.services.notices import queue_notice

        now = self.app.clock.now()
        for person, message, about, kecamatan_kode, role in self.notices:
            key = f"{about}@{self.incoming.key}"
            await queue_notice(self.session, kecamatan_kode=kecamatan_kode, person=person, role=role, key=key,
                               message=message, now=now)  # fmt: skip
        self.notices.clear()

    def edit_pressed(self, text: str, buttons: Buttons | None = None) -> None:
        """Replace the message whose choice was pressed (its choices disappear unless new ones are given)."""
        if self.incoming.pressed is not None:
            self.outcome.settled = OutMessage.of(text, buttons)

    @property
    def pressed_text(self) -> str:
        """The label of the choice that was pressed, as the message showed it ("" when it is not known)."""
        return self.incoming.pressed.label if self.incoming.pressed is not None else ""

    def mark_pressed(self, line: str) -> None:
        """Keep the pressed message's text, add `line`, and take its choices away."""
        original = self.incoming.pressed.text if self.incoming.pressed is not None else ""
        self.edit_pressed(f"{original}\n\n{line}".strip())

    def note(self, text: str) -> None:
        """A short answer to the pressed choice (Telegram shows it for a moment over the chat)."""
        self.outcome.note = text

    def menu_changed(self, commands: list[tuple[str, str]]) -> None:
        self.outcome.menu = commands


async def local_today(current: Turn, desa_kode: str) -> date:
    """Today in the desa's kecamatan time zone, by the one clock."""
    from bot.services.places import place_of

    _, kecamatan = await place_of(current.session, desa_kode)
    return today(current.app.clock, ZoneInfo(kecamatan.timezone))


Handler = Callable[[Turn], Awaitable[None]]
STRANGER_QUIET = timedelta(minutes=10)


class Conversations:
    """The chat core: one per running bot, shared by its channels."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._strangers_told: dict[tuple[str, str], datetime] = {}

    @property
    def language(self) -> Language:
        return self.app.settings.bot.language

    async def handle(self, incoming: Incoming, channel: ChannelFacts, handler: Handler | None = None) -> Outcome:
        """Handle one incoming message in one transaction; `handler` defaults to the router's choice."""
        from bot.services.notices import WAKE
        from bot.services.people import writer
        from bot.services.updates import first_delivery
        from handlers import route

        app = self.app
        chosen = handler or route(incoming)
        current: Turn | None = None
        refusal: InputError | None = None
        try:
            async with app.sessions() as session, session.begin():
                if not await first_delivery(session, incoming.channel, incoming.key, app.clock.now()):
                    log.info("%s delivery %s was handled before: not again", incoming.channel, incoming.key)
                    return Outcome(handled=False)
                person, grants = await writer(session, incoming.sender, app.clock.now())  # reachable there again
                current = Turn(app, session, incoming, channel, person, grants)
                try:
                    async with session.begin_nested():
                        await chosen(current)
                        await current.queue_notices()
                except InputError as problem:  # its work undone; the key commits: it is answered once
                    refusal = problem
                    session.info.pop(WAKE, None)
                woken = session.info.pop(WAKE, False)
        except (OperationalError, DBAPIError):
            log.warning("database unavailable while handling %s", _name(chosen), exc_info=True)
            return Outcome(refusal=t("chat.busy", self.language), busy=True)
        if refusal is not None:
            return self._refused(incoming, refusal, _name(chosen))
        assert current is not None
        current.outcome.notices_queued = woken
        who = ("person", current.person.id) if current.person else (incoming.channel, incoming.sender.user_id)
        app.builds.settle(current.outcome, who)  # files with recipes: built now, after the commit (reports.pool)
        return current.outcome

    def _refused(self, incoming: Incoming, refusal: InputError, name: str) -> Outcome:
        stranger = refusal.key == "chat.unknown_person" and incoming.choice is None  # a press is answered anyway
        if stranger and self._told_lately(incoming):
            log.info("refused %s: a stranger told how to join lately, not again", name)
            return Outcome(handled=False)
        log.info("refused %s: %s", name, refusal.key)
        return Outcome(refusal=t(refusal.key, self.language, **refusal.values))

    def _told_lately(self, incoming: Incoming) -> bool:
        """Whether this stranger was told how to join within `STRANGER_QUIET`; if not, they are being told now. In
        memory, per process: a stranger is told at most once a while by each worker."""
        told = self._strangers_told
        now = self.app.clock.now()
        who = (incoming.channel, incoming.sender.user_id)
        last = told.get(who)
        if last is not None and now - last < STRANGER_QUIET:
            return True
        if len(told) >= 10_000:
            self._strangers_told = told = {u: at for u, at in told.items() if now - at < STRANGER_QUIET}
        told[who] = now
        return False


def _name(handler: Handler) -> str:
    return getattr(handler, "__name__", type(handler).__name__)
