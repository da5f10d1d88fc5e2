"""`klambi doctor`: whether a deployment is healthy, one check at a time, each with the fix when it fails.

Used by the CLI (`bot/cli/doctor.py`, also run hourly by deploy/klambi-doctor.timer with `--notify`) and the
dashboard's health page (`bot/web/dashboard/health.py`). A check never changes anything (the schema is not
upgraded, no folder is created); the only write is `notify_admins`, which queues outbox notices. Secrets never
reach a detail or a fix: errors are described by their status and the host, never the URL (the Telegram token is
part of the Bot API's path).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import and_, func, select, text

from bot.app import App
from bot.backup import latest_backup
from bot.clock import SystemClock
from bot.config import HEALTH_PATH, Settings
from bot.i18n import Language, t

HTTP_TIMEOUT = 10.0  # seconds per request to an API or to ourselves
MIN_FREE_BYTES = 1024**3  # storage: less than 1 GiB free fails (docs/DECISIONS.md, "Issue 20: doctor's thresholds")
CLOCK_SKEW_SECONDS = 60  # PostgreSQL: the database server's clock and ours may differ this much
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Check:
    check: str  # the check's key: config, database, telegram_token, ...
    ok: bool
    skipped: bool
    detail: str
    fix: str | None

    def line(self, language: Language) -> str:
        label = t(f"doctor.check.{self.check}", language)
        if self.skipped:
            return f"– {label}: {self.detail}"
        if self.ok:
            return f"✓ {label}: {self.detail}"
        return f"✗ {label}: {self.detail} — {self.fix}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class _Checks:
    """The checks of one run, in one language."""

    def __init__(self, app: App, language: Language, web_url: str | None = None) -> None:
        self.app, self.settings, self.language = app, app.settings, language
        self.web_url = web_url or web_base(app.settings)
        self.results: list[Check] = []

    def _t(self, key: str, **values: object) -> str:
        return t(key, self.language, **values)

    def ok(self, check: str, key: str, **values: object) -> Check:
        return self._add(Check(check, True, False, self._t(key, **values), None))

    def skip(self, check: str, key: str, **values: object) -> Check:
        return self._add(Check(check, True, True, self._t(key, **values), None))

    def fail(
        self, check: str, key: str, fix: str, fix_values: dict[str, object] | None = None, **values: object
    ) -> Check:
        return self._add(Check(check, False, False, self._t(key, **values), self._t(fix, **(fix_values or {}))))

    def _add(self, check: Check) -> Check:
        self.results.append(check)
        return check


def _reason(exc: BaseException) -> str:
    """An exception in a few words, never a URL (a Bot API URL holds the token)."""
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    words = type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        words = exc.strerror
    return words


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def config_check(settings: Settings, path: Path | None, language: Language) -> Check:
    """Valid once loaded; then what a running bot needs besides: a channel, WhatsApp's keys, the webhook secret."""
    where = str(path) if path else t("doctor.config.defaults", language)
    if settings.telegram.token is None and not settings.whatsapp.configured:
        return Check(
            "config", False, False, t("doctor.config.no_channel", language), t("doctor.config.no_channel_fix", language)
        )
    if missing := settings.whatsapp.missing():
        return Check(
            "config",
            False,
            False,
            t("doctor.config.missing", language, key=missing),
            t("doctor.config.missing_fix", language, env=missing.upper()),
        )
    if settings.telegram.token and settings.telegram.mode == "webhook" and settings.telegram.webhook_secret is None:
        return Check(
            "config", False, False, t("doctor.config.no_secret", language), t("doctor.config.no_secret_fix", language)
        )
    return Check("config", True, False, t("doctor.config.ok", language, path=where), None)


def config_failed(reason: str, language: Language) -> Check:
    return Check("config", False, False, reason, t("doctor.config.bad_fix", language))


