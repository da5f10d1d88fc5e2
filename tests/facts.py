"""Building the facts the pure rules take: versions received, accepted, rejected, waiting — in WIB."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.status import ReviewStatus, VersionFacts

TZ = ZoneInfo("Asia/Jakarta")


def wib(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def accepted(version, penetapan, received_at, reviewed_at=None) -> VersionFacts:
    reviewed_at = reviewed_at or received_at + timedelta(hours=1)
    return VersionFacts(version, penetapan, received_at, ReviewStatus.ACCEPTED, reviewed_at)


def rejected(version, penetapan, received_at, reviewed_at=None) -> VersionFacts:
    reviewed_at = reviewed_at or received_at + timedelta(hours=1)
    return VersionFacts(version, penetapan, received_at, ReviewStatus.REJECTED, reviewed_at)


def waiting(version, penetapan, received_at) -> VersionFacts:
    return VersionFacts(version, penetapan, received_at, ReviewStatus.MENUNGGU, None)
