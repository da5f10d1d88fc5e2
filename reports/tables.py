"""The tables of the LKjIP (seed Tabel 3.2–3.7) for one kecamatan and performance year, as plain data.

`gather` reads everything once, in one transaction; the writers (`reports.workbook`, `reports.csvfiles`,
`reports.markdown`, and the charts) only format it. Figures are the indicator's own: exact fractions rounded once,
half up, to two decimals (`models.numbers.round_half_up`); nothing here rounds a rounded figure again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InputError
from bot.i18n import doc_label
from bot.services.history import HistoryRow, history_for
from bot.services.indicator import KecamatanIndicator, kecamatan_indicator, year_facts
from bot.services.places import require_kecamatan
from models.indicator import QUARTERS, TargetValues, predikat
from models.indicator import capaian as capaian_of
from models.numbers import percent, round_half_up
from models.status import ObligationStatus, ReviewStatus, deciding_version, end_of_day, obligation_status
from models.tables import Channel, Kabupaten, Kecamatan, Person

NO_DATA = (ObligationStatus.BELUM_JATUH_TEMPO, ObligationStatus.TIDAK_ADA)


@dataclass(frozen=True)
class DesaCell:
    """One obligation of one desa as known at the moment: its status and the dates of the version that decides."""

    document_code: str
    tahun_anggaran: int
    legal_deadline: date
    status: ObligationStatus
    tanggal_penetapan: date | None
    received_on: date | None  # in the kecamatan's time zone
    versions: int  # received on or before the moment


@dataclass(frozen=True)
class DesaRow:
    desa_kode: str
    desa_nama: str
    cells: tuple[DesaCell, ...]  # in the order of `LkjipData.documents`


@dataclass(frozen=True)
class VersionRow:
    """Every submitted version of the year's counted documents, as known at the moment (Rincian)."""

    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    version: int
    tanggal_penetapan: date
    nomor: str | None
    received_at: datetime  # in the kecamatan's time zone
    channel: Channel
    review_status: ReviewStatus  # the verdict as it stood at the moment
    reviewer: str | None
    reviewed_at: datetime | None  # in the kecamatan's time zone; None while waiting
    reason: str | None  # why it was rejected
    decides: bool  # this version decides the obligation's status

    @property
    def received_on(self) -> date:
        return self.received_at.date()


@dataclass(frozen=True)
class ProgramRow:
    """The IKU or one document's program indicator (seed Tabel 2.4) in Tabel 3.2/3.3."""

    indicator: str  # "IKU" or a document code
    tahun_anggaran: int | None
    target: TargetValues
    triwulan: dict[str, Decimal | None]
    realisasi: Decimal
    realisasi_exact: Fraction
    capaian: Decimal | None  # against the revised target when there is one
    predikat: str | None
    capaian_renstra: Decimal | None  # against the Renstra's end-of-period target (Tabel 3.6)


@dataclass(frozen=True)
class OtherKecamatan:
    """Another kecamatan of the deployment, same year (Tabel 3.7)."""

    kode: str
    nama: str
    desa_count: int
    realisasi: Decimal
    realisasi_exact: Fraction
    target: Decimal | None
    capaian: Decimal | None
    predikat: str | None
    has_data: bool  # at least one version of the year's counted documents was received


@dataclass(frozen=True)
class ProblemRow:
    """A kendala a desa raised in the year (pemetaan masalah), with the kecamatan's answers and how it ended."""

    number: int
    desa_kode: str
    desa_nama: str
    document: str | None  # "RKPDES TA 2025" when it is about a document
    reporter_role: str
    reported_at: datetime  # in the kecamatan's time zone
    text: str
    answers: tuple[str, ...]
    status: str  # terbuka, selesai
    closed_at: datetime | None
    closing_note: str | None


@dataclass(frozen=True)
class LkjipData:
    kecamatan_kode: str
    kecamatan_nama: str
    kabupaten_kode: str
    kabupaten_nama: str
    year: int
    at: datetime
    local_date: date
    indicator: KecamatanIndicator
    documents: tuple[tuple[str, int, date], ...]  # (code, tahun anggaran, legal deadline), the counted ones
    programs: tuple[ProgramRow, ...]  # the IKU first, then documents with a target of their own
    desa_rows: tuple[DesaRow, ...]
    versions: tuple[VersionRow, ...]
    history: tuple[HistoryRow, ...]  # published figures of earlier years (IKU), before `year`
    others: tuple[OtherKecamatan, ...]  # the other kecamatan of the kabupaten with desa, by code
    compare: OtherKecamatan | None  # the one Tabel 3.7 shows
    problems: tuple[ProblemRow, ...] = ()
    published: HistoryRow | None = None  # this year's own figures as an LKjIP published them (`history import`)

    @property
    def iku(self) -> ProgramRow | None:
        return self.programs[0] if self.programs else None

    @property
    def has_data(self) -> bool:
        """At least one version of the year's counted documents was received by the moment: without one, every
        figure is 0,00% only because nothing is recorded, and the writers say so."""
        return bool(self.versions)


