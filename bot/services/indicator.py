"""The indicator of a kecamatan and the status of each of its obligations, as known at a moment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.errors import InputError
from bot.services.calendar import load_calendar
from bot.services.places import document_kinds, require_kecamatan
from bot.services.targets import IKU, target_values
from models.documents import DocumentKind, TimelinessBasis, performance_year_obligations
from models.indicator import (
    DocumentFacts,
    IndicatorResult,
    ObligationFacts,
    TargetValues,
    capaian,
    compute_indicator,
    predikat,
)
from models.numbers import percent, round_half_up
from models.status import (
    ObligationStatus,
    ReviewStatus,
    deciding_version,
    end_of_day,
    obligation_status,
    start_of_day,
)
from models.tables import Desa, Kabupaten, Kecamatan, Obligation, Submission, Target, UTCDateTime


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


async def year_facts(session: AsyncSession, kecamatan_kode: str, year: int, *, files: bool = True) -> YearFacts:
    """A kecamatan's desa, the performance year's counted (document, TA) pairs, their obligations and deadlines;
    the versions' files too unless `files` is False (a status does not show them)."""
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
            .options(
                selectinload(Obligation.submissions).selectinload(Submission.files)
                if files
                else selectinload(Obligation.submissions)
            )
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
    return await _indicator_of(session, facts, year, at)


async def _indicator_of(session: AsyncSession, facts: YearFacts, year: int, at: datetime) -> KecamatanIndicator:
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
    facts = await year_facts(session, kecamatan_kode, year, files=False)
    return facts.kecamatan, at.astimezone(facts.tz).date(), _rows_of(facts, at)


def _rows_of(facts: YearFacts, at: datetime) -> list[ObligationRow]:
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
    return rows


@dataclass(frozen=True)
class KecamatanSeason:
    """A kecamatan's indicator and its desa × document matrix at one moment, read from one `year_facts`."""

    indicator: KecamatanIndicator
    rows: list[ObligationRow]
    kinds: list[tuple[DocumentKind, int]]  # the matrix's columns: the counted (document, TA) pairs, in order


async def kecamatan_season(session: AsyncSession, kecamatan_kode: str, year: int, at: datetime) -> KecamatanSeason:
    """What `kecamatan_indicator` and `obligation_rows` give, from one read of the year's facts (the dashboard's
    kecamatan page shows both)."""
    facts = await year_facts(session, kecamatan_kode, year)
    return KecamatanSeason(await _indicator_of(session, facts, year, at), _rows_of(facts, at), facts.kinds)


def json_number(value: Decimal | None) -> float | None:
    """A figure as JSON carries it (`klambi ... --format json`)."""
    return None if value is None else float(value)


def indicator_json(report: KecamatanIndicator) -> dict[str, Any]:
    """The indicator as `klambi indicator --format json` prints it; the dashboard shows these very numbers."""
    kec = report.kecamatan
    result = report.result
    data: dict[str, Any] = {
        "kecamatan": {"kode": kec.kode, "nama": kec.nama},
        "year": report.year,
        "at": report.local_date.isoformat(),
        "desa_count": result.desa_count if result else 0,
        "documents": {},
    }
    if result is None:
        data.update(realisasi=None, target=None, target_awal=None, capaian=None, predikat=None, triwulan={})
        return data
    number = json_number
    for doc in result.documents:
        entry: dict[str, Any] = {"tahun_anggaran": doc.tahun_anggaran, "legal_deadline": doc.legal_deadline.isoformat()}
        entry.update({s.value: n for s, n in doc.counts.items()})
        entry["persen"] = number(doc.persen)
        doc_target = report.document_targets.get(doc.code)
        if doc_target is not None and doc_target.effective is not None:
            entry["target"] = number(doc_target.effective)
            exact = Fraction(doc.tepat_waktu * 100, result.desa_count)
            entry["capaian"] = number(round_half_up(capaian(exact, doc_target.effective)))
        data["documents"][doc.code] = entry
    data.update(
        realisasi=number(result.realisasi),
        target=number(result.target.effective),
        target_awal=number(result.target.awal),
        target_renstra=number(result.target.renstra),
        capaian=number(result.capaian),
        predikat=result.predikat,
        triwulan={k: number(v) for k, v in result.triwulan.items()},
    )
    return data


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


@dataclass(frozen=True)
class RankedKecamatan:
    """One kecamatan's place in a ranking: its realisasi and what follows from it, without per-desa detail."""

    kecamatan: Kecamatan
    desa_count: int
    on_time: int
    realisasi_exact: Fraction
    realisasi: Decimal
    target: TargetValues
    capaian: Decimal | None
    predikat: str | None


