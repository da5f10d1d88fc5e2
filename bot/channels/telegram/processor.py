"""People side by side, each in order: python-telegram-bot's update processor for the bot.

PTB hands every update to `process_update` as it arrives (in arrival order, each in its own task). Here:
- an update is keyed by the person who wrote or pressed (`person_of`; a press on a message is keyed by the presser,
  so presses on one message are in order too); updates without a person (a channel post, a poll) are not ordered;
- the flood gate (`handlers.flood`) is asked at arrival, before the update waits for anything: a flood is warned
  once (the warning takes the update's place in that person's line) and dropped, before any database work;
- one person's updates run strictly one after another, in arrival order; different people's run side by side, at
  most `max_concurrent_updates` at once. Waiting for one's turn holds no slot: a person's backlog never starves others;
- a person's backlog is capped (`BACKLOG`): beyond it an update is dropped and logged, so memory stays bounded even
  if the gate lets a lot through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

from handlers.flood import QUIET, FloodGate, Verdict

log = logging.getLogger("klambi.telegram.order")
CONCURRENT = 64  # updates handled at once (different people)
BACKLOG = 64  # updates of one person waiting for their turn, beyond which they are dropped

Warn = Callable[[Update], Awaitable[None]]


def person_of(update: object) -> int | None:
    """Whose line the update joins: the user who wrote or pressed."""
    if not isinstance(update, Update):
        return None
    user = update.effective_user
    return user.id if user is not None else None


def answerable(update: Update) -> bool:
    """What the bot would answer: anything in a private chat, a button, a command in a group."""
    if update.callback_query is not None:
        return True
    message, chat = update.message, update.effective_chat
    if message is None or chat is None:
        return False
    return chat.type == ChatType.PRIVATE or (message.text or "").startswith("/")


@dataclass
class _Line:
    """One person's updates: whether one is being handled, and the turns of those waiting (oldest first)."""

    busy: bool = False
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class PersonOrder(BaseUpdateProcessor):
    """Different people concurrently, one person's updates in arrival order, the flood gate at arrival."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT, backlog: int = BACKLOG) -> None:
        super().__init__(max_concurrent_updates)
        self.backlog = backlog
        self.gate: Callable[[], FloodGate | None] = lambda: None  # the Application's gate (tests may swap it)
        self.warn: Warn | None = None  # tells a flooding person, in their line
        self._lines: dict[int, _Line] = {}
        self.dropped = 0  # updates dropped at arrival (flood or backlog), for the log and the tests

    @property
    def people_waiting(self) -> int:
        """People with an update being handled or waiting (memory: bounded by people, each line by `backlog`)."""
        return len(self._lines)

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[override]
        person = person_of(update)
        if person is None:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
            return
        assert isinstance(update, Update)
        verdict = self.admit(update)
        if verdict is not Verdict.PASS:
            _close(coroutine)
            self.dropped += 1
            if verdict is Verdict.DROP or self.warn is None:
                return
            log.warning("Telegram account %s sends too fast: ignored for %d s", person, QUIET)
            coroutine = self.warn(update)  # the warning after what they sent before, in their line
        line = self._lines.get(person)
        if line is None:
            line = self._lines[person] = _Line()
        if line.busy:
            if len(line.waiting) >= self.backlog:
                _close(coroutine)
                self.dropped += 1
                log.warning("Telegram account %s has %d updates waiting: one dropped", person, len(line.waiting))
                return
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            line.waiting.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # given the turn just as it was cancelled: pass it on
                    self._next(person, line)
                else:
                    with contextlib.suppress(ValueError):
                        line.waiting.remove(turn)
                _close(coroutine)
                raise
        line.busy = True
        try:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            self._next(person, line)

    def admit(self, update: Update) -> Verdict:
        """The flood gate's verdict on an arriving update (the webhook asks too, before storing it)."""
        person, gate = person_of(update), self.gate()
        if person is None or gate is None or not answerable(update):
            return Verdict.PASS
        return gate.admit(person)

    def _next(self, person: int, line: _Line) -> None:
        """The turn passes to the oldest waiting update of this person, or the line is forgotten."""
        while line.waiting:
            turn = line.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        line.busy = False
        if self._lines.get(person) is line:
            del self._lines[person]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: the Application waits for its update tasks itself."""


def _close(coroutine: Awaitable[Any]) -> None:
    """A coroutine that will never run, closed so Python does not warn that it was never awaited."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
