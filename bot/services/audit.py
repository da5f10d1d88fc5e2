"""The append-only audit log of every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who made a change and through what: a person on a channel ("telegram", later "whatsapp" or "web"), or no person
    on the command line ("cli") or the bot's own jobs ("system"). The audit log records both."""

    person_id: int | None
    channel: str

    @property
    def label(self) -> str:
        return self.channel


CLI = Actor(None, "cli")
SYSTEM = Actor(None, "system")


def audit(
    session: AsyncSession,
    at: datetime,
    action: str,
    entity: str,
    entity_id: object,
    details: dict[str, Any] | None = None,
    *,
    actor: Actor = SYSTEM,
) -> None:
    """One row of the log: the actor's person (if any) and channel are recorded as `actor_id` and `actor_label`."""
    session.add(
        AuditEntry(
            at=at,
            actor_id=actor.person_id,
            actor_label=actor.channel,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details or {},
        )
    )
