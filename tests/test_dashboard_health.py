"""`/dasbor/kesehatan` in a real browser: an admin sees the checks of `klambi doctor` (the same lines), a staf is
refused and is not shown the link."""

from __future__ import annotations

import asyncio

from tests.browser import Browser
from tests.dash_world import Dash
from tests.test_dashboard_browser import _by, open_page, sign_in


async def test_an_admin_sees_the_doctor_s_checks_and_a_staf_does_not(dash: Dash, browser: Browser):
    admin_link = await dash.link(dash.people["Admin Pusat"])
    staf_link = await dash.link(dash.people["Bu Staf Jatiroto"])
    base = dash.url("")

    def as_admin() -> tuple[dict[str, tuple[str, str]], str, bool]:
        sign_in(browser, admin_link)
        has_link = bool(browser.driver.find_elements(*_by("#tautan-kesehatan")))
        open_page(browser, base, "/dasbor/kesehatan")
        items = browser.wait_for(lambda: browser.driver.find_elements(*_by("#pemeriksaan li")), "the checks")
        checks = {li.get_attribute("data-check"): (li.get_attribute("data-ok"), li.text) for li in items}
        summary = browser.driver.find_element(*_by("#ringkasan")).text
        browser.shot("kesehatan-admin")
        return checks, summary, has_link

    checks, summary, has_link = await asyncio.to_thread(as_admin)
    assert has_link
    assert checks["database"][0] == "ya" and checks["database"][1].startswith("✓ Basis data:")
    assert checks["web"][0] == "ya" and dash.url("/healthz") in checks["web"][1]  # it reached itself
    assert checks["backup"][0] == "tidak" and "klambi backup" in checks["backup"][1]  # no backup in this world
    assert checks["telegram_token"][1].startswith("– ")  # no token here: skipped, not failed
    assert "pemeriksaan gagal" in summary

    browser.driver.delete_all_cookies()

    def as_staf() -> tuple[str, bool]:
        sign_in(browser, staf_link)
        has_link = bool(browser.driver.find_elements(*_by("#tautan-kesehatan")))
        open_page(browser, base, "/dasbor/kesehatan")
        message = browser.wait_for(lambda: browser.driver.find_element(*_by("#pesan")), "the message").text
        browser.shot("kesehatan-staf")
        return message, has_link or bool(browser.driver.find_elements(*_by("#pemeriksaan")))

    message, sees_anything = await asyncio.to_thread(as_staf)
    assert "di luar wilayah" in message and not sees_anything