async def ranking(
    session: AsyncSession, year: int, at_day: date | None, now: datetime, kabupaten_kode: str | None = None
) -> list[RankedKecamatan]:
    """Every kecamatan with desa (of one kabupaten, or of the deployment) by realisasi, highest first, ties by code.

    The same figure as `kecamatan_indicator` (a test holds them together), counted in the database: per obligation
    the deciding version — the earliest accepted by verdict time, then version, of those received and decided by
    the moment — and whether its basis date is on or before the legal deadline, summed per kecamatan. A few queries
    whatever the number of kecamatan, instead of a few per kecamatan.
    """
    where = [] if kabupaten_kode is None else [Kecamatan.kabupaten_kode == kabupaten_kode]
    kecamatan = {k.kode: k for k in await session.scalars(select(Kecamatan).where(*where))}
    desa_counts = dict(
        (
            await session.execute(
                select(Desa.kecamatan_kode, func.count())
                .join(Kecamatan, Kecamatan.kode == Desa.kecamatan_kode)
                .where(*where)
                .group_by(Desa.kecamatan_kode)
            )
        ).all()
    )
    kinds = performance_year_obligations(await document_kinds(session), year)
    on_time: dict[str, int] = defaultdict(int)
    if kinds and desa_counts:
        zones = sorted({k.timezone for k in kecamatan.values()})
        moments: dict[datetime, list[str]] = defaultdict(list)  # one pass for every zone that shares the moment
        for zone in zones:
            moments[end_of_day(at_day, ZoneInfo(zone)) if at_day else now].append(zone)
        for at, zones_at in moments.items():
            for kode, count in await _on_time_counts(session, kinds, zones_at, at, where):
                on_time[kode] += count
    targets = {
        t.kecamatan_kode: TargetValues(t.awal, t.perubahan, t.renstra, t.higher_is_better)
        for t in await session.scalars(
            select(Target)
            .join(Kecamatan, Kecamatan.kode == Target.kecamatan_kode)
            .where(Target.indicator == IKU, Target.year == year, *where)
        )
    }
    ranked = []
    for kode, desa_count in desa_counts.items():
        if not kinds:
            continue
        exact = percent(on_time[kode], desa_count * len(kinds))
        target = targets.get(kode, TargetValues())
        effective = target.effective
        achieved = None if effective is None else round_half_up(capaian(exact, effective, target.higher_is_better))
        ranked.append(
            RankedKecamatan(
                kecamatan[kode], desa_count, on_time[kode], exact, round_half_up(exact), target, achieved,
                None if achieved is None else predikat(achieved),
            )
        )  # fmt: skip
    ranked.sort(key=lambda r: (-r.realisasi_exact, r.kecamatan.kode))
    return ranked


async def _on_time_counts(
    session: AsyncSession, kinds: list[tuple[DocumentKind, int]], zones: list[str], at: datetime, where: list
) -> list[tuple[str, int]]:
    """(kecamatan, obligations on time at `at`) for the kecamatan of these time zones."""
    pairs = or_(*(and_(Obligation.document_code == k.code, Obligation.tahun_anggaran == ta) for k, ta in kinds))
    deciding = (
        select(
            Desa.kecamatan_kode,
            Kecamatan.timezone,
            Obligation.document_code,
            Obligation.legal_deadline,
            Submission.tanggal_penetapan,
            Submission.received_at,
            func.row_number()
            .over(partition_by=Submission.obligation_id, order_by=(Submission.reviewed_at, Submission.version))
            .label("rank"),
        )
        .select_from(Submission)
        .join(Obligation, Obligation.id == Submission.obligation_id)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .join(Kecamatan, Kecamatan.kode == Desa.kecamatan_kode)
        .where(
            pairs,
            Kecamatan.timezone.in_(zones),
            Submission.review_status == ReviewStatus.ACCEPTED,
            Submission.reviewed_at <= at,
            Submission.received_at <= at,
            *where,
        )
        .subquery()
    )
    by_penetapan = [k.code for k, _ in kinds if k.basis is TimelinessBasis.PENETAPAN]
    by_receipt = [k.code for k, _ in kinds if k.basis is TimelinessBasis.DITERIMA]
    conditions = []
    if by_penetapan:
        conditions.append(
            and_(deciding.c.document_code.in_(by_penetapan), deciding.c.tanggal_penetapan <= deciding.c.legal_deadline)
        )
    deadline_query = select(Obligation.legal_deadline).where(pairs).distinct()
    if where:
        deadline_query = deadline_query.join(Desa, Desa.kode == Obligation.desa_kode).join(
            Kecamatan, Kecamatan.kode == Desa.kecamatan_kode
        )
    deadlines = list(await session.scalars(deadline_query.where(*where)))
    if by_receipt and deadlines:
        # received on or before the deadline in the kecamatan's zone: before the next local day began, in UTC
        cutoff = case(
            *(
                (
                    and_(deciding.c.legal_deadline == day, deciding.c.timezone == zone),
                    literal(start_of_day(day + timedelta(days=1), ZoneInfo(zone)), UTCDateTime()),
                )
                for day in deadlines
                for zone in zones
            )
        )
        conditions.append(and_(deciding.c.document_code.in_(by_receipt), deciding.c.received_at < cutoff))
    if not conditions:
        return []
    rows = await session.execute(
        select(deciding.c.kecamatan_kode, func.count())
        .where(deciding.c.rank == 1, or_(*conditions))
        .group_by(deciding.c.kecamatan_kode)
    )
    return [(kode, count) for kode, count in rows]


async def national_ranking(
    session: AsyncSession, year: int, at_day: date | None, now: datetime
) -> list[RankedKecamatan]:
    """Every kecamatan of the deployment with desa, ranked."""
    return await ranking(session, year, at_day, now)
