"""The README's "Go live" section, run: its ```sh blocks are extracted, every command is either run here against the
Telegram sandbox (`klambi setup --yes` with the sandbox's URL, `klambi backup`, `klambi doctor`, the restore) or
skipped with the reason (root, systemd, apt, Caddy, BotFather). `/var/lib/klambi` is a temporary folder, `/opt/klambi`
this checkout, and `klambi run` is started as deploy/klambi.service would (its ExecStart= line, the variables of its
EnvironmentFile=). SQLite, as the section sets it up."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.sandbox.telegram import BotApiSandbox
from bot.storage import minimal_pdf
from tests.test_cli import DESA

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AA-your-token"  # the README's placeholder; the sandbox takes it as its token
SKIPPED = {  # what this machine cannot do, by the command's first words
    "sudo apt": "installs system packages (root, network)",
    "sudo useradd": "creates a system user (root)",
    "sudo git clone": "clones from the network; this checkout stands in for /opt/klambi",
    "sudo python3 -m venv": "this checkout's .venv stands in for /opt/klambi/.venv",
    "sudo /opt/klambi/.venv/bin/pip": "this checkout's .venv stands in for /opt/klambi/.venv",
    "sudo cp": "installs into /etc (root); tests/test_deploy.py verifies the units and the Caddyfile",
    "sudo systemctl": "no systemd running here: the test starts and stops `klambi run` as klambi.service would",
    "sudo journalctl": "no systemd journal here",
}


def go_live_commands() -> list[str]:
    """The lines of the ```sh blocks under "## Go live", in order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Go live\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def skipped_because(command: str) -> str | None:
    return next((why for start, why in SKIPPED.items() if command.startswith(start)), None)


def test_every_go_live_command_is_run_or_skipped_with_a_reason():
    commands = go_live_commands()
    assert any("klambi setup" in c for c in commands) and any(c.endswith("klambi doctor") for c in commands)
    assert any("klambi restore" in c for c in commands) and any("klambi backup" in c for c in commands)
    for command in commands:
        if skipped_because(command):
            continue
        assert command.startswith(("cd /var/lib/klambi", "sudo -u klambi ")), f"neither run nor skipped: {command}"
    print("\n".join(f"skipped: {c}  ({skipped_because(c)})" for c in commands if skipped_because(c)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= syntax as `klambi setup` writes it: KEY=value, values quoted only if needed."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = shlex.split(value)[0] if value.strip() else ""
    return values


class Sandbox:
    """The Bot API sandbox in a thread of its own, for the `klambi` processes of the test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.telegram = BotApiSandbox(TOKEN)
        asyncio.run_coroutine_threadsafe(self.telegram.start(), self.loop).result(30)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.telegram.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def test_the_go_live_commands_run_against_the_sandbox(tmp_path):
    klambi = shutil.which("klambi") or str(ROOT / ".venv" / "bin" / "klambi")
    state = tmp_path / "var-lib-klambi"
    state.mkdir()
    sandbox = Sandbox()
    port = _free_port()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_") or k.startswith("KLAMBI_TEST_")}
    base_env |= {"KLAMBI_WEB__PORT": str(port)}  # a free port instead of 8443 on a shared machine
    bot: subprocess.Popen[str] | None = None
    ran, skipped = [], []

    def run(command: str) -> subprocess.CompletedProcess[str]:
        line = command.replace("sudo -u klambi ", "").replace("/opt/klambi/.venv/bin/klambi", klambi)
        line = line.replace("/var/lib/klambi", str(state)).replace("/opt/klambi", str(ROOT))
        if "klambi setup" in command:
            line += f" --telegram-base-url {sandbox.telegram.base_url}"
        done = subprocess.run(["bash", "-c", line], cwd=state, env=base_env, capture_output=True,
                              text=True, timeout=300, check=False)  # fmt: skip
        ran.append(command)
        return done

    def start_bot() -> subprocess.Popen[str]:
        """deploy/klambi.service's ExecStart=, with its EnvironmentFile='s variables."""
        unit = (ROOT / "deploy" / "klambi.service").read_text()
        exec_start = re.search(r"^ExecStart=(.+)$", unit, re.M)[1]  # type: ignore[index]
        argv = shlex.split(exec_start.replace("/opt/klambi/.venv/bin/klambi", klambi)
                           .replace("/var/lib/klambi", str(state)))  # fmt: skip
        environment = base_env | _env_file(state / "klambi.env")
        process = subprocess.Popen(argv, cwd=state, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)  # fmt: skip
        for _ in range(600):  # until the web application answers (or the bot died)
            if process.poll() is not None:
                pytest.fail(f"klambi run stopped: {process.stdout.read() if process.stdout else ''}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return process
            except OSError:
                time.sleep(0.1)
        pytest.fail("klambi run did not start listening")

    def stop_bot() -> None:
        if bot is not None and bot.poll() is None:
            bot.send_signal(signal.SIGTERM)  # as systemctl stop does
            bot.wait(60)

    try:
        for command in go_live_commands():
            if why := skipped_because(command):
                skipped.append((command, why))
                if command == "sudo systemctl enable --now klambi.service klambi-backup.timer klambi-doctor.timer":
                    bot = start_bot()
                elif command == "sudo systemctl stop klambi":
                    stop_bot()
                elif command == "sudo systemctl start klambi":
                    bot = start_bot()
                continue
            if "klambi backup" in command and not (state / "data").exists():
                _a_document_arrives(klambi, state, base_env)  # the office's data, before its backup
            if "klambi restore" in command:
                backups = sorted((state / "backups").glob("klambi-backup-*.tar.gz"))
                command = re.sub(r"klambi-backup-\S+\.tar\.gz", backups[-1].name, command)
            done = run(command)
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
            if "klambi setup" in command:
                assert "klambi run" in done.stdout.strip().splitlines()[-1], done.stdout  # ends with the command
                assert oct((state / "klambi.env").stat().st_mode & 0o777) == "0o600"
                assert TOKEN not in done.stdout + done.stderr
            if command.endswith("klambi backup"):
                counts = _counts(klambi, state, base_env)  # what the restore must give back
            if command.endswith("klambi doctor"):
                assert "Semua pemeriksaan lolos." in done.stdout, done.stdout
                assert "✓ Alamat web" in done.stdout and "✓ Token Telegram" in done.stdout
            if "klambi restore" in command:
                assert _counts(klambi, state, base_env) == counts
        assert bot is not None and bot.poll() is None  # started again after the restore
    finally:
        stop_bot()
        sandbox.close()
    print("\nran:\n" + "\n".join(ran) + "\nskipped:\n" + "\n".join(f"{c}  ({why})" for c, why in skipped))


def _a_document_arrives(klambi: str, state: Path, env: dict[str, str]) -> None:
    scan = state.parent / "lppdes.pdf"
    scan.write_bytes(minimal_pdf(b" LPPDes " + b"x" * 2000))
    done = subprocess.run([klambi, "--config", "config.toml", "record", "--desa", DESA[0], "--doc", "LPPDES", "--ta",
                           "2024", "--penetapan", "2025-01-10", "--diterima", "2025-01-10", "--file", str(scan)],
                          cwd=state, env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


def _counts(klambi: str, state: Path, env: dict[str, str]) -> tuple[str, int]:
    """The kecamatan's status table and the number of stored files: what a restore must give back."""
    done = subprocess.run([klambi, "--config", "config.toml", "obligations", "--kecamatan", "35.08.17", "--year",
                           "2024", "--format", "json"], cwd=state, env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    files = sum(1 for p in (state / "data").rglob("*") if p.is_file()) if (state / "data").exists() else 0
    return done.stdout, files


if __name__ == "__main__":  # print the commands and what happens to each
    for c in go_live_commands():
        print(("skip: " if skipped_because(c) else "run:  ") + c)
    sys.exit(0)
