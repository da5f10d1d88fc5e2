"""The status of one obligation at a moment T, from what was known at T."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.documents import TimelinessBasis
from models.status import (
    ObligationStatus,
    ReviewStatus,
    VersionFacts,
    deciding_version,
    end_of_day,
    obligation_status,
    on_time_on_its_face,
    start_of_day,
)
from tests.facts import accepted, rejected, waiting, wib

TZ = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
PENETAPAN = TimelinessBasis.PENETAPAN
DITERIMA = TimelinessBasis.DITERIMA
S = ObligationStatus

RKPDES_DEADLINE = date(2024, 9, 30)  # RKPDes TA 2025, judged on tanggal penetapan
LPPDES_DEADLINE = date(2025, 3, 31)  # LPPDes TA 2024, judged on the date received


def status(deadline, basis, versions, at, tz=TZ) -> ObligationStatus:
    return obligation_status(deadline, basis, versions, at, tz)


LATER = end_of_day(date(2025, 12, 31), TZ)  # a moment after every verdict below


# --- the six statuses -------------------------------------------------------------------------


def test_tepat_waktu():
    v = accepted(1, date(2024, 9, 20), wib(2024, 9, 21))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.TEPAT_WAKTU


def test_terlambat_on_penetapan():
    v = accepted(1, date(2024, 10, 1), wib(2024, 10, 2))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.TERLAMBAT


def test_terlambat_on_received():
    v = accepted(1, date(2025, 2, 1), wib(2025, 4, 1))
    assert status(LPPDES_DEADLINE, DITERIMA, [v], LATER) is S.TERLAMBAT


def test_menunggu_verifikasi():
    v = waiting(1, date(2024, 9, 20), wib(2024, 9, 21))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.MENUNGGU_VERIFIKASI
    # waiting is waiting, before or after the deadline
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], end_of_day(date(2024, 9, 21), TZ)) is S.MENUNGGU_VERIFIKASI


def test_ditolak():
    v = rejected(1, date(2024, 9, 20), wib(2024, 9, 21))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.DITOLAK
    # before the deadline too: the desa must send a corrected one
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], end_of_day(date(2024, 9, 22), TZ)) is S.DITOLAK


def test_belum_jatuh_tempo_then_tidak_ada():
    assert status(RKPDES_DEADLINE, PENETAPAN, [], wib(2024, 9, 1)) is S.BELUM_JATUH_TEMPO
    assert status(RKPDES_DEADLINE, PENETAPAN, [], end_of_day(RKPDES_DEADLINE, TZ)) is S.BELUM_JATUH_TEMPO
    next_day = start_of_day(RKPDES_DEADLINE + timedelta(days=1), TZ)
    assert status(RKPDES_DEADLINE, PENETAPAN, [], next_day) is S.TIDAK_ADA
    assert status(RKPDES_DEADLINE, PENETAPAN, [], end_of_day(date(2024, 10, 1), TZ)) is S.TIDAK_ADA


def test_due_is_judged_by_the_local_date_of_t():
    # 2025-03-31 16:59 UTC is 23:59 WIB on the deadline day; 17:00 UTC is already 1 April in WIB
    assert status(LPPDES_DEADLINE, DITERIMA, [], datetime(2025, 3, 31, 16, 59, tzinfo=UTC)) is S.BELUM_JATUH_TEMPO
    assert status(LPPDES_DEADLINE, DITERIMA, [], datetime(2025, 3, 31, 17, 0, tzinfo=UTC)) is S.TIDAK_ADA
    # in WITA (UTC+8) the same 16:30 UTC is already 1 April
    assert status(LPPDES_DEADLINE, DITERIMA, [], datetime(2025, 3, 31, 16, 30, tzinfo=UTC), WITA) is S.TIDAK_ADA


# --- boundaries docs/domain.md names ---------------------------------------------------------------


def test_established_on_the_deadline_day_is_on_time():
    v = accepted(1, RKPDES_DEADLINE, wib(2024, 9, 30, 15))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.TEPAT_WAKTU


def test_received_on_the_deadline_day_is_on_time():
    v = accepted(1, date(2025, 3, 1), wib(2025, 3, 31, 15))
    assert status(LPPDES_DEADLINE, DITERIMA, [v], LATER) is S.TEPAT_WAKTU


def test_established_on_time_but_received_late_depends_on_the_basis():
    v = accepted(1, RKPDES_DEADLINE, wib(2024, 10, 5), wib(2024, 10, 6))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.TEPAT_WAKTU
    assert status(RKPDES_DEADLINE, DITERIMA, [v], LATER) is S.TERLAMBAT


def test_rejected_then_a_new_version_waiting():
    v1 = rejected(1, date(2024, 9, 20), wib(2024, 9, 21), wib(2024, 9, 22))
    v2 = waiting(2, date(2024, 9, 20), wib(2024, 9, 25))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], LATER) is S.MENUNGGU_VERIFIKASI
    # before v2 arrived it was ditolak
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], end_of_day(date(2024, 9, 23), TZ)) is S.DITOLAK


def test_rejected_then_corrected_and_accepted():
    # a corrected Perdes keeps its tanggal penetapan
    v1 = rejected(1, date(2024, 9, 20), wib(2024, 9, 21), wib(2024, 9, 22))
    v2 = accepted(2, date(2024, 9, 20), wib(2024, 10, 10), wib(2024, 10, 11))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], LATER) is S.TEPAT_WAKTU
    # a report re-sent after a rejection was received when the corrected one arrived
    r1 = rejected(1, date(2025, 3, 1), wib(2025, 3, 20), wib(2025, 3, 21))
    r2 = accepted(2, date(2025, 3, 1), wib(2025, 4, 10), wib(2025, 4, 11))
    assert status(LPPDES_DEADLINE, DITERIMA, [r1, r2], LATER) is S.TERLAMBAT


def test_two_rejections_stay_ditolak():
    v1 = rejected(1, date(2024, 9, 20), wib(2024, 9, 21))
    v2 = rejected(2, date(2024, 9, 20), wib(2024, 9, 25))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], LATER) is S.DITOLAK
    # a rejected document is not "tidak_ada" after the deadline: the desa sent something
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], end_of_day(date(2024, 11, 1), TZ)) is S.DITOLAK


def test_precedence_accepted_wins_over_waiting_and_rejected():
    ok = accepted(1, date(2024, 9, 20), wib(2024, 9, 21))
    later_waiting = waiting(2, date(2024, 9, 20), wib(2024, 9, 25))
    later_rejected = rejected(3, date(2024, 9, 20), wib(2024, 9, 26))
    assert status(RKPDES_DEADLINE, PENETAPAN, [ok, later_waiting, later_rejected], LATER) is S.TEPAT_WAKTU


def test_precedence_waiting_wins_over_rejected_whatever_the_order():
    # an earlier version still waiting and a later one rejected: something still waits for a decision
    v1 = waiting(1, date(2024, 9, 20), wib(2024, 9, 21))
    v2 = rejected(2, date(2024, 9, 20), wib(2024, 9, 25))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], LATER) is S.MENUNGGU_VERIFIKASI


def test_order_of_the_versions_given_does_not_matter():
    v1 = rejected(1, date(2024, 9, 20), wib(2024, 9, 21))
    v2 = accepted(2, date(2024, 10, 3), wib(2024, 10, 4))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v2, v1], LATER) is S.TERLAMBAT
    assert status(RKPDES_DEADLINE, PENETAPAN, (v for v in [v2, v1]), LATER) is S.TERLAMBAT


# --- "as of T" --------------------------------------------------------------------------------


def test_a_version_received_after_t_is_ignored():
    v = accepted(1, date(2024, 9, 20), wib(2024, 9, 21, 9))
    before = wib(2024, 9, 21, 8)
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], before) is S.BELUM_JATUH_TEMPO
    late = accepted(1, date(2024, 9, 20), wib(2024, 10, 5))
    assert status(RKPDES_DEADLINE, PENETAPAN, [late], end_of_day(date(2024, 10, 4), TZ)) is S.TIDAK_ADA


def test_a_version_received_exactly_at_t_counts():
    v = waiting(1, date(2024, 9, 20), wib(2024, 9, 21, 9))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], wib(2024, 9, 21, 9)) is S.MENUNGGU_VERIFIKASI


def test_a_verdict_given_after_t_counts_as_waiting():
    ok = accepted(1, date(2024, 9, 20), wib(2024, 9, 21), wib(2024, 10, 3, 9))
    no = rejected(1, date(2024, 9, 20), wib(2024, 9, 21), wib(2024, 10, 3, 9))
    t = wib(2024, 10, 3, 8)
    assert status(RKPDES_DEADLINE, PENETAPAN, [ok], t) is S.MENUNGGU_VERIFIKASI
    assert status(RKPDES_DEADLINE, PENETAPAN, [no], t) is S.MENUNGGU_VERIFIKASI
    # given exactly at T it counts
    assert status(RKPDES_DEADLINE, PENETAPAN, [ok], wib(2024, 10, 3, 9)) is S.TEPAT_WAKTU
    assert status(RKPDES_DEADLINE, PENETAPAN, [no], wib(2024, 10, 3, 9)) is S.DITOLAK


def test_end_of_day_is_the_last_instant_of_the_local_day():
    eod = end_of_day(date(2025, 3, 31), TZ)
    assert eod == datetime.combine(date(2025, 3, 31), time(23, 59, 59, 999999), TZ)
    assert eod + timedelta(microseconds=1) == start_of_day(date(2025, 4, 1), TZ)
    assert eod.astimezone(UTC) == datetime(2025, 3, 31, 16, 59, 59, 999999, tzinfo=UTC)


# --- several accepted versions ----------------------------------------------------------------


def test_several_accepted_the_earliest_accepted_decides():
    # v1 on time and accepted first, v2 (a corrected copy, established later) accepted afterwards
    v1 = accepted(1, date(2024, 9, 28), wib(2024, 9, 29), wib(2024, 9, 30))
    v2 = accepted(2, date(2024, 10, 2), wib(2024, 10, 3), wib(2024, 10, 4))
    assert status(RKPDES_DEADLINE, PENETAPAN, [v1, v2], LATER) is S.TEPAT_WAKTU
    assert deciding_version([v1, v2], LATER) == v1


def test_several_accepted_earliest_verdict_not_lowest_version_decides():
    # v1 arrived on time but stayed waiting until 10 April; v2 arrived late and was accepted on 5 April.
    v1 = accepted(1, date(2025, 3, 1), wib(2025, 3, 30), wib(2025, 4, 10))
    v2 = accepted(2, date(2025, 3, 1), wib(2025, 4, 2), wib(2025, 4, 5))
    between = end_of_day(date(2025, 4, 7), TZ)
    assert status(LPPDES_DEADLINE, DITERIMA, [v1, v2], between) is S.TERLAMBAT
    # the first acceptance stays the deciding one: a later acceptance does not rewrite the status
    assert deciding_version([v1, v2], LATER) == v2
    assert status(LPPDES_DEADLINE, DITERIMA, [v1, v2], LATER) is S.TERLAMBAT


def test_several_accepted_at_the_same_moment_the_lower_version_decides():
    same = wib(2024, 10, 4)
    v1 = accepted(1, date(2024, 9, 28), wib(2024, 9, 29), same)
    v2 = accepted(2, date(2024, 10, 2), wib(2024, 10, 3), same)
    assert deciding_version([v2, v1], LATER) == v1
    assert status(RKPDES_DEADLINE, PENETAPAN, [v2, v1], LATER) is S.TEPAT_WAKTU


# --- received_at near midnight ----------------------------------------------------------------


def test_received_just_before_midnight_wib_is_on_time():
    v = accepted(1, date(2025, 3, 1), datetime(2025, 3, 31, 16, 30, tzinfo=UTC))  # 23:30 WIB
    assert v.received_at == wib(2025, 3, 31, 23, 30)
    assert v.basis_date(DITERIMA, TZ) == date(2025, 3, 31)
    assert status(LPPDES_DEADLINE, DITERIMA, [v], LATER) is S.TEPAT_WAKTU


def test_received_just_after_midnight_wib_is_late():
    v = accepted(1, date(2025, 3, 1), datetime(2025, 3, 31, 17, 30, tzinfo=UTC))  # 2025-04-01 00:30 WIB
    assert v.received_at == wib(2025, 4, 1, 0, 30)
    assert v.basis_date(DITERIMA, TZ) == date(2025, 4, 1)
    assert status(LPPDES_DEADLINE, DITERIMA, [v], LATER) is S.TERLAMBAT


def test_received_date_follows_the_kecamatan_time_zone():
    v = accepted(1, date(2025, 3, 1), datetime(2025, 3, 31, 16, 30, tzinfo=UTC))  # 00:30 WITA on 1 April
    assert status(LPPDES_DEADLINE, DITERIMA, [v], LATER, WITA) is S.TERLAMBAT


def test_penetapan_basis_ignores_the_time_zone():
    v = accepted(1, date(2024, 9, 30), datetime(2024, 9, 30, 17, 30, tzinfo=UTC))  # 1 Oct 00:30 WIB
    assert v.basis_date(PENETAPAN, TZ) == date(2024, 9, 30)
    assert status(RKPDES_DEADLINE, PENETAPAN, [v], LATER) is S.TEPAT_WAKTU


def test_on_time_on_its_face():
    early = waiting(1, date(2025, 3, 1), wib(2025, 3, 31, 23, 30))
    late = waiting(1, date(2025, 3, 1), wib(2025, 4, 1, 0, 30))
    assert on_time_on_its_face(LPPDES_DEADLINE, DITERIMA, early, TZ)
    assert not on_time_on_its_face(LPPDES_DEADLINE, DITERIMA, late, TZ)
    assert on_time_on_its_face(LPPDES_DEADLINE, PENETAPAN, late, TZ)


# --- validation -------------------------------------------------------------------------------


def test_version_rejects_a_naive_received_at():
    with pytest.raises(ValueError):
        VersionFacts(1, date(2025, 3, 1), datetime(2025, 3, 1, 10), ReviewStatus.MENUNGGU, None)


def test_version_rejects_a_naive_reviewed_at():
    # reviewed_at is documented as aware; a naive one would only fail later, comparing with an aware T
    with pytest.raises(ValueError):
        VersionFacts(1, date(2025, 3, 1), wib(2025, 3, 1), ReviewStatus.ACCEPTED, datetime(2025, 3, 2, 10))


def test_a_verdict_cannot_come_before_the_version_was_received():
    with pytest.raises(ValueError, match="before"):
        VersionFacts(1, date(2025, 3, 1), wib(2025, 3, 2), ReviewStatus.ACCEPTED, wib(2025, 3, 1))


@pytest.mark.parametrize("verdict", [ReviewStatus.ACCEPTED, ReviewStatus.REJECTED])
def test_a_verdict_needs_reviewed_at(verdict):
    with pytest.raises(ValueError):
        VersionFacts(1, date(2025, 3, 1), wib(2025, 3, 1), verdict, None)


def test_a_waiting_version_needs_no_reviewed_at():
    v = waiting(1, date(2025, 3, 1), wib(2025, 3, 1))
    assert v.verdict_at(LATER) is ReviewStatus.MENUNGGU


def test_status_rejects_a_naive_moment():
    with pytest.raises(ValueError):
        obligation_status(LPPDES_DEADLINE, DITERIMA, [], datetime(2025, 3, 1, 10), TZ)


# --- deciding_version -------------------------------------------------------------------------


def test_deciding_version_none_without_known_versions():
    assert deciding_version([], LATER) is None
    v = waiting(1, date(2025, 3, 1), wib(2025, 3, 10))
    assert deciding_version([v], wib(2025, 3, 9)) is None


def test_deciding_version_without_acceptance_is_the_latest_known():
    v1 = rejected(1, date(2025, 3, 1), wib(2025, 3, 10))
    v2 = waiting(2, date(2025, 3, 1), wib(2025, 3, 12))
    v3 = waiting(3, date(2025, 3, 1), wib(2025, 3, 20))
    assert deciding_version([v3, v1, v2], LATER) == v3
    assert deciding_version([v3, v1, v2], end_of_day(date(2025, 3, 15), TZ)) == v2


def test_deciding_version_prefers_an_accepted_one():
    v1 = accepted(1, date(2025, 3, 1), wib(2025, 3, 10))
    v2 = rejected(2, date(2025, 3, 1), wib(2025, 3, 12))
    assert deciding_version([v1, v2], LATER) == v1


def test_deciding_version_ignores_an_acceptance_given_after_t():
    v1 = accepted(1, date(2025, 3, 1), wib(2025, 3, 10), wib(2025, 3, 20))
    v2 = waiting(2, date(2025, 3, 1), wib(2025, 3, 12))
    assert deciding_version([v1, v2], end_of_day(date(2025, 3, 15), TZ)) == v2
    assert deciding_version([v1, v2], end_of_day(date(2025, 3, 20), TZ)) == v1


# --- properties -------------------------------------------------------------------------------

BASE = wib(2025, 3, 1, 0, 0)
VERDICTS = (ReviewStatus.MENUNGGU, ReviewStatus.ACCEPTED, ReviewStatus.REJECTED)


@st.composite
def version_facts(draw, number: int) -> VersionFacts:
    received = BASE + timedelta(minutes=draw(st.integers(min_value=0, max_value=60 * 24 * 60)))
    verdict = draw(st.sampled_from(VERDICTS))
    reviewed = None
    if verdict is not ReviewStatus.MENUNGGU:
        reviewed = received + timedelta(minutes=draw(st.integers(min_value=0, max_value=60 * 24 * 20)))
    penetapan = date(2025, 3, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
    return VersionFacts(number, penetapan, received, verdict, reviewed)


@st.composite
def histories(draw) -> list[VersionFacts]:
    count = draw(st.integers(min_value=0, max_value=5))
    numbers = draw(st.permutations(range(1, count + 1)))
    return [draw(version_facts(n)) for n in numbers]


moments = st.integers(min_value=0, max_value=60 * 24 * 90).map(lambda m: BASE + timedelta(minutes=m))
bases = st.sampled_from([PENETAPAN, DITERIMA])


@settings(max_examples=200)
@given(histories(), moments, bases, st.data())
def test_status_at_t_depends_only_on_versions_received_by_t(versions, t, basis, data):
    before = status(LPPDES_DEADLINE, basis, versions, t)
    assert before == status(LPPDES_DEADLINE, basis, [v for v in versions if v.received_at <= t], t)
    # a version received after T, whatever its verdict and number, never changes the status at T
    extra = data.draw(version_facts(len(versions) + 1))
    offset = data.draw(st.integers(min_value=1, max_value=60 * 24 * 30))
    extra = VersionFacts(
        extra.version,
        extra.tanggal_penetapan,
        t + timedelta(minutes=offset),
        extra.review_status,
        None if extra.reviewed_at is None else t + timedelta(minutes=offset + 1),
    )
    assert status(LPPDES_DEADLINE, basis, [*versions, extra], t) == before
    lowest = VersionFacts(0, extra.tanggal_penetapan, extra.received_at, extra.review_status, extra.reviewed_at)
    assert status(LPPDES_DEADLINE, basis, [lowest, *versions], t) == before


@settings(max_examples=200)
@given(histories(), moments, moments, bases)
def test_an_accepted_status_is_final(versions, t1, t2, basis):
    t1, t2 = min(t1, t2), max(t1, t2)
    first = status(LPPDES_DEADLINE, basis, versions, t1)
    if first in (S.TEPAT_WAKTU, S.TERLAMBAT):
        assert status(LPPDES_DEADLINE, basis, versions, t2) == first