async def run_checks(app: App, config: Check, language: Language, web_url: str | None = None) -> list[Check]:
    """Every check after the configuration's, in the order `klambi doctor` prints them. `web_url`: where this
    application answers when the caller knows better than the settings (a web application on port 0)."""
    checks = _Checks(app, language, web_url)
    checks.results.append(config)
    async with ClientSession(timeout=ClientTimeout(total=HTTP_TIMEOUT)) as http:
        await _database(checks)
        await _telegram(checks, http)
        await _whatsapp(checks, http)
        await _web(checks, http)
    await _clock(checks)
    _storage(checks)
    _reading(checks)
    _backup(checks)
    await _reminders(checks)
    await _reachable(checks)
    return checks.results


# --- database --------------------------------------------------------------------------------------------------


def _head() -> str:
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or "-"


async def _database(checks: _Checks) -> None:
    from bot.db import current_revision

    kind = checks.app.engine.dialect.name
    file = checks.app.engine.url.database
    if kind == "sqlite" and file and file != ":memory:" and not Path(file).is_file():
        checks.fail("database", "doctor.database.no_file", "doctor.database.old_fix", path=file)
        return
    try:
        revision = await current_revision(checks.app.engine)
    except Exception as exc:
        checks.fail("database", "doctor.database.down", "doctor.database.down_fix", reason=_reason(exc))
        return
    head = _head()
    if revision != head:
        checks.fail("database", "doctor.database.old", "doctor.database.old_fix", revision=revision or "-", head=head)
        return
    checks.ok(
        "database", "doctor.database.ok", kind="PostgreSQL" if kind == "postgresql" else "SQLite", revision=revision
    )


def _database_ok(checks: _Checks) -> bool:
    return any(c.check == "database" and c.ok for c in checks.results)


# --- telegram --------------------------------------------------------------------------------------------------


async def _bot_api(http: ClientSession, settings: Settings, method: str) -> tuple[int, dict[str, Any]]:
    assert settings.telegram.token is not None
    url = f"{settings.telegram.base_url}{settings.telegram.token.get_secret_value()}/{method}"
    async with http.get(url) as response:
        try:
            body = await response.json(content_type=None)
        except ValueError:
            body = {}
        return response.status, body if isinstance(body, dict) else {}


async def _telegram(checks: _Checks, http: ClientSession) -> None:
    telegram = checks.settings.telegram
    if telegram.token is None:
        checks.skip("telegram_token", "doctor.skip.no_token")
        checks.skip("telegram_webhook", "doctor.skip.no_token")
        return
    host = _host(telegram.base_url)
    try:
        status, body = await _bot_api(http, checks.settings, "getMe")
    except (TimeoutError, ClientError, OSError) as exc:
        checks.fail("telegram_token", "doctor.unreachable", "doctor.unreachable_fix", host=host, reason=_reason(exc))
        checks.skip("telegram_webhook", "doctor.skip.token_failed")
        return
    if status != 200 or not body.get("ok"):
        checks.fail("telegram_token", "doctor.telegram.rejected", "doctor.telegram.rejected_fix", status=status)
        checks.skip("telegram_webhook", "doctor.skip.token_failed")
        return
    checks.ok("telegram_token", "doctor.telegram.ok", username=body["result"].get("username", "?"))
    try:
        status, body = await _bot_api(http, checks.settings, "getWebhookInfo")
    except (TimeoutError, ClientError, OSError) as exc:
        checks.fail("telegram_webhook", "doctor.unreachable", "doctor.unreachable_fix", host=host, reason=_reason(exc))
        return
    info = body.get("result") or {}
    url = info.get("url") or ""
    if telegram.mode == "polling":
        if url:
            checks.fail("telegram_webhook", "doctor.webhook.polling_set", "doctor.webhook.polling_set_fix", url=url)
        else:
            checks.ok("telegram_webhook", "doctor.webhook.polling_ok")
        return
    expected = checks.settings.telegram_webhook_url
    if not url:
        checks.fail("telegram_webhook", "doctor.webhook.unset", "doctor.webhook.fix")
    elif expected is not None and url != expected:
        checks.fail("telegram_webhook", "doctor.webhook.mismatch", "doctor.webhook.fix", url=url, expected=expected)
    elif info.get("last_error_message"):
        checks.fail(
            "telegram_webhook",
            "doctor.webhook.error",
            "doctor.webhook.error_fix",
            url=url,
            error=str(info["last_error_message"])[:200],
        )
    else:
        checks.ok("telegram_webhook", "doctor.webhook.ok", url=url)


