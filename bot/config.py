"""Configuration, validated once at start.

Where it comes from, strongest first: the environment (`KLAMBI_<SECTION>__<KEY>`), then the environment file
(`klambi.env` beside the TOML file, or `$KLAMBI_ENV_FILE`: `bot.envfile`), then the TOML file
(`--config PATH`, else `$KLAMBI_CONFIG`, else `./config.toml` if present), then the defaults below. With nothing
configured the database is `klambi.db` and uploads go under `./data/`, both in the working directory.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.sources.utils import parse_env_vars

from bot.envfile import EnvFileError, env_file_path, parse_env_file

DEFAULT_CONFIG_FILE = Path("config.toml")
ENV_CONFIG_FILE = "KLAMBI_CONFIG"
log = logging.getLogger("klambi.config")
_WARNED: set[str] = set()  # deprecation lines already logged by this process (the CLI reads the file twice)
HEALTH_PATH = "/healthz"  # the web application's own route (bot/web); no channel may take it
PUBLIC_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?")


class ConfigError(Exception):
    """A configuration that cannot be used; the message is one line naming the key."""


def async_database_url(url: str) -> str:
    """Accept the plain URLs people write and give SQLAlchemy's async drivers."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("not a database URL (for example sqlite:///klambi.db)")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgresql", "postgres"):
        return f"postgresql+asyncpg://{rest}"
    raise ValueError(f"unsupported database {base!r}: use sqlite or postgresql")


def route_path(path: str, example: str) -> str:
    """A channel's webhook path on the one web application: `/` and URL-safe characters, never the health check's."""
    if not re.fullmatch(r"/[A-Za-z0-9_./-]*", path):
        raise ValueError(f"a path starting with / (for example {example})")
    if path == HEALTH_PATH:
        raise ValueError(f"{HEALTH_PATH} is taken by the health check: choose another (for example {example})")
    return path


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///klambi.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        return async_database_url(url)


class TelegramSettings(_Section):
    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    username: str | None = None  # the bot's @username, for invitation links without asking getMe
    # webhook mode: Telegram POSTs to webhook_url (a reverse proxy), which forwards to [web] listen:port + path
    webhook_url: str | None = None  # the public https URL given to setWebhook at start; None: [web] public_url + path
    webhook_path: str = "/telegram"
    # deprecated aliases of [web] listen and port (issue 16): read, moved there by Settings, never read elsewhere
    webhook_listen: str | None = Field(default=None, min_length=1)
    webhook_port: int | None = Field(default=None, ge=0, le=65535)
    webhook_secret: SecretStr | None = None  # required in webhook mode; sent by Telegram in every request
    # updates Telegram POSTs at once (its default is 40): one album (10 photos) at a time, within the database pool
    webhook_max_connections: int = Field(default=10, ge=1, le=100)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret.get_secret_value()):
            raise ValueError("16 to 256 letters, digits, - or _ (for example from `openssl rand -hex 32`)")
        return secret

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, path: str) -> str:
        return route_path(path, "/telegram")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"https?://[^/\s]+", url):
            raise ValueError("must start with https:// and a host")
        return url

    @field_validator("username")
    @classmethod
    def _username(cls, name: str | None) -> str | None:
        if name is not None and not re.fullmatch(r"@?[A-Za-z][A-Za-z0-9_]{3,31}", name):
            raise ValueError("not a Telegram username (letters, digits and _, 4 to 32 long)")
        return name.lstrip("@") if name else None

    @field_validator("token")
    @classmethod
    def _token_shape(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token.get_secret_value()):
            raise ValueError("not a bot token (expected digits, a colon, then letters, digits, - or _)")
        return token

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not re.match(r"https?://[^/\s]+", url):
            raise ValueError("must start with http:// or https:// and a host")
        return url


class WebSettings(_Section):
    """The one web application (`bot/web/`): the Telegram webhook today, the WhatsApp webhook and a dashboard later."""

    listen: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8443, ge=0, le=65535)  # 0: any free port (tests)
    public_url: str | None = None  # the https base URL the reverse proxy serves us at; None: not published

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, url: str | None) -> str | None:
        if url is not None and not PUBLIC_URL.fullmatch(url):
            raise ValueError(
                "must start with https:// and a host, without ? or # (for example https://klambi.example.go.id)"
            )
        return url.rstrip("/") if url else None


