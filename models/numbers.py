"""Exact arithmetic for the indicator: fractions in, half-up rounded decimals out."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Number = Fraction | Decimal | int


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round an exact value half away from zero, once, to `places` decimals.

    Works on the exact fraction, so 94.444…% becomes 94.44 and 12.5 / 100 never meets a float.
    """
    exact = Fraction(value)
    scale = 10**places
    scaled = abs(exact) * scale
    rounded = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    if exact < 0:
        rounded = -rounded
    return Decimal(rounded).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def percent(part: int, whole: int) -> Fraction:
    """`part / whole × 100` as an exact fraction."""
    if whole <= 0:
        raise ValueError("the whole must be positive")
    return Fraction(part * 100, whole)
