"""`klambi setup`: a guided start in the terminal. It asks (or takes as options) the database, the kecamatan, the
Telegram token and/or the WhatsApp settings (each checked against its API), the year's target and the Kasi
Pemerintahan's name; then it migrates the database, imports the kecamatan with its desa, writes `config.toml` (no
secrets) and `klambi.env` (the secrets, mode 0600), creates the staf's invitation with its QR code and ends with the
one command that runs the bot. Nothing is written before every answer is known and checked."""

from __future__ import annotations

import asyncio
import io
import json
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
import click
from pydantic import SecretStr, ValidationError

from bot.app import App
from bot.cli.common import Context, command, pass_context, ready, replan
from bot.config import (
    DEFAULT_CONFIG_FILE,
    GRAPH_URL,
    Settings,
    TelegramSettings,
    WebSettings,
    WhatsAppSettings,
    async_database_url,
)
from bot.envfile import ENV_FILE_NAME, render_env, write_private
from bot.errors import InputError
from bot.i18n import fmt_datetime, fmt_percent, t
from bot.parsing import parse_figure
from bot.wilayah import Area, find_kecamatan, parent_of, reference_areas, timezone_of_province

T = TypeVar("T")
DEFAULT_DATABASE = "sqlite:///klambi.db"
DEFAULT_TELEGRAM_URL = TelegramSettings.model_fields["base_url"].default
# The LKjIP's own example: Kecamatan Jatiroto's target awal of 2024 (docs/domain.md, "Figures the rules reproduce")
DEFAULT_TARGET = "88,89"
APP_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
LANGUAGE = "id"  # a clerk's first run: before any configuration says otherwise


class _Wrong(Exception):
    """An answer the API or the reference data refused: said, then asked again (with --yes: one line, exit 2)."""

    def __init__(self, problem: InputError, retry: str) -> None:
        super().__init__(problem.key)
        self.problem, self.retry = problem, retry


def mask(secret: str) -> str:
    """A secret as it may be shown: a bot token keeps its bot id (`123456:****`), anything else its first 4."""
    head, colon, _ = secret.partition(":")
    if colon and head.isdigit():
        return f"{head}:****"
    return (secret[:4] if len(secret) > 12 else "") + "****"


# --- finding the kecamatan --------------------------------------------------------------------------------------


def place_line(area: Area) -> str:
    areas = reference_areas()
    kabupaten = areas[parent_of(area.kode) or ""]
    return f"{area.kode} {area.nama}, {kabupaten.nama}, {areas[area.kode[:2]].nama}"


# --- checking the channels --------------------------------------------------------------------------------------


