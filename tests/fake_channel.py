"""An in-process channel for tests: a `Transport` that keeps what it was given per address, and refuses the
addresses it is told are unreachable."""

from __future__ import annotations

from collections import defaultdict

from bot.chat.messages import OutMessage
from bot.chat.transport import TryLater, Unreachable


class FakeTransport:
    def __init__(self, channel: str = "fake") -> None:
        self.channel = channel
        self.sent: dict[str, list[OutMessage]] = defaultdict(list)
        self.unreachable: set[str] = set()
        self.flaky: set[str] = set()  # refuses once with TryLater, then delivers
        self._count = 0

    def refuse(self, address: str) -> None:
        """From now on the address will not take messages (blocked the bot)."""
        self.unreachable.add(address)

    async def deliver(self, address: str, message: OutMessage) -> str:
        if address in self.unreachable:
            raise Unreachable(f"{self.channel}:{address} refused")
        if address in self.flaky:
            self.flaky.discard(address)
            raise TryLater("later")
        self._count += 1
        self.sent[address].append(message)
        return f"{self.channel}-{self._count}"

    def texts(self, address: str) -> list[str]:
        return [m.text.text for m in self.sent.get(address, [])]

    def all_texts(self) -> list[str]:
        return [m.text.text for messages in self.sent.values() for m in messages]
