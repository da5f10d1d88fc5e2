"""What people type: dates in the chat, figures, years. Every input gets an answer, never an exception."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import InputError
from bot.parsing import parse_chat_date, parse_figure, parse_iso_date, parse_year


@pytest.mark.parametrize(
    "text",
    ["27/09/2024", "27-09-2024", "27.09.2024", "27 September 2024", "27 Sep 2024", "2024-09-27", " 27  sept 2024 ",
     "27 september 2024", "27 Sep. 2024"],
)  # fmt: skip
def test_the_date_shapes_secretaries_type(text):
    assert parse_chat_date(text) == date(2024, 9, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1 Agustus 2024", date(2024, 8, 1)), ("3 Agt 2024", date(2024, 8, 3)), ("31 Mei 2024", date(2024, 5, 31)),
     ("5 Des 2024", date(2024, 12, 5)), ("12 Okt 2024", date(2024, 10, 12)), ("29/02/2024", date(2024, 2, 29))],
)  # fmt: skip
def test_indonesian_month_names(text, expected):
    assert parse_chat_date(text) == expected


@pytest.mark.parametrize("text", ["kemarin", "31/02/2024", "29/02/2023", "09/27/2024", "27 Sepember 2024", "", "2024"])
def test_what_is_not_a_date_gets_a_friendly_refusal(text):
    with pytest.raises(InputError) as refused:
        parse_chat_date(text)
    assert refused.value.key == "chat.date_not_understood"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_every_real_date_round_trips_in_each_shape(day):
    for text in (
        f"{day:%d/%m/%Y}",
        f"{day:%d-%m-%Y}",
        day.isoformat(),
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
    ):
        assert parse_chat_date(text) == day


@given(st.text(max_size=60))
def test_any_text_is_a_date_or_a_friendly_refusal(text):
    try:
        assert isinstance(parse_chat_date(text), date)
    except InputError as refused:
        assert refused.key == "chat.date_not_understood"
        assert len(refused.values["value"]) <= 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [("94,44", "94.44"), ("94.44", "94.44"), ("94,44%", "94.44"), ("100", "100.00"), ("1.234,5", "1234.50")],
)
def test_figures_the_indonesian_and_the_machine_way(text, expected):
    assert parse_figure("--awal", text, high=Decimal(10000)) == Decimal(expected)


@given(st.text(max_size=20))
def test_any_text_is_a_figure_or_a_friendly_refusal(text):
    try:
        figure = parse_figure("--awal", text)
        assert Decimal(0) <= figure <= Decimal(1000)
    except InputError as refused:
        assert refused.key in ("error.not_a_number", "error.number_out_of_range")


@given(st.text(max_size=12))
def test_any_text_is_an_iso_date_a_year_or_a_refusal(text):
    try:
        assert isinstance(parse_iso_date("--at", text), date)
    except InputError as refused:
        assert refused.key == "error.not_a_date"
    try:
        assert 2015 <= parse_year("--year", text, 2015, 2030) <= 2030
    except InputError as refused:
        assert refused.key in ("error.not_a_year", "error.year_out_of_range")
