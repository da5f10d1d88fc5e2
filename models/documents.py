"""Document types and their legal deadlines, kept in one place.

A document is an obligation of one desa for one tahun anggaran (TA). Its legal deadline is a fixed day of a month in
a year counted from the TA: RKPDes TA Y by 30 September Y-1, APBDes TA Y by 31 December Y-1, LPPDes TA Y by
31 March Y+1. The performance year P counts the obligations whose legal deadline falls in P.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.calendar import WorkingCalendar


class TimelinessBasis(StrEnum):
    """Which date decides 'tepat waktu'."""

    PENETAPAN = "penetapan"  # the date the Perdes was established (tanggal penetapan)
    DITERIMA = "diterima"  # the date the kecamatan received it (tanggal penyampaian)


@dataclass(frozen=True)
class DeadlineRule:
    """`day` of `month` in year TA + `year_offset`; `day=None` means the last day of the month."""

    month: int
    day: int | None
    year_offset: int
    roll_to_working_day: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not a month")
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError(f"day {self.day} is not a day of a month")

    def legal_deadline(self, tahun_anggaran: int, calendar: WorkingCalendar | None = None) -> date:
        year = tahun_anggaran + self.year_offset
        last = _calendar.monthrange(year, self.month)[1]
        deadline = date(year, self.month, last if self.day is None else min(self.day, last))
        if self.roll_to_working_day:
            if calendar is None:
                raise ValueError("rolling a deadline to a working day needs a calendar")
            deadline = calendar.next_working_day(deadline)
        return deadline

    def tahun_anggaran_for(self, performance_year: int) -> int:
        """The TA whose (unrolled) deadline falls in `performance_year`."""
        return performance_year - self.year_offset


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name: str
    rule: DeadlineRule
    basis: TimelinessBasis
    counted: bool  # counted in the village accountability indicator
    position: int = 0


# The defaults a new deployment starts with (the first migration writes the same values into `document_type`).
RKPDES = DocumentKind(
    "RKPDES", "Rencana Kerja Pemerintah Desa", DeadlineRule(9, 30, -1), TimelinessBasis.PENETAPAN, True, 1
)
APBDES = DocumentKind(
    "APBDES", "Anggaran Pendapatan dan Belanja Desa", DeadlineRule(12, 31, -1), TimelinessBasis.PENETAPAN, True, 2
)
LPPDES = DocumentKind(
    "LPPDES",
    "Laporan Penyelenggaraan Pemerintahan Desa",
    DeadlineRule(3, 31, 1),
    TimelinessBasis.DITERIMA,
    True,
    3,
)
LRA_SEM1 = DocumentKind(
    "LRA_SEM1",
    "Laporan Realisasi APBDes Semester I",
    DeadlineRule(7, None, 0),
    TimelinessBasis.DITERIMA,
    False,
    4,
)
LPJ_APBDES = DocumentKind(
    "LPJ_APBDES",
    "Laporan Pertanggungjawaban Realisasi APBDes",
    DeadlineRule(3, 31, 1),
    TimelinessBasis.DITERIMA,
    False,
    5,
)
DEFAULT_DOCUMENT_KINDS = (RKPDES, APBDES, LPPDES, LRA_SEM1, LPJ_APBDES)


def performance_year_obligations(kinds: list[DocumentKind], performance_year: int) -> list[tuple[DocumentKind, int]]:
    """The (document, TA) pairs whose legal deadline falls in `performance_year`, counted documents only."""
    return [(k, k.rule.tahun_anggaran_for(performance_year)) for k in kinds if k.counted]