# --- whatsapp --------------------------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


async def _whatsapp(checks: _Checks, http: ClientSession) -> None:
    whatsapp = checks.settings.whatsapp
    names = ("whatsapp_number", "whatsapp_webhook", "whatsapp_templates")
    if not whatsapp.configured or whatsapp.access_token is None:
        for name in names:
            checks.skip(name, "doctor.skip.no_whatsapp")
        return
    headers = {"Authorization": f"Bearer {whatsapp.access_token.get_secret_value()}"}
    try:
        async with http.get(f"{whatsapp.graph_url}/{whatsapp.phone_number_id}", headers=headers) as response:
            status = response.status
            body = await response.json(content_type=None)
    except (TimeoutError, ClientError, OSError, ValueError) as exc:
        checks.fail(
            "whatsapp_number",
            "doctor.unreachable",
            "doctor.unreachable_fix",
            host=_host(whatsapp.graph_url),
            reason=_reason(exc),
        )
        body, status = None, 0
    if status != 200 or not isinstance(body, dict):
        if status:
            error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
            reason = f"{status} {error.get('message', '')}".strip()[:200]
            checks.fail("whatsapp_number", "doctor.whatsapp.rejected", "doctor.whatsapp.rejected_fix", reason=reason)
        checks.skip("whatsapp_webhook", "doctor.skip.whatsapp_failed")
        checks.skip("whatsapp_templates", "doctor.skip.whatsapp_failed")
        return
    number = body.get("display_phone_number", "?")
    if whatsapp.business_number and _digits(number) and _digits(number) != whatsapp.business_number:
        checks.fail(
            "whatsapp_number",
            "doctor.whatsapp.other_number",
            "doctor.whatsapp.other_number_fix",
            number=number,
            configured=whatsapp.business_number,
        )
    else:
        checks.ok("whatsapp_number", "doctor.whatsapp.ok", number=number, name=body.get("verified_name", "?"))
    await _whatsapp_webhook(checks, http, headers)
    await _templates(checks)


async def _whatsapp_webhook(checks: _Checks, http: ClientSession, headers: dict[str, str]) -> None:
    """Meta's verification handshake, tried on our own public URL as Meta would; then the WABA's subscribed apps
    when the Graph API answers that (the sandbox does not: then the detail says it was not checked)."""
    settings = checks.settings
    whatsapp = settings.whatsapp
    if not settings.web.public_url:
        checks.fail("whatsapp_webhook", "doctor.wa_webhook.no_public", "doctor.wa_webhook.no_public_fix")
        return
    url = settings.web.public_url + whatsapp.webhook_path
    assert whatsapp.verify_token is not None
    challenge = "klambi-doctor"
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": whatsapp.verify_token.get_secret_value(),
        "hub.challenge": challenge,
    }
    try:
        async with http.get(url, params=query) as response:
            status, answer = response.status, await response.text()
    except (TimeoutError, ClientError, OSError) as exc:
        status, answer = 0, _reason(exc)
    if status != 200 or answer != challenge:
        checks.fail(
            "whatsapp_webhook",
            "doctor.wa_webhook.refused",
            "doctor.wa_webhook.refused_fix",
            url=url,
            status=status or answer,
        )
        return
    subscription = checks._t("doctor.wa_webhook.not_checked")
    if whatsapp.waba_id:
        try:
            async with http.get(
                f"{whatsapp.graph_url}/{whatsapp.waba_id}/subscribed_apps", headers=headers
            ) as response:
                body = await response.json(content_type=None) if response.status == 200 else None
        except (TimeoutError, ClientError, OSError, ValueError):
            body = None
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            if not body["data"]:
                checks.fail(
                    "whatsapp_webhook", "doctor.wa_webhook.no_subscription", "doctor.wa_webhook.no_subscription_fix"
                )
                return
            subscription = checks._t("doctor.wa_webhook.subscribed")
    checks.ok("whatsapp_webhook", "doctor.wa_webhook.ok", url=url, subscription=subscription)


