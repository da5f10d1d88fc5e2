"""`klambi try` (issue 20, part 1): the real bot against the sandboxes, played by hand in a real browser.

The page's server runs in this test's event loop (`bot.sandbox.trial.trying`, what the command runs), on a free port;
Chromium drives it from a thread (tests/browser.py). The secretary of Banyuputih Kidul does a whole `kirim` on the
WhatsApp phone — typing, picking from the list, uploading a PDF from disk, tapping the buttons — and holds the
receipt; the Kasi Pemerintahan's Telegram phone shows the alert and presses Terima; the clock control moves a week and
the morning digest of the new day shows. The working directory gets no klambi.db. A taken port and an ambiguous
kecamatan name each give one Indonesian line and exit status 2.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.cli import main
from bot.config import load_settings
from bot.sandbox.trial import trying
from bot.storage import minimal_pdf
from models.status import ReviewStatus
from models.tables import Submission
from tests.browser import PHONE, Browser


def _phone(browser: Browser, key: str) -> str:
    return browser.text(f"section[data-phone='{key}'] .chat")


def _wait_text(browser: Browser, key: str, text: str) -> None:
    browser.wait_for(lambda: text in _phone(browser, key), f"{text!r} on the {key} phone")


def _type(browser: Browser, key: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = browser.driver.find_element(By.CSS_SELECTOR, f"section[data-phone='{key}'] input[type=text]")
    field.send_keys(text, Keys.ENTER)


def _tap(browser: Browser, key: str, label: str, css: str = ".keys button") -> None:
    """Tap the newest button on the phone whose label holds `label` (waiting for it to show)."""
    from selenium.webdriver.common.by import By

    def newest():
        buttons = browser.driver.find_elements(By.CSS_SELECTOR, f"section[data-phone='{key}'] {css}")
        found = [b for b in buttons if label in b.text]
        return found[-1] if found else None

    def click() -> bool:  # found and clicked in one go: a poll may redraw the chat between the two (a stale one)
        button = newest()
        if button is None:
            return False
        button.click()
        return True

    browser.wait_for(click, f"a button {label!r} on the {key} phone")


def _move(browser: Browser, step: str, day: str) -> None:
    """Press "+1 hari" or "+1 minggu" and wait until the move is over (the buttons are disabled during it) and the
    clock shows `day`."""
    from selenium.webdriver.common.by import By

    button = browser.driver.find_element(By.CSS_SELECTOR, f"header [data-langkah='{step}']")
    browser.wait_for(button.is_enabled, "the clock's buttons free")
    button.click()
    browser.wait_for(lambda: day in browser.text("#jam") and button.is_enabled(), f"the clock at {day}")


async def test_a_whole_kirim_through_the_page(browser: Browser, tmp_path: Path):
    work = Path.cwd()  # an empty folder (tests/conftest.py), where `klambi try` starts: no klambi.db may appear here
    assert list(work.iterdir()) == []
    pdf = tmp_path / "RKPDes 2025 Banyuputih Kidul.pdf"
    content = minimal_pdf(b" RKPDes Banyuputih Kidul " + b"0" * 2048)
    pdf.write_bytes(content)
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    async with trying(load_settings(None), port=0, folder=temporary) as (trial, url):
        (folder,) = temporary.iterdir()  # the trial's database and files live here, nowhere else

        def secretary() -> None:
            browser.open(url)
            _wait_text(browser, "sekdes", "Selamat datang, Siti")
            _wait_text(browser, "staf", "Selamat datang, Rina")
            _wait_text(browser, "camat", "Selamat datang, Kutum")
            _type(browser, "sekdes", "kirim")
            _wait_text(browser, "sekdes", "Dokumen mana yang mau dikirim?")
            _tap(browser, "sekdes", "", ".listbtn")  # WhatsApp shows a list behind a button
            _tap(browser, "sekdes", "RKPDes TA 2025", ".sheet .rowbtn")
            _wait_text(browser, "sekdes", "Kirim berkas RKPDes TA 2025 Desa Banyuputih Kidul")
            from selenium.webdriver.common.by import By

            upload = browser.driver.find_element(By.CSS_SELECTOR, "section[data-phone='sekdes'] input[type=file]")
            upload.send_keys(str(pdf))
            _wait_text(browser, "sekdes", "Tanggal penetapan dokumen ini?")
            _type(browser, "sekdes", "30/08/2024")
            _wait_text(browser, "sekdes", "Nomor dokumennya?")
            _type(browser, "sekdes", "5 Tahun 2024")
            _wait_text(browser, "sekdes", "Periksa dulu")
            _tap(browser, "sekdes", "Kirim")
            _wait_text(browser, "sekdes", "Tanda terima TT-20240902-")
            browser.shot("receipt")

        await asyncio.to_thread(secretary)
        phone = await asyncio.to_thread(_phone, browser, "sekdes")
        assert "RKPDes 2025 Banyuputih Kidul.pdf" in phone  # the file, as sent, in the secretary's own bubble
        assert "Ditetapkan 30 Agustus 2024 · Nomor 5 Tahun 2024" in phone

        def kasi() -> None:
            _wait_text(browser, "staf", "Dokumen masuk: RKPDes TA 2025 · Desa Banyuputih Kidul · versi 1")
            _tap(browser, "staf", "Terima")
            _wait_text(browser, "staf", "Diterima oleh Rina")
            _wait_text(browser, "sekdes", "diterima kecamatan. Tepat waktu.")

        await asyncio.to_thread(kasi)
        async with trial.app.sessions() as session:  # the bot stored the very bytes uploaded from disk, accepted
            stored = (await session.scalars(select(Submission).options(selectinload(Submission.files)))).one()
            assert stored.review_status == ReviewStatus.ACCEPTED
            assert [f.sha256 for f in stored.files] == [hashlib.sha256(content).hexdigest()]

        def week() -> None:
            assert "2 September 2024, 08.00" in browser.text("#jam")
            _move(browser, "minggu", "9 September 2024, 08.00")
            _wait_text(browser, "staf", "Ringkasan pagi Kecamatan Jatiroto, 9 September 2024")
            browser.shot("a-week-later")
            browser.size(PHONE)  # a narrow screen: the phones stack, nothing scrolls sideways
            width, inner = browser.widths()
            assert width <= inner
            browser.shot("narrow")

        await asyncio.to_thread(week)
        assert (folder / "try.db").is_file()
    assert not folder.exists()  # removed on stop
    assert not (work / "klambi.db").exists() and list(work.iterdir()) == []


def test_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["try", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"klambi: Port {port} sudah dipakai program lain; pilih port lain, mis. --port 8091."


def test_a_name_of_several_kecamatan_lists_them(capsys: pytest.CaptureFixture[str]):
    assert main(["try", "--kecamatan", "jatiroto"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "Jatiroto (33.12.15, Kabupaten Wonogiri); Jatiroto (35.08.17, Kabupaten Lumajang)" in err
    assert main(["try", "--kecamatan", "tidak ada"]) == 2
    assert capsys.readouterr().err.strip() == (
        "klambi: Kecamatan 'tidak ada' tidak ada di data rujukan; beri nama atau kode, mis. --kecamatan 35.08.17."
    )


def test_the_command_prints_the_url_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    """`klambi try` as a person runs it: it prints the page's address, serves it, and Ctrl-C (SIGINT) stops it with
    status 0, its temporary folder gone; neither klambi.db nor the configured database or storage was created."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as probe:  # a free port for the command (freed again before it binds)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = os.environ | {"TMPDIR": str(temporary), "PYTHONUNBUFFERED": "1"}
    config = Path("config.toml")  # a configured database and storage that the trial must leave alone
    config.write_text('[database]\nurl = "sqlite:///configured.db"\n\n[storage]\npath = "configured-files"\n')
    command = [sys.executable, "-m", "bot", "--config", str(config), "try", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the bot is up once this is printed
        assert line.startswith(f"Buka http://127.0.0.1:{port}/ di peramban: Kecamatan Jatiroto (35.08.17)"), line
        (folder,) = temporary.iterdir()
        assert folder.name.startswith("klambi-try-") and (folder / "try.db").is_file()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as page:
            assert "Coba Ngobras Klambi" in page.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/keadaan") as answer:
            state = json.loads(answer.read())
        assert [p["key"] for p in state["phones"]] == ["sekdes", "staf", "camat"]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Dihentikan; folder sementara sudah dihapus." in out
    assert "Traceback" not in err
    assert list(temporary.iterdir()) == []
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["config.toml"]  # no klambi.db, nothing configured


async def test_a_reminder_template_is_tapped_and_a_workbook_downloaded(browser: Browser, tmp_path: Path):
    """Two weeks on, the quiet secretary's reminder comes as WhatsApp's approved template with its quick reply, and
    tapping it starts the kirim of that document; the camat's /indikator shows its chart as a photo, and /rekap
    arrives as a document the browser downloads, byte for byte."""
    async with trying(load_settings(None), port=0, folder=tmp_path) as (trial, url):

        def steps() -> Path:

            browser.open(url)
            _wait_text(browser, "camat", "Selamat datang, Kutum")
            _move(browser, "minggu", "9 September 2024")
            _move(browser, "minggu", "16 September 2024")
            _wait_text(browser, "sekdes", "Pengingat dari Kecamatan Jatiroto: RKPDes Desa Banyuputih Kidul")
            _tap(browser, "sekdes", "Kirim sekarang")  # the reminder's own document: no list to pick from
            _wait_text(browser, "sekdes", "Kirim berkas RKPDes TA 2025 Desa Banyuputih Kidul")
            _type(browser, "camat", "/indikator")  # the answer and its chart, shown as a photo
            _wait_text(browser, "camat", "Indikator akuntabilitas")
            chart = "section[data-phone='camat'] .msg img"
            browser.wait_for(
                lambda: browser.driver.execute_script(
                    f'const i = document.querySelector("{chart}"); return i && i.complete && i.naturalWidth > 100'
                ),
                "the chart drawn in the camat's phone",
            )
            _type(browser, "camat", "/rekap")
            _wait_text(browser, "camat", "rekap-jatiroto-2024.xlsx")
            browser.shot("workbook")
            _tap(browser, "camat", "rekap-jatiroto-2024.xlsx", "a.file")
            return browser.wait_for(
                lambda: next(iter(browser.downloads.glob("rekap-jatiroto-2024.xlsx")), None), "the download"
            )

        downloaded = await asyncio.to_thread(steps)
        (sent,) = [m.document for m in trial.phones["camat"].telegram.chat.messages if m.document]
        assert downloaded.read_bytes() == trial.sandbox.downloaded(sent["file_id"])
        assert downloaded.read_bytes().startswith(b"PK")  # a workbook (a zip), as the bot built it
