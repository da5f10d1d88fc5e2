"""Migrations: one set of revisions for SQLite and PostgreSQL, idempotent, and equal to the models."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from bot.app import App
from bot.db import alembic_config, current_revision, upgrade
from models.tables import Base, DocumentType


async def test_upgrade_is_idempotent_and_matches_the_models(app):
    await upgrade(app.engine)
    await upgrade(app.engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await current_revision(app.engine) == head

    def differences(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with app.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_the_default_document_types(app):
    async with app.sessions() as session:
        rows = (await session.scalars(select(DocumentType).order_by(DocumentType.position))).all()
    assert [(r.code, r.counted, r.timeliness_basis.value) for r in rows] == [
        ("RKPDES", True, "penetapan"),
        ("APBDES", True, "penetapan"),
        ("LPPDES", True, "diterima"),
        ("LRA_SEM1", False, "diterima"),
        ("LPJ_APBDES", False, "diterima"),
    ]
    assert rows[0].kind().rule.legal_deadline(2025).isoformat() == "2024-09-30"


@pytest.mark.only_database("sqlite")
async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    async with app.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


def test_db_upgrade_command_twice(klambi):
    first = klambi("db", "upgrade")
    second = klambi("db", "upgrade")
    assert first.code == second.code == 0
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"revisi {head}" in second.out


def test_a_fresh_folder_just_works(tmp_path, monkeypatch, capsys):
    """No configuration at all: klambi.db and data/ appear in the working directory."""
    from pathlib import Path

    from bot.cli import main

    assert main(["--now", "2025-01-15T09:00+07:00", "villages", "import", "--area", "35.08.17"]) == 0
    assert Path("klambi.db").is_file()
    assert "6 desa baru" in capsys.readouterr().out


def _waiting_closes() -> list[asyncio.Task]:
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and task.get_coro().__qualname__.endswith("._terminate_graceful_close")
    ]


@pytest.mark.only_database("sqlite")
async def test_a_stop_after_a_transaction_was_cut_leaves_nothing_waiting(settings, clock):
    """A task cancelled twice in the middle of a commit leaves SQLAlchemy's aiosqlite adapter a close that waits
    forever and swallows a cancellation: without `bot.db.reap_closes`, `asyncio.run` (a stopping bot) never returns."""
    app = App.create(settings, clock)
    async with app.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE probe (x INTEGER)"))

    async def writing() -> None:
        while True:
            async with app.sessions() as session, session.begin():
                await session.execute(text("INSERT INTO probe VALUES (1)"))

    try:
        for attempt in range(500):
            task = asyncio.create_task(writing())
            await asyncio.sleep(0.001 * (attempt % 7))
            task.cancel()
            await asyncio.sleep(0)
            task.cancel()  # as a stop does: the task, then its workers
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if _waiting_closes():
                break
        else:
            pytest.skip("the adapter no longer leaves a close waiting")
        await app.close()
        assert _waiting_closes() == []
    finally:
        for _ in range(5):  # whatever happened above, this test's loop must be able to close
            for stuck in _waiting_closes():
                stuck.cancel()
            await asyncio.sleep(0.1)
