"""Indonesian working days: weekends, public holidays, cuti bersama and admin overrides."""

from datetime import date, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from models.calendar import WorkingCalendar

IDUL_FITRI_2025 = date(2025, 3, 31)


def official_2025() -> dict:
    return holidays.country_holidays("ID", years=2025, categories=(holidays.PUBLIC, holidays.GOVERNMENT))


def test_weekends_are_not_working_days():
    cal = WorkingCalendar()
    # an ordinary week in 2025 without holidays: 2025-07-07 (Mon) .. 2025-07-13 (Sun)
    week = [date(2025, 7, 7) + timedelta(days=i) for i in range(7)]
    assert [cal.is_working_day(d) for d in week] == [True, True, True, True, True, False, False]


def test_domain_example_around_idul_fitri_2025():
    cal = WorkingCalendar()
    official = official_2025()
    # the facts docs/domain.md states, checked against the holidays package itself
    assert IDUL_FITRI_2025.weekday() == 0  # Monday
    assert IDUL_FITRI_2025 in official
    assert date(2025, 3, 28) in official  # cuti bersama (Nyepi)
    assert date(2025, 3, 29).weekday() == 5
    assert date(2025, 3, 30).weekday() == 6

    assert not cal.is_working_day(IDUL_FITRI_2025)
    assert not cal.is_working_day(date(2025, 3, 28))
    assert cal.holiday_name(IDUL_FITRI_2025) is not None
    assert cal.holiday_name(date(2025, 3, 28)) is not None
    assert cal.is_working_day(date(2025, 3, 27))


def test_next_working_day_after_idul_fitri_2025():
    cal = WorkingCalendar()
    off = cal.days_off(2025)
    # Idul Fitri (31 Mar, 1 Apr) and cuti bersama (2, 3, 4, 7 Apr), with the 5-6 Apr weekend between
    for d in [date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3), date(2025, 4, 4)]:
        assert d in off
    assert date(2025, 4, 7) in off
    assert date(2025, 4, 8) not in off
    # verified with holidays 0.108: the first working day after 31 March 2025 is Tuesday 8 April 2025
    assert cal.next_working_day(IDUL_FITRI_2025) == date(2025, 4, 8)
    for d in [IDUL_FITRI_2025 + timedelta(days=i) for i in range(8)]:
        assert not cal.is_working_day(d)


def test_next_working_day_of_a_working_day_is_itself():
    cal = WorkingCalendar()
    assert cal.next_working_day(date(2025, 4, 8)) == date(2025, 4, 8)
    assert cal.previous_working_day(date(2025, 4, 8)) == date(2025, 4, 8)


def test_next_working_day_over_a_weekend():
    cal = WorkingCalendar()
    assert cal.next_working_day(date(2025, 7, 12)) == date(2025, 7, 14)  # Sat -> Mon
    assert cal.previous_working_day(date(2025, 7, 13)) == date(2025, 7, 11)  # Sun -> Fri


def test_previous_working_day_before_idul_fitri_2025():
    cal = WorkingCalendar()
    # 31 Mar Idul Fitri, 30-29 Mar weekend, 28 Mar cuti bersama
    assert cal.previous_working_day(IDUL_FITRI_2025) == date(2025, 3, 27)


def test_extra_day_off_makes_a_working_day_off():
    day = date(2025, 7, 8)  # an ordinary Tuesday
    assert WorkingCalendar().is_working_day(day)
    cal = WorkingCalendar.with_overrides(days_off=[(day, "Cuti bersama tambahan")])
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == "Cuti bersama tambahan"
    assert cal.days_off(2025)[day] == "Cuti bersama tambahan"
    assert cal.next_working_day(day) == date(2025, 7, 9)
    assert cal.previous_working_day(day) == date(2025, 7, 7)