def _file_url(base_url: str) -> str:
    """The Bot API's file URL beside its method URL: .../bot → .../file/bot."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url.rstrip("/") + "/file/bot"


async def check_telegram(token: str, base_url: str) -> str:
    """The bot's username by getMe (the adapter's `bot_username`); `_Wrong` when Telegram refuses the token or
    cannot be reached."""
    from bot.channels.telegram.adapter import bot_username

    try:
        settings = TelegramSettings(token=SecretStr(token), base_url=base_url)
    except ValidationError:
        raise _Wrong(InputError("setup.telegram_token_shape", token=mask(token)), "token") from None
    try:
        return await bot_username(settings)
    except InputError as problem:
        if problem.key == "error.username_token_refused":
            raise _Wrong(InputError("setup.telegram_refused", token=mask(token)), "token") from None
        reason = problem.values.get("reason", "?")
        raise _Wrong(InputError("setup.telegram_unreachable", reason=reason), "token") from None


async def check_whatsapp(settings: WhatsAppSettings) -> tuple[str, str | None]:
    """GET the phone number on the Graph API (and the templates, with a waba_id): its display number, and a line on
    the templates. `_Wrong` when Meta refuses the token or the number."""
    assert settings.access_token is not None
    token = settings.access_token.get_secret_value()
    url = f"{settings.graph_url}/{settings.phone_number_id}"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http,
            http.get(url, headers={"Authorization": f"Bearer {token}"}) as response,
        ):
            status = response.status
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise _Wrong(InputError("setup.whatsapp_unreachable", reason=type(exc).__name__), "access_token") from None
    error = body.get("error") if isinstance(body, dict) else None
    if status == 200 and isinstance(body, dict) and not error:
        templates = await _templates(settings) if settings.waba_id else None
        return str(body.get("display_phone_number") or settings.phone_number_id), templates
    code = error.get("code") if isinstance(error, dict) else None
    if status == 401 or code == 190:
        raise _Wrong(InputError("setup.whatsapp_token_refused", token=mask(token)), "access_token")
    message = str(error.get("message", status)) if isinstance(error, dict) else str(status)
    message = message.replace(token, mask(token))[:200]
    raise _Wrong(
        InputError("setup.whatsapp_number_refused", id=settings.phone_number_id, reason=message), "phone_number_id"
    )


async def _templates(settings: WhatsAppSettings) -> str:
    from bot.channels.whatsapp.templates import APPROVED, TEMPLATES, TemplateRegistry

    try:
        registered = await TemplateRegistry(settings).list()
    except InputError as problem:
        return t("setup.templates_unknown", LANGUAGE, reason=t(problem.key, LANGUAGE, **problem.values))
    approved = sum(1 for tp in TEMPLATES if registered.get((tp.name, tp.language)) == APPROVED)
    return t("setup.templates", LANGUAGE, approved=approved, total=len(TEMPLATES))


# --- the answers ------------------------------------------------------------------------------------------------


@dataclass
class Answers:
    database: str = DEFAULT_DATABASE
    kecamatan: Area | None = None
    telegram_token: str | None = None
    telegram_base_url: str = DEFAULT_TELEGRAM_URL
    telegram_username: str | None = None
    whatsapp: dict[str, str] = field(default_factory=dict)
    whatsapp_display: str | None = None
    whatsapp_templates: str | None = None
    public_url: str | None = None
    storage: Path | None = None  # None: [storage] path's default, ./data
    target: Decimal | None = None
    staf_name: str | None = None

    def whatsapp_settings(self) -> WhatsAppSettings:
        return WhatsAppSettings(**self.whatsapp)  # type: ignore[arg-type]

    def settings(self, storage: Path, timezone: str) -> Settings:
        telegram: dict[str, Any] = {"username": self.telegram_username}
        if self.telegram_token:
            telegram |= {"token": self.telegram_token, "base_url": self.telegram_base_url,
                         "base_file_url": _file_url(self.telegram_base_url)}  # fmt: skip
        return Settings(
            database={"url": self.database},
            telegram=telegram,
            whatsapp=self.whatsapp or {},
            web={"public_url": self.public_url},
            storage={"path": storage},
            bot={"timezone": timezone},
        )


class Asker:
    """Asks a question, or (with --yes) takes the given answer or the default; a required answer missing with --yes
    is one line and exit 2."""

    def __init__(self, unattended: bool) -> None:
        self.unattended = unattended

    def say(self, key: str, **values: Any) -> None:
        click.echo(t(key, LANGUAGE, **values))

    def text(self, key: str, given: str | None, *, default: str | None = None, hide: bool = False,
             missing: InputError | None = None) -> str | None:  # fmt: skip
        if given is not None:
            return given.strip()
        if self.unattended:
            if default is None and missing is not None:
                raise missing
            return default
        answer = click.prompt(t(key, LANGUAGE), default=default if default is not None else "", hide_input=hide,
                              show_default=bool(default) and not hide)  # fmt: skip
        return answer.strip() or None

    def retry(self, problem: InputError) -> None:
        """A refused answer: with --yes the end (exit 2, nothing written), else said before asking again."""
        if self.unattended:
            raise problem
        click.echo(t(problem.key, LANGUAGE, **problem.values), err=True)


def _ask_database(asker: Asker, given: str | None) -> str:
    def attempt() -> str:
        url = asker.text("setup.ask_database", given, default=DEFAULT_DATABASE) or DEFAULT_DATABASE
        try:
            async_database_url(url)
        except ValueError:
            raise _Wrong(InputError("setup.bad_database"), "database") from None
        return url

    return _retrying(asker, attempt, lambda: None)


def _retrying(asker: Asker, attempt: Callable[[], T], forget: Callable[[], None]) -> T:
    """`attempt` until it holds; after a refusal the given option is forgotten so that the question is asked."""
    while True:
        try:
            return attempt()
        except _Wrong as wrong:
            asker.retry(wrong.problem)
            forget()


def _ask_kecamatan(asker: Asker, given: str | None) -> Area:
    given_box = [given]

    def attempt() -> Area:
        text = asker.text("setup.ask_kecamatan", given_box[0], missing=InputError("setup.need_kecamatan"))
        if not text:
            raise _Wrong(InputError("setup.need_kecamatan"), "kecamatan")
        found = find_kecamatan(text)
        if not found:
            raise _Wrong(InputError("setup.kecamatan_not_found", name=text[:60]), "kecamatan")
        if len(found) == 1:
            return found[0]
        if asker.unattended:
            shown = "; ".join(place_line(a) for a in found[:8]) + (f" (+{len(found) - 8})" if len(found) > 8 else "")
            raise InputError("setup.kecamatan_ambiguous", name=text[:60], count=len(found), choices=shown)
        asker.say("setup.several", name=text, count=len(found))
        shown_areas = found[:30]
        for number, area in enumerate(shown_areas, 1):
            click.echo(f"  {number:>2}. {place_line(area)}")
        if len(found) > len(shown_areas):
            asker.say("setup.more", count=len(found) - len(shown_areas))
        choice = click.prompt(t("setup.choose", LANGUAGE), type=click.IntRange(0, len(shown_areas)), default=1)
        if choice == 0:
            raise _Wrong(InputError("setup.choose_again"), "kecamatan")
        return shown_areas[choice - 1]

    def forget() -> None:
        given_box[0] = None

    area = _retrying(asker, attempt, forget)
    asker.say("setup.kecamatan_found", place=place_line(area))
    return area


def _ask_telegram(asker: Asker, answers: Answers, given: str | None) -> None:
    given_box = [given]

    def attempt() -> None:
        token = asker.text("setup.ask_telegram", given_box[0], hide=True)
        if not token:
            answers.telegram_token = None
            return
        answers.telegram_username = asyncio.run(check_telegram(token, answers.telegram_base_url))
        answers.telegram_token = token
        asker.say("setup.telegram_ok", username=answers.telegram_username, token=mask(token))

    def forget() -> None:
        given_box[0] = None

    _retrying(asker, attempt, forget)


WHATSAPP_KEYS = ("phone_number_id", "access_token", "app_secret", "verify_token", "business_number", "waba_id")
HIDDEN = {"access_token", "app_secret", "verify_token"}
BAD_KEYS = {"phone_number_id", "waba_id", "business_number"}


def _ask_whatsapp(asker: Asker, answers: Answers, given: dict[str, str | None], graph_url: str) -> None:
    if given["phone_number_id"] is None and (asker.unattended or not click.confirm(t("setup.use_whatsapp", LANGUAGE))):
        return
    box = dict(given)
    if box["verify_token"] is None and asker.unattended:
        box["verify_token"] = secrets.token_hex(16)  # ours to choose: Meta is told it when the webhook is set up

    def attempt() -> None:
        values: dict[str, str] = {"graph_url": graph_url}
        for key in WHATSAPP_KEYS:
            default = secrets.token_hex(16) if key == "verify_token" else None
            optional = key == "waba_id"
            missing = None if optional else InputError("setup.need_whatsapp_key", option=key.replace("_", "-"))
            answer = asker.text(f"setup.ask_wa.{key}", box[key], hide=key in HIDDEN, default=default, missing=missing)
            if not answer:
                if optional:
                    box[key] = ""  # answered: none
                    continue
                raise _Wrong(InputError("setup.need_whatsapp_key", option=key.replace("_", "-")), key)
            values[key] = answer
            box[key] = answer
        try:
            settings = WhatsAppSettings(**values)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = exc.errors()[0]
            key = str(error["loc"][0]) if error["loc"] else "whatsapp"
            raise _Wrong(InputError(f"setup.whatsapp_bad.{key}" if key in BAD_KEYS else "setup.whatsapp_bad",
                                    key=key), key) from None  # fmt: skip
        answers.whatsapp_display, answers.whatsapp_templates = asyncio.run(check_whatsapp(settings))
        answers.whatsapp = {k: v for k, v in values.items() if k != "graph_url" or v != GRAPH_URL}
        asker.say("setup.whatsapp_ok", number=answers.whatsapp_display, token=mask(values["access_token"]))
        if answers.whatsapp_templates:
            click.echo(answers.whatsapp_templates)

    while True:
        try:
            return attempt()
        except _Wrong as wrong:
            asker.retry(wrong.problem)
            box[wrong.retry] = None


def _ask_public_url(asker: Asker, given: str | None) -> str | None:
    box = [given]

    def attempt() -> str | None:
        url = asker.text("setup.ask_public_url", box[0])
        if not url:
            return None
        try:
            return WebSettings(public_url=url).public_url
        except ValidationError:
            raise _Wrong(InputError("setup.bad_public_url"), "public_url") from None

    def forget() -> None:
        box[0] = None

    return _retrying(asker, attempt, forget)


def _ask_target(asker: Asker, given: str | None) -> Decimal | None:
    box = [given]

    def attempt() -> Decimal | None:
        text = asker.text("setup.ask_target", box[0], default=None if asker.unattended else DEFAULT_TARGET)
        if not text or text == "-":
            return None
        try:
            return parse_figure("--target", text, high=Decimal(100))
        except InputError as problem:
            raise _Wrong(problem, "target") from None

    def forget() -> None:
        box[0] = None

    return _retrying(asker, attempt, forget)


# --- writing ----------------------------------------------------------------------------------------------------


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _database_secret(url: str) -> bool:
    """A database URL with a password belongs in the environment file."""
    return bool(re.match(r"[a-z+]+://[^/@:]*:[^/@]*@", url))


def _absolute_sqlite(url: str) -> str:
    """sqlite:///klambi.db → sqlite:////the/folder/klambi.db (relative to the working directory of the setup)."""
    scheme, sep, rest = url.partition(":///")
    if not sep or not scheme.startswith("sqlite") or rest.startswith("/") or rest.startswith(":memory:"):
        return url
    return f"{scheme}:///{Path(rest).resolve()}"


