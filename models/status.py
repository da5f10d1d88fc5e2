"""The status of one obligation at a moment, from what was known at that moment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from models.documents import TimelinessBasis


class ReviewStatus(StrEnum):
    """The kecamatan's verdict on one submitted version."""

    MENUNGGU = "menunggu"  # waiting for a decision
    ACCEPTED = "diterima"
    REJECTED = "ditolak"


class ObligationStatus(StrEnum):
    TEPAT_WAKTU = "tepat_waktu"
    TERLAMBAT = "terlambat"
    MENUNGGU_VERIFIKASI = "menunggu_verifikasi"
    DITOLAK = "ditolak"
    BELUM_JATUH_TEMPO = "belum_jatuh_tempo"
    TIDAK_ADA = "tidak_ada"


STATUS_ORDER = tuple(ObligationStatus)


@dataclass(frozen=True)
class VersionFacts:
    """One submitted version, as far as timeliness is concerned."""

    version: int
    tanggal_penetapan: date
    received_at: datetime  # aware
    review_status: ReviewStatus
    reviewed_at: datetime | None  # aware; None while waiting

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must carry its time zone")
        if self.review_status is not ReviewStatus.MENUNGGU and self.reviewed_at is None:
            raise ValueError("a verdict needs the time it was given")
        if self.reviewed_at is not None:
            if self.reviewed_at.tzinfo is None:
                raise ValueError("reviewed_at must carry its time zone")
            if self.reviewed_at < self.received_at:
                raise ValueError("a verdict cannot come before the version was received")

    def verdict_at(self, moment: datetime) -> ReviewStatus:
        """The verdict as it stood at `moment` (a verdict given later was not known yet)."""
        if self.review_status is ReviewStatus.MENUNGGU or self.reviewed_at is None or self.reviewed_at > moment:
            return ReviewStatus.MENUNGGU
        return self.review_status

    def basis_date(self, basis: TimelinessBasis, tz: ZoneInfo) -> date:
        if basis is TimelinessBasis.PENETAPAN:
            return self.tanggal_penetapan
        return self.received_at.astimezone(tz).date()


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last instant of `day` in `tz` (a moment given as a date means the end of that day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def deciding_version(versions: Iterable[VersionFacts], at: datetime) -> VersionFacts | None:
    """The version that decides the status at `at`: the earliest accepted one, else the latest received."""
    known = sorted((v for v in versions if v.received_at <= at), key=lambda v: v.version)
    accepted = [v for v in known if v.verdict_at(at) is ReviewStatus.ACCEPTED]
    if accepted:
        return min(accepted, key=lambda v: (v.reviewed_at, v.version))
    return known[-1] if known else None


def obligation_status(
    legal_deadline: date,
    basis: TimelinessBasis,
    versions: Iterable[VersionFacts],
    at: datetime,
    tz: ZoneInfo,
) -> ObligationStatus:
    """Status at `at`, counting only versions received on or before `at` and verdicts given on or before it.

    Precedence: an accepted version wins (the earliest accepted decides); else one waiting for a decision;
    else the latest was rejected; else not yet due / missing by the local date of `at`.
    """
    if at.tzinfo is None:
        raise ValueError("the moment must carry its time zone")
    known = [v for v in versions if v.received_at <= at]
    deciding = deciding_version(known, at)
    if deciding is not None and deciding.verdict_at(at) is ReviewStatus.ACCEPTED:
        on_time = deciding.basis_date(basis, tz) <= legal_deadline
        return ObligationStatus.TEPAT_WAKTU if on_time else ObligationStatus.TERLAMBAT
    if any(v.verdict_at(at) is ReviewStatus.MENUNGGU for v in known):
        return ObligationStatus.MENUNGGU_VERIFIKASI
    if known:
        return ObligationStatus.DITOLAK
    if at.astimezone(tz).date() <= legal_deadline:
        return ObligationStatus.BELUM_JATUH_TEMPO
    return ObligationStatus.TIDAK_ADA


def on_time_on_its_face(legal_deadline: date, basis: TimelinessBasis, version: VersionFacts, tz: ZoneInfo) -> bool:
    """Would this version be 'tepat waktu' if accepted? (What a receipt tells the secretary.)"""
    return version.basis_date(basis, tz) <= legal_deadline