def test_extra_working_day_gives_a_cuti_bersama_back():
    cal = WorkingCalendar.with_overrides(working_days=[date(2025, 4, 7)])
    assert cal.is_working_day(date(2025, 4, 7))
    assert cal.holiday_name(date(2025, 4, 7)) is None
    assert date(2025, 4, 7) not in cal.days_off(2025)
    assert cal.next_working_day(IDUL_FITRI_2025) == date(2025, 4, 7)
    # the other official days are untouched
    assert not cal.is_working_day(date(2025, 4, 4))


def test_cuti_bersama_given_back_before_the_deadline():
    cal = WorkingCalendar.with_overrides(working_days=[date(2025, 3, 28)])
    assert cal.previous_working_day(IDUL_FITRI_2025) == date(2025, 3, 28)


def test_overrides_do_not_leak_into_the_default_calendar():
    WorkingCalendar.with_overrides(days_off=[(date(2025, 7, 8), "x")], working_days=[date(2025, 4, 7)])
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2025, 7, 8))
    assert not cal.is_working_day(date(2025, 4, 7))


def test_extra_day_off_in_another_year_is_not_listed():
    cal = WorkingCalendar.with_overrides(days_off=[(date(2026, 7, 8), "x")])
    assert date(2026, 7, 8) not in cal.days_off(2025)
    assert date(2026, 7, 8) in cal.days_off(2026)


def test_working_days_between_is_half_open():
    cal = WorkingCalendar()
    mon, fri = date(2025, 7, 7), date(2025, 7, 11)
    assert cal.working_days_between(mon, mon) == 0
    assert cal.working_days_between(mon, fri) == 4  # Tue..Fri
    assert cal.working_days_between(fri, date(2025, 7, 14)) == 1  # Sat, Sun, Mon
    assert cal.working_days_between(fri, date(2025, 7, 13)) == 0
    assert cal.working_days_between(fri, mon) == 0  # end before start


def test_working_days_between_across_idul_fitri_2025():
    cal = WorkingCalendar()
    # (27 Mar, 8 Apr]: only 8 Apr is a working day
    assert cal.working_days_between(date(2025, 3, 27), date(2025, 4, 8)) == 1
    assert cal.working_days_between(date(2025, 3, 26), date(2025, 4, 9)) == 3  # 27 Mar, 8 Apr, 9 Apr


def test_working_days_between_respects_overrides():
    cal = WorkingCalendar.with_overrides(days_off=[(date(2025, 7, 8), "x")], working_days=[date(2025, 4, 7)])
    assert cal.working_days_between(date(2025, 7, 7), date(2025, 7, 11)) == 3
    assert cal.working_days_between(date(2025, 3, 27), date(2025, 4, 8)) == 2


def test_days_off_lists_only_weekdays():
    cal = WorkingCalendar()
    for year in (2024, 2025, 2026):
        off = cal.days_off(year)
        assert off
        assert all(d.weekday() < 5 for d in off)
        assert all(d.year == year for d in off)
        assert list(off) == sorted(off)
        assert all(not cal.is_working_day(d) for d in off)
    # Nyepi 2025 fell on Saturday 29 March: a holiday in the package, not listed as a weekday off
    assert date(2025, 3, 29) in official_2025()
    assert date(2025, 3, 29) not in cal.days_off(2025)


def test_days_off_matches_the_holidays_package_on_weekdays():
    official = {d for d in official_2025() if d.weekday() < 5}
    assert set(WorkingCalendar().days_off(2025)) == official


@settings(max_examples=100)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_next_and_previous_working_day_properties(day):
    cal = WorkingCalendar()
    nxt, prev = cal.next_working_day(day), cal.previous_working_day(day)
    assert prev <= day <= nxt
    assert cal.is_working_day(nxt)
    assert cal.is_working_day(prev)
    assert all(not cal.is_working_day(nxt - timedelta(days=i)) for i in range(1, (nxt - day).days + 1))
    assert all(not cal.is_working_day(prev + timedelta(days=i)) for i in range(1, (day - prev).days + 1))
    assert cal.working_days_between(prev, nxt) == (0 if prev == nxt else 1)
