"""`python -m benchmarks`: build a synthetic deployment, measure it, write docs/performance.md.

    python -m benchmarks run --quick -o results-sqlite.json
    python -m benchmarks run --size national --database postgresql \
        --url postgresql://postgres@127.0.0.1:55433/postgres -o results-postgresql.json
    python -m benchmarks render results-sqlite.json results-postgresql.json -o docs/performance.md
    python -m benchmarks newcomer -o docs/performance-results/newcomer.json
    python -m benchmarks reading -o docs/performance-results/reading.json
"""

from __future__ import annotations

import asyncio
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

MEASUREMENTS = (
    "indicator", "ranking_national", "ranking_kabupaten", "plan_year", "sweep_morning", "chat", "dispatch",
    "whatsapp_webhook", "whatsapp_dispatch", "dashboard", "heavy",
    "record_import",  # last: it adds versions (of years the others do not read)
)  # fmt: skip
NOTES = Path(__file__).with_name("notes.md")
SIZES = {
    "quick": {
        "indicator": 30,
        "ranking": 3,
        "chat_users": 8,
        "chat_rounds": 2,
        "dispatch": 150,
        "wa_people": 8,
        "wa_rounds": 3,
        "wa_dispatch": 80,
        "imports": (200, 1000),
        "dashboard": {"pages": 40, "desa": 20, "kabupaten": 3, "national": 3, "charts": 5},
        "heavy": 4,
    },
    "full": {
        "indicator": 300,
        "ranking": 5,
        "chat_users": 40,
        "chat_rounds": 2,
        "dispatch": 900,
        "wa_people": 40,
        "wa_rounds": 5,
        "wa_dispatch": 800,
        "imports": (1000, 10_000, 100_000),
        "dashboard": {"pages": 300, "desa": 100, "kabupaten": 20, "national": 5, "charts": 10},
        "heavy": 8,
    },
}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
def main() -> None:
    """Benchmarks of Ngobras Klambi at the scale of a kabupaten, a province or the whole country."""


def _progress(label: str, total: int) -> Callable[[int], None]:
    bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_pos=True)
    bar.__enter__()
    done = [0]

    def step(n: int) -> None:
        bar.update(n)
        done[0] += n
        if done[0] >= total:
            bar.__exit__(None, None, None)

    return step


