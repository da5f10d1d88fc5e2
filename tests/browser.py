"""A real browser for the dashboard's tests: the system's Chromium driven by Selenium through the system's
chromedriver (Debian's `chromium` and `chromium-driver`).

The driver is given explicitly (`Service(CHROMEDRIVER)`): without it Selenium Manager would try to download one, and
there is no network; KLAMBI_TEST_CHROMIUM and KLAMBI_TEST_CHROMEDRIVER name other paths. Chromium runs headless,
without its sandbox (the tests run as root) and without /dev/shm (small in containers). Without Chromium or
chromedriver the browser tests skip, unless KLAMBI_TEST_REQUIRE_BROWSER=1 (CI, `.ci/run`), where they fail instead — as
KLAMBI_TEST_REQUIRE_POSTGRES does for PostgreSQL (tests/conftest.py).

Screenshots go to KLAMBI_SCREENSHOTS (default `build/screenshots/` of the repository), one PNG per step that matters,
named after the test and the step. The variable is read when this module is imported: the tests' autouse fixture
clears every other KLAMBI_* variable before a test runs.

Every call of the driver blocks until the browser answers, and the web application under test answers in the test's
own event loop: a test runs its browser steps with `await asyncio.to_thread(...)`, so the server keeps answering.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("KLAMBI_TEST_CHROMIUM") or "/usr/bin/chromium")
CHROMEDRIVER = Path(os.environ.get("KLAMBI_TEST_CHROMEDRIVER") or "/usr/bin/chromedriver")
REQUIRE_BROWSER = os.environ.get("KLAMBI_TEST_REQUIRE_BROWSER") == "1"
SCREENSHOTS = Path(os.environ.get("KLAMBI_SCREENSHOTS") or ROOT / "build" / "screenshots").resolve()
DESKTOP = (1280, 900)
PHONE = (375, 800)
WAIT_SECONDS = 20.0  # the longest any step waits for the page (a slow shared machine), polling


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (Debian: apt-get install {package})"
    return None


@dataclass
class Browser:
    """A Chromium window of its own (its own cookies), where its downloads land, and where its screenshots go."""

    driver: Any  # selenium.webdriver.Chrome
    downloads: Path
    screenshots: Path
    prefix: str

    def size(self, width_height: tuple[int, int]) -> None:
        self.driver.set_window_size(*width_height)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def shot(self, step: str) -> Path:
        """A PNG of the whole page as shown now (the window stretched to the page's height for it, then restored):
        `<test>-<step>.png`."""
        path = self.screenshots / f"{self.prefix}-{step}.png"
        size = self.driver.get_window_size()
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size["width"], min(max(int(height), size["height"]), 8000))
        try:
            if not self.driver.save_screenshot(str(path)):
                raise AssertionError(f"the screenshot {path} was not written")
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path

    def text(self, css: str = "body") -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def wait_for(self, what: Callable[[], Any], describe: str, seconds: float = WAIT_SECONDS) -> Any:
        """Poll `what` until it returns something true (returned), for at most `seconds`; else fail saying what."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                found = what()
            except Exception:  # the page is still loading: an element not there yet, a stale one
                found = None
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {seconds:.0f} s for {describe}; the page: {self.driver.current_url}")
            time.sleep(0.1)

    def wait_for_path(self, path_start: str, leaving: str | None = None) -> str:
        """Wait until the page's address (without the origin) starts with `path_start` — and no longer with
        `leaving`, the page a click navigates away from (it may itself start with `path_start`); return that path."""
        from urllib.parse import urlsplit

        def where() -> str | None:
            parts = urlsplit(self.driver.current_url)
            here = parts.path + (f"?{parts.query}" if parts.query else "")
            ready = self.driver.execute_script("return document.readyState") == "complete"
            gone = leaving is None or not here.startswith(leaving)
            return here if ready and gone and here.startswith(path_start) else None

        return self.wait_for(where, f"the page {path_start}")

    def widths(self) -> tuple[int, int]:
        """(scrollWidth, innerWidth) of the page as shown now."""
        width, inner = self.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        return int(width), int(inner)


def _chrome(downloads: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=id-ID"):  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
            "intl.accept_languages": "id-ID,id",
        },
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Browser]:
    """A headless Chromium (1280×900 until a test sets `browser.size(PHONE)`), closed after the test."""
    reason = missing_browser()
    if reason is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"KLAMBI_TEST_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"browser tests: {reason}")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name.removeprefix("test_")).strip("-")
    driver = _chrome(downloads)
    try:
        window = Browser(driver, downloads, SCREENSHOTS, prefix)
        window.size(DESKTOP)
        yield window
    finally:
        driver.quit()
