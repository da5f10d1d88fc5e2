"""Fixtures: every database test runs on SQLite and on PostgreSQL.

SQLite: each test gets a copy of a migrated template file. PostgreSQL: set KLAMBI_TEST_POSTGRES_URL to a server
(scripts/test starts a throwaway one); each test gets `CREATE DATABASE ... TEMPLATE` of a migrated template. Without
the URL the PostgreSQL half is skipped, unless KLAMBI_TEST_REQUIRE_POSTGRES=1 (CI), where it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url

from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings, async_database_url
from bot.db import make_engine, upgrade

# Property tests: a bounded run by default and in CI, a long one on demand (HYPOTHESIS_PROFILE=thorough).
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WIB = ZoneInfo("Asia/Jakarta")
POSTGRES_URL = os.environ.get("KLAMBI_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("KLAMBI_TEST_REQUIRE_POSTGRES") == "1"
TEMPLATE_DB = "klambi_test_template"
DEFAULT_NOW = datetime(2025, 1, 15, 9, 0, tzinfo=WIB)  # the day Jatiroto's LKjIP 2024 was signed


def _asyncpg_dsn(database: str) -> str:
    url = make_url(async_database_url(POSTGRES_URL or "")).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(make_url(async_database_url(POSTGRES_URL or "")).database))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _pg_url(database: str) -> str:
    return make_url(async_database_url(POSTGRES_URL or "")).set(database=database).render_as_string(False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "only_database(name): the test belongs to one database (sqlite or postgresql)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `only_database("sqlite")` runs on that database only: its other half is never collected, so no
    world is built just to be skipped and the run's skips are only what is really missing."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("only_database")
        param = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        (dropped if marker is not None and param is not None and param != marker.args[0] else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "klambi.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    if not POSTGRES_URL:
        yield None
        return
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}", f"CREATE DATABASE {TEMPLATE_DB}"))
    asyncio.run(_migrate(_pg_url(TEMPLATE_DB)))
    yield TEMPLATE_DB
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "klambi.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if postgres_template is None:
        if REQUIRE_POSTGRES:
            pytest.fail("KLAMBI_TEST_REQUIRE_POSTGRES=1 but KLAMBI_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL: set KLAMBI_TEST_POSTGRES_URL (scripts/test does)")
    name = f"klambi_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f"CREATE DATABASE {name} TEMPLATE {postgres_template}"))
    yield _pg_url(name)
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's configuration: no KLAMBI_* variables, an empty working directory."""
    for name in list(os.environ):
        if name.startswith("KLAMBI_") and not name.startswith("KLAMBI_TEST_"):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DEFAULT_NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database={"url": database_url}, storage={"path": tmp_path / "files"})


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[App]:
    application = App.create(settings, clock)
    yield application
    await application.close()


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> object:
        import json

        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def klambi(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the real `klambi` command in this process against the test database, at a moment of the test's choice."""
    from bot.cli import main

    monkeypatch.setenv("KLAMBI_DATABASE__URL", database_url)
    monkeypatch.setenv("KLAMBI_STORAGE__PATH", str(tmp_path / "files"))

    def run(*args: str, now: datetime | None = DEFAULT_NOW) -> CliResult:
        capsys.readouterr()
        argv = (["--now", now.isoformat()] if now else []) + list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def query(database_url: str, statement):
    """Run one read on the test database from a synchronous test; returns all rows."""

    async def read():
        engine = make_engine(database_url)
        try:
            async with engine.connect() as connection:
                return (await connection.execute(statement)).all()
        finally:
            await engine.dispose()

    return asyncio.run(read())


def table_counts(database_url: str) -> dict[str, int]:
    """Rows per table: what 'nothing was written' is checked against."""
    from sqlalchemy import func, select

    from models.tables import Base

    return {
        name: query(database_url, select(func.count()).select_from(table))[0][0]
        for name, table in Base.metadata.tables.items()
    }


# --- a test that hangs says where -------------------------------------------------------------------------------
STUCK_SECONDS = 300  # no test takes this long; one that does is stuck: its threads and asyncio tasks are printed


def _say_where_it_hangs(name: str) -> None:
    import faulthandler
    import gc
    import sys

    out = sys.__stderr__
    print(f"\n=== {name} has run {STUCK_SECONDS} s: its threads and asyncio tasks ===", file=out, flush=True)
    faulthandler.dump_traceback(file=out, all_threads=True)
    for loop in [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]:
        if loop.is_running():
            for task in asyncio.all_tasks(loop):
                print(f"--- {task!r}", file=out)
                task.print_stack(file=out)
    out.flush()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    import threading

    watchdog = threading.Timer(STUCK_SECONDS, _say_where_it_hangs, args=(item.nodeid,))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    finally:
        watchdog.cancel()


from tests.browser import browser  # noqa: E402, F401  (a real Chromium for the dashboard's tests)
from tests.dash_world import dash  # noqa: E402, F401  (the dashboard tests' world)
from tests.wa_world import wa_world  # noqa: E402, F401  (both channels: WhatsApp beside Telegram)
from tests.world import world  # noqa: E402, F401  (the end-to-end fixture, shared by the bot and reminder tests)