@main.command()
@click.option("--quick", is_flag=True, help="A kabupaten (Lumajang, 198 desa) and small samples: under a minute.")
@click.option("--size", "size_name", default=None, help="quick, national, or area codes (35 or 35.08,33).")
@click.option("--database", type=click.Choice(["sqlite", "postgresql"]), default="sqlite", show_default=True)
@click.option("--url", help="PostgreSQL server URL (a database klambi_bench_<size> is created there).")
@click.option("--path", "sqlite_dir", type=click.Path(path_type=Path), default=Path("bench-data"), show_default=True)
@click.option("--reuse", is_flag=True, help="Keep a deployment generated before (same size and database).")
@click.option("--only", multiple=True, type=click.Choice(MEASUREMENTS), help="Only these measurements (repeatable).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("results.json"), show_default=True)
def run(
    quick: bool,
    size_name: str | None,
    database: str,
    url: str | None,
    sqlite_dir: Path,
    reuse: bool,
    only: tuple[str, ...],
    output: Path,
) -> None:
    """Generate the deployment (unless --reuse), measure, and write the results as JSON."""
    from benchmarks.generate import Size

    size = Size.named("quick" if quick or not size_name else size_name)
    samples = SIZES["quick" if size.name == "quick" else "full"]
    results = asyncio.run(_run(size, database, url, sqlite_dir, reuse, only or MEASUREMENTS, samples))
    previous = json.loads(output.read_text()) if output.exists() and reuse else {}
    if previous.get("size") == results["size"] and previous.get("database") == results["database"]:
        if only:  # the other measurements stay as they were
            results["measurements"] = previous.get("measurements", {}) | results["measurements"]
        results["generation"] = results.get("generation") or previous.get("generation")
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    click.echo(f"results: {output}", err=True)


async def _database_url(database: str, url: str | None, size: str, sqlite_dir: Path, fresh: bool) -> str:
    name = "klambi_bench_" + "".join(c if c.isalnum() else "_" for c in size)
    if database == "sqlite":
        path = sqlite_dir / f"{name}.db"
        if fresh:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    if not url:
        raise click.UsageError("--database postgresql needs --url (scripts/postgres start DIR PORT prints one)")
    import asyncpg
    from sqlalchemy.engine import make_url

    from bot.config import async_database_url

    server = make_url(async_database_url(url))
    if fresh:
        connection = await asyncpg.connect(server.set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await connection.execute(f"CREATE DATABASE {name}")
        finally:
            await connection.close()
    return server.set(database=name).render_as_string(hide_password=False)


async def _run(
    size: Any, database: str, url: str | None, sqlite_dir: Path, reuse: bool, names: tuple[str, ...], samples: dict
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from benchmarks import chat, dashboard, heavy, imports, whatsapp
    from benchmarks import database as db
    from benchmarks.generate import NOW, generate
    from bot.app import App
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.db import upgrade
    from models.tables import Desa

    db_url = await _database_url(database, url, size.name, sqlite_dir, fresh=not reuse)
    settings = Settings(database={"url": db_url}, storage={"path": sqlite_dir / "files"})
    app = App.create(settings, ManualClock(NOW))
    results: dict[str, Any] = {
        "size": size.name,
        "database": database,
        "machine": _machine(),
        "generation": None,
        "measurements": {},
    }
    try:
        await upgrade(app.engine)
        async with app.sessions() as session:
            existing = await session.scalar(select(func.count(Desa.kode)))
        if not existing:
            start = time.perf_counter()
            generated = await generate(app, size, _progress)
            generated.seconds = round(time.perf_counter() - start, 1)
            results["generation"] = generated.__dict__
            click.echo(f"generated: {generated}", err=True)
        steps = {
            "indicator": lambda: db.indicator(app, samples["indicator"]),
            "ranking_national": lambda: db.ranking_national(app, samples["ranking"]),
            "ranking_kabupaten": lambda: db.ranking_kabupaten(app, samples["ranking"] * 4),
            "plan_year": lambda: db.plan_year(app),
            "sweep_morning": lambda: db.sweep_morning(app),
            "chat": lambda: chat.throughput(app, db_url, samples["chat_users"], samples["chat_rounds"]),
            "dispatch": lambda: chat.dispatch(app, samples["dispatch"]),
            "whatsapp_webhook": lambda: whatsapp.webhook(
                app, db_url, samples["wa_people"], samples["wa_rounds"], results["measurements"].get("chat")
            ),
            "whatsapp_dispatch": lambda: whatsapp.dispatch(app, samples["wa_dispatch"]),
            "dashboard": lambda: dashboard.pages(app, db_url, samples["dashboard"]),
            "heavy": lambda: heavy.builds(app, samples["heavy"]),
            "record_import": lambda: imports.record_import(app, db_url, samples["imports"]),
        }
        for name in MEASUREMENTS:
            if name not in names:
                continue
            click.echo(f"measuring {name} …", err=True)
            start = time.perf_counter()
            figures = await steps[name]()
            figures["wall_seconds"] = round(time.perf_counter() - start, 1)
            results["measurements"][name] = figures
            click.echo(f"  {name}: {json.dumps(figures, ensure_ascii=False)}", err=True)
    finally:
        await app.close()
    return results


def _machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="e.g. docs/performance-results/newcomer.json")
@click.option("--keep", is_flag=True, help="Keep the temporary clone (its path is printed).")
def newcomer(output: Path | None, keep: bool) -> None:
    """A newcomer's path timed: clone, install, `klambi setup --yes`, `klambi run`, a secretary's /kirim."""
    from benchmarks.newcomer import main as measure

    measure(output, keep)


@main.command()
@click.option("--quick", is_flag=True, help="A small corpus (16 documents) instead of the whole one.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="e.g. docs/performance-results/reading.json")
def reading(quick: bool, output: Path | None) -> None:
    """Reading documents: precision, recall and pages per second of the reader on the generated corpus."""
    from benchmarks.reading import main as measure

    measure(output, quick)


@main.command()
@click.argument("results", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("docs/performance.md"), show_default=True)
@click.option("--notes", type=click.Path(path_type=Path), default=NOTES, show_default=True, help="Appended as is.")
def render(results: tuple[Path, ...], output: Path, notes: Path) -> None:
    """Write docs/performance.md from results files (one per database)."""
    from benchmarks.report import render_markdown

    text = notes.read_text() if notes.is_file() else ""
    output.write_text(render_markdown([json.loads(p.read_text()) for p in results], text))
    click.echo(f"written: {output}", err=True)


if __name__ == "__main__":
    main()
