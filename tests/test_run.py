"""`klambi run` as a real process: it serves whatever Bot API `[telegram] base_url` names, here the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from datetime import datetime

import aiohttp

from bot.clock import ManualClock
from bot.sandbox.telegram import BotApiSandbox
from tests.conftest import WIB

TOKEN = "5151:RUN-process-token_secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_klambi_run_serves_the_bot_api_it_is_pointed_at_and_stops_on_sigterm(database_url, tmp_path):
    """Telegram alone, by long polling: the bot answers, and the dashboard is served beside it."""
    clock = ManualClock(datetime(2025, 1, 15, 9, 0, tzinfo=WIB))
    port = free_port()
    async with BotApiSandbox(token=TOKEN, now=clock.now) as sandbox:
        env = {
            "KLAMBI_WEB__PORT": str(port),
            **{k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")},
            "KLAMBI_DATABASE__URL": database_url,
            "KLAMBI_STORAGE__PATH": str(tmp_path / "files"),
            "KLAMBI_TELEGRAM__TOKEN": TOKEN,
            "KLAMBI_TELEGRAM__BASE_URL": sandbox.base_url,
            "KLAMBI_TELEGRAM__BASE_FILE_URL": sandbox.base_file_url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            stranger = sandbox.user(700, "Tamu", label="Tamu")
            await stranger.send_text("/start")
            await stranger.expect("belum terdaftar", timeout=30)
            assert [c for c, _ in sandbox.commands_for(700)] == ["start", "bantuan"]
            async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}/dasbor") as page:
                assert page.status == 401 and "ketik /dasbor" in await page.text()  # the dashboard: sign in first
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err.decode()
        log = (out + err).decode()
        assert "ready" in log
        assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_klambi_run_serves_whatsapp_and_telegram_in_one_process(database_url, tmp_path):
    """With `[whatsapp]` configured and a Telegram token, one process answers both: a stranger on each app is told
    how to join. No secret reaches the log."""
    from bot.sandbox.whatsapp import GraphSandbox

    secrets = {"access_token": "EAAG-run-access-token", "app_secret": "run-app-secret-value",
               "verify_token": "run-verify-token-value"}  # fmt: skip
    port = free_port()
    clock = ManualClock(datetime(2025, 1, 15, 9, 0, tzinfo=WIB))
    async with (
        BotApiSandbox(token=TOKEN, now=clock.now) as sandbox,
        GraphSandbox(access_token=secrets["access_token"], app_secret=secrets["app_secret"], clock=clock.now) as graph,
    ):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")},
            "KLAMBI_DATABASE__URL": database_url,
            "KLAMBI_STORAGE__PATH": str(tmp_path / "files"),
            "KLAMBI_TELEGRAM__TOKEN": TOKEN,
            "KLAMBI_TELEGRAM__BASE_URL": sandbox.base_url,
            "KLAMBI_TELEGRAM__BASE_FILE_URL": sandbox.base_file_url,
            "KLAMBI_WEB__PORT": str(port),
            "KLAMBI_WHATSAPP__PHONE_NUMBER_ID": graph.phone_number_id,
            "KLAMBI_WHATSAPP__BUSINESS_NUMBER": graph.business_number,
            "KLAMBI_WHATSAPP__GRAPH_URL": graph.graph_url,
            **{f"KLAMBI_WHATSAPP__{key.upper()}": value for key, value in secrets.items()},
        }
        graph.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            on_telegram = sandbox.user(700, "Tamu", label="Tamu")
            await on_telegram.send_text("/start")
            await on_telegram.expect("belum terdaftar", timeout=30)  # the web application listens by now
            assert await graph.verify(secrets["verify_token"], "42") == (200, "42")
            on_whatsapp = graph.person("6281299998888", "Tamu WA")
            await on_whatsapp.say("halo")
            await on_whatsapp.expect("belum terdaftar", timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err.decode()
        log = (out + err).decode()
        for secret in (*secrets.values(), TOKEN.split(":")[1]):
            assert secret not in log
