"""Exact arithmetic: half-up rounding on exact fractions, and percentages."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.numbers import percent, round_half_up

TWO_PLACES = Decimal("0.01")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.345"), Decimal("12.35")),
        (Fraction(12345, 1000), Decimal("12.35")),
        (Decimal("0.125"), Decimal("0.13")),
        (Fraction(1, 8), Decimal("0.13")),
        (Decimal("2.675"), Decimal("2.68")),
        (Fraction(2675, 1000), Decimal("2.68")),
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.004999"), Decimal("0.00")),
        (Decimal("1.005"), Decimal("1.01")),
        (Fraction(1700, 18), Decimal("94.44")),  # 17/18 × 100 = 94.444…
        (Fraction(1600, 18), Decimal("88.89")),  # 16/18 × 100 = 88.888…
        (Fraction(500, 6), Decimal("83.33")),
        (Fraction(400, 6), Decimal("66.67")),
        (100, Decimal("100.00")),
        (0, Decimal("0.00")),
        (Decimal("99.995"), Decimal("100.00")),
    ],
)
def test_round_half_up_known_values(value, expected):
    result = round_half_up(value)
    assert result == expected
    # the result is a Decimal with exactly two decimals, as shown to readers
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2
    assert str(result) == str(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("-12.345"), Decimal("-12.35")),
        (Decimal("-0.125"), Decimal("-0.13")),
        (Fraction(-2675, 1000), Decimal("-2.68")),
        (Decimal("-0.004"), Decimal("0.00")),
        (Decimal("-12.344"), Decimal("-12.34")),
        (Fraction(-1700, 18), Decimal("-94.44")),
        (Fraction(-1600, 18), Decimal("-88.89")),
        (-7, Decimal("-7.00")),
    ],
)
def test_round_half_up_negatives_round_away_from_zero(value, expected):
    assert round_half_up(value) == expected


def test_round_half_up_is_not_bankers_rounding():
    # half-even would give 0.12 and 2.66; half-up gives 0.13 and 2.67
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_up(Decimal("2.665")) == Decimal("2.67")
    assert round_half_up(Decimal("0.5"), places=0) == Decimal("1")
    assert round_half_up(Decimal("2.5"), places=0) == Decimal("3")


def test_round_half_up_other_places():
    assert round_half_up(Fraction(1, 3), places=4) == Decimal("0.3333")
    assert round_half_up(Fraction(2, 3), places=0) == Decimal("1")
    assert round_half_up(Decimal("1.2345"), places=3) == Decimal("1.235")
    assert str(round_half_up(Decimal("7"), places=3)) == "7.000"


def test_percent_is_exact():
    assert percent(17, 18) == Fraction(850, 9)
    assert percent(18, 18) == 100
    assert percent(0, 6) == 0
    assert percent(5, 6) == Fraction(250, 3)
    assert isinstance(percent(1, 3), Fraction)


def test_percent_then_round():
    assert round_half_up(percent(16, 18)) == Decimal("88.89")
    assert round_half_up(percent(17, 18)) == Decimal("94.44")
    assert round_half_up(percent(18, 18)) == Decimal("100.00")
    assert round_half_up(percent(1, 3)) == Decimal("33.33")
    assert round_half_up(percent(2, 3)) == Decimal("66.67")


@pytest.mark.parametrize("whole", [0, -1, -18])
def test_percent_rejects_non_positive_whole(whole):
    with pytest.raises(ValueError):
        percent(1, whole)


# --- properties --------------------------------------------------------------------------------

fractions_ = st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6)
decimals_6 = st.decimals(
    min_value=Decimal("-1000000"),
    max_value=Decimal("1000000"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=200)
@given(fractions_)
def test_round_half_up_is_within_half_a_cent(value):
    assert abs(Fraction(round_half_up(value)) - value) <= Fraction(5, 1000)


@settings(max_examples=200)
@given(decimals_6)
def test_round_half_up_agrees_with_decimal_quantize(value):
    assert round_half_up(value) == value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@settings(max_examples=200)
@given(fractions_)
def test_round_half_up_is_idempotent(value):
    once = round_half_up(value)
    assert round_half_up(once) == once


@settings(max_examples=200)
@given(fractions_)
def test_round_half_up_is_symmetric(value):
    assert round_half_up(-value) == -round_half_up(value)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=500))
def test_percent_equals_part_over_whole(part, whole):
    assert percent(part, whole) * whole == part * 100
