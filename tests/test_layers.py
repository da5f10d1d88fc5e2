"""The layers of docs/architecture.md, checked on the source: what may import what.

A rule broken here is a design slip that no behaviour test would show until a second channel or a second front end
arrives: a handler that talks to Telegram, a service that reaches up into the chat, SQL in the conversations.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "models", "scheduler", "reports")
TELEGRAM_HOMES = ("bot/channels/telegram/", "bot/sandbox/")


def _modules() -> dict[str, ast.Module]:
    found = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            found[path.relative_to(ROOT).as_posix()] = ast.parse(path.read_text(encoding="utf-8"))
    return found


MODULES = _modules()


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offenders(paths: tuple[str, ...], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path, tree in MODULES.items():
        if not path.startswith(paths):
            continue
        bad = sorted(n for n in _imports(tree) if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            found[path] = bad
    return found


def test_only_the_telegram_adapter_and_its_sandbox_import_telegram() -> None:
    offenders = {
        path: names for path, names in _offenders(LAYERS, ("telegram",)).items() if not path.startswith(TELEGRAM_HOMES)
    }
    assert offenders == {}


def test_the_conversations_know_no_channel_and_no_front_end() -> None:
    assert _offenders(("handlers/",), ("bot.channels", "bot.cli", "bot.sandbox", "bot.web", "aiohttp")) == {}


def test_services_models_and_jobs_never_reach_up_into_the_chat() -> None:
    upward = ("handlers", "bot.channels", "bot.cli", "bot.sandbox", "bot.web")
    assert _offenders(("bot/services/", "models/", "scheduler/", "reports/", "bot/chat/", "bot/i18n/"), upward) == {}


def test_no_sql_in_the_conversations() -> None:
    """Queries and writes live in bot/services; a handler calls them (docs/architecture.md)."""
    offenders = {}
    for path, tree in MODULES.items():
        if not path.startswith("handlers/"):
            continue
        calls = [
            node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
        ]
        sql = sorted({c for c in calls if c in ("select", "execute", "scalars", "update", "delete", "insert")})
        allowed = {"sqlalchemy.exc", "sqlalchemy.ext.asyncio"}  # the session's type and the database's errors
        if sql or any(n.split(".")[0] == "sqlalchemy" and n not in allowed for n in _imports(tree)):
            offenders[path] = sql
    assert offenders == {}


def test_the_web_application_knows_no_channel() -> None:
    """Channels add their routes to the one web application; it never reaches for them."""
    assert _offenders(("bot/web/",), ("handlers", "bot.channels", "bot.cli", "telegram")) == {}


def test_the_reader_imports_nothing_of_the_project_outside_bot_reading() -> None:
    """bot/reading runs in a child process started for every document: it stays small, and a hostile file meets no
    database, configuration or channel there."""
    offenders = {
        path: [n for n in names if not (n == "bot.reading" or n.startswith("bot.reading."))]
        for path, names in _offenders(("bot/reading/",), LAYERS).items()
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert any(path.startswith("bot/reading/") for path in MODULES)  # the rule looks at something
