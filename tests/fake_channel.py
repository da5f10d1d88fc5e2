"""An in-process channel for tests.

`FakeTransport` is the outbox's side: it keeps what it was given per address and refuses the addresses it is told
are unreachable. `FakePhone` is a person's side: what they do goes straight into the chat core (`handlers.dispatch`)
as an `Incoming`, and what the core answers, and what the outbox sends them, lands in their transcript. No HTTP,
no platform: the conversations run exactly as any adapter runs them, so a scenario written against a phone runs on
every channel (tests/test_scenarios.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import defaultdict
from pathlib import Path

from bot.app import App
from bot.chat.actions import encode
from bot.chat.messages import Incoming, IncomingFile, OutMessage, Pressed, Sender
from bot.chat.transport import TryLater, Unreachable
from handlers import dispatch
from handlers.common import ChannelFacts, Conversations


class FakeTransport:
    def __init__(self, channel: str = "fake") -> None:
        self.channel = channel
        self.sent: dict[str, list[OutMessage]] = defaultdict(list)
        self.unreachable: set[str] = set()
        self.flaky: set[str] = set()  # refuses once with TryLater, then delivers
        self.phones: dict[str, FakePhone] = {}  # addresses whose deliveries a fake phone shows
        self._count = 0

    def refuse(self, address: str) -> None:
        """From now on the address will not take messages (blocked the bot)."""
        self.unreachable.add(address)

    async def deliver(self, address: str, message: OutMessage, prepared: object = None) -> str:
        if address in self.unreachable:
            raise Unreachable(f"{self.channel}:{address} refused")
        if address in self.flaky:
            self.flaky.discard(address)
            raise TryLater("later")
        self._count += 1
        self.sent[address].append(message)
        if address in self.phones:
            self.phones[address].received(message)
        return f"{self.channel}-{self._count}"

    def texts(self, address: str) -> list[str]:
        return [m.text.text for m in self.sent.get(address, [])]

    def all_texts(self) -> list[str]:
        return [m.text.text for messages in self.sent.values() for m in messages]


class FakePhone:
    """One person on the fake channel. `say`, `press` and `send_file` act; `expect` waits for what arrives."""

    _deliveries = itertools.count(1)

    def __init__(self, app: App, transport: FakeTransport, user_id: str, name: str, wake=None) -> None:
        self.app, self.transport, self.wake = app, transport, wake
        self.sender = Sender(transport.channel, user_id, user_id, name)
        self.core = Conversations(app)
        self.facts = ChannelFacts(transport.channel, lambda code: f"{transport.channel}://start/{code}")
        self.transcript: list[OutMessage] = []
        self.refusals: list[str] = []
        self._mark = 0
        self._arrived = asyncio.Event()
        transport.phones[user_id] = self

    def received(self, message: OutMessage) -> None:
        self.transcript.append(message)
        self._arrived.set()

    async def _act(self, **what) -> None:
        incoming = Incoming(self.transport.channel, f"1:{next(self._deliveries)}", self.sender, **what)
        outcome = await dispatch(self.core, incoming, self.facts)
        if outcome.refusal is not None:
            self.refusals.append(outcome.refusal)
            self.received(OutMessage.of(outcome.refusal))
        if outcome.settled is not None:
            self.received(outcome.settled)
        for answer in outcome.answers:
            self.received(answer)
        for later in outcome.later:  # files built after the commit (reports.pool): here before the act returns
            self.app.builds.follow(later, self._follows)
        await self.app.builds.idle()
        if outcome.notices_queued and self.wake is not None:
            self.wake()

    async def _follows(self, message: OutMessage) -> None:
        self.received(message)

    async def say(self, text: str) -> None:
        if text.startswith("/"):
            command, *args = text[1:].split()
            await self._act(command=command, args=tuple(args))
        else:
            await self._act(text=text)

    async def press(self, label: str) -> None:
        """Press the choice labelled `label` (or with that id) under the newest message that shows one."""
        for index in range(len(self.transcript) - 1, -1, -1):
            message = self.transcript[index]
            for choice in itertools.chain.from_iterable(message.choices):
                if label in (choice.label, encode(choice.action)):
                    pressed = Pressed(str(index), message.text.text, choice.label)
                    await self._act(choice=encode(choice.action), pressed=pressed)
                    return
        raise AssertionError(f"{self.sender.display_name}: no choice {label!r} shown")

    async def send_file(self, data: bytes, name: str, mime_type: str) -> None:
        async def fetch(target: Path, limit: int) -> None:
            target.write_bytes(data[: limit + 1])

        file = IncomingFile("document", fetch, name, len(data), None, mime_type)
        await self._act(files=(file,))

    async def expect(self, fragment: str, timeout: float = 5.0) -> OutMessage:
        """Wait until a message that arrived after the last one `expect` returned contains `fragment`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index in range(self._mark, len(self.transcript)):
                if fragment in self.transcript[index].text.text:
                    self._mark = index + 1
                    return self.transcript[index]
            if loop.time() >= deadline:
                shown = [m.text.text[:80] for m in self.transcript[self._mark :]]
                raise AssertionError(f"{self.sender.display_name} got no {fragment!r}; got {shown}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
