"""What a channel adapter offers the outbox: deliver one message to an address, and say how a delivery failed.

A channel may also `prepare` a row while the sweep holds its database session (WhatsApp: a template when the
person's window is closed, the daily limit): what it returns travels to `deliver` and, once sent, `record`s itself
on the row. A row the channel cannot send yet raises `Waiting` there: it stays on the outbox, untouched.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.chat.messages import OutMessage


class Unreachable(Exception):
    """The address will not take messages (blocked the bot, no such chat): the contact is marked, not retried."""


class TryLater(Exception):
    """A passing failure (network, rate limit): the message goes back on the outbox for the next sweep."""


class Waiting(Exception):
    """The row cannot go yet (its template is not approved, the day's limit is near): it stays planned."""


class Prepared(Protocol):
    def record(self, row: Any) -> None:
        """Write on the sent outbox row what the channel did (the template that carried it)."""
        ...


class Transport(Protocol):
    channel: str

    async def deliver(self, address: str, message: OutMessage, prepared: Prepared | None = None) -> str:
        """Send `message` to `address`; the channel's id of the message that carries the text (and the choices)."""
        ...