async def _templates(checks: _Checks) -> None:
    from bot.channels.whatsapp.templates import APPROVED, TEMPLATES, TemplateRegistry
    from bot.errors import InputError

    if not checks.settings.whatsapp.waba_id:
        checks.fail("whatsapp_templates", "doctor.templates.no_waba", "doctor.templates.no_waba_fix")
        return
    try:
        registered = await TemplateRegistry(checks.settings.whatsapp, checks.app.clock).list()
    except InputError as problem:  # its text never holds the token
        checks.fail(
            "whatsapp_templates",
            "doctor.templates.failed",
            "doctor.templates.not_approved_fix",
            reason=t(problem.key, checks.language, **problem.values),
        )
        return
    waiting = [
        f"{tpl.name} ({registered.get((tpl.name, tpl.language), '-')})"
        for tpl in TEMPLATES
        if registered.get((tpl.name, tpl.language)) != APPROVED
    ]
    if waiting:
        checks.fail(
            "whatsapp_templates",
            "doctor.templates.not_approved",
            "doctor.templates.not_approved_fix",
            names=", ".join(waiting),
        )
    else:
        checks.ok("whatsapp_templates", "doctor.templates.ok", count=len(TEMPLATES))


# --- web -------------------------------------------------------------------------------------------------------


def web_base(settings: Settings) -> str:
    if settings.web.public_url:
        return settings.web.public_url
    host = "127.0.0.1" if settings.web.listen in ("0.0.0.0", "::") else settings.web.listen
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.web.port}"


async def _web(checks: _Checks, http: ClientSession) -> None:
    url = checks.web_url + HEALTH_PATH
    try:
        async with http.get(url) as response:
            status = response.status
    except (TimeoutError, ClientError, OSError) as exc:
        checks.fail("web", "doctor.web.down", "doctor.web.down_fix", url=url, reason=_reason(exc))
        return
    if status != 200:
        checks.fail("web", "doctor.web.down", "doctor.web.down_fix", url=url, reason=f"HTTP {status}")
    else:
        checks.ok("web", "doctor.web.ok", url=url)


# --- clock -----------------------------------------------------------------------------------------------------


def ntp_synchronised() -> bool | None:
    """timedatectl's NTPSynchronized: True or False; None without timedatectl (or without systemd running)."""
    tool = shutil.which("timedatectl")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [tool, "show", "-p", "NTPSynchronized", "--value"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    answer = done.stdout.strip().lower()
    if done.returncode != 0 or answer not in ("yes", "no"):
        return None
    return answer == "yes"


async def _clock(checks: _Checks) -> None:
    """The configured time zone; on PostgreSQL the database server's clock against this machine's; and NTP
    synchronisation when timedatectl can tell. The machine's real clock is compared (`SystemClock`), not `--now`."""
    zone = checks.settings.bot.timezone
    local = SystemClock().now().astimezone(ZoneInfo(zone))
    zone_text = f"{zone} ({local:%H:%M %Z})"
    hows: list[str] = []
    if checks.app.engine.dialect.name == "postgresql" and _database_ok(checks):
        async with checks.app.engine.connect() as connection:
            server = (await connection.execute(text("SELECT now()"))).scalar_one()
        seconds = int(abs((server - SystemClock().now()).total_seconds()))
        if seconds > CLOCK_SKEW_SECONDS:
            checks.fail("clock", "doctor.clock.database", "doctor.clock.fix", seconds=seconds)
            return
        hows.append(checks._t("doctor.clock.database", seconds=seconds))
    synced = ntp_synchronised()
    if synced is False:
        checks.fail("clock", "doctor.clock.ntp_no", "doctor.clock.fix")
        return
    hows.append(checks._t("doctor.clock.ntp_yes" if synced else "doctor.clock.ntp_unknown"))
    checks.ok("clock", "doctor.clock.ok", zone=zone_text, how="; ".join(hows))


# --- storage and backups ---------------------------------------------------------------------------------------


def _size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} B"


