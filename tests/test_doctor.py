"""`klambi doctor` against a live deployment on this machine: the Telegram and WhatsApp sandboxes over real HTTP, the
real web application (health route and WhatsApp webhook) listening, the real database (both kinds). All green first,
then each check made to fail once, the JSON format, and `--notify`."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.channels.whatsapp.webhook import WhatsAppWebhook
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import make_engine
from bot.reading import ocr
from bot.sandbox.telegram import BotApiSandbox
from bot.sandbox.whatsapp import GraphSandbox
from bot.web.server import WebApp
from models.tables import Contact, Obligation, OutboxMessage, Person, Role, RoleAssignment, ScopeKind
from tests.conftest import DEFAULT_NOW, query
from tests.test_cli import DESA, JATIROTO

TG_TOKEN = "123456:SANDBOX-TOKEN"
WA = {
    "phone_number_id": "100200300",
    "access_token": "EAAG-doctor-secret",
    "app_secret": "app-secret-doctor",
    "verify_token": "verify-doctor-secret",
    "waba_id": "900800700",
    "business_number": "6281100000000",
}
SECRETS = (TG_TOKEN, WA["access_token"], WA["app_secret"], WA["verify_token"])


class Live:
    """The sandboxes and the bot's web application, in a thread of their own (the CLI runs its own loop)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self._start())

    def call(self, work):
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(60)

    async def _start(self) -> None:
        self.telegram = BotApiSandbox(TG_TOKEN)
        await self.telegram.start()
        self.graph = GraphSandbox(access_token=WA["access_token"], app_secret=WA["app_secret"], auto_approve=True)
        await self.graph.start()
        settings = Settings(
            database={"url": self.database_url}, web={"port": 0}, whatsapp=WA | {"graph_url": self.graph.graph_url}
        )
        self.app = App.create(settings, ManualClock(DEFAULT_NOW))
        self.webapp = WebApp(settings.web)
        WhatsAppWebhook(self.app, self.webapp, lambda: None, lambda: None)
        await self.webapp.start()
        self.web_url = self.webapp.local_url().rstrip("/")

    async def _stop(self) -> None:
        await self.webapp.stop()
        await self.app.close()
        await self.graph.stop()
        await self.telegram.stop()

    def close(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def environment(self) -> dict[str, str]:
        env = {
            "TELEGRAM__TOKEN": TG_TOKEN,
            "TELEGRAM__BASE_URL": self.telegram.base_url,
            "TELEGRAM__BASE_FILE_URL": self.telegram.base_file_url,
            "WEB__PUBLIC_URL": self.web_url,
            "WHATSAPP__GRAPH_URL": self.graph.graph_url,
        }
        env |= {f"WHATSAPP__{key.upper()}": value for key, value in WA.items()}
        return {f"KLAMBI_{key}": value for key, value in env.items()}


@pytest.fixture
def live(database_url, klambi, tmp_path, monkeypatch) -> Iterator[Live]:
    """A healthy deployment: both channels configured and answering, the web address up, templates approved, the
    kecamatan loaded, a fresh backup in [backup] path, storage writable."""
    world = Live(database_url)
    for name, value in world.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KLAMBI_BACKUP__PATH", str(tmp_path / "backups"))
    (tmp_path / "files").mkdir()
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    assert klambi("whatsapp", "templates", "push").code == 0
    assert klambi("backup").code == 0
    try:
        yield world
    finally:
        world.close()


def _line(out: str, label: str) -> str:
    found = [line for line in out.splitlines() if f" {label}:" in line]
    assert len(found) == 1, out
    return found[0]


def _assert_fails(result, label: str, *words: str) -> str:
    assert result.code == 1, result
    line = _line(result.out, label)
    assert line.startswith("✗ ") and " — " in line, line
    for word in words:
        assert word in line, line
    for secret in SECRETS:
        assert secret not in result.out + result.err
    return line


async def _add_person(
    database_url: str, name: str, role: Role, scope: str | None, *, reachable: bool = True, user_id: str = "5001"
) -> int:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            person_id = (
                await connection.execute(
                    Person.__table__.insert().values(name=name, created_at=DEFAULT_NOW).returning(Person.id)
                )
            ).scalar_one()
            kind = ScopeKind.DEPLOYMENT if scope is None else ScopeKind.DESA
            await connection.execute(
                RoleAssignment.__table__.insert().values(
                    person_id=person_id, role=role, scope_kind=kind, scope_code=scope, granted_at=DEFAULT_NOW
                )
            )
            await connection.execute(
                Contact.__table__.insert().values(
                    person_id=person_id,
                    channel="telegram",
                    user_id=user_id,
                    linked_at=DEFAULT_NOW,
                    unreachable_since=None if reachable else DEFAULT_NOW,
                )
            )
        return person_id
    finally:
        await engine.dispose()


async def _execute(database_url: str, statement) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(statement)
    finally:
        await engine.dispose()


def test_all_green_exits_0_with_a_check_mark_on_every_line(live, klambi):
    result = klambi("doctor")
    assert result.code == 0, result
    lines = result.out.splitlines()
    checks = lines[:-1]
    green = [line for line in checks if not line.startswith("– Membaca dokumen:")]  # said, not green, sans Tesseract
    assert len(checks) == 14 and len(green) == 14 - (not ocr.available()), result.out
    assert all(line.startswith("✓ ") for line in green), result.out
    assert lines[-1] == "Semua pemeriksaan lolos."
    assert "@ngobras_klambi_bot" in _line(result.out, "Token Telegram")
    assert "mode polling" in _line(result.out, "Webhook Telegram")
    assert "6281100000000" in _line(result.out, "Nomor WhatsApp")
    assert "jabat tangan" in _line(result.out, "Webhook WhatsApp")
    assert live.web_url + "/healthz" in _line(result.out, "Alamat web")
    for secret in SECRETS:
        assert secret not in result.out


def test_json_lists_every_check_for_a_monitor(live, klambi):
    result = klambi("doctor", "--format", "json")
    assert result.code == 0, result
    checks = json.loads(result.out)
    assert [c["check"] for c in checks] == [
        "config",
        "database",
        "telegram_token",
        "telegram_webhook",
        "whatsapp_number",
        "whatsapp_webhook",
        "whatsapp_templates",
        "web",
        "clock",
        "storage",
        "reading",
        "backup",
        "reminders",
        "reachable",
    ]
    assert all(set(c) == {"check", "ok", "skipped", "detail", "fix"} for c in checks)
    assert all(c["ok"] and c["fix"] is None for c in checks)
    assert [c["check"] for c in checks if c["skipped"]] == ([] if ocr.available() else ["reading"])
    live.telegram.token = "999:OTHER"  # the token klambi has is no longer the bot's
    failed = klambi("doctor", "--format", "json")
    assert failed.code == 1
    by_name = {c["check"]: c for c in json.loads(failed.out)}
    assert not by_name["telegram_token"]["ok"] and "@BotFather" in by_name["telegram_token"]["fix"]
    assert by_name["telegram_webhook"]["skipped"]


def test_reading_says_whether_scans_are_read_and_never_fails(live, klambi, tmp_path, monkeypatch):
    """Tesseract missing is said (scans are not read, how to add it), never a failure: the bot works without it."""
    monkeypatch.setattr(ocr, "available", lambda: False)
    result = klambi("doctor", "--format", "json")
    reading = {c["check"]: c for c in json.loads(result.out)}["reading"]
    assert reading["ok"] and reading["skipped"] and "tesseract-ocr-ind" in reading["detail"]
    monkeypatch.setattr(ocr, "available", lambda: True)
    reading = {c["check"]: c for c in json.loads(klambi("doctor", "--format", "json").out)}["reading"]
    assert reading["ok"] and not reading["skipped"] and "pindaian dan foto" in reading["detail"]


def test_a_configuration_that_does_not_load_fails_the_first_check(live, klambi, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nmax_file_mb = "banyak"\n')
    result = klambi("--config", str(config), "doctor")
    _assert_fails(result, "Konfigurasi", "storage.max_file_mb", "klambi setup")


def test_no_channel_configured_fails_the_configuration_and_skips_the_channels(live, klambi, monkeypatch):
    monkeypatch.delenv("KLAMBI_TELEGRAM__TOKEN")
    monkeypatch.delenv("KLAMBI_WHATSAPP__PHONE_NUMBER_ID")
    result = klambi("doctor")
    _assert_fails(result, "Konfigurasi", "KLAMBI_TELEGRAM__TOKEN")
    assert _line(result.out, "Token Telegram").startswith("– ")
    assert _line(result.out, "Nomor WhatsApp").startswith("– ")


def test_a_wrong_telegram_token(live, klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_TELEGRAM__TOKEN", "123456:WRONG-TOKEN")
    result = klambi("doctor")
    _assert_fails(result, "Token Telegram", "401", "@BotFather")
    assert "WRONG-TOKEN" not in result.out
    assert _line(result.out, "Webhook Telegram").startswith("– ")


def test_a_webhook_telegram_posts_elsewhere(live, klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("KLAMBI_TELEGRAM__WEBHOOK_SECRET", "s" * 32)
    _set_webhook(live, "https://old.example.go.id/telegram")
    result = klambi("doctor")
    _assert_fails(result, "Webhook Telegram", "https://old.example.go.id/telegram", live.web_url + "/telegram")
    _set_webhook(live, live.web_url + "/telegram")
    assert klambi("doctor").code == 0
    monkeypatch.setenv("KLAMBI_TELEGRAM__MODE", "polling")  # a webhook left over while the bot polls
    _assert_fails(klambi("doctor"), "Webhook Telegram", "polling", live.web_url + "/telegram")


def _set_webhook(live: Live, url: str) -> None:
    body = urllib.parse.urlencode({"url": url}).encode()
    with urllib.request.urlopen(f"{live.telegram.base_url}{TG_TOKEN}/setWebhook", body) as answer:
        assert json.load(answer)["ok"]
    live.telegram.webhook_paused = True


async def _downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    from bot.db import alembic_config

    def run(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


def test_the_database_at_an_older_migration(live, klambi, database_url):
    asyncio.run(_downgrade(database_url, "0013"))
    result = klambi("doctor")
    _assert_fails(result, "Basis data", "0013", "0014", "klambi db upgrade")
    assert _line(result.out, "Pengingat minggu ini").startswith("– ")
    assert klambi("db", "upgrade").code == 0
    assert klambi("doctor").code == 0


def test_a_wrong_whatsapp_token(live, klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_WHATSAPP__ACCESS_TOKEN", "EAAG-wrong-one")
    result = klambi("doctor")
    _assert_fails(result, "Nomor WhatsApp", "401", "KLAMBI_WHATSAPP__ACCESS_TOKEN")
    assert "EAAG-wrong-one" not in result.out
    assert _line(result.out, "Templat WhatsApp").startswith("– ")


def test_a_whatsapp_number_that_is_not_the_configured_one(live, klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_WHATSAPP__BUSINESS_NUMBER", "6289999999999")
    _assert_fails(klambi("doctor"), "Nomor WhatsApp", "6281100000000", "business_number")


def test_a_whatsapp_webhook_with_the_wrong_verify_token(live, klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_WHATSAPP__VERIFY_TOKEN", "verify-token-meta-does-not-have")
    result = klambi("doctor")
    _assert_fails(result, "Webhook WhatsApp", "403", "verify token")
    assert "verify-token-meta-does-not-have" not in result.out


def test_no_app_subscribed_to_the_whatsapp_business_account(live, klambi):
    assert "aplikasi berlangganan WABA" in _line(klambi("doctor").out, "Webhook WhatsApp")
    live.graph.subscribed_apps = []
    _assert_fails(klambi("doctor"), "Webhook WhatsApp", "tidak ada aplikasi", "messages")


def test_a_wrong_option_is_a_cli_error_in_one_line(klambi):
    result = klambi("doctor", "--format", "xml")
    assert result.code == 2 and result.out == "" and result.err.count("\n") == 1, result


def test_a_whatsapp_template_not_approved(live, klambi):
    name = next(iter(live.graph.templates))[0]
    live.call(_set_status(live, name, "REJECTED"))
    _assert_fails(klambi("doctor"), "Templat WhatsApp", f"{name} (REJECTED)", "templates push")


async def _set_status(live: Live, name: str, status: str) -> None:
    live.graph.set_template_status(name, status)


def test_the_web_address_down(live, klambi, monkeypatch):
    live.call(live.webapp.stop())
    result = klambi("doctor")
    _assert_fails(result, "Alamat web", live.web_url + "/healthz", "klambi run")


def test_the_clock_not_synchronised(live, klambi, monkeypatch, tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "timedatectl"
    fake.write_text('#!/bin/sh\n[ "$*" = "show -p NTPSynchronized --value" ] && echo no\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    _assert_fails(klambi("doctor"), "Zona waktu dan jam", "NTP", "timedatectl set-ntp true")
    fake.write_text("#!/bin/sh\necho yes\n")
    assert "disinkronkan NTP" in _line(klambi("doctor").out, "Zona waktu dan jam")


def test_unwritable_storage(live, klambi, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("KLAMBI_STORAGE__PATH", str(blocked))
    _assert_fails(klambi("doctor"), "Penyimpanan", str(blocked), "chown")


def test_no_backup_then_an_old_one(live, klambi, monkeypatch, tmp_path):
    monkeypatch.setenv("KLAMBI_BACKUP__PATH", str(tmp_path / "other-backups"))
    _assert_fails(klambi("doctor"), "Cadangan", "belum ada", "klambi-backup.timer")
    assert klambi("backup", now=DEFAULT_NOW - timedelta(days=3)).code == 0
    _assert_fails(klambi("doctor"), "Cadangan", "3 hari", "batas 2 hari")
    assert klambi("backup", now=DEFAULT_NOW - timedelta(hours=5)).code == 0
    assert "5 jam" in _line(klambi("doctor").out, "Cadangan")


def test_nothing_planned_for_a_week_with_an_open_document(live, klambi, database_url):
    asyncio.run(_add_person(database_url, "Siti Sekdes", Role.SEKDES, DESA[0]))
    obligation = query(database_url, select(Obligation.id).where(Obligation.desa_kode == DESA[0]).limit(1))[0][0]
    soon = DEFAULT_NOW.date() + timedelta(days=3)  # an agreed date with a reminder on it this week
    asyncio.run(_execute(database_url, update(Obligation).where(Obligation.id == obligation).values(agreed_date=soon)))
    asyncio.run(_execute(database_url, OutboxMessage.__table__.delete()))
    _assert_fails(klambi("doctor"), "Pengingat minggu ini", "1 dokumen", "klambi run")

    async def plan() -> None:  # what `klambi run` does every hour
        from bot.services.planning import plan_again

        app = App.create(Settings(database={"url": database_url}), ManualClock(DEFAULT_NOW))
        try:
            async with app.sessions() as session, session.begin():
                await plan_again(session, [JATIROTO], DEFAULT_NOW, app.settings.reminders)
        finally:
            await app.close()

    asyncio.run(plan())
    assert "terencana" in _line(klambi("doctor").out, "Pengingat minggu ini")


def test_a_person_who_cannot_be_reached(live, klambi, database_url):
    asyncio.run(_add_person(database_url, "Budi Pendamping", Role.PENDAMPING, DESA[1], reachable=False))
    _assert_fails(klambi("doctor"), "Orang yang bisa dihubungi", "Budi Pendamping", "/start")


def test_notify_tells_each_admin_once_a_day_per_failed_check(live, klambi, database_url, monkeypatch, tmp_path):
    asyncio.run(_add_person(database_url, "Admin Kecamatan", Role.ADMIN, None, user_id="7001"))
    monkeypatch.setenv("KLAMBI_BACKUP__PATH", str(tmp_path / "no-backups-here"))
    notices = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.subject_type == "notice", OutboxMessage.subject_id == "doctor:backup")
    )
    assert klambi("doctor").code == 1
    assert query(database_url, notices)[0][0] == 0  # without --notify nobody is told
    first = klambi("doctor", "--notify")
    assert first.code == 1 and "Admin diberi tahu: 1 pesan." in first.out
    assert query(database_url, notices)[0][0] == 1
    details = query(database_url, select(OutboxMessage.details).where(OutboxMessage.subject_id == "doctor:backup"))
    assert "Cadangan" in json.dumps(details[0][0], ensure_ascii=False)
    again = klambi("doctor", "--notify", now=DEFAULT_NOW + timedelta(hours=3))
    assert again.code == 1 and "Admin diberi tahu" not in again.out
    assert query(database_url, notices)[0][0] == 1
    klambi("doctor", "--notify", now=DEFAULT_NOW + timedelta(days=1))
    assert query(database_url, notices)[0][0] == 2
    assert klambi("doctor", "--notify", "--format", "json").code == 1


def test_doctor_writes_nothing_to_an_unmigrated_sqlite_file(klambi, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "klambi.db"
    monkeypatch.setenv("KLAMBI_DATABASE__URL", f"sqlite:///{missing}")
    monkeypatch.setenv("KLAMBI_TELEGRAM__TOKEN", TG_TOKEN)
    result = klambi("doctor")
    _assert_fails(result, "Basis data", str(missing), "klambi db upgrade")
    assert not missing.exists()
    assert _line(result.out, "Orang yang bisa dihubungi").startswith("– ")


def test_backup_without_output_writes_into_the_backup_path(klambi, tmp_path, monkeypatch):
    monkeypatch.setenv("KLAMBI_BACKUP__PATH", str(tmp_path / "daily"))
    made = klambi("backup")
    assert made.code == 0, made
    written = list((tmp_path / "daily").iterdir())
    assert [p.name for p in written] == ["klambi-backup-20250115T020000Z.tar.gz"]
    assert oct((tmp_path / "daily").stat().st_mode & 0o777) == "0o700"
    assert Path(str(written[0])).stat().st_size > 0
