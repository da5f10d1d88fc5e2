"""The dashboard in a real browser (issue 18): headless Chromium signs in with a one-use link, reads Jatiroto's 2024
season as the CLI computes it, follows a desa, downloads the recap workbook, is refused another kecamatan, finds a used
link dead, and shows the pages on a 375-pixel phone without sideways scrolling. Screenshots: tests/browser.py.

The browser's calls block, and the web application answers in this test's event loop: every browser step runs in a
thread (`asyncio.to_thread`). Like every database test they run on SQLite and on PostgreSQL (a Chromium per test
starts in about a second).
"""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.i18n import fmt_date, status_label
from bot.services.indicator import obligation_rows
from models.status import ObligationStatus, end_of_day
from tests.browser import PHONE, Browser
from tests.conftest import WIB
from tests.dash_world import JATIROTO, NAMES, ROJOPOLO, SUKOSARI, YOSOWILANGUN, Dash

YEAR, PER = 2024, "2025-01-15"  # the LKjIP 2024 as signed on 15 January 2025
KECAMATAN_2024 = f"/dasbor/kecamatan/{JATIROTO}?tahun={YEAR}&per={PER}"
REJECTION = "Belum ditandatangani kepala desa"

# What the kecamatan page shows, read in one script: the matrix by desa (its link, its name, its cells) and every
# figure that carries its number as JSON prints it.
READ_KECAMATAN = """
const rows = [];
for (const tr of document.querySelectorAll('table#matriks tbody tr')) {
  const link = tr.querySelector('a[href*="/dasbor/desa/"]');
  const cells = [...tr.querySelectorAll('[data-status]')].map(
    c => [c.getAttribute('data-dokumen'), c.getAttribute('data-status'), c.innerText.trim()]);
  rows.push([link ? link.getAttribute('href') : null, link ? link.innerText.trim() : null, cells]);
}
const value = id => { const e = document.getElementById(id); return e ? e.getAttribute('data-value') : null; };
const documents = {};
for (const e of document.querySelectorAll('[data-doc][data-value]')) {
  const row = e.closest('tr');
  const inside = css => { const f = row.querySelector(css); return f ? f.getAttribute('data-value') : 'null'; };
  documents[e.getAttribute('data-doc')] = {persen: e.getAttribute('data-value'), target: inside('.target [data-value]'),
                                           capaian: inside('.capaian [data-value]')};
}
const triwulan = {};
for (const e of document.querySelectorAll('[data-tw]')) {
  triwulan[e.getAttribute('data-tw')] = e.getAttribute('data-value');
}
const heads = {};
for (const e of document.querySelectorAll('table#matriks th[data-dokumen]')) {
  heads[e.getAttribute('data-dokumen')] = e.innerText;
}
const chart = document.getElementById('grafik');
return {rows: rows, realisasi: value('realisasi'), capaian: value('capaian'), target: value('target'),
        documents: documents, triwulan: triwulan, heads: heads,
        predikat: (document.getElementById('predikat') || {}).innerText || '',
        realisasi_text: (document.getElementById('realisasi') || {}).innerText || '',
        late: [...document.querySelectorAll('#terlambat li')].map(e => e.innerText.trim()),
        chart: chart ? [chart.complete, chart.naturalWidth] : null};
"""