def _reading(checks: _Checks) -> None:
    """Whether documents are read, and scans and photos too. Without Tesseract the bot works as before (only text is
    read): said, never a failure."""
    settings = checks.settings.reading
    if not settings.enabled:
        checks.skip("reading", "doctor.reading.off")
    elif not settings.ocr:
        checks.skip("reading", "doctor.reading.text_only")
    else:
        from bot.reading import ocr

        if ocr.available():
            checks.ok("reading", "doctor.reading.ok")
        else:
            checks.skip("reading", "doctor.reading.no_tesseract")


def _storage(checks: _Checks) -> None:
    path = checks.settings.storage.path
    fix_values = {"path": path}
    try:
        if not path.exists():  # made at the first file (bot.storage): its nearest folder must let it be made
            parent = next(p for p in path.absolute().parents if p.exists())
            if not (parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)):
                raise PermissionError(0, f"{parent}: " + ("tidak bisa ditulis" if checks.language == "id" else
                                                          "not writable"))  # fmt: skip
            free = shutil.disk_usage(parent).free
        elif not path.is_dir():
            raise NotADirectoryError(0, "bukan folder" if checks.language == "id" else "not a folder")
        else:
            with tempfile.NamedTemporaryFile(dir=path, prefix=".klambi-doctor-"):
                pass
            free = shutil.disk_usage(path).free
    except OSError as exc:
        checks.fail(
            "storage",
            "doctor.storage.unwritable",
            "doctor.storage.unwritable_fix",
            fix_values,
            path=path,
            reason=_reason(exc),
        )
        return
    if free < MIN_FREE_BYTES:
        checks.fail(
            "storage",
            "doctor.storage.full",
            "doctor.storage.full_fix",
            path=path,
            free=_size(free),
            limit=_size(MIN_FREE_BYTES),
        )
        return
    checks.ok("storage", "doctor.storage.ok", path=path, free=_size(free))


def _age(checks: _Checks, age: timedelta) -> str:
    if age < timedelta(days=2):
        return checks._t("doctor.age.hours", hours=max(0, int(age.total_seconds() // 3600)))
    return checks._t("doctor.age.days", days=age.days)


def _backup(checks: _Checks) -> None:
    folder = checks.settings.backup.path
    found = latest_backup(folder)
    if found is None:
        checks.fail("backup", "doctor.backup.none", "doctor.backup.fix", folder=folder)
        return
    path, moment = found
    age = checks.app.clock.now() - moment
    limit = checks.settings.backup.max_age_days
    if age > timedelta(days=limit):
        checks.fail("backup", "doctor.backup.old", "doctor.backup.fix", path=path, age=_age(checks, age), limit=limit)
        return
    checks.ok("backup", "doctor.backup.ok", path=path, age=_age(checks, age))


# --- people and reminders --------------------------------------------------------------------------------------


async def _reminders(checks: _Checks) -> None:
    """Open documents (nothing handed in) of a desa whose sekdes or pendamping can be reached, with a reminder date
    (agreed date + an offset) in the next 7 days: then something must be planned in the outbox for that week."""
    from bot.services.contacts import has_reachable_contact
    from models.tables import Desa, Obligation, OutboxMessage, OutboxStatus, Person, Role, RoleAssignment, Submission

    if not checks.settings.reminders.enabled:
        checks.skip("reminders", "doctor.skip.reminders_off")
        return
    if not _database_ok(checks):
        checks.skip("reminders", "doctor.skip.no_database")
        return
    now = checks.app.clock.now()
    today = now.astimezone(ZoneInfo(checks.settings.bot.timezone)).date()
    offsets = checks.settings.reminders.offsets
    earliest, latest = today - timedelta(days=max(offsets)), today + WEEK - timedelta(days=min(offsets))
    async with checks.app.sessions() as session:
        reached = (
            select(RoleAssignment.scope_code)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.role.in_([Role.SEKDES, Role.PENDAMPING]),
                RoleAssignment.revoked_at.is_(None),
                has_reachable_contact(),
            )
        )
        agreed = (
            await session.scalars(
                select(Obligation.agreed_date)
                .join(Desa, Desa.kode == Obligation.desa_kode)
                .where(
                    Obligation.agreed_date.between(earliest, latest),
                    Obligation.desa_kode.in_(reached),
                    ~select(Submission.id).where(Submission.obligation_id == Obligation.id).exists(),
                )
            )
        ).all()
        due = sum(1 for day in agreed if any(today <= day + timedelta(days=o) < today + WEEK for o in offsets))
        planned = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                and_(
                    OutboxMessage.status == OutboxStatus.PLANNED,
                    OutboxMessage.send_at >= now - timedelta(days=1),
                    OutboxMessage.send_at < now + WEEK,
                )
            )
        )
    if due and not planned:
        checks.fail("reminders", "doctor.reminders.missing", "doctor.reminders.fix", due=due)
    elif not due:
        checks.ok("reminders", "doctor.reminders.none_due")
    else:
        checks.ok("reminders", "doctor.reminders.ok", planned=planned)


