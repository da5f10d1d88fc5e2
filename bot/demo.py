"""`klambi demo`: Kecamatan Jatiroto's performance year 2024, loaded into its own SQLite file and measured.

It uses the same services as `klambi villages import`, `klambi target set` and `klambi record`, with the injected
clock set to 15 January 2025, the day the LKjIP 2024 was signed. The dates of the 18 documents are illustrative
(the LKjIP says only that all were on time, the planning documents in September).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.app import App
from bot.db import upgrade
from bot.services.calendar import load_calendar
from bot.services.indicator import KecamatanIndicator, kecamatan_indicator
from bot.services.places import import_area
from bot.services.records import RecordRequest, record_document
from bot.services.targets import set_target
from bot.texts import t

JATIROTO = "35.08.17"
DEMO_NOW = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))

# (desa, LPPDes TA 2023 established / received, RKPDes TA 2025 established / received, APBDes TA 2025 established /
# received): every one on time, as Jatiroto's LKjIP 2024 reports.
SEASON = [
    ("35.08.17.2001", "2024-02-12", "2024-03-04", "2024-09-10", "2024-09-12", "2024-12-16", "2024-12-18"),
    ("35.08.17.2002", "2024-02-14", "2024-03-06", "2024-09-11", "2024-09-13", "2024-12-17", "2024-12-19"),
    ("35.08.17.2003", "2024-02-20", "2024-03-12", "2024-09-16", "2024-09-18", "2024-12-18", "2024-12-20"),
    ("35.08.17.2004", "2024-02-22", "2024-03-14", "2024-09-18", "2024-09-20", "2024-12-19", "2024-12-23"),
    ("35.08.17.2005", "2024-02-27", "2024-03-19", "2024-09-23", "2024-09-25", "2024-12-20", "2024-12-24"),
    ("35.08.17.2006", "2024-02-29", "2024-03-21", "2024-09-25", "2024-09-27", "2024-12-23", "2024-12-27"),
]


async def run_demo(app: App, say: Callable[[str], object]) -> KecamatanIndicator:
    """Load the season and return the indicator of 2024 as known now (the clock's now)."""
    await upgrade(app.engine)
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        calendar = await load_calendar(session)
        summary = await import_area(session, JATIROTO, now, [now.year, now.year + 1], calendar)
        say(t("demo.loaded", app.language, desa=summary.desa_added + summary.desa_unchanged))
        await set_target(
            session, JATIROTO, 2024, now, awal=Decimal("88.89"), perubahan=Decimal("94.44"), renstra=Decimal("94.44")
        )
        say(t("demo.targets", app.language))
        recorded = 0
        for desa, lpp_set, lpp_in, rkp_set, rkp_in, apb_set, apb_in in SEASON:
            for doc, ta, established, received in (
                ("LPPDES", 2023, lpp_set, lpp_in),
                ("RKPDES", 2025, rkp_set, rkp_in),
                ("APBDES", 2025, apb_set, apb_in),
            ):
                request = RecordRequest(
                    desa, doc, ta, date.fromisoformat(established), date.fromisoformat(received),
                    nomor=f"{desa[-1]}/{doc}/{ta}",
                )  # fmt: skip
                outcome = await record_document(session, request, now, app.files, actor_label="demo")
                recorded += outcome.created
        say(t("demo.recorded", app.language, new=recorded))
        return await kecamatan_indicator(session, JATIROTO, 2024, now)
