"""`klambi holidays`: the official list, and an admin adding or removing a day (a cuti bersama moved by decree)."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.db import make_engine, session_factory
from bot.services.calendar import load_calendar
from tests.conftest import table_counts


def days(klambi, year="2025"):
    return {d["date"]: d for d in klambi("holidays", "list", "--year", year, "--format", "json").json()}


def test_the_official_list_has_holidays_and_cuti_bersama_on_weekdays(klambi):
    listed = days(klambi)
    assert listed["2025-03-31"]["name"] == "Hari Raya Idul Fitri"
    assert "Cuti Bersama" in listed["2025-03-28"]["name"]
    assert "2025-03-29" not in listed  # Nyepi 2025 is a Saturday: not a working day anyway
    assert all(date.fromisoformat(d).weekday() < 5 for d in listed)
    table = klambi("holidays", "list", "--year", "2025")
    assert table.code == 0 and "31 Maret 2025" in table.out


def test_add_then_remove_a_day_off(klambi, database_url):
    added = klambi("holidays", "add", "2025-04-09", "--name", "Cuti bersama tambahan")
    assert added.code == 0 and "9 April 2025 kini hari libur" in added.out
    assert days(klambi)["2025-04-09"] == {"date": "2025-04-09", "name": "Cuti bersama tambahan", "added_by_admin": True}
    before = table_counts(database_url)
    again = klambi("holidays", "add", "2025-04-09", "--name", "lagi")
    assert again.code == 0 and "tidak ada yang diubah" in again.out
    assert table_counts(database_url) == before
    removed = klambi("holidays", "remove", "2025-04-09")
    assert removed.code == 0 and "kini hari kerja" in removed.out
    assert "2025-04-09" not in days(klambi)


def test_a_moved_cuti_bersama_becomes_a_working_day_and_can_come_back(klambi):
    assert klambi("holidays", "remove", "2025-03-28").code == 0
    assert "2025-03-28" not in days(klambi)
    back = klambi("holidays", "add", "2025-03-28", "--name", "Cuti bersama")
    assert back.code == 0 and "Cuti Bersama Hari Suci Nyepi" in back.out  # the official day returns under its name
    assert days(klambi)["2025-03-28"]["added_by_admin"] is False


def test_the_calendar_the_rules_use_follows_the_overrides(klambi, database_url):
    klambi("holidays", "remove", "2025-03-28")
    klambi("holidays", "add", "2025-03-27", "--name", "Hari libur daerah")

    async def read():
        engine = make_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                return await load_calendar(session)
        finally:
            await engine.dispose()

    calendar = asyncio.run(read())
    assert calendar.is_working_day(date(2025, 3, 28))
    assert not calendar.is_working_day(date(2025, 3, 27))
    assert calendar.previous_working_day(date(2025, 3, 31)) == date(2025, 3, 28)


def test_bad_holiday_input_writes_nothing(klambi, database_url):
    before = table_counts(database_url)
    for args, message in (
        (["remove", "2025-04-10"], "sudah hari kerja"),
        (["remove", "2025-04-12"], "akhir pekan"),
        (["add", "10-13-2025", "--name", "x"], "bukan tanggal"),  # 10/04/2025 is a date, as in the chat
        (["add", "2025-04-10", "--name", "x" * 200], "terlalu panjang"),
        (["list", "--year", "1900"], "di luar rentang"),
    ):
        result = klambi("holidays", *args)
        assert result.code == 2, result
        assert message in result.err
    assert table_counts(database_url) == before
