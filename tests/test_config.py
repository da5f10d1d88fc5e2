"""Configuration: defaults, file selection, environment overrides, and one-line errors naming the key."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def test_defaults_work_in_an_empty_folder():
    settings = load_settings()
    assert settings.database.url == "sqlite+aiosqlite:///klambi.db"
    assert settings.storage.path == Path("data")
    assert settings.telegram.token is None
    assert (settings.bot.language, settings.bot.timezone, settings.telegram.mode) == ("id", "Asia/Jakarta", "polling")


def test_the_example_file_is_valid_and_holds_the_defaults():
    settings = load_settings(EXAMPLE)
    assert settings.model_dump() == Settings().model_dump()
    assert set(tomllib.loads(EXAMPLE.read_text())) == {
        "database",
        "telegram",
        "web",
        "whatsapp",
        "bot",
        "storage",
        "backup",
        "reminders",
        "reports",
        "reading",
    }


def test_file_choice_order(tmp_path, monkeypatch):
    Path("config.toml").write_text('[bot]\nlanguage = "en"\n')
    assert load_settings().bot.language == "en"
    other = tmp_path / "other.toml"
    other.write_text('[bot]\ntimezone = "Asia/Makassar"\n')
    monkeypatch.setenv("KLAMBI_CONFIG", str(other))
    assert load_settings().bot.timezone == "Asia/Makassar"
    assert load_settings().bot.language == "id"  # ./config.toml is not read when KLAMBI_CONFIG names a file
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('[bot]\ntimezone = "Asia/Jayapura"\n')
    assert load_settings(explicit).bot.timezone == "Asia/Jayapura"


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[database]\nurl = "sqlite:///file.db"\n[telegram]\ntoken = "123:file-token"\n')
    monkeypatch.setenv("KLAMBI_DATABASE__URL", "postgresql://klambi@db.example/klambi")
    settings = load_settings(path)
    assert settings.database.url == "postgresql+asyncpg://klambi@db.example/klambi"
    assert settings.telegram.token is not None and settings.telegram.token.get_secret_value() == "123:file-token"


def test_the_token_never_shows_in_a_dump_or_repr(tmp_path, monkeypatch):
    monkeypatch.setenv("KLAMBI_TELEGRAM__TOKEN", "123456:SECRET-token_value")
    settings = load_settings()
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ('[database]\nurl = "mysql://x/y"\n', "database.url"),
        ('[telegram]\ntoken = "not a token"\n', "telegram.token"),
        ('[telegram]\nmode = "push"\n', "telegram.mode"),
        ('[telegram]\nbase_url = "ftp://x"\n', "telegram.base_url"),
        ('[bot]\nlanguage = "jv"\n', "bot.language"),
        ('[bot]\ntimezone = "Asia/Lumajang"\n', "bot.timezone"),
        ("[bot]\nfirst_year = 1990\n", "bot.first_year"),
        ('[bot]\nlanguag = "id"\n', "bot.languag"),
        ('[storage]\nmax_file_mb = "banyak"\n', "storage.max_file_mb"),
        ('[reminders]\nsend_time = "8 pagi"\n', "reminders.send_time"),
        ("[reminders]\noffsets = [-400]\n", "reminders.offsets"),
    ],
)
def test_a_wrong_value_stops_with_one_line_naming_the_key(tmp_path, capsys, content, key):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(path)
    assert main(["--config", str(path), "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert key in err and len(err.strip().splitlines()) == 1
    assert not Path("klambi.db").exists()


def test_a_wrong_environment_value_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("KLAMBI_BOT__FIRST_YEAR", "tahun lalu")
    assert main(["db", "upgrade"]) == 2
    assert "KLAMBI_BOT__FIRST_YEAR" in capsys.readouterr().err


def test_a_file_that_is_not_toml(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text("[bot\n")
    assert main(["--config", str(path), "db", "upgrade"]) == 2
    assert str(path) in capsys.readouterr().err


def test_a_missing_config_file(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml"), "db", "upgrade"]) == 2
    assert "not found" in capsys.readouterr().err


def test_errors_speak_the_configured_language(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text('[bot]\nlanguage = "en"\n')
    assert main(["--config", str(path), "indicator", "--kecamatan", "35.08.99", "--year", "2024"]) == 2
    assert "Kecamatan 35.08.99 is not loaded" in capsys.readouterr().err
    assert main(["indicator", "--kecamatan", "35.08.99", "--year", "2024"]) == 2
    assert "Kecamatan 35.08.99 belum terdaftar" in capsys.readouterr().err
    assert main(["--config", str(path), "indicator", "--kecamatan", "35.08.17"]) == 2  # click's words follow
    assert "Error: Missing option '--year'." in capsys.readouterr().err
    assert main(["--config", str(path), "indicator", "--help"]) == 0
    assert "Usage: klambi indicator [OPSI]" in capsys.readouterr().out
    assert main(["indicator", "--kecamatan", "35.08.17"]) == 2
    assert "Galat: Opsi wajib belum diisi '--year'." in capsys.readouterr().err


# --- [web], and the aliases it replaces (issue 16) ---------------------------------------------------------------


@pytest.fixture
def deprecations(caplog, monkeypatch):
    """The deprecation lines logged from here on (each is logged once a process: start this test with none)."""
    monkeypatch.setattr("bot.config._WARNED", set())
    caplog.set_level(logging.WARNING, logger="klambi.config")
    caplog.clear()
    return lambda: [r.getMessage() for r in caplog.records if r.name == "klambi.config"]


def test_web_defaults_are_the_old_webhook_address(deprecations):
    settings = load_settings()
    assert (settings.web.listen, settings.web.port, settings.web.public_url) == ("127.0.0.1", 8443, None)
    assert settings.telegram_webhook_url is None
    assert deprecations() == []


def test_the_old_telegram_keys_set_web_listen_and_port_and_warn_once_in_one_line(tmp_path, deprecations):
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\nwebhook_listen = "0.0.0.0"\nwebhook_port = 9001\n')
    settings = load_settings(path)
    assert (settings.web.listen, settings.web.port) == ("0.0.0.0", 9001)
    [line] = deprecations()
    assert "\n" not in line and "deprecated" in line
    assert "[telegram] webhook_listen: use [web] listen (KLAMBI_WEB__LISTEN)" in line
    assert "[telegram] webhook_port: use [web] port (KLAMBI_WEB__PORT)" in line
    assert load_settings(path).web.port == 9001
    assert main(["--config", str(path), "db", "upgrade"]) == 0  # the CLI reads the file twice: still one line
    assert len(deprecations()) == 1


def test_the_old_keys_work_from_the_environment(monkeypatch, deprecations):
    monkeypatch.setenv("KLAMBI_TELEGRAM__WEBHOOK_PORT", "9003")
    settings = load_settings()
    assert (settings.web.listen, settings.web.port) == ("127.0.0.1", 9003)
    [line] = deprecations()
    assert "[telegram] webhook_port: use [web] port" in line and "webhook_listen" not in line


def test_web_wins_over_the_old_key_wherever_each_comes_from(tmp_path, monkeypatch, deprecations):
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\nwebhook_port = 9001\nwebhook_listen = "0.0.0.0"\n[web]\nport = 9002\n')
    settings = load_settings(path)
    assert (settings.web.listen, settings.web.port) == ("0.0.0.0", 9002)
    [line] = deprecations()
    assert "[telegram] webhook_port is ignored, [web] port is set and wins" in line
    assert "[telegram] webhook_listen: use [web] listen" in line
    path.write_text("[web]\nport = 9002\n")
    monkeypatch.setenv("KLAMBI_TELEGRAM__WEBHOOK_PORT", "9004")  # the environment's old key loses to the file's new
    assert load_settings(path).web.port == 9002
    monkeypatch.setenv("KLAMBI_WEB__PORT", "9005")
    assert load_settings(path).web.port == 9005


def test_the_webhook_url_is_derived_from_the_public_url(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[web]\npublic_url = "https://klambi.example.go.id/"\n[telegram]\nwebhook_path = "/tg/hook"\n')
    settings = load_settings(path)
    assert settings.web.public_url == "https://klambi.example.go.id"
    assert settings.telegram_webhook_url == "https://klambi.example.go.id/tg/hook"
    monkeypatch.setenv("KLAMBI_TELEGRAM__WEBHOOK_URL", "https://elsewhere.example.go.id/telegram")
    assert load_settings(path).telegram_webhook_url == "https://elsewhere.example.go.id/telegram"  # set: it wins


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ('[web]\npublic_url = "klambi.example.go.id"\n', "web.public_url"),
        ('[web]\npublic_url = "https://klambi.example.go.id/?x=1"\n', "web.public_url"),
        ("[web]\nport = 70000\n", "web.port"),
        ('[web]\nlisten = ""\n', "web.listen"),
        ("[web]\nhost = 1\n", "web.host"),
        ("[telegram]\nwebhook_port = -1\n", "telegram.webhook_port"),
        ('[telegram]\nwebhook_path = "/healthz"\n', "telegram.webhook_path"),
    ],
)
def test_a_wrong_web_value_names_the_key(tmp_path, content, key):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(path)


def test_whatsapp_settings_normalise_the_number_and_name_what_is_missing(monkeypatch):
    monkeypatch.setenv("KLAMBI_WHATSAPP__PHONE_NUMBER_ID", "1234567890")
    monkeypatch.setenv("KLAMBI_WHATSAPP__BUSINESS_NUMBER", "0812-3456-7890")
    settings = Settings()
    assert settings.whatsapp.configured
    assert settings.whatsapp.business_number == "6281234567890"
    assert settings.whatsapp.missing() == "access_token"
    for key in ("ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN"):
        monkeypatch.setenv(f"KLAMBI_WHATSAPP__{key}", "s3cret-value")
    assert Settings().whatsapp.missing() is None
    assert "s3cret-value" not in repr(Settings().whatsapp)
    monkeypatch.setenv("KLAMBI_WHATSAPP__BUSINESS_NUMBER", "nomor kantor")
    with pytest.raises(ValidationError):
        Settings()
