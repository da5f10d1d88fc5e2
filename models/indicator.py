"""The village accountability indicator, exactly as the LKjIP defines it (seed Tabel 2.1, 2.4, 3.1, 3.2).

    realisasi = desa with each counted document tepat waktu, summed / (desa × counted documents) × 100%
    persen_<doc> = desa with <doc> tepat waktu / desa × 100%
    capaian = realisasi / target × 100%                          (higher is better)
            = (target − (realisasi − target)) / target × 100%   (lower is better)

Every figure is kept exact and rounded once, half up, to two decimals; the predikat is read from the rounded
capaian so that what a reader sees agrees with itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from models.documents import DocumentKind
from models.numbers import percent, round_half_up
from models.status import STATUS_ORDER, ObligationStatus, VersionFacts, end_of_day, obligation_status

QUARTERS = (("I", 3, 31), ("II", 6, 30), ("III", 9, 30), ("IV", 12, 31))

PREDIKAT_SCALE = (  # seed Tabel 3.1: the lower bound is exclusive
    (Decimal(90), "Sangat Tinggi"),
    (Decimal(75), "Tinggi"),
    (Decimal(65), "Sedang"),
    (Decimal(50), "Rendah"),
)
LOWEST_PREDIKAT = "Sangat Rendah"


def predikat(capaian: Decimal) -> str:
    for bound, name in PREDIKAT_SCALE:
        if capaian > bound:
            return name
    return LOWEST_PREDIKAT


def capaian(realisasi: Fraction | Decimal, target: Decimal, higher_is_better: bool = True) -> Fraction:
    """Achievement against a target, exact."""
    if target <= 0:
        raise ValueError("a target must be positive")
    r, t = Fraction(realisasi), Fraction(target)
    if higher_is_better:
        return r / t * 100
    return (t - (r - t)) / t * 100


@dataclass(frozen=True)
class TargetValues:
    awal: Decimal | None = None
    perubahan: Decimal | None = None
    renstra: Decimal | None = None
    higher_is_better: bool = True

    @property
    def effective(self) -> Decimal | None:
        """The revised target when there is one, else the initial one."""
        return self.perubahan if self.perubahan is not None else self.awal


@dataclass(frozen=True)
class ObligationFacts:
    desa_kode: str
    legal_deadline: date
    versions: tuple[VersionFacts, ...] = ()


@dataclass(frozen=True)
class DocumentFacts:
    kind: DocumentKind
    tahun_anggaran: int
    legal_deadline: date
    obligations: tuple[ObligationFacts, ...]


@dataclass(frozen=True)
class DocumentResult:
    code: str
    tahun_anggaran: int
    legal_deadline: date
    statuses: dict[str, ObligationStatus]  # desa kode -> status
    persen: Decimal

    @property
    def counts(self) -> dict[ObligationStatus, int]:
        tally = Counter(self.statuses.values())
        return {s: tally.get(s, 0) for s in STATUS_ORDER}

    @property
    def tepat_waktu(self) -> int:
        return self.counts[ObligationStatus.TEPAT_WAKTU]


@dataclass(frozen=True)
class IndicatorResult:
    year: int
    at: datetime
    desa_count: int
    documents: tuple[DocumentResult, ...]
    realisasi_exact: Fraction
    realisasi: Decimal
    target: TargetValues
    capaian: Decimal | None
    predikat: str | None
    triwulan: dict[str, Decimal | None] = field(default_factory=dict)


def _statuses(doc: DocumentFacts, at: datetime, tz: ZoneInfo) -> dict[str, ObligationStatus]:
    return {
        o.desa_kode: obligation_status(o.legal_deadline, doc.kind.basis, o.versions, at, tz) for o in doc.obligations
    }


def _realisasi(documents: tuple[DocumentFacts, ...], desa_count: int, at: datetime, tz: ZoneInfo) -> Fraction:
    on_time = sum(1 for doc in documents for s in _statuses(doc, at, tz).values() if s is ObligationStatus.TEPAT_WAKTU)
    return percent(on_time, desa_count * len(documents))


def compute_indicator(
    year: int,
    documents: tuple[DocumentFacts, ...],
    desa_count: int,
    at: datetime,
    tz: ZoneInfo,
    target: TargetValues | None = None,
) -> IndicatorResult | None:
    """The indicator of performance year `year` as known at `at`; None for a kecamatan without desa."""
    if desa_count <= 0 or not documents:
        return None
    for doc in documents:
        if len(doc.obligations) != desa_count:
            raise ValueError(f"{doc.kind.code}: {len(doc.obligations)} obligations for {desa_count} desa")
    target = target or TargetValues()
    results = []
    for doc in documents:
        statuses = _statuses(doc, at, tz)
        on_time = sum(1 for s in statuses.values() if s is ObligationStatus.TEPAT_WAKTU)
        results.append(
            DocumentResult(
                doc.kind.code,
                doc.tahun_anggaran,
                doc.legal_deadline,
                statuses,
                round_half_up(percent(on_time, desa_count)),
            )
        )
    exact = _realisasi(documents, desa_count, at, tz)
    effective = target.effective
    achieved = None if effective is None else round_half_up(capaian(exact, effective, target.higher_is_better))
    triwulan: dict[str, Decimal | None] = {}
    for label, month, day in QUARTERS:
        quarter_end = end_of_day(date(year, month, day), tz)
        triwulan[label] = (
            None if quarter_end > at else round_half_up(_realisasi(documents, desa_count, quarter_end, tz))
        )
    return IndicatorResult(
        year=year,
        at=at,
        desa_count=desa_count,
        documents=tuple(results),
        realisasi_exact=exact,
        realisasi=round_half_up(exact),
        target=target,
        capaian=achieved,
        predikat=None if achieved is None else predikat(achieved),
        triwulan=triwulan,
    )
