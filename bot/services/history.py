"""Figures published before the bot existed (earlier LKjIP), kept as published so comparisons reach back.

`klambi history import FILE.csv` (columns `kecamatan, year, indicator, target, realisasi, capaian`) loads them; a
published capaian that does not follow from realisasi ÷ target is kept, and marked where it is shown.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cleaning import clean_text
from bot.errors import InputError, InputErrors
from bot.parsing import parse_figure
from bot.services.audit import CLI, Actor, audit
from bot.services.places import require_document, require_kecamatan
from bot.services.targets import IKU
from models.indicator import capaian as capaian_of
from models.numbers import round_half_up
from models.tables import IndicatorHistory

COLUMNS = ["kecamatan", "year", "indicator", "target", "realisasi", "capaian"]
FIRST_HISTORY_YEAR = 2000  # published figures may predate the village law


@dataclass(frozen=True)
class HistoryRow:
    year: int
    indicator: str
    target: Decimal | None
    realisasi: Decimal
    capaian: Decimal | None  # as published
    capaian_computed: Decimal | None  # realisasi ÷ target, rounded half up

    @property
    def differs(self) -> bool:
        """The published capaian does not follow from the published realisasi and target."""
        return self.capaian is not None and self.capaian_computed is not None and self.capaian != self.capaian_computed


@dataclass(frozen=True)
class HistoryImport:
    added: int
    updated: int
    unchanged: int


async def import_history(
    session: AsyncSession, path: Path, now: datetime, last_year: int, *, actor: Actor = CLI
) -> HistoryImport:
    """Load published figures; every bad row is reported at once and then nothing is written. Twice changes nothing."""
    if not path.is_file():
        raise InputError("error.file_not_found", path=path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [f.strip().lower() for f in reader.fieldnames or []]
        if header != COLUMNS:
            raise InputError("error.history_header", path=path, found=",".join(reader.fieldnames or []))
        rows = list(enumerate(reader, 2))
    problems: list[InputError] = []
    parsed = []
    for number, row in rows:
        try:
            cells = {k.strip().lower(): clean_text(v or "").strip() for k, v in row.items()}
            parsed.append(await _parse(session, number, cells, last_year))
        except InputError as problem:
            problems.append(InputError("error.history_row", row=number, problem=problem))
    if problems:
        raise InputErrors("error.csv_rows", problems, path=path)
    added = updated = unchanged = 0
    for kecamatan, values in parsed:
        existing = await session.scalar(
            select(IndicatorHistory).where(
                IndicatorHistory.kecamatan_kode == kecamatan,
                IndicatorHistory.indicator == values["indicator"],
                IndicatorHistory.year == values["year"],
            )
        )
        if existing is None:
            session.add(IndicatorHistory(kecamatan_kode=kecamatan, source=path.name, imported_at=now, **values))
            added += 1
        elif (existing.target, existing.realisasi, existing.capaian) == (
            values["target"],
            values["realisasi"],
            values["capaian"],
        ):
            unchanged += 1
            continue
        else:
            existing.target, existing.realisasi, existing.capaian = (
                values["target"],
                values["realisasi"],
                values["capaian"],
            )
            existing.source, existing.imported_at = path.name, now
            updated += 1
        audit(session, now, "history.import", "kecamatan", kecamatan,
              {k: str(v) for k, v in values.items()} | {"source": path.name}, actor=actor)  # fmt: skip
    await session.flush()
    return HistoryImport(added, updated, unchanged)


async def _parse(session: AsyncSession, number: int, row: dict[str, str], last_year: int):
    kecamatan = (await require_kecamatan(session, row["kecamatan"])).kode
    if not row["year"].isdigit() or not FIRST_HISTORY_YEAR <= int(row["year"]) <= last_year:
        raise InputError("error.year_out_of_range", option="year", value=row["year"], low=FIRST_HISTORY_YEAR,
                         high=last_year)  # fmt: skip
    indicator = (row["indicator"] or IKU).upper()
    if indicator != IKU:
        indicator = (await require_document(session, indicator)).code
    target = parse_figure("target", row["target"], low=Decimal("0.01")) if row["target"] else None
    realisasi = parse_figure("realisasi", row["realisasi"])
    capaian = parse_figure("capaian", row["capaian"]) if row["capaian"] else None
    return kecamatan, {"indicator": indicator, "year": int(row["year"]), "target": target, "realisasi": realisasi,
                       "capaian": capaian}  # fmt: skip


async def history_for(session: AsyncSession, kecamatan_kode: str, indicator: str = IKU) -> list[HistoryRow]:
    rows = await session.scalars(
        select(IndicatorHistory)
        .where(IndicatorHistory.kecamatan_kode == kecamatan_kode, IndicatorHistory.indicator == indicator)
        .order_by(IndicatorHistory.year)
    )
    return [
        HistoryRow(
            r.year,
            r.indicator,
            r.target,
            r.realisasi,
            r.capaian,
            round_half_up(capaian_of(r.realisasi, r.target)) if r.target else None,
        )
        for r in rows
    ]
