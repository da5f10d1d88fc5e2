"""What a channel adapter offers the outbox: deliver one message to an address, and say how a delivery failed."""

from __future__ import annotations

from typing import Protocol

from bot.chat.messages import OutMessage


class Unreachable(Exception):
    """The address will not take messages (blocked the bot, no such chat): the contact is marked, not retried."""


class TryLater(Exception):
    """A passing failure (network, rate limit): the message goes back on the outbox for the next sweep."""


class Transport(Protocol):
    channel: str

    async def deliver(self, address: str, message: OutMessage) -> str:
        """Send `message` to `address`; the channel's id of the message that carries the text (and the choices)."""
        ...