def _by(css: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return (By.CSS_SELECTOR, css)


def sign_in(browser: Browser, link: str) -> str:
    """Open the link, see "Masuk", press it; the path the dashboard lands on."""
    browser.open(link)
    button = browser.wait_for(lambda: browser.driver.find_element(*_by("#masuk")), 'the "Masuk" button')
    assert button.text.strip() == "Masuk"
    button.click()
    return browser.wait_for_path("/dasbor/", leaving="/dasbor/masuk/")  # the link's own page also starts so


def open_page(browser: Browser, base: str, path: str) -> str:
    browser.open(base + path)
    return browser.wait_for_path(path.split("?")[0])


def number(text: str | None) -> float | None:
    """A figure's data-value: its number as `klambi indicator --format json` prints it."""
    assert text is not None, "a figure without data-value"
    return json.loads(text)


async def _cli_indicator(klambi) -> dict[str, Any]:
    result = await asyncio.to_thread(
        klambi, "indicator", "--kecamatan", JATIROTO, "--year", str(YEAR), "--at", PER, "--format", "json"
    )
    assert result.code == 0, result
    return result.json()


async def test_a_staf_signs_in_with_a_link_and_reads_the_season_the_cli_computes(dash: Dash, browser: Browser, klambi):
    for indicator, awal, perubahan in (("IKU", "88,89", "94,44"), ("APBDES", "90", "95")):  # as the LKjIP sets them
        target = ["target", "set", "--kecamatan", JATIROTO, "--year", str(YEAR), "--indicator", indicator]
        result = await asyncio.to_thread(klambi, *target, "--awal", awal, "--perubahan", perubahan)
        assert result.code == 0, result
    link = await dash.link(dash.people["Bu Staf Jatiroto"])

    def sign_in_and_choose_2024() -> tuple[str, str, dict[str, Any]]:
        browser.open(link)
        browser.wait_for(lambda: browser.driver.find_element(*_by("#masuk")), 'the "Masuk" button')
        assert "Masuk" in browser.text("main")
        browser.shot("masuk")
        landed = sign_in(browser, link)
        # the page's own form (GET, no script) moves it to the performance year 2024 as of 15 January 2025
        form = browser.wait_for(
            lambda: browser.driver.find_element(*_by("form:has([name=tahun])")), "the form of tahun and per"
        )
        tahun = form.find_element(*_by("[name=tahun]"))
        if tahun.tag_name == "select":
            from selenium.webdriver.support.ui import Select

            Select(tahun).select_by_value(str(YEAR))
        else:
            tahun.clear()
            tahun.send_keys(str(YEAR))
        per = form.find_element(*_by("[name=per]"))
        browser.driver.execute_script("arguments[0].value = arguments[1]", per, PER)
        form.find_element(*_by("button, input[type=submit]")).click()
        moved = browser.wait_for_path(f"/dasbor/kecamatan/{JATIROTO}?")
        browser.wait_for(lambda: browser.driver.find_element(*_by("table#matriks")), "the matrix")
        browser.shot("kecamatan")
        return landed, moved, browser.driver.execute_script(READ_KECAMATAN)

    landed, moved, page = await asyncio.to_thread(sign_in_and_choose_2024)
    assert landed.startswith(f"/dasbor/kecamatan/{JATIROTO}")
    assert f"tahun={YEAR}" in moved and f"per={PER}" in moved  # an address to bookmark and share

    cli = await _cli_indicator(klambi)
    assert (cli["realisasi"], cli["target"], cli["capaian"], cli["desa_count"]) == (94.44, 94.44, 100.0, 6)
    for figure in ("realisasi", "target", "capaian"):
        assert number(page[figure]) == cli[figure], figure
    assert page["predikat"].strip() == cli["predikat"] == "Sangat Tinggi"
    assert "94,44" in page["realisasi_text"]  # shown the Indonesian way
    assert {label: number(v) for label, v in page["triwulan"].items()} == cli["triwulan"]
    assert set(page["documents"]) == set(cli["documents"]) == {"RKPDES", "APBDES", "LPPDES"}
    for doc, shown in page["documents"].items():
        figures = {name: number(text) for name, text in shown.items()}
        assert figures == {name: cli["documents"][doc].get(name) for name in figures}, doc
    assert number(page["documents"]["APBDES"]["capaian"]) == 87.72  # 83,33% against 95%
    for doc, head in page["heads"].items():  # each column names its legal deadline
        assert f"batas: {fmt_date(date.fromisoformat(cli['documents'][doc]['legal_deadline']))}" in head, doc
    assert [name.split(" (")[0] for name in page["late"]] == ["Sukosari"]  # the desa late, by name
    assert page["chart"] is not None and page["chart"][0] and page["chart"][1] > 300  # the chart loaded, as a PNG

    async with dash.app.sessions() as session:
        _, _, rows = await obligation_rows(session, JATIROTO, YEAR, end_of_day(date.fromisoformat(PER), WIB))
    expected = {(row.desa_kode, row.document_code): row.status.value for row in rows}
    names = dict(zip([f"{JATIROTO}.200{i}" for i in range(1, 7)], NAMES, strict=True))
    seen = {}
    for href, name, cells in page["rows"]:
        code = href.split("/dasbor/desa/")[1].split("?")[0]
        assert name == names[code] and f"tahun={YEAR}" in href
        for doc, status, word in cells:
            assert status_label(ObligationStatus(status)) in word, (code, status, word)  # never colour alone
            seen[(code, doc)] = status
    assert seen == expected
    assert seen[(SUKOSARI, "APBDES")] == "terlambat"
    assert sorted(seen.values()) == ["tepat_waktu"] * 17 + ["terlambat"]


async def test_the_staf_follows_a_desa_and_sees_both_versions_and_the_rejection(dash: Dash, browser: Browser):
    link = await dash.link(dash.people["Bu Staf Jatiroto"])
    base = dash.url("")

    def follow_rojopolo() -> tuple[str, int, str]:
        sign_in(browser, link)
        open_page(browser, base, KECAMATAN_2024)
        browser.wait_for(lambda: browser.driver.find_element(*_by(f'table#matriks a[href^="/dasbor/desa/{ROJOPOLO}"]')),
                         "Rojopolo's link in the matrix").click()  # fmt: skip
        here = browser.wait_for_path(f"/dasbor/desa/{ROJOPOLO}")
        section = browser.wait_for(
            lambda: browser.driver.find_element(*_by('[data-doc="RKPDES"]')), "the RKPDes obligation"
        )
        versions = section.find_elements(*_by("table.versi tbody tr"))
        browser.shot("desa")
        return here, len(versions), section.text

    here, versions, text = await asyncio.to_thread(follow_rojopolo)
    assert here.startswith(f"/dasbor/desa/{ROJOPOLO}") and f"tahun={YEAR}" in here
    assert versions == 2
    assert REJECTION in text
    assert "1/RKP/2024" in text and "2/RKP/2024" in text  # the nomor of each version


async def test_the_recap_workbook_downloads_and_opens_with_the_realisasi(dash: Dash, browser: Browser, klambi):
    link = await dash.link(dash.people["Pak Camat Jatiroto"])
    base = dash.url("")

    def download() -> tuple[str, Path]:
        sign_in(browser, link)
        open_page(browser, base, KECAMATAN_2024)
        anchor = browser.wait_for(lambda: browser.driver.find_element(*_by('a[href*="/rekap.xlsx"]')), "the rekap link")
        href = anchor.get_attribute("href")
        anchor.click()

        def finished() -> Path | None:
            done = [p for p in browser.downloads.iterdir() if p.suffix == ".xlsx"]
            partial = [p for p in browser.downloads.iterdir() if p.suffix == ".crdownload"]
            return done[0] if done and not partial and done[0].stat().st_size > 0 else None

        return href, browser.wait_for(finished, "the workbook in the download folder")

    href, path = await asyncio.to_thread(download)
    assert f"tahun={YEAR}" in href and f"per={PER}" in href
    assert path.name == "rekap-jatiroto-2024.xlsx"
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert {"Ringkasan", "Per Desa"} <= set(book.sheetnames)
    summary = book["Ringkasan"]
    header = next(r for r in summary.iter_rows(values_only=True) if "Realisasi" in r)
    column = header.index("Realisasi")
    iku = next(r for r in summary.iter_rows(values_only=True) if r[0] == "1")
    cli = await _cli_indicator(klambi)
    assert iku[column] == cli["realisasi"] == 94.44


async def test_another_kecamatan_s_page_is_refused(dash: Dash, browser: Browser):
    link = await dash.link(dash.people["Bu Staf Jatiroto"])
    base = dash.url("")

    def refused() -> tuple[str, bool]:
        sign_in(browser, link)
        open_page(browser, base, f"/dasbor/kecamatan/{YOSOWILANGUN}?tahun={YEAR}")
        message = browser.wait_for(lambda: browser.driver.find_element(*_by("#pesan")), "the message").text
        browser.shot("ditolak")
        return message, bool(browser.driver.find_elements(*_by("table#matriks")))

    message, has_matrix = await asyncio.to_thread(refused)
    assert "di luar wilayah" in message and not has_matrix


async def test_a_used_link_grants_nothing(dash: Dash, browser: Browser):
    link = await dash.link(dash.people["Bu Staf Jatiroto"])
    base = dash.url("")

    def use_twice() -> tuple[str, bool, str]:
        sign_in(browser, link)
        browser.driver.delete_all_cookies()  # now another browser: no session of its own
        browser.open(link)
        again = browser.wait_for(lambda: browser.driver.find_element(*_by("#pesan")), "the message").text
        button = bool(browser.driver.find_elements(*_by("#masuk")))
        browser.shot("tautan-terpakai")
        browser.open(base + "/dasbor")
        home = browser.wait_for(lambda: browser.driver.find_element(*_by("#pesan")), "the message").text
        return again, button, home

    again, button, home = await asyncio.to_thread(use_twice)
    assert "sudah dipakai" in again and not button
    assert "Silakan masuk" in home


async def test_at_375_pixels_the_pages_never_scroll_sideways(dash: Dash, browser: Browser):
    link = await dash.link(dash.people["Bu Staf Jatiroto"])
    base = dash.url("")

    def on_a_phone() -> dict[str, tuple[int, int]]:
        browser.size(PHONE)
        sign_in(browser, link)
        widths = {}
        for step, path, ready in (
            ("kecamatan-ponsel", KECAMATAN_2024, "table#matriks"),
            ("desa-ponsel", f"/dasbor/desa/{ROJOPOLO}?tahun={YEAR}", '[data-doc="RKPDES"]'),
        ):
            open_page(browser, base, path)
            browser.wait_for(lambda ready=ready: browser.driver.find_element(*_by(ready)), ready)
            widths[step] = browser.widths()
            browser.shot(step)
        return widths

    widths = await asyncio.to_thread(on_a_phone)
    for step, (scroll_width, inner_width) in widths.items():
        assert inner_width == PHONE[0], (step, inner_width)
        assert scroll_width <= inner_width, f"{step}: the page is {scroll_width} px wide on a {inner_width} px screen"