def _program(
    indicator: str,
    ta: int | None,
    target: TargetValues,
    exact: Fraction,
    triwulan: dict[str, Decimal | None],
) -> ProgramRow:
    effective = target.effective
    achieved = None if effective is None else round_half_up(capaian_of(exact, effective, target.higher_is_better))
    renstra = None
    if target.renstra is not None:
        renstra = round_half_up(capaian_of(exact, target.renstra, target.higher_is_better))
    return ProgramRow(indicator, ta, target, triwulan, round_half_up(exact), exact, achieved,
                      None if achieved is None else predikat(achieved), renstra)  # fmt: skip


def _other(report: KecamatanIndicator) -> OtherKecamatan | None:
    result = report.result
    if result is None:
        return None
    has_data = any(s not in NO_DATA for d in result.documents for s in d.statuses.values())
    return OtherKecamatan(report.kecamatan.kode, report.kecamatan.nama, result.desa_count, result.realisasi,
                          result.realisasi_exact, result.target.effective, result.capaian, result.predikat,
                          has_data)  # fmt: skip


async def gather(
    session: AsyncSession, kecamatan_kode: str, year: int, at: datetime, compare_kode: str | None = None
) -> LkjipData:
    """Everything the LKjIP's tables of one kecamatan and performance year need, as known at `at`.

    `compare_kode` picks the kecamatan of Tabel 3.7; by default the benchmark: the other kecamatan of the same
    kabupaten with data and the highest realisasi (ties by code), or none.
    """
    kecamatan = await require_kecamatan(session, kecamatan_kode)
    tz = ZoneInfo(kecamatan.timezone)
    report = await kecamatan_indicator(session, kecamatan.kode, year, at)
    kabupaten = await session.get(Kabupaten, kecamatan.kabupaten_kode)
    facts = await year_facts(session, kecamatan.kode, year)
    result = report.result

    # Tabel 3.2/3.3: the IKU and each document's program indicator that has a target of its own
    programs: list[ProgramRow] = []
    if result is not None:
        programs.append(_program("IKU", None, result.target, result.realisasi_exact, dict(result.triwulan)))
        quarter_results = {}
        for label, month, day in QUARTERS:
            end = end_of_day(date(year, month, day), tz)
            quarter_results[label] = None if end > at else await kecamatan_indicator(session, kecamatan.kode, year, end)
        for doc in result.documents:
            target = report.document_targets.get(doc.code)
            if target is None or target.effective is None:
                continue
            triwulan: dict[str, Decimal | None] = {}
            for label, quarter in quarter_results.items():
                if quarter is None or quarter.result is None:
                    triwulan[label] = None
                    continue
                persen = next(d.persen for d in quarter.result.documents if d.code == doc.code)
                triwulan[label] = persen
            exact = percent(doc.tepat_waktu, result.desa_count)
            programs.append(_program(doc.code, doc.tahun_anggaran, target, exact, triwulan))

    # Per Desa and Rincian, from the same obligations the indicator read
    people: set[int] = set()
    for obligation in facts.obligations.values():
        people.update(s.reviewed_by_id for s in obligation.submissions if s.reviewed_by_id is not None)
    names: dict[int, str] = {}
    if people:
        names = {p.id: p.name for p in await session.scalars(select(Person).where(Person.id.in_(people)))}
    desa_rows: list[DesaRow] = []
    versions: list[VersionRow] = []
    for desa in facts.desa:
        cells = []
        for kind, ta in facts.kinds:
            obligation = facts.obligations.get((desa.kode, kind.code, ta))
            submissions = [s for s in (obligation.submissions if obligation else []) if s.received_at <= at]
            version_facts = [s.facts() for s in submissions]
            legal = obligation.legal_deadline if obligation else facts.deadlines[(kind.code, ta)]
            status = obligation_status(legal, kind.basis, version_facts, at, tz)
            shown = deciding_version(version_facts, at)
            cells.append(
                DesaCell(kind.code, ta, legal, status, shown.tanggal_penetapan if shown else None,
                         shown.received_at.astimezone(tz).date() if shown else None, len(submissions))
            )  # fmt: skip
            for s, f in zip(submissions, version_facts, strict=True):
                verdict = f.verdict_at(at)
                decided = verdict is not ReviewStatus.MENUNGGU
                versions.append(
                    VersionRow(
                        desa.kode, desa.nama, kind.code, ta, s.version, s.tanggal_penetapan, s.nomor,
                        s.received_at.astimezone(tz), s.channel, verdict,
                        names.get(s.reviewed_by_id) if decided and s.reviewed_by_id is not None else None,
                        s.reviewed_at.astimezone(tz) if decided and s.reviewed_at else None,
                        s.review_reason if verdict is ReviewStatus.REJECTED else None,
                        shown is not None and shown.version == s.version,
                    )
                )  # fmt: skip
        desa_rows.append(DesaRow(desa.kode, desa.nama, tuple(cells)))
    order = {(kind.code, ta): i for i, (kind, ta) in enumerate(facts.kinds)}
    versions.sort(key=lambda v: (order[(v.document_code, v.tahun_anggaran)], v.desa_kode, v.version))

    # Perbandingan: earlier years as published, and the other kecamatan of the kabupaten
    published_years = await history_for(session, kecamatan.kode)
    history = tuple(h for h in published_years if h.year < year)
    others: list[OtherKecamatan] = []
    for other in await session.scalars(
        select(Kecamatan)
        .where(Kecamatan.kabupaten_kode == kecamatan.kabupaten_kode, Kecamatan.kode != kecamatan.kode)
        .order_by(Kecamatan.kode)
    ):
        row = _other(await kecamatan_indicator(session, other.kode, year, at))
        if row is not None:
            others.append(row)
    compare: OtherKecamatan | None = None
    if compare_kode is not None:
        chosen = await require_kecamatan(session, compare_kode)
        if chosen.kode == kecamatan.kode:
            raise InputError("report.compare_self", kode=chosen.kode)
        compare = next((o for o in others if o.kode == chosen.kode), None)
        if compare is None:
            compare = _other(await kecamatan_indicator(session, chosen.kode, year, at))
    else:
        candidates = sorted((o for o in others if o.has_data), key=lambda o: (-o.realisasi_exact, o.kode))
        compare = candidates[0] if candidates else None

    return LkjipData(
        published=next((h for h in published_years if h.year == year), None),
        problems=await _problems(session, kecamatan.kode, year, tz, {d.kode: d.nama for d in facts.desa}),
        kecamatan_kode=kecamatan.kode,
        kecamatan_nama=kecamatan.nama,
        kabupaten_kode=kecamatan.kabupaten_kode,
        kabupaten_nama=kabupaten.nama if kabupaten else kecamatan.kabupaten_kode,
        year=year,
        at=at,
        local_date=at.astimezone(tz).date(),
        indicator=report,
        documents=tuple((kind.code, ta, facts.deadlines[(kind.code, ta)]) for kind, ta in facts.kinds),
        programs=tuple(programs),
        desa_rows=tuple(desa_rows),
        versions=tuple(versions),
        history=history,
        others=tuple(others),
        compare=compare,
    )


async def _problems(
    session: AsyncSession, kecamatan_kode: str, year: int, tz: ZoneInfo, names: dict[str, str]
) -> tuple[ProblemRow, ...]:
    from bot.services.forum import threads_for_report
    from models.tables import Obligation

    threads = await threads_for_report(session, kecamatan_kode, year)
    documents = {}
    wanted = {th.obligation_id for th in threads if th.obligation_id is not None}
    if wanted:
        for o in await session.scalars(select(Obligation).where(Obligation.id.in_(wanted))):
            documents[o.id] = f"{doc_label(o.document_code)} TA {o.tahun_anggaran}"
    from bot.services.forum import thread_number

    numbers = {th.id: await thread_number(session, th) for th in threads}
    return tuple(
        ProblemRow(
            numbers[th.id],
            th.desa_kode,
            names.get(th.desa_kode, th.desa_kode),
            documents.get(th.obligation_id or 0),
            th.author_role,
            th.created_at.astimezone(tz),
            th.text,
            tuple(f"{r.at.astimezone(tz):%d/%m/%Y}: {r.text}" for r in th.replies),
            th.status.value,
            th.closed_at.astimezone(tz) if th.closed_at else None,
            th.closing_note,
        )
        for th in threads
    )
