"""Targets from the Perjanjian Kinerja (awal, perubahan) and the Renstra."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InputError
from bot.services.audit import CLI, Actor, audit
from bot.services.places import require_document, require_kecamatan
from models.indicator import TargetValues
from models.tables import Target

IKU = "IKU"  # the kecamatan's main indicator: the average over the counted documents


async def set_target(
    session: AsyncSession,
    kecamatan_kode: str,
    year: int,
    now: datetime,
    awal: Decimal | None = None,
    perubahan: Decimal | None = None,
    renstra: Decimal | None = None,
    indicator: str = IKU,
    *,
    actor: Actor = CLI,
) -> Target:
    """Set the given figures of a target; figures not given keep their value."""
    kecamatan = await require_kecamatan(session, kecamatan_kode)
    indicator = indicator.strip().upper()
    if indicator != IKU:
        indicator = (await require_document(session, indicator)).code
    if awal is None and perubahan is None and renstra is None:
        raise InputError("error.target_missing")
    target = await session.scalar(
        select(Target).where(
            Target.kecamatan_kode == kecamatan.kode, Target.indicator == indicator, Target.year == year
        )
    )
    if target is None:
        target = Target(kecamatan_kode=kecamatan.kode, indicator=indicator, year=year, higher_is_better=True)
        session.add(target)
    before = {"awal": target.awal, "perubahan": target.perubahan, "renstra": target.renstra}
    for name, value in (("awal", awal), ("perubahan", perubahan), ("renstra", renstra)):
        if value is not None:
            if value <= 0:
                raise InputError("error.number_out_of_range", option=f"--{name}", value=value, low="0,01", high=1000)
            setattr(target, name, value)
    await session.flush()
    after = {"awal": target.awal, "perubahan": target.perubahan, "renstra": target.renstra}
    if after != before:
        audit(
            session,
            now,
            "target.set",
            "target",
            target.id,
            {
                "kecamatan": kecamatan.kode,
                "indicator": indicator,
                "year": year,
                "before": {k: str(v) if v is not None else None for k, v in before.items()},
                "after": {k: str(v) if v is not None else None for k, v in after.items()},
            },
            actor=actor,
        )
    return target


async def target_values(session: AsyncSession, kecamatan_kode: str, year: int) -> dict[str, TargetValues]:
    """Targets of one kecamatan and year by indicator ('IKU' and document codes)."""
    rows = await session.scalars(select(Target).where(Target.kecamatan_kode == kecamatan_kode, Target.year == year))
    return {r.indicator: TargetValues(r.awal, r.perubahan, r.renstra, r.higher_is_better) for r in rows}
