"""`klambi setup` against the Telegram and WhatsApp sandboxes over real HTTP, and the environment file (`klambi.env`)
every `klambi` command reads."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli, main
from bot.config import ConfigError, load_settings
from bot.sandbox.telegram import BotApiSandbox
from bot.sandbox.whatsapp import GraphSandbox
from models.tables import Desa, Invitation, Kecamatan, Role, Target
from tests.conftest import query, table_counts
from tests.test_run import free_port

TOKEN = "765432:SETUP-sandbox-token_secret"
WA_TOKEN = "EAAG-setup-access-token-secret"
APP_SECRET = "setup-app-secret-value"
PHONE_ID = "100200300"
NUMBER = "6281100000000"


class Sandboxes:
    """The Telegram and WhatsApp sandboxes in their own thread's loop, so that the CLI's `asyncio.run` can call them."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Sandboxes:
        self.thread.start()
        self.telegram = BotApiSandbox(token=TOKEN, bot_username="kec_jatiroto_bot")
        self.graph = GraphSandbox(access_token=WA_TOKEN, app_secret=APP_SECRET, phone_number_id=PHONE_ID,
                                  business_number=NUMBER)  # fmt: skip
        self.call(self.telegram.start())
        self.call(self.graph.start())
        return self

    def call(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        self.call(self.telegram.stop())
        self.call(self.graph.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def options(self, *, whatsapp: bool = True, token: str = TOKEN) -> list[str]:
        options = ["--telegram-token", token, "--telegram-base-url", self.telegram.base_url]
        if whatsapp:
            options += [
                "--whatsapp-phone-number-id", PHONE_ID, "--whatsapp-access-token", WA_TOKEN,
                "--whatsapp-app-secret", APP_SECRET, "--whatsapp-business-number", NUMBER,
                "--whatsapp-graph-url", self.graph.graph_url,
            ]  # fmt: skip
        return options


@pytest.fixture
def sandboxes() -> Iterator[Sandboxes]:
    with Sandboxes() as running:
        yield running


def klambi(*args: str, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- the environment file ---------------------------------------------------------------------------------------


def test_the_environment_file_beside_the_configuration_is_read_and_the_process_environment_wins(
    tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "config.toml").write_text('[telegram]\nusername = "kec_bot"\n')
    (folder / "klambi.env").write_text(
        "# secrets\n\nKLAMBI_TELEGRAM__TOKEN=111:from-file\nKLAMBI_WHATSAPP__APP_SECRET='a b#c'\n"
        'KLAMBI_BOT__TIMEZONE="Asia/Makassar"\n'
    )
    settings = load_settings(folder / "config.toml")
    assert settings.telegram.token.get_secret_value() == "111:from-file"
    assert settings.whatsapp.app_secret.get_secret_value() == "a b#c"
    assert settings.bot.timezone == "Asia/Makassar" and settings.telegram.username == "kec_bot"

    monkeypatch.setenv("KLAMBI_TELEGRAM__TOKEN", "222:from-process")
    assert load_settings(folder / "config.toml").telegram.token.get_secret_value() == "222:from-process"
    monkeypatch.delenv("KLAMBI_TELEGRAM__TOKEN")

    assert load_settings().telegram.token is None  # no configuration here: klambi.env of the working directory only
    (Path.cwd() / "klambi.env").write_text("KLAMBI_TELEGRAM__USERNAME=here_bot\n")
    assert load_settings().telegram.username == "here_bot"

    other = tmp_path / "other.env"
    other.write_text("KLAMBI_TELEGRAM__USERNAME=named_bot\n")
    monkeypatch.setenv("KLAMBI_ENV_FILE", str(other))
    assert load_settings(folder / "config.toml").telegram.username == "named_bot"
    monkeypatch.setenv("KLAMBI_ENV_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(ConfigError, match=r"missing\.env tidak ada"):
        load_settings()


def test_a_malformed_line_is_one_indonesian_line_naming_its_number_never_its_value(tmp_path, capsys):
    (Path.cwd() / "klambi.env").write_text("KLAMBI_TELEGRAM__TOKEN=111:ok\nexport secret-value-here\n")
    code, out, err = klambi("person", "list", capsys=capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "klambi: berkas lingkungan klambi.env baris 2: bukan KUNCI=nilai (contoh: KLAMBI_TELEGRAM__TOKEN=123:ABC)"
    ]
    (Path.cwd() / "klambi.env").write_text('\nKLAMBI_TELEGRAM__TOKEN="111:unclosed-secret\n')
    code, _, err = klambi("person", "list", capsys=capsys)
    assert code == 2 and "baris 2 (KLAMBI_TELEGRAM__TOKEN): tanda kutip tidak ditutup" in err
    assert "unclosed-secret" not in err


# --- unattended -------------------------------------------------------------------------------------------------


def test_unattended_setup_writes_everything_and_klambi_run_takes_the_token_from_the_environment_file(
    sandboxes, database_url, tmp_path, capsys
):
    code, out, err = klambi(
        "setup", "--yes", "--kecamatan", "jatiroto, lumajang", "--database", database_url, "--target", "94,44",
        "--staf-name", "Budi Santoso", "--whatsapp-waba-id", "900800700", *sandboxes.options(), capsys=capsys,
    )  # fmt: skip
    assert code == 0, err
    assert err == ""
    for secret in (TOKEN, TOKEN.split(":")[1], WA_TOKEN, APP_SECRET):
        assert secret not in out
    assert "token 765432:****" in out and "Telegram: bot @kec_jatiroto_bot" in out
    assert "35.08.17 Jatiroto, Kabupaten Lumajang, Jawa Timur" in out
    assert "WhatsApp: 0 dari 6 templat disetujui" in out  # the templates were asked for (waba_id given)
    assert out.rstrip().endswith("Jalankan bot dengan:\n  klambi run")

    config = Path("config.toml").read_text()
    for secret in (TOKEN, WA_TOKEN, APP_SECRET):
        assert secret not in config
    assert 'username = "kec_jatiroto_bot"' in config and f'base_url = "{sandboxes.telegram.base_url}"' in config
    assert f'phone_number_id = "{PHONE_ID}"' in config and f'business_number = "{NUMBER}"' in config
    env = Path("klambi.env")
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    lines = [line for line in env.read_text().splitlines() if not line.startswith("#")]
    assert lines[:3] == [f"KLAMBI_TELEGRAM__TOKEN={TOKEN}", f"KLAMBI_WHATSAPP__ACCESS_TOKEN={WA_TOKEN}",
                         f"KLAMBI_WHATSAPP__APP_SECRET={APP_SECRET}"]  # fmt: skip
    assert re.fullmatch(r"KLAMBI_WHATSAPP__VERIFY_TOKEN=[0-9a-f]{32}", lines[3]) and len(lines) == 4
    assert not list(Path.cwd().glob(".klambi.env.*"))  # no temporary file left behind

    assert query(database_url, select(Kecamatan.kode, Kecamatan.nama)) == [("35.08.17", "Jatiroto")]
    assert len(query(database_url, select(Desa.kode).where(Desa.kecamatan_kode == "35.08.17"))) == 6
    targets = query(database_url, select(Target.kecamatan_kode, Target.indicator, Target.awal))
    assert [(k, i, float(a)) for k, i, a in targets] == [("35.08.17", "IKU", 94.44)]
    invitations = query(database_url, select(Invitation.role, Invitation.scope_code, Invitation.channel))
    assert sorted(invitations) == [(Role.STAF, "35.08.17", "telegram"), (Role.STAF, "35.08.17", "whatsapp")]
    telegram_code = re.search(r"https://t\.me/kec_jatiroto_bot\?start=([A-Z0-9]{10})\n", out).group(1)
    assert f"https://wa.me/{NUMBER}?text=DAFTAR%20" in out
    assert "Undangan untuk Budi Santoso (staf, Kecamatan Jatiroto) lewat Telegram" in out
    assert "█" in out and "▀" in out  # the QR codes, drawn in the terminal

    # the next command finds config.toml in the working directory and the token in klambi.env beside it: the bot runs
    # and the Kasi Pemerintahan redeems the invitation
    env_vars = {k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")}
    env_vars["KLAMBI_WEB__PORT"] = str(free_port())
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env_vars, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    try:
        staf = sandboxes.telegram.user(801, "Budi", last_name="Santoso")
        sandboxes.call(staf.send_text(f"/start {telegram_code}"))
        sandboxes.call(staf.expect("terdaftar sebagai", timeout=60))
    finally:
        process.send_signal(signal.SIGTERM)
        log_out, log_err = process.communicate(timeout=60)
    log = (log_out + log_err).decode()
    assert process.returncode == 0, log
    assert TOKEN.split(":")[1] not in log and WA_TOKEN not in log


def test_setup_again_keeps_copies_and_overwrites_with_yes(sandboxes, database_url, tmp_path, capsys):
    Path("config.toml").write_text("# the old one\n")
    Path("klambi.env").write_text("KLAMBI_TELEGRAM__TOKEN=1:old\n")
    Path("klambi.env").chmod(0o644)
    code, _, err = klambi("setup", "--yes", "--kecamatan", "35.08.17", "--database", database_url,
                          *sandboxes.options(whatsapp=False), capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert Path("config.toml.bak").read_text() == "# the old one\n"
    assert Path("klambi.env.bak").read_text() == "KLAMBI_TELEGRAM__TOKEN=1:old\n"
    assert stat.S_IMODE(Path("klambi.env.bak").stat().st_mode) == 0o600
    assert stat.S_IMODE(Path("klambi.env").stat().st_mode) == 0o600
    assert Path("klambi.env").read_text().splitlines()[-1] == f"KLAMBI_TELEGRAM__TOKEN={TOKEN}"
    assert "[whatsapp]" not in Path("config.toml").read_text()
    assert query(database_url, select(Target.id)) == []  # no --target with --yes: no target


def test_setup_with_a_config_elsewhere_writes_both_files_there_and_names_it_in_the_command(
    sandboxes, database_url, tmp_path, capsys
):
    folder = tmp_path / "etc-klambi"
    folder.mkdir()
    code, out, err = klambi("setup", "--yes", "--config", str(folder / "klambi.toml"), "--kecamatan", "35.08.17",
                            "--database", database_url, *sandboxes.options(whatsapp=False), capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert out.rstrip().endswith(f"klambi --config {folder / 'klambi.toml'} run")
    assert (folder / "klambi.env").is_file() and not Path("klambi.env").exists()
    settings = load_settings(folder / "klambi.toml")  # the environment file beside it is read
    assert settings.telegram.token.get_secret_value() == TOKEN
    assert settings.storage.path == Path.cwd() / "data"  # absolute: the bot may start from another folder


def test_a_relative_sqlite_database_is_made_absolute_when_the_configuration_is_elsewhere(sandboxes, tmp_path, capsys):
    folder = tmp_path / "etc-klambi"
    folder.mkdir()
    code, _, err = klambi("setup", "--yes", "--config", str(folder / "config.toml"), "--kecamatan", "35.08.17",
                          *sandboxes.options(whatsapp=False), capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert (Path.cwd() / "klambi.db").is_file()
    assert f'url = "sqlite:///{Path.cwd() / "klambi.db"}"' in (folder / "config.toml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kecamatan", "35.08.17", "--telegram-token", "765432:WRONG-token-value"],
         "klambi: Telegram menolak token 765432:****: salin lagi dari @BotFather (/mybots → API Token)."),
        (["--kecamatan", "jatiroto", "--telegram-token", TOKEN],
         'klambi: "jatiroto" cocok dengan 2 kecamatan: 33.12.15 Jatiroto, Kabupaten Wonogiri, Jawa Tengah; 35.08.17 '
         'Jatiroto, Kabupaten Lumajang, Jawa Timur. Tulis kodenya, atau "nama, kabupaten".'),
        (["--kecamatan", "atlantis", "--telegram-token", TOKEN],
         'klambi: Tidak ada kecamatan bernama "atlantis" di data Kepmendagri 2025: periksa ejaannya atau tulis '
         'kodenya.'),
        (["--telegram-token", TOKEN],
         "klambi: Kecamatan belum disebut: beri --kecamatan NAMA atau KODE (mis. --kecamatan 35.08.17)."),
        (["--kecamatan", "35.08.17"],
         "klambi: Perlu paling sedikit satu aplikasi: --telegram-token, atau --whatsapp-phone-number-id dan "
         "kawan-kawannya."),
        (["--kecamatan", "35.08.17", "--whatsapp-phone-number-id", PHONE_ID, "--whatsapp-access-token", "EAAG-wrong",
          "--whatsapp-app-secret", APP_SECRET, "--whatsapp-business-number", NUMBER],
         "klambi: Meta menolak access token ****: buat lagi di Business Settings → System users."),
        (["--kecamatan", "35.08.17", "--whatsapp-phone-number-id", PHONE_ID, "--whatsapp-access-token", WA_TOKEN],
         "klambi: WhatsApp belum lengkap: beri --whatsapp-app-secret (lihat klambi setup --help)."),
    ],
)  # fmt: skip
def test_unattended_setup_refused_is_one_line_exit_2_and_writes_nothing(
    sandboxes, database_url, tmp_path, capsys, args, message
):
    before = table_counts(database_url)
    urls = ["--telegram-base-url", sandboxes.telegram.base_url, "--whatsapp-graph-url", sandboxes.graph.graph_url]
    code, out, err = klambi("setup", "--yes", "--database", database_url, *urls, *args, capsys=capsys)
    assert code == 2
    assert err.splitlines() == [message]  # stdout holds what was found before (the kecamatan), nothing more
    assert "diterima" not in out and "Undangan" not in out and "WRONG" not in out
    assert list(Path.cwd().iterdir()) == []  # neither config.toml nor klambi.env
    assert table_counts(database_url) == before


# --- asked ------------------------------------------------------------------------------------------------------


def test_interactive_setup_offers_a_choice_and_asks_again_after_a_wrong_token(sandboxes, database_url, tmp_path):
    answers = [
        database_url,  # Basis data
        "atlantis",  # no such kecamatan: asked again
        "jatiroto",  # two: a numbered choice
        "2",  # 35.08.17 Lumajang
        "765432:WRONG-token-value",  # refused by getMe: asked again
        TOKEN,
        "n",  # no WhatsApp
        "",  # no public address
        "",  # the target: the default
        "Budi",  # the Kasi Pemerintahan
    ]
    runner = CliRunner()
    result = runner.invoke(cli, ["setup", "--telegram-base-url", sandboxes.telegram.base_url],
                           input="\n".join(answers) + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert 'Tidak ada kecamatan bernama "atlantis"' in out
    assert '"jatiroto" cocok dengan 2 kecamatan:' in out
    assert "   1. 33.12.15 Jatiroto, Kabupaten Wonogiri, Jawa Tengah" in out
    assert "   2. 35.08.17 Jatiroto, Kabupaten Lumajang, Jawa Timur" in out
    assert "Telegram menolak token 765432:****" in out
    assert "WRONG-token-value" not in out and TOKEN.split(":")[1] not in out  # hidden input, masked echo
    assert "Target kinerja tahun ini (%)? (- : belum ada) [88,89]:" in out
    assert "Undangan untuk Budi (staf, Kecamatan Jatiroto) lewat Telegram" in out
    targets = query(database_url, select(Target.awal))
    assert [float(a) for (a,) in targets] == [88.89]
    assert query(database_url, select(Kecamatan.kode)) == [("35.08.17",)]
    assert stat.S_IMODE(Path("klambi.env").stat().st_mode) == 0o600


def test_interactive_setup_declining_to_overwrite_writes_nothing(sandboxes, database_url, tmp_path):
    Path("config.toml").write_text("# mine\n")
    before = table_counts(database_url)
    answers = [database_url, "35.08.17", TOKEN, "n", "", "-", "", "n"]  # ... then: overwrite config.toml? no
    result = CliRunner().invoke(cli, ["setup", "--telegram-base-url", sandboxes.telegram.base_url],
                                input="\n".join(answers) + "\n")  # fmt: skip
    assert result.exit_code == 1
    assert "config.toml sudah ada. Timpa?" in result.output
    assert Path("config.toml").read_text() == "# mine\n" and not Path("klambi.env").exists()
    assert table_counts(database_url) == before


def test_interactive_whatsapp_only_asks_again_just_the_refused_token(sandboxes, database_url, tmp_path):
    answers = [
        "mysql://nope", database_url, "35.08.17",  # a database klambi does not speak: asked again
        "",  # no Telegram
        "y", PHONE_ID, "EAAG-wrong-token-value", APP_SECRET, "", NUMBER, "",  # WhatsApp; verify token: random
        WA_TOKEN,  # the access token again, and only it
        "ftp://klambi", "", "-", "",  # a public address refused, then none; no target, no name
    ]  # fmt: skip
    result = CliRunner().invoke(cli, ["setup", "--whatsapp-graph-url", sandboxes.graph.graph_url],
                                input="\n".join(answers) + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Meta menolak access token EAAG****" in out
    assert "Basis data tidak dikenali: tulis sqlite:///klambi.db atau postgresql://pengguna@host/nama." in out
    assert "Alamat publik harus diawali https://" in out
    assert out.count("WhatsApp: Phone number ID") == 1 and out.count("WhatsApp: access token") == 2
    assert "WhatsApp: nomor 6281100000000 (access token EAAG****) diterima." in out
    assert "wrong-token-value" not in out and WA_TOKEN not in out and APP_SECRET not in out
    assert "lewat WhatsApp" in out and f"https://wa.me/{NUMBER}?text=DAFTAR%20" in out
    assert "[telegram]" not in Path("config.toml").read_text()
    env = Path("klambi.env").read_text()
    assert f"KLAMBI_WHATSAPP__ACCESS_TOKEN={WA_TOKEN}" in env and "TELEGRAM" not in env
    assert query(database_url, select(Invitation.channel)) == [("whatsapp",)]
    assert query(database_url, select(Target.id)) == []
