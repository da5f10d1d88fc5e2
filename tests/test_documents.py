"""Document kinds and their legal deadlines."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.calendar import WorkingCalendar
from models.documents import (
    APBDES,
    DEFAULT_DOCUMENT_KINDS,
    LPJ_APBDES,
    LPPDES,
    LRA_SEM1,
    RKPDES,
    DeadlineRule,
    TimelinessBasis,
    performance_year_obligations,
)


@pytest.mark.parametrize(
    ("kind", "ta", "deadline"),
    [
        (RKPDES, 2025, date(2024, 9, 30)),
        (APBDES, 2025, date(2024, 12, 31)),
        (LPPDES, 2024, date(2025, 3, 31)),
        (LRA_SEM1, 2024, date(2024, 7, 31)),
        (LPJ_APBDES, 2024, date(2025, 3, 31)),
        (RKPDES, 2023, date(2022, 9, 30)),
        (APBDES, 2023, date(2022, 12, 31)),
        (LPPDES, 2023, date(2024, 3, 31)),
    ],
)
def test_legal_deadlines(kind, ta, deadline):
    assert kind.rule.legal_deadline(ta) == deadline


def test_bases_and_counted_documents():
    assert RKPDES.basis is TimelinessBasis.PENETAPAN
    assert APBDES.basis is TimelinessBasis.PENETAPAN
    assert LPPDES.basis is TimelinessBasis.DITERIMA
    assert [k.code for k in DEFAULT_DOCUMENT_KINDS if k.counted] == ["RKPDES", "APBDES", "LPPDES"]
    assert not LRA_SEM1.counted
    assert not LPJ_APBDES.counted
    # rolling is off by default for every default kind
    assert not any(k.rule.roll_to_working_day for k in DEFAULT_DOCUMENT_KINDS)


def test_day_none_is_the_last_day_of_the_month():
    rule = DeadlineRule(2, None, 0)
    assert rule.legal_deadline(2024) == date(2024, 2, 29)  # leap year
    assert rule.legal_deadline(2025) == date(2025, 2, 28)
    assert rule.legal_deadline(2000) == date(2000, 2, 29)
    assert rule.legal_deadline(2100) == date(2100, 2, 28)
    assert DeadlineRule(4, None, 0).legal_deadline(2025) == date(2025, 4, 30)
    assert DeadlineRule(12, None, -1).legal_deadline(2025) == date(2024, 12, 31)


def test_a_day_past_the_end_of_the_month_is_clamped():
    assert DeadlineRule(2, 31, 0).legal_deadline(2024) == date(2024, 2, 29)
    assert DeadlineRule(9, 31, -1).legal_deadline(2025) == date(2024, 9, 30)


@pytest.mark.parametrize(("month", "day"), [(0, 1), (13, 1), (1, 0), (1, 32)])
def test_invalid_rules_are_rejected(month, day):
    with pytest.raises(ValueError):
        DeadlineRule(month, day, 0)


def test_tahun_anggaran_for_performance_year_2024():
    assert RKPDES.rule.tahun_anggaran_for(2024) == 2025
    assert APBDES.rule.tahun_anggaran_for(2024) == 2025
    assert LPPDES.rule.tahun_anggaran_for(2024) == 2023
    assert LRA_SEM1.rule.tahun_anggaran_for(2024) == 2024


def test_performance_year_obligations_2024():
    pairs = performance_year_obligations(list(DEFAULT_DOCUMENT_KINDS), 2024)
    assert [(k.code, ta) for k, ta in pairs] == [("RKPDES", 2025), ("APBDES", 2025), ("LPPDES", 2023)]
    # their legal deadlines: 30 Sep 2024, 31 Dec 2024 and 31 Mar 2024, all in 2024
    assert [k.rule.legal_deadline(ta) for k, ta in pairs] == [
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2024, 3, 31),
    ]


def test_performance_year_obligations_only_counted_kinds():
    counted_lra = replace(LRA_SEM1, counted=True)
    uncounted_rkp = replace(RKPDES, counted=False)
    pairs = performance_year_obligations([uncounted_rkp, APBDES, counted_lra, LPJ_APBDES], 2024)
    assert [(k.code, ta) for k, ta in pairs] == [("APBDES", 2025), ("LRA_SEM1", 2024)]
    assert performance_year_obligations([LRA_SEM1, LPJ_APBDES], 2024) == []
    assert performance_year_obligations([], 2024) == []


def test_roll_to_working_day_moves_lppdes_ta_2024():
    cal = WorkingCalendar()
    rolled = replace(LPPDES.rule, roll_to_working_day=True)
    assert rolled.legal_deadline(2024, cal) == cal.next_working_day(date(2025, 3, 31))
    assert rolled.legal_deadline(2024, cal) == date(2025, 4, 8)
    # the unrolled rule keeps the regulation's date, with or without a calendar
    assert LPPDES.rule.legal_deadline(2024, cal) == date(2025, 3, 31)
    assert LPPDES.rule.legal_deadline(2024) == date(2025, 3, 31)


def test_roll_respects_calendar_overrides():
    cal = WorkingCalendar.with_overrides(working_days=[date(2025, 4, 2)])
    rolled = replace(LPPDES.rule, roll_to_working_day=True)
    assert rolled.legal_deadline(2024, cal) == date(2025, 4, 2)


def test_roll_on_a_working_day_keeps_the_date():
    cal = WorkingCalendar()
    rolled = replace(RKPDES.rule, roll_to_working_day=True)
    assert date(2024, 9, 30).weekday() == 0 and cal.is_working_day(date(2024, 9, 30))
    assert rolled.legal_deadline(2025, cal) == date(2024, 9, 30)


def test_roll_without_a_calendar_raises():
    rolled = replace(LPPDES.rule, roll_to_working_day=True)
    with pytest.raises(ValueError):
        rolled.legal_deadline(2024)


@settings(max_examples=200)
@given(st.integers(min_value=2015, max_value=2100), st.sampled_from(DEFAULT_DOCUMENT_KINDS))
def test_unrolled_deadline_falls_in_its_performance_year(year, kind):
    rule = kind.rule
    assert rule.legal_deadline(rule.tahun_anggaran_for(year)).year == year
    # and the other way round: TA -> deadline year -> the same TA
    assert rule.tahun_anggaran_for(rule.legal_deadline(year).year) == year


@settings(max_examples=100)
@given(st.integers(min_value=2020, max_value=2030), st.sampled_from(DEFAULT_DOCUMENT_KINDS))
def test_rolled_deadline_is_a_working_day_not_before_the_legal_one(ta, kind):
    cal = WorkingCalendar()
    rolled = replace(kind.rule, roll_to_working_day=True)
    legal = kind.rule.legal_deadline(ta)
    moved = rolled.legal_deadline(ta, cal)
    assert moved >= legal
    assert cal.is_working_day(moved)
    assert moved == cal.next_working_day(legal)
