"""The append-only audit log of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import AuditEntry


def audit(
    session: AsyncSession,
    at: datetime,
    action: str,
    entity: str,
    entity_id: object,
    details: dict[str, Any] | None = None,
    actor_id: int | None = None,
    actor_label: str = "system",
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details or {},
        )
    )