async def _reachable(checks: _Checks) -> None:
    """People holding a role, with contacts, none of which can be reached (each refused by its channel)."""
    from bot.services.contacts import has_reachable_contact
    from models.tables import Contact, Person, RoleAssignment

    if not _database_ok(checks):
        checks.skip("reachable", "doctor.skip.no_database")
        return
    holding = select(RoleAssignment.person_id).where(RoleAssignment.revoked_at.is_(None))
    async with checks.app.sessions() as session:
        people = await session.scalar(
            select(func.count()).select_from(Person).where(Person.id.in_(holding), Person.forgotten_at.is_(None))
        )
        lost = (
            await session.scalars(
                select(Person.name)
                .where(
                    Person.id.in_(holding),
                    Person.forgotten_at.is_(None),
                    ~has_reachable_contact(),
                    select(Contact.id).where(Contact.person_id == Person.id).exists(),
                )
                .order_by(Person.name)
            )
        ).all()
    if lost:
        names = ", ".join(lost[:5]) + (", …" if len(lost) > 5 else "")
        checks.fail("reachable", "doctor.reachable.some", "doctor.reachable.fix", count=len(lost), names=names)
    else:
        checks.ok("reachable", "doctor.reachable.ok", people=people or 0)


# --- telling the admins ----------------------------------------------------------------------------------------


async def notify_admins(app: App, results: list[Check], language: Language) -> int:
    """Queue a notice to every admin for each failed check, once per check per admin per day (`queue_notice`'s
    key). The number queued now."""
    from bot.chat.messages import OutMessage
    from bot.services.notices import queue_notice
    from models.tables import Kecamatan, Person, Role, RoleAssignment, ScopeKind

    failed = [c for c in results if not c.ok and not c.skipped]
    if not failed:
        return 0
    now = app.clock.now()
    queued = 0
    async with app.sessions() as session, session.begin():
        any_kecamatan = await session.scalar(select(Kecamatan.kode).order_by(Kecamatan.kode).limit(1))
        admins = (
            await session.execute(
                select(Person, RoleAssignment)
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .where(
                    RoleAssignment.role == Role.ADMIN,
                    RoleAssignment.revoked_at.is_(None),
                    Person.forgotten_at.is_(None),
                )
                .order_by(Person.id)
            )
        ).all()
        told: set[int] = set()
        for person, role in admins:
            if person.id in told:
                continue
            told.add(person.id)
            kode = role.scope_code if role.scope_kind == ScopeKind.KECAMATAN and role.scope_code else any_kecamatan
            if kode is None:
                continue  # no kecamatan loaded: an outbox row needs one
            for check in failed:
                label = t(f"doctor.check.{check.check}", language)
                message = OutMessage.of(t("doctor.notice", language, label=label, detail=check.detail, fix=check.fix))
                queued += await queue_notice(
                    session,
                    kecamatan_kode=kode,
                    person=person,
                    role=Role.ADMIN.value,
                    key=f"doctor:{check.check}",
                    message=message,
                    now=now,
                )
    return queued


async def health(app: App, config_path: Path | None, language: Language, web_url: str | None = None) -> list[Check]:
    """Every check for a running application whose settings are loaded (the dashboard)."""
    return await run_checks(app, config_check(app.settings, config_path, language), language, web_url)