GRAPH_URL = "https://graph.facebook.com/v23.0"  # pinned: docs/DECISIONS.md, "The Graph API version"


class WhatsAppSettings(_Section):
    """The WhatsApp Business Platform (Cloud API). Configured when `phone_number_id` is set; then the three secrets
    and `business_number` are required (`Settings.whatsapp_problem`)."""

    phone_number_id: str | None = None
    access_token: SecretStr | None = None  # a system user's permanent token
    app_secret: SecretStr | None = None  # signs every webhook POST (X-Hub-Signature-256)
    verify_token: SecretStr | None = None  # our answer to Meta's GET verification handshake
    waba_id: str | None = None  # the WhatsApp Business Account: where templates live
    business_number: str | None = None  # the office's number in international digits, e.g. 6281234567890
    graph_url: str = GRAPH_URL
    webhook_path: str = "/whatsapp"
    daily_limit: int = Field(default=250, ge=1, le=10_000_000)  # people reached outside their window per 24 hours

    @property
    def configured(self) -> bool:
        return self.phone_number_id is not None

    @field_validator("phone_number_id", "waba_id")
    @classmethod
    def _numeric_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{1,32}", value.strip()):
            raise ValueError("digits only (the id Meta's WhatsApp Manager shows)")
        return value.strip() if value is not None else None

    @field_validator("business_number")
    @classmethod
    def _number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[\s().+-]", "", value)
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        if not re.fullmatch(r"[1-9]\d{7,14}", digits):
            raise ValueError("international digits without + or a leading 0 (for example 6281234567890)")
        return digits

    @field_validator("graph_url")
    @classmethod
    def _graph_url(cls, url: str) -> str:
        if not re.match(r"https?://[^/\s]+", url):
            raise ValueError("must start with https:// and a host (for example https://graph.facebook.com/v23.0)")
        return url.rstrip("/")

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, path: str) -> str:
        return route_path(path, "/whatsapp")

    def missing(self) -> str | None:
        """The first key a configured WhatsApp still needs, as `[whatsapp] key`; None when nothing is missing."""
        if not self.configured:
            return None
        for key in ("access_token", "app_secret", "verify_token", "business_number"):
            if getattr(self, key) is None:
                return key
        return None


class BotSettings(_Section):
    language: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"
    first_year: int | None = Field(default=None, ge=2015, le=2100)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r} (for example Asia/Jakarta)") from exc
        return name


class StorageSettings(_Section):
    path: Path = Path("data")
    max_file_mb: int = Field(default=20, ge=1, le=2000)


class BackupSettings(_Section):
    """Where `klambi backup` writes when no `--output` is given, and where `klambi doctor` looks for the latest."""

    path: Path = Path("backups")
    max_age_days: int = Field(default=2, ge=1, le=365)  # doctor: an older latest backup fails the check


