"""The benchmark harness runs (CI's smoke run: nothing here is timed), and the ranking it measures agrees with the
indicator it stands for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks import database as measure
from benchmarks.generate import NOW, Size, generate
from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import upgrade
from bot.services.indicator import kabupaten_ranking, kecamatan_indicator, ranking
from models.tables import AuditEntry, Channel, Kecamatan, OutboxMessage, Person, Submission

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def deployment(database_url, tmp_path):
    """Kabupaten Lumajang as the generator builds it (the quick size), on both databases."""
    app = App.create(Settings(database={"url": database_url}, storage={"path": tmp_path / "files"}), ManualClock(NOW))
    await upgrade(app.engine)
    generated = await generate(app, Size.named("quick"), lambda label, total: lambda n: None)
    yield app, generated
    await app.close()


async def test_the_generator_builds_every_desa_with_five_years_of_versions(deployment):
    app, generated = deployment
    assert (generated.kecamatan, generated.desa) == (21, 198)
    assert generated.obligations == 198 * 3 * 6  # three documents, 2020-2025
    async with app.sessions() as session:
        rows = await session.execute(select(Submission.review_status, func.count()).group_by(Submission.review_status))
        statuses = {status: count for status, count in rows}
        assert await session.scalar(select(func.count(Kecamatan.kode))) == 21
    assert sum(statuses.values()) == generated.submissions
    assert statuses["diterima"] > statuses["ditolak"] > 0  # most accepted, some rejected and sent again


@pytest.mark.parametrize(("year", "at_day"), [(2024, None), (2024, date(2024, 10, 3)), (2023, date(2024, 4, 2))])
async def test_the_ranking_in_the_database_agrees_with_each_kecamatan_s_indicator(deployment, year, at_day):
    app, _ = deployment
    async with app.sessions() as session:
        fast = await ranking(session, year, at_day, NOW, "35.08")
        _, full = await kabupaten_ranking(session, "35.08", year, at_day, NOW)
        national = await ranking(session, year, at_day, NOW)
        one = await kecamatan_indicator(session, "35.08.17", year, NOW)
    assert [(r.kecamatan.kode, r.realisasi_exact, r.capaian, r.predikat) for r in fast] == [
        (r.kecamatan.kode, r.result.realisasi_exact, r.result.capaian, r.result.predikat) for r in full
    ]
    assert [r.kecamatan.kode for r in national] == [r.kecamatan.kode for r in fast]
    if at_day is None:
        jatiroto = next(r for r in fast if r.kecamatan.kode == "35.08.17")
        assert jatiroto.realisasi == one.result.realisasi and jatiroto.desa_count == one.result.desa_count


async def test_the_database_measurements_run(deployment):
    app, _ = deployment
    assert (await measure.indicator(app, 3))["samples"] == 3
    assert (await measure.ranking_national(app, 1))["ranked"] == 21
    assert (await measure.ranking_kabupaten(app, 1))["ranked"] == 21
    planned = await measure.plan_year(app)
    assert planned["rows_planned"] == planned["outbox_rows"] > 0
    swept = await measure.sweep_morning(app)
    assert swept["due"] == swept["sent"] + swept["cancelled"] + swept["superseded"] > 0
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).where(OutboxMessage.status == "sending")) == 0


async def test_the_import_measurement_runs_and_writes_what_the_command_writes(deployment, database_url):
    from benchmarks.imports import record_import

    app, _ = deployment
    figures = await record_import(app, database_url, (30, 120))
    assert [s["rows"] for s in figures["sizes"].values()] == [30, 120]
    assert figures["sizes"]["120"]["bot_waits"] > 0 and figures["largest_rows"] == 120
    async with app.sessions() as session:
        imported = await session.scalar(select(func.count()).where(Submission.channel == Channel.IMPORT))
        audited = await session.scalar(select(func.count()).where(AuditEntry.action == "submission.record"))
    assert imported == audited == 150


async def test_the_dashboard_measurement_signs_in_and_asks_every_kind_of_page(deployment, database_url):
    """`klambi web` as a process on the generated Lumajang, a real sign-in, every page answered 200 (the
    measurement raises otherwise): the figures count what was asked, nothing is timed here."""
    from benchmarks.dashboard import ADMIN, pages

    app, _ = deployment
    counts = {"pages": 8, "desa": 3, "kabupaten": 1, "national": 1, "charts": 2}
    figures = await pages(app, database_url, counts)
    assert figures["kecamatan_page"]["samples"] == 8 and figures["kecamatan_page"]["kecamatan"] > 1
    assert figures["desa_page"]["samples"] == 3 and figures["kabupaten_page"]["kabupaten"] == "35.08"
    assert figures["national_page"]["samples"] == figures["national_page_again"]["samples"] == 1
    assert figures["national_page"]["bytes"] > 0
    assert figures["chart_first"]["samples"] == figures["chart_cached"]["samples"] == 2
    again = await pages(app, database_url, counts | {"pages": 2, "desa": 1})  # a rerun reuses its admin
    assert again["kecamatan_page"]["samples"] == 2
    async with app.sessions() as session:
        admins = await session.scalar(select(func.count()).select_from(Person).where(Person.name == ADMIN))
        sign_ins = await session.scalar(select(func.count()).where(AuditEntry.action == "web_sign_in"))
    assert admins == 1 and sign_ins == 2


def test_the_quick_harness_runs_end_to_end_and_renders_the_page(tmp_path):
    """`python -m benchmarks run --quick` as CI runs it (SQLite), every measurement, then the page."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")}
    results = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "run", "--quick", "--path", str(tmp_path / "data"), "-o", str(results)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(results.read_text())
    assert set(figures["measurements"]) == set(measure_names())
    chat = figures["measurements"]["chat"]
    assert chat["bot_updates"] > 0 and chat["echo_updates"] > 0 and chat["memory_idle_mb"] > 0
    assert figures["measurements"]["dispatch"]["sent"] == figures["measurements"]["dispatch"]["reminders"]
    assert figures["measurements"]["record_import"]["largest_rows"] == 1000
    webhook = figures["measurements"]["whatsapp_webhook"]
    assert webhook["messages"] == webhook["people"] * 3 > 0 and webhook["answers"] == webhook["messages"]
    assert webhook["memory_idle_mb"] > 0 and webhook["telegram_updates_per_second"] == chat["bot_updates_per_second"]
    wa = figures["measurements"]["whatsapp_dispatch"]
    inside, outside = wa["inside_window"], wa["outside_window"]
    assert inside["sent"] == outside["sent"] == outside["as_templates"] == wa["reminders"] > 0
    assert inside["as_templates"] == 0 and inside["refusals_other"] == outside["refusals_other"] == 0
    page = tmp_path / "performance.md"
    render = subprocess.run(
        [sys.executable, "-m", "benchmarks", "render", str(results), "-o", str(page)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert render.returncode == 0, render.stderr[-3000:]
    text = page.read_text()
    assert "python -m benchmarks run" in text
    assert "## WhatsApp (issue 17)" in text and "size `quick` — **quick**" in text
    assert "## Dashboard (issue 18)" in text and "--quick --reuse --only dashboard" in text
    board = figures["measurements"]["dashboard"]
    assert board["kecamatan_page"]["samples"] == 40 and board["national_page"]["samples"] == 3


def test_the_page_keeps_the_main_run_and_adds_a_quick_whatsapp_run_beside_it():
    from benchmarks.report import render_markdown

    national = {"size": "national", "database": "sqlite", "measurements": {"dispatch": {"http_429": 3}}}
    quick = {
        "size": "quick", "database": "sqlite", "machine": {"date": "2026-12-03"},
        "measurements": {"dispatch": {"http_429": 0}, "whatsapp_dispatch": {"refusals_130429": 2},
                         "whatsapp_webhook": {"answers_per_message": 1.0, "post_p95_ms": 812.5}},
    }  # fmt: skip
    page = render_markdown([national, quick])
    assert "| 429 answers during dispatch (<= 0) | 3 — **missed** |" in page  # the main tables: the first file
    assert "| 130429 refusals during WhatsApp dispatch (<= 0) | 2 — **missed** |" in page
    assert "| Answers per WhatsApp message (== 1) | 1.00 — met |" in page
    assert "| webhook: POST until the 200, p95 | 812 ms |" in page
    assert "SQLite, size `quick` — **quick**" in page and "run on 2026-12-03" in page
    assert "WhatsApp" not in render_markdown([national])


def test_the_page_shows_the_dashboard_runs_in_their_own_section_with_issue_18_s_goals():
    from benchmarks.report import render_markdown

    national = {"size": "national", "database": "sqlite", "measurements": {"dispatch": {"http_429": 0}}}
    board = {
        "size": "national", "database": "sqlite", "machine": {"date": "2026-12-03"},
        "measurements": {"dashboard": {"kecamatan_page": {"samples": 300, "p50_ms": 41.5, "p95_ms": 120.25},
                                       "national_page": {"p50_ms": 2500.0, "max_ms": 3100.0}}},
    }  # fmt: skip
    page = render_markdown([national, board])
    assert "## Dashboard (issue 18)" in page
    assert "| A kecamatan page's HTML, p95 (< 100 ms) | 120 ms — **missed** |" in page
    assert "| The national page (its ranking computed), median (< 3,000 ms) | 2,500 ms — met |" in page
    assert "| … p50 | 41.50 ms |" in page and "| … max | 3,100 ms |" in page
    assert "--size national --reuse --only dashboard -o results-dashboard-national-sqlite.json" in page
    assert "render results-sqlite.json results-postgresql.json results-dashboard-national-sqlite.json" in page
    assert "Dashboard" not in render_markdown([national])


def measure_names() -> tuple[str, ...]:
    from benchmarks.__main__ import MEASUREMENTS

    return MEASUREMENTS


def test_the_page_shows_a_newcomer_s_path_beside_the_main_run_and_judges_its_goals():
    from benchmarks.report import render_markdown

    national = {"size": "national", "database": "sqlite", "measurements": {"dispatch": {"http_429": 0}}}
    newcomer = {
        "benchmark": "newcomer", "date": "2026-12-03", "commit": "abc1234", "machine_seconds": 312.5, "typed": 13,
        "typed_terminal": 6, "goal": {"seconds": 300, "typed": 15},
        "steps": [{"step": "install", "seconds": 300.0, "typed": ["pip install -e ."], "where": "terminal"},
                  {"step": "/kirim", "seconds": 12.5, "typed": ["/kirim", "(tap Kirim)"], "where": "chat"}],
    }  # fmt: skip
    page = render_markdown([national, newcomer])
    assert "| install | 300 s | `pip install -e .` |" in page and "| /kirim | 12.50 s | `/kirim`; (tap Kirim) |" in page
    assert "goal ≤ 5.00 minutes: **missed**" in page and "goal ≤ 15: met" in page
    assert "results-newcomer.json" in page and "first receipt" not in render_markdown([national])
