"""The indicator of a kecamatan and the status of each of its obligations, as known at a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.errors import InputError
from bot.services.calendar import load_calendar
from bot.services.places import document_kinds, require_kecamatan
from bot.services.targets import IKU, target_values
from models.documents import DocumentKind, performance_year_obligations
from models.indicator import DocumentFacts, IndicatorResult, ObligationFacts, TargetValues, compute_indicator
from models.status import ObligationStatus, deciding_version, end_of_day, obligation_status
from models.tables import Desa, Kabupaten, Kecamatan, Obligation, Submission


@dataclass(frozen=True)
class KecamatanIndicator:
    kecamatan: Kecamatan
    year: int
    at: datetime
    local_date: date
    result: IndicatorResult | None  # None: the kecamatan has no desa
    document_targets: dict[str, TargetValues]
    desa_names: dict[str, str]


@dataclass(frozen=True)
class ObligationRow:
    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    legal_deadline: date
    agreed_date: date
    status: ObligationStatus
    versions: int  # received on or before the moment
    tanggal_penetapan: date | None  # of the deciding or latest version known at the moment
    received_on: date | None


@dataclass(frozen=True)
class YearFacts:
    """What the indicator, the obligations list and the evidence archive of one kecamatan and year read."""

    kecamatan: Kecamatan
    tz: ZoneInfo
    desa: list[Desa]
    kinds: list[tuple[DocumentKind, int]]
    obligations: dict[tuple[str, str, int], Obligation]
    deadlines: dict[tuple[str, int], date]


async def year_facts(session: AsyncSession, kecamatan_kode: str, year: int) -> YearFacts:
    """A kecamatan's desa, the performance year's counted (document, TA) pairs, their obligations and deadlines."""
    kecamatan = await require_kecamatan(session, kecamatan_kode)
    desa = list(await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan.kode).order_by(Desa.kode)))
    pairs = performance_year_obligations(await document_kinds(session), year)
    calendar = await load_calendar(session)
    obligations: dict[tuple[str, str, int], Obligation] = {}
    if desa and pairs:
        rows = await session.scalars(
            select(Obligation)
            .join(Desa, Desa.kode == Obligation.desa_kode)
            .where(
                Desa.kecamatan_kode == kecamatan.kode,
                or_(*(and_(Obligation.document_code == k.code, Obligation.tahun_anggaran == ta) for k, ta in pairs)),
            )
            .options(selectinload(Obligation.submissions).selectinload(Submission.files))
        )
        obligations = {(o.desa_kode, o.document_code, o.tahun_anggaran): o for o in rows}
    deadlines = {(k.code, ta): k.rule.legal_deadline(ta, calendar) for k, ta in pairs}
    return YearFacts(kecamatan, ZoneInfo(kecamatan.timezone), desa, pairs, obligations, deadlines)


def _obligation_facts(facts: YearFacts, desa: Desa, kind: DocumentKind, ta: int) -> ObligationFacts:
    obligation = facts.obligations.get((desa.kode, kind.code, ta))
    if obligation is None:  # not created yet (a past year nobody recorded): nothing was received
        return ObligationFacts(desa.kode, facts.deadlines[(kind.code, ta)])
    return ObligationFacts(desa.kode, obligation.legal_deadline, tuple(s.facts() for s in obligation.submissions))


async def kecamatan_indicator(
    session: AsyncSession, kecamatan_kode: str, year: int, at: datetime
) -> KecamatanIndicator:
    facts = await year_facts(session, kecamatan_kode, year)
    documents = tuple(
        DocumentFacts(
            kind, ta, facts.deadlines[(kind.code, ta)], tuple(_obligation_facts(facts, d, kind, ta) for d in facts.desa)
        )
        for kind, ta in facts.kinds
    )
    targets = await target_values(session, facts.kecamatan.kode, year)
    result = compute_indicator(year, documents, len(facts.desa), at, facts.tz, targets.get(IKU))
    document_targets = {code: t for code, t in targets.items() if code != IKU}
    names = {d.kode: d.nama for d in facts.desa}
    return KecamatanIndicator(
        facts.kecamatan, year, at, at.astimezone(facts.tz).date(), result, document_targets, names
    )


async def obligation_rows(
    session: AsyncSession, kecamatan_kode: str, year: int, at: datetime
) -> tuple[Kecamatan, date, list[ObligationRow]]:
    facts = await year_facts(session, kecamatan_kode, year)
    rows = []
    for desa in facts.desa:
        for kind, ta in facts.kinds:
            of = _obligation_facts(facts, desa, kind, ta)
            obligation = facts.obligations.get((desa.kode, kind.code, ta))
            known = [v for v in of.versions if v.received_at <= at]
            status = obligation_status(of.legal_deadline, kind.basis, of.versions, at, facts.tz)
            shown = deciding_version(of.versions, at)
            rows.append(
                ObligationRow(
                    desa.kode,
                    desa.nama,
                    kind.code,
                    ta,
                    of.legal_deadline,
                    obligation.agreed_date if obligation else of.legal_deadline,
                    status,
                    len(known),
                    shown.tanggal_penetapan if shown else None,
                    shown.received_at.astimezone(facts.tz).date() if shown else None,
                )
            )
    return facts.kecamatan, at.astimezone(facts.tz).date(), rows


async def kabupaten_ranking(
    session: AsyncSession, kabupaten_kode: str, year: int, at_day: date | None, now: datetime
) -> tuple[Kabupaten, list[KecamatanIndicator]]:
    """Every kecamatan of a kabupaten with desa, by realisasi (highest first; ties by code). Urban kecamatan without
    desa have no indicator and are left out, not shown as 0%."""
    kabupaten = await session.get(Kabupaten, kabupaten_kode.strip())
    if kabupaten is None:
        raise InputError("error.unknown_kabupaten", kode=kabupaten_kode.strip())
    reports = []
    for kecamatan in await session.scalars(
        select(Kecamatan).where(Kecamatan.kabupaten_kode == kabupaten.kode).order_by(Kecamatan.kode)
    ):
        at = end_of_day(at_day, ZoneInfo(kecamatan.timezone)) if at_day else now
        report = await kecamatan_indicator(session, kecamatan.kode, year, at)
        if report.result is not None:
            reports.append(report)
    reports.sort(key=lambda r: (-r.result.realisasi_exact, r.kecamatan.kode))  # type: ignore[union-attr]
    return kabupaten, reports


async def national_ranking(
    session: AsyncSession, year: int, at_day: date | None, now: datetime
) -> list[KecamatanIndicator]:
    """Every kecamatan of the deployment with desa, by realisasi (highest first; ties by code)."""
    reports = []
    for kecamatan in await session.scalars(select(Kecamatan).order_by(Kecamatan.kode)):
        at = end_of_day(at_day, ZoneInfo(kecamatan.timezone)) if at_day else now
        report = await kecamatan_indicator(session, kecamatan.kode, year, at)
        if report.result is not None:
            reports.append(report)
    reports.sort(key=lambda r: (-r.result.realisasi_exact, r.kecamatan.kode))  # type: ignore[union-attr]
    return reports