class RemindersSettings(_Section):
    enabled: bool = True
    offsets: list[int] = Field(default_factory=lambda: [-30, -14, -7, -3, -1, 0, 1, 3, 7])
    send_time: str = "08:00"
    window_days: int = Field(default=60, ge=1, le=400)
    sweep_seconds: int = Field(default=60, ge=5, le=3600)

    @field_validator("offsets")
    @classmethod
    def _offsets(cls, offsets: list[int]) -> list[int]:
        if not offsets or any(not -365 <= o <= 365 for o in offsets):
            raise ValueError("give days from the agreed date between -365 and 365, e.g. [-7, -3, -1, 0, 1]")
        return sorted(set(offsets))

    @field_validator("send_time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("a local time like 08:00")
        return value

    @property
    def local_time(self) -> time:
        hours, minutes = self.send_time.split(":")
        return time(int(hours), int(minutes))


class ReportsSettings(_Section):
    # Whether a camat (or staf) of one kecamatan also sees where it stands among the kabupaten's kecamatan.
    compare_within_kabupaten: bool = False
    # Processes that draw charts and build workbooks and zips, off the bot's event loop (reports.pool); 0 builds them
    # in a thread of the bot's own process instead (every update waits meanwhile: matplotlib holds the GIL).
    workers: int = Field(default=1, ge=0, le=32)


class ReadingSettings(_Section):
    """The bot reads a document sent in /kirim (bot/reading) and proposes its nomor and tanggal penetapan."""

    enabled: bool = True
    # Scans and photos by OCR, when Tesseract with its Indonesian data is installed (README); false: text layers only.
    ocr: bool = True
    # How long one reading may take: a document with a text layer, and one that needs OCR (scans, photos).
    seconds: float = Field(default=20, ge=1, le=300)
    ocr_seconds: float = Field(default=90, ge=5, le=900)
    # Documents read at once by this process (each in a child process of its own; OCR takes a whole CPU).
    workers: int = Field(default=1, ge=1, le=16)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLAMBI_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    reminders: RemindersSettings = Field(default_factory=RemindersSettings)
    reports: ReportsSettings = Field(default_factory=ReportsSettings)
    reading: ReadingSettings = Field(default_factory=ReadingSettings)
    _deprecations: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _web_aliases(self) -> Settings:
        """`[telegram] webhook_listen` / `webhook_port` (before issue 16) set `[web] listen` / `port`, unless `[web]`
        sets them too: then `[web]` wins, wherever each came from (file or environment)."""
        moved, ignored = [], []
        for old, new in (("webhook_listen", "listen"), ("webhook_port", "port")):
            value = getattr(self.telegram, old)
            if value is None:
                continue
            if new in self.web.model_fields_set:
                ignored.append(f"[telegram] {old} is ignored, [web] {new} is set and wins")
            else:
                setattr(self.web, new, value)
                self.web.model_fields_set.discard(new)  # still "not set in [web]": a second validation moves it again
                moved.append(f"[telegram] {old}: use [web] {new} (KLAMBI_WEB__{new.upper()})")
        if moved or ignored:
            self._deprecations = ["deprecated configuration: " + "; ".join(moved + ignored)]
        return self

    @property
    def telegram_webhook_url(self) -> str | None:
        """For setWebhook: `[telegram] webhook_url`, else `[web] public_url` + `webhook_path`, else None."""
        if self.telegram.webhook_url:
            return self.telegram.webhook_url
        if self.web.public_url:
            return self.web.public_url + self.telegram.webhook_path
        return None


def config_file(explicit: Path | None = None) -> Path | None:
    """The TOML file to read, or None to run on defaults and the environment."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_CONFIG_FILE):
        return Path(os.environ[ENV_CONFIG_FILE])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


class _EnvFileSource(EnvSettingsSource):
    """The environment file's variables, read like the process environment's (prefix, nested delimiter)."""

    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, str]) -> None:
        self._file_values = values
        super().__init__(settings_cls)

    def _load_env_vars(self):  # type: ignore[override]
        return parse_env_vars(self._file_values, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


def load_settings(explicit: Path | None = None) -> Settings:
    path = config_file(explicit)
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} not found")
    env_path, _ = env_file_path(path)
    try:
        file_values = parse_env_file(env_path) if env_path is not None else {}
    except EnvFileError as exc:
        raise ConfigError(str(exc)) from None

    class _FromFile(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if file_values:
                sources.append(_EnvFileSource(settings_cls, file_values))
            if path is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            return tuple(sources)

    try:
        settings = _FromFile()
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, path)) from None
    except ValueError as exc:  # a TOML file that does not parse
        raise ConfigError(f"config file {path}: {exc}") from None
    for line in settings._deprecations:  # one line, once per process
        if line not in _WARNED:
            _WARNED.add(line)
            log.warning("%s", line)
    return settings


def _one_line(exc: ValidationError, path: Path | None) -> str:
    error = exc.errors()[0]
    key = ".".join(str(p) for p in error["loc"]) or "(root)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    where = f" in {path}" if path else ""
    env = "KLAMBI_" + "__".join(str(p).upper() for p in error["loc"])
    return f"configuration{where}: {key} (or {env}): {message}"
