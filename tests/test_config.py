"""Configuration: defaults, file selection, environment overrides, and one-line errors naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

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
    assert set(tomllib.loads(EXAMPLE.read_text())) == {"database", "telegram", "bot", "storage", "reminders", "reports"}


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
