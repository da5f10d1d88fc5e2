"""Agreed collection dates: an extension (dispensasi) for one desa moves its agreed date, never the legal deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.authz import Action, Grant, allowed
from bot.errors import InputError
from bot.services.audit import audit
from bot.services.places import place_of
from models.tables import Extension, Obligation, Person

REASON_LIMIT = 500


@dataclass(frozen=True)
class Granted:
    obligation_id: int
    desa_kode: str
    desa_nama: str
    kecamatan_kode: str
    document_code: str
    tahun_anggaran: int
    previous: date
    agreed_date: date
    legal_deadline: date
    reason: str


async def grant_extension(
    session: AsyncSession,
    person: Person | None,
    grants: list[Grant] | None,
    obligation_id: int,
    new_date: date,
    reason: str,
    now: datetime,
    actor_label: str = "telegram",
) -> Granted:
    obligation = await session.get(Obligation, obligation_id)
    if obligation is None or (grants is not None and not allowed(grants, Action.EXTEND, obligation.desa_kode)):
        raise InputError("chat.not_allowed")
    reason = reason.strip()
    if not reason:
        raise InputError("extend.reason_needed")
    if len(reason) > REASON_LIMIT:
        raise InputError("error.text_too_long", option="Alasan", limit=REASON_LIMIT)
    desa, kecamatan = await place_of(session, obligation.desa_kode)
    if new_date < now.astimezone(ZoneInfo(kecamatan.timezone)).date():
        raise InputError("extend.date_past")
    previous = obligation.agreed_date
    obligation.agreed_date = new_date
    extension = Extension(
        obligation_id=obligation.id, previous_agreed_date=previous, new_agreed_date=new_date, reason=reason,
        granted_by_id=person.id if person else None, granted_at=now,
    )  # fmt: skip
    session.add(extension)
    await session.flush()
    audit(
        session, now, "obligation.extend", "obligation", obligation.id,
        {"previous": previous.isoformat(), "agreed_date": new_date.isoformat(), "reason": reason},
        actor_id=person.id if person else None, actor_label=actor_label,
    )  # fmt: skip
    return Granted(
        obligation.id, desa.kode, desa.nama, kecamatan.kode, obligation.document_code, obligation.tahun_anggaran,
        previous, new_date, obligation.legal_deadline, reason,
    )  # fmt: skip
