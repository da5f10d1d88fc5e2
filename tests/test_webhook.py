"""Webhook mode: Telegram (the sandbox) POSTs updates with the secret token; several workers behind a proxy on one
database serve the same bot, and the same update given to two workers at once is handled once."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import socket
import sys
from contextlib import AsyncExitStack
from datetime import datetime

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram.webhook import SECRET_HEADER, serving_webhook
from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.telegram import BotApiSandbox, RoundRobinProxy
from bot.services.calendar import load_calendar
from bot.services.inbox import pending_count
from bot.services.people import create_invitation
from bot.services.places import import_area
from bot.web import HEALTH_PATH, MAX_BODY_BYTES
from models.tables import Draft, Invitation, Person, RoleAssignment, StartAttempt, Submission, SubmissionFile
from tests.conftest import WIB
from tests.world import JATIROTO, JPEG, PDF, ROJOPOLO, Role

TOKEN = "4343:WEBHOOK-token_for-tests"
SECRET = "s3cret-Webhook_token-0123456789"


def _settings(database_url: str, tmp_path, sandbox: BotApiSandbox, **telegram: object) -> Settings:
    return Settings(
        database={"url": database_url},
        storage={"path": tmp_path / "files"},
        reminders={"enabled": False},
        telegram={"token": TOKEN, "base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url}
        | {"mode": "webhook", "webhook_secret": SECRET}
        | telegram,
        web={"port": 0},
    )


@pytest.fixture
async def workers(database_url, tmp_path):
    """The sandbox, two webhook workers (two Applications, two engines) on one database, and a proxy in front."""
    clock = ManualClock(datetime(2024, 9, 27, 10, 0, tzinfo=WIB))
    async with AsyncExitStack() as stack:
        sandbox = await stack.enter_async_context(BotApiSandbox(token=TOKEN, now=clock.now))
        apps = [App.create(_settings(database_url, tmp_path, sandbox), clock) for _ in range(2)]
        for app in apps:
            stack.push_async_callback(app.close)
        async with apps[0].sessions() as session, session.begin():
            await import_area(session, JATIROTO, clock.now(), [2024, 2025], await load_calendar(session))
        servers = [await stack.enter_async_context(serving_webhook(app, TOKEN, jobs=False)) for app in apps]
        proxy = await stack.enter_async_context(RoundRobinProxy([s.url for s in servers]))
        await servers[0].application.bot.set_webhook(proxy.url, secret_token=SECRET)
        yield sandbox, apps, servers, proxy


async def _invite(app: App, role: Role, place: str) -> str:
    async with app.sessions() as session, session.begin():
        return (await create_invitation(session, role, place, app.clock.now())).code


async def handled(apps: list[App], servers) -> None:
    """Wait until every update the workers stored has been handled (the webhook answers once the update is stored;
    the inbox workers serve it after)."""
    for _ in range(600):
        for hook in servers:
            hook.inbox.wake()
        for hook in servers:
            await hook.inbox.idle()
        async with apps[0].sessions() as session:
            if await pending_count(session) == 0:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the inbox kept updates pending")


async def _count(app: App, table) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_a_request_without_the_secret_token_gets_403_and_changes_nothing(workers):
    sandbox, apps, servers, _ = workers
    user = sandbox.user(101, "Siti", label="Siti")
    code = await _invite(apps[0], Role.SEKDES, ROJOPOLO)
    sandbox.webhook_paused = True
    await user.send_text(f"/start {code}")
    update_id = sandbox.last_update_id
    for secret in ("", "wrong-secret-0123456789", SECRET[:-1], SECRET + "x"):
        assert await sandbox.push(update_id, servers[0].url, secret=secret) == 403
    async with ClientSession() as client, client.get(servers[1].url) as reply:
        assert reply.status == 403  # no secret, not even a POST: nothing is told
    garbage = {"data": b"not json", "headers": {SECRET_HEADER: SECRET}}
    async with ClientSession() as client, client.post(servers[1].url, **garbage) as reply:
        assert reply.status == 400
    assert await _count(apps[0], Person) == 0 and user.messages == []
    sandbox.webhook_paused = False
    await user.expect("Selamat datang")
    assert await _count(apps[0], Person) == 1


async def test_two_workers_behind_a_proxy_serve_one_bot(workers):
    sandbox, apps, servers, proxy = workers
    sekdes = sandbox.user(101, "Siti", label="Sekdes Rojopolo")
    staf = sandbox.user(201, "Kasi Pem", label="Kasi Pemerintahan")
    await sekdes.send_text(f"/start {await _invite(apps[0], Role.SEKDES, ROJOPOLO)}")
    await sekdes.expect("Selamat datang")
    await staf.send_text(f"/start {await _invite(apps[1], Role.STAF, JATIROTO)}")
    await staf.expect("Selamat datang")
    await sekdes.send_text("/kirim")
    await sekdes.press("RKPDes TA 2025 · batas 30 September 2024")
    await sekdes.send_document(PDF, "rkpdes.pdf", "application/pdf")
    await sekdes.send_text("27/09/2024")
    await sekdes.expect("Nomor dokumennya")
    await sekdes.send_text("5 Tahun 2024")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")
    await staf.press("✅ Terima")
    await sekdes.expect("diterima kecamatan")
    assert {target for target, _ in proxy.forwarded} == {s.url for s in servers}  # both workers worked
    assert all(status == 200 for _, status in proxy.forwarded)
    assert await _count(apps[1], Submission) == 1
    info = await servers[1].application.bot.get_webhook_info()
    assert info.url == proxy.url and info.pending_update_count == 0


async def test_the_same_update_at_both_workers_at_once_is_handled_once(workers):
    sandbox, apps, servers, _ = workers
    user = sandbox.user(101, "Siti", label="Siti")
    code = await _invite(apps[0], Role.SEKDES, ROJOPOLO)
    sandbox.webhook_paused = True
    await user.send_text(f"/start {code}")
    update_id = sandbox.last_update_id
    statuses = await asyncio.gather(*(sandbox.push(update_id, s.url) for s in servers))
    assert statuses == [200, 200]
    await handled(apps, servers)
    sandbox.webhook_paused = False  # and Telegram delivers it a third time, through the proxy
    await sandbox.settle()
    await handled(apps, servers)
    assert await _count(apps[0], Person) == 1
    assert await _count(apps[0], RoleAssignment) == 1
    assert await _count(apps[0], StartAttempt) == 0  # nobody was told "already used"
    assert await _count(apps[0], Invitation) == 1
    texts = [m.text for m in user.messages]
    assert len([t for t in texts if "Selamat datang" in t]) == 1 and not [t for t in texts if "sudah dipakai" in t]


async def test_ten_pages_of_an_album_posted_at_once_are_ten_pages(workers):
    """An album arrives as one update per photo; Telegram may POST them all at once (up to `max_connections`), and a
    proxy spreads them over the workers. Each is stored and answered at once; the pages are then added one after
    another by whichever worker serves the person (and under the draft's lock anyway): none is lost."""
    sandbox, apps, servers, proxy = workers
    sekdes = sandbox.user(101, "Siti", label="Sekdes Rojopolo")
    await sekdes.send_text(f"/start {await _invite(apps[0], Role.SEKDES, ROJOPOLO)}")
    await sekdes.expect("Selamat datang")
    await sekdes.send_text("/kirim")
    await sekdes.press("RKPDes TA 2025 · batas 30 September 2024")
    await sekdes.expect("Kirim berkas")
    await sandbox.settle()
    sandbox.webhook_paused = True
    for page in range(10):
        await sekdes.send_photo(JPEG + f"page {page}".encode(), media_group_id="13579")
    album = range(sandbox.last_update_id - 9, sandbox.last_update_id + 1)
    assert await asyncio.gather(*(sandbox.push(update_id, proxy.url) for update_id in album)) == [200] * 10
    await handled(apps, servers)
    async with apps[0].sessions() as session:
        files = (await session.get_one(Draft, 1)).data["files"]
    assert len(files) == 10 and len({f["sha256"] for f in files}) == 10
    counts = sorted(int(m.text.split("(")[1].split()[0]) for m in sekdes.messages if "Halaman diterima" in m.text)
    assert counts == list(range(1, 11))  # each page was told its own place
    sandbox.webhook_paused = False  # Telegram delivers the album again: handled before, nothing more
    await sandbox.settle()
    await sekdes.press("k:next")
    await sekdes.press("k:d:0")
    await sekdes.press("k:skip")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")
    assert await _count(apps[1], SubmissionFile) == 10


async def test_one_persons_updates_alternating_between_two_workers_are_handled_in_order_each_once(workers, monkeypatch):
    """Telegram may POST several updates at once and the proxy spreads them over the workers: one person's updates,
    given alternately to two workers (two Applications, one database) while the first is still being handled, are
    handled one at a time in update_id order, each once, by whichever worker serves that person."""
    from bot.channels.telegram import adapter
    from tests.test_order import Recorder

    sandbox, apps, servers, _ = workers
    sekdes = sandbox.user(101, "Siti", label="Sekdes Rojopolo")
    await sekdes.send_text(f"/start {await _invite(apps[0], Role.SEKDES, ROJOPOLO)}")
    await sekdes.expect("Selamat datang")
    recorder = Recorder(hold="tes 0")
    monkeypatch.setattr(adapter, "dispatch", recorder.dispatch)
    await sekdes.send_text("tes 0")  # held while the rest arrives
    for _ in range(200):
        if recorder.in_flight["101"]:
            break
        await asyncio.sleep(0.02)
    sandbox.webhook_paused = True
    for number in range(1, 13):
        await sekdes.send_text(f"tes {number}")
    burst = range(sandbox.last_update_id - 11, sandbox.last_update_id + 1)
    pushes = [sandbox.push(update_id, servers[n % 2].url) for n, update_id in enumerate(burst)]
    assert await asyncio.gather(*pushes) == [200] * 12
    recorder.release.set()
    await handled(apps, servers)
    assert recorder.ended["101"] == [f"tes {n}" for n in range(13)]
    assert recorder.most["101"] == 1
    sandbox.webhook_paused = False  # Telegram delivers the burst again: handled before, nothing more
    await sandbox.settle()
    await handled(apps, servers)
    assert recorder.ended["101"] == [f"tes {n}" for n in range(13)]


async def test_the_one_web_application_serves_the_telegram_route_health_and_404_and_caps_bodies(workers, caplog):
    """The Telegram route is one route of the shared web application (`bot/web/`): beside it `/healthz`, elsewhere
    404, and a body over the cap gets 413 — but only after the secret was checked: without it, 403 and nothing read."""
    sandbox, apps, servers, _ = workers
    caplog.set_level(logging.INFO)
    hook = servers[0]
    routes = hook.webapp.routes
    assert {p: routes[p] for p in ("/healthz", "/telegram")} == {"/healthz": "health", "/telegram": "telegram"}
    assert all(path.startswith("/dasbor") for path in routes.keys() - {"/healthz", "/telegram"})  # the dashboard
    base = hook.webapp.local_url()
    assert hook.url == base + "/telegram"
    huge = b'{"update_id": 1, "message": "' + b"x" * MAX_BODY_BYTES + b'"}'
    async with ClientSession() as client:
        async with client.get(base + HEALTH_PATH) as reply:
            assert (reply.status, await reply.text()) == (200, "ok")
        for path in ("/", "/telegram/", "/telegramx", "/whatsapp", "/healthz/x"):
            async with client.post(base + path, data=b"{}", headers={SECRET_HEADER: SECRET}) as reply:
                assert reply.status == 404, path
        async with client.post(hook.url, data=io.BytesIO(huge), headers={SECRET_HEADER: SECRET}) as reply:
            assert reply.status == 413
        async with client.post(
            hook.url, data=io.BytesIO(huge), headers={SECRET_HEADER: "wrong-secret-0123456789"}
        ) as reply:
            assert reply.status == 403
        user = sandbox.user(101, "Siti", label="Siti")  # and the route still serves updates after all that
        await user.send_text(f"/start {await _invite(apps[0], Role.SEKDES, ROJOPOLO)}")
        await user.expect("Selamat datang")
    await sandbox.settle()
    for _ in range(100):  # aiohttp writes the access line just after the answer went out
        access = [r.getMessage() for r in caplog.records if r.name == "klambi.web.access"]
        if any('"POST telegram" 200' in line for line in access):
            break
        await asyncio.sleep(0.02)
    assert any('"POST telegram" 200' in line for line in access)
    assert any("refused since the last such line" in line for line in access)
    assert not [line for line in access if SECRET in line or "telegramx" in line or "whatsapp" in line]


ODD_BODIES = [
    b"null", b"[]", b"42", b'"update"', b"{}", b'{"update_id": "7"}', b'{"update_id": true}', b'{"update_id": 7.0}',
    b'{"update_id": 99999999999999999999999}', b'{"update_id": -1}', b"[" * 100_000 + b"]" * 100_000,
    b'{"update_id": 7, "message": 5}', b'{"update_id": 7, "message": {"text": "no date, no chat"}}', b"\xff\xfe{",
]  # fmt: skip


async def test_every_odd_body_gets_400_and_refusals_do_not_flood_the_log(workers, caplog):
    _, apps, servers, _ = workers
    caplog.set_level(logging.INFO)
    caplog.clear()
    async with ClientSession() as client:
        for body in ODD_BODIES:
            async with client.post(servers[0].url, data=body, headers={SECRET_HEADER: SECRET}) as reply:
                assert reply.status == 400, body[:40]
        for _ in range(50):  # someone knocking without the secret
            async with client.post(servers[1].url, data=b"{}", headers={SECRET_HEADER: "x" * 20}) as reply:
                assert reply.status == 403
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "not an update" in m]) == len(ODD_BODIES)  # one line each
    assert len([m for m in messages if "without the right secret token" in m]) == 1
    assert await _count(apps[0], Person) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_klambi_run_in_webhook_mode_sets_the_webhook_serves_and_stops_on_sigterm(database_url, tmp_path):
    async with BotApiSandbox(token=TOKEN) as sandbox:
        port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")},
            "KLAMBI_DATABASE__URL": database_url,
            "KLAMBI_STORAGE__PATH": str(tmp_path / "files"),
            "KLAMBI_TELEGRAM__TOKEN": TOKEN,
            "KLAMBI_TELEGRAM__BASE_URL": sandbox.base_url,
            "KLAMBI_TELEGRAM__BASE_FILE_URL": sandbox.base_file_url,
            "KLAMBI_TELEGRAM__MODE": "webhook",
            "KLAMBI_WEB__PORT": str(port),
            "KLAMBI_WEB__PUBLIC_URL": f"http://127.0.0.1:{port}/",  # webhook_url unset: public_url + webhook_path
            "KLAMBI_TELEGRAM__WEBHOOK_SECRET": SECRET,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            stranger = sandbox.user(700, "Tamu", label="Tamu")
            await stranger.send_text("/start")
            await stranger.expect("belum terdaftar", timeout=30)
            assert await sandbox.push(sandbox.last_update_id, secret="nope-nope-nope-nope") == 403
            [(_, webhook)] = [call for call in sandbox.calls if call[0] == "setWebhook"]
            assert webhook["url"] == f"http://127.0.0.1:{port}/telegram"
            assert int(webhook["max_connections"]) == 10  # not Telegram's 40: see DECISIONS
            async with ClientSession() as client, client.get(f"http://127.0.0.1:{port}/healthz") as reply:
                assert reply.status == 200
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err.decode()
        log = (out + err).decode()
        assert "web listening" in log and "webhook listening" in log and "without the right secret token" in log
        assert '"POST telegram" 200' in log and '"GET health" 200' in log  # the access log names routes
        assert "deprecated" not in log
        assert TOKEN.split(":")[1] not in log and SECRET not in log


def test_klambi_run_refuses_webhook_mode_without_a_secret(klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_TELEGRAM__TOKEN", TOKEN)
    monkeypatch.setenv("KLAMBI_TELEGRAM__MODE", "webhook")
    result = klambi("run")
    assert result.code == 2 and "WEBHOOK_SECRET" in result.err and "perlu kata sandi rahasia" in result.err
    monkeypatch.setenv("KLAMBI_TELEGRAM__WEBHOOK_SECRET", "short")
    result = klambi("run")
    assert result.code == 2 and "webhook_secret" in result.err
    assert "short" not in result.err