def render_config(answers: Answers, timezone: str) -> str:
    assert answers.kecamatan is not None
    lines = [
        "# Ngobras Klambi: konfigurasi yang ditulis `klambi setup`.",
        f"# Kecamatan {place_line(answers.kecamatan)}.",
        f"# Rahasia (token, kata sandi) TIDAK di sini: ada di {ENV_FILE_NAME} di folder ini (hanya terbaca",
        "# pemiliknya), yang dibaca otomatis oleh setiap perintah klambi. Semua kunci: config.example.toml.",
        "",
        "[database]",
        "# Basis data: SQLite (satu berkas) atau postgresql://pengguna@host/nama",
    ]
    if _database_secret(answers.database):
        lines.append(f"# url ada di {ENV_FILE_NAME} (KLAMBI_DATABASE__URL): memuat kata sandi")
    else:
        lines.append(f"url = {_toml(answers.database)}")
    if answers.storage is not None:
        lines += ["", "[storage]", "# Folder berkas dokumen yang diunggah", f"path = {_toml(str(answers.storage))}"]
    lines += ["", "[bot]", "# Zona waktu kecamatan: pengingat dikirim pukul 08.00 waktu setempat",
              f"timezone = {_toml(timezone)}"]  # fmt: skip
    if answers.telegram_token:
        lines += ["", "[telegram]", "# Nama bot (@username), dari getMe saat setup; tokennya di " + ENV_FILE_NAME,
                  f"username = {_toml(answers.telegram_username)}",
                  "# polling: bot menjemput pesan sendiri (tanpa alamat publik); webhook: di belakang HTTPS",
                  'mode = "polling"']  # fmt: skip
        if answers.telegram_base_url != DEFAULT_TELEGRAM_URL:
            lines += ["# Bot API selain api.telegram.org (sandbox atau server sendiri)",
                      f"base_url = {_toml(answers.telegram_base_url)}",
                      f"base_file_url = {_toml(_file_url(answers.telegram_base_url))}"]  # fmt: skip
    if answers.whatsapp:
        lines += ["", "[whatsapp]", f"# WhatsApp Cloud API; access_token, app_secret, verify_token di {ENV_FILE_NAME}"]
        for key in ("phone_number_id", "business_number", "waba_id", "graph_url"):
            if key in answers.whatsapp:
                lines.append(f"{key} = {_toml(answers.whatsapp[key])}")
    if answers.public_url:
        lines += ["", "[web]", "# Alamat HTTPS publik (reverse proxy) untuk webhook dan dasbor",
                  f"public_url = {_toml(answers.public_url)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def env_values(answers: Answers) -> dict[str, str]:
    values: dict[str, str] = {}
    if _database_secret(answers.database):
        values["KLAMBI_DATABASE__URL"] = answers.database
    if answers.telegram_token:
        values["KLAMBI_TELEGRAM__TOKEN"] = answers.telegram_token
    for key in ("access_token", "app_secret", "verify_token"):
        if key in answers.whatsapp:
            values[f"KLAMBI_WHATSAPP__{key.upper()}"] = answers.whatsapp[key]
    return values


def _keep_copy(path: Path, private: bool) -> None:
    backup = path.with_name(path.name + ".bak")
    if private:
        write_private(backup, path.read_text(encoding="utf-8"))
    else:
        shutil.copyfile(path, backup)


def qr_text(link: str) -> str:
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue().rstrip("\n")


# --- the command ------------------------------------------------------------------------------------------------


@command("setup")
@click.option("--kecamatan", metavar="NAMA|KODE", help='Nama ("jatiroto", "jatiroto, lumajang") atau kode (35.08.17).')
@click.option("--telegram-token", metavar="TOKEN", help="Token bot dari @BotFather.")
@click.option("--telegram-base-url", metavar="URL", help="Bot API selain api.telegram.org (sandbox, server sendiri).")
@click.option("--whatsapp-phone-number-id", metavar="ID")
@click.option("--whatsapp-access-token", metavar="TOKEN")
@click.option("--whatsapp-app-secret", metavar="RAHASIA")
@click.option("--whatsapp-verify-token", metavar="TOKEN", help="Bawaan: dibuat acak.")
@click.option("--whatsapp-business-number", metavar="NOMOR", help="Nomor kantor, mis. 6281234567890.")
@click.option("--whatsapp-waba-id", metavar="ID", help="Akun WhatsApp Business (untuk templat).")
@click.option("--whatsapp-graph-url", metavar="URL", help=f"Bawaan: {GRAPH_URL}.")
@click.option("--public-url", metavar="URL", help="Alamat HTTPS publik (webhook, dasbor).")
@click.option("--database", "database_url", metavar="URL", help=f"Bawaan: {DEFAULT_DATABASE}.")
@click.option("--target", "target_text", metavar="PERSEN", help="Target kinerja tahun ini, mis. 88,89.")
@click.option("--staf-name", metavar="NAMA", help="Nama Kasi Pemerintahan yang diundang.")
@click.option("--config", "config_option", type=click.Path(path_type=Path), help="Bawaan: ./config.toml.")
@click.option("--yes", "unattended", is_flag=True, help="Tanpa pertanyaan: bawaan dan opsi yang diberikan saja.")
@pass_context
def setup(
    ctx: Context, kecamatan: str | None, telegram_token: str | None, telegram_base_url: str | None,
    whatsapp_phone_number_id: str | None, whatsapp_access_token: str | None, whatsapp_app_secret: str | None,
    whatsapp_verify_token: str | None, whatsapp_business_number: str | None, whatsapp_waba_id: str | None,
    whatsapp_graph_url: str | None, public_url: str | None, database_url: str | None, target_text: str | None,
    staf_name: str | None, config_option: Path | None, unattended: bool,
) -> None:  # fmt: skip
    """Mulai dari nol: kecamatan, aplikasi chat, konfigurasi dan undangan staf, dengan tanya-jawab."""
    config_path = config_option or ctx.config_path or DEFAULT_CONFIG_FILE
    env_path = config_path.parent / ENV_FILE_NAME
    if not config_path.parent.is_dir():
        raise InputError("setup.no_folder", folder=config_path.parent)
    asker = Asker(unattended)
    answers = Answers()
    if not unattended:
        asker.say("setup.welcome")
    answers.database = _ask_database(asker, database_url)
    elsewhere = config_path.parent.resolve() != Path.cwd().resolve()
    if elsewhere:  # the bot may start from another folder (systemd): relative paths are made absolute
        answers.database = _absolute_sqlite(answers.database)
        answers.storage = Path("data").resolve()
    answers.kecamatan = _ask_kecamatan(asker, kecamatan)
    if telegram_base_url:
        try:
            answers.telegram_base_url = TelegramSettings(base_url=telegram_base_url).base_url
        except ValidationError:
            raise InputError("setup.bad_url", option="--telegram-base-url") from None
    given_whatsapp = {
        "phone_number_id": whatsapp_phone_number_id, "access_token": whatsapp_access_token,
        "app_secret": whatsapp_app_secret, "verify_token": whatsapp_verify_token,
        "business_number": whatsapp_business_number, "waba_id": whatsapp_waba_id,
    }  # fmt: skip
    graph_url = (whatsapp_graph_url or GRAPH_URL).rstrip("/")
    while True:
        _ask_telegram(asker, answers, telegram_token)
        _ask_whatsapp(asker, answers, given_whatsapp, graph_url)
        if answers.telegram_token or answers.whatsapp:
            break
        if unattended:
            raise InputError("setup.need_channel")
        asker.say("setup.need_channel")
    answers.public_url = _ask_public_url(asker, public_url)
    answers.target = _ask_target(asker, target_text)
    answers.staf_name = asker.text("setup.ask_staf_name", staf_name)

    for path in (config_path, env_path):
        if path.exists() and not unattended and not click.confirm(t("setup.overwrite", LANGUAGE, path=path)):
            raise click.exceptions.Abort()
    # every answer is known and checked: from here on things are written
    timezone = timezone_of_province(answers.kecamatan.kode[:2])
    settings = answers.settings(answers.storage or Path("data"), timezone)
    invitations = _write_database(ctx, settings, answers)
    for path, private in ((config_path, False), (env_path, True)):
        if path.exists():
            _keep_copy(path, private)
            asker.say("setup.kept_copy", path=path.with_name(path.name + ".bak"))
    config_path.write_text(render_config(answers, timezone), encoding="utf-8")
    asker.say("setup.config_written", path=config_path)
    secrets_values = env_values(answers)
    write_private(env_path, render_env(secrets_values, t("setup.env_header", LANGUAGE)))
    asker.say("setup.env_written", path=env_path, keys=", ".join(secrets_values) or "-")
    _print_invitations(answers, invitations, timezone)
    run_command = "klambi run" if config_path == DEFAULT_CONFIG_FILE else f"klambi --config {config_path} run"
    asker.say("setup.done", command=run_command)


def _write_database(ctx: Context, settings: Settings, answers: Answers) -> list[tuple[str, Any]]:
    from bot.services.calendar import load_calendar
    from bot.services.people import create_invitation
    from bot.services.places import import_area
    from bot.services.targets import set_target
    from models.tables import Role

    assert answers.kecamatan is not None
    kode = answers.kecamatan.kode
    channels = (["telegram"] if answers.telegram_token else []) + (["whatsapp"] if answers.whatsapp else [])

    async def work(app: App) -> list[tuple[str, Any]]:
        await ready(app)
        now = app.clock.now()
        year = now.astimezone(ZoneInfo(settings.bot.timezone)).year
        async with app.sessions() as session, session.begin():
            calendar = await load_calendar(session, LANGUAGE)
            summary = await import_area(session, kode, now, [year, year + 1], calendar)
            await replan(app, session, summary.kecamatan_codes)
            if answers.target is not None:
                await set_target(session, kode, year, now, awal=answers.target)
            made = [(channel, await create_invitation(session, Role.STAF, kode, now, channel=channel))
                    for channel in channels]  # fmt: skip
        click.echo(t("setup.imported", LANGUAGE, kecamatan=answers.kecamatan.nama, desa=summary.desa_added,
                     unchanged=summary.desa_unchanged))  # fmt: skip
        if answers.target is not None:
            click.echo(t("setup.target_set", LANGUAGE, year=year, target=fmt_percent(answers.target, LANGUAGE)))
        return made

    return ctx.run(work, settings)


def _print_invitations(answers: Answers, invitations: list[tuple[str, Any]], timezone: str) -> None:
    from bot.services.links import telegram_invite_link, whatsapp_invite_link
    from bot.services.submissions import zone_label

    name = answers.staf_name or t("setup.kasi", LANGUAGE)
    for channel, created in invitations:
        if channel == "telegram":
            assert answers.telegram_username is not None
            link = telegram_invite_link(answers.telegram_username, created.code)
        else:
            link = whatsapp_invite_link(answers.whatsapp_settings().business_number or "", created.code)
        expires = f"{fmt_datetime(created.expires_at.astimezone(ZoneInfo(timezone)), LANGUAGE)} {zone_label(timezone)}"
        click.echo("")
        click.echo(t("setup.invitation", LANGUAGE, name=name, app=APP_NAMES[channel], scope=created.scope_name,
                     expires=expires))  # fmt: skip
        click.echo(link)
        click.echo(t("invite.code_line", LANGUAGE, code=created.code))
        click.echo(qr_text(link))
