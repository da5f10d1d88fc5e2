"""deploy/: the systemd units pass `systemd-analyze verify`, the Caddyfile `caddy validate`, and the off-site backup
script encrypts, copies, and what it copied decrypts and restores (a throwaway GnuPG home, a local folder as the
"other machine").

Where systemd-analyze, caddy or gpg is missing the test is skipped with the reason, unless
KLAMBI_TEST_REQUIRE_DEPLOY=1 (CI: .ci/run installs them), where it fails instead."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import HEALTH_PATH, Settings
from tests.conftest import table_counts
from tests.test_backup_and_privacy import empty_place  # noqa: F401  (a fixture)
from tests.test_cli import JATIROTO, record_all_on_time

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ["klambi.service", "klambi-backup.service", "klambi-backup.timer", "klambi-doctor.service",
         "klambi-doctor.timer"]  # fmt: skip
REQUIRED = os.environ.get("KLAMBI_TEST_REQUIRE_DEPLOY") == "1"


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
    if found is None:
        reason = f"{name} is not installed (Debian: apt-get install {dict(gpg='gnupg').get(name, name)})"
        if REQUIRED:
            pytest.fail(reason + " and KLAMBI_TEST_REQUIRE_DEPLOY=1")
        pytest.skip(reason)
    return found


def _installed_units(tmp_path: Path) -> Path:
    """The units as installed on this machine: /opt/klambi is this checkout, /var/lib/klambi a folder here (verify
    checks that every ExecStart= program exists and is executable)."""
    klambi = Path(shutil.which("klambi") or ROOT / ".venv" / "bin" / "klambi")
    assert klambi.is_file(), "klambi is not installed in this environment"
    state = tmp_path / "var-lib-klambi"
    state.mkdir()
    (state / "klambi.env").write_text("KLAMBI_TELEGRAM__TOKEN=123:abc\n")
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        text = text.replace("/opt/klambi/.venv/bin/klambi", str(klambi)).replace("/opt/klambi/", f"{ROOT}/")
        (units / name).write_text(text.replace("/var/lib/klambi", str(state)))
    return units


def _verify(tool: str, units: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool, "verify", "--man=no", *(f"./{n}" for n in names)], cwd=units, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def test_the_systemd_units_verify(tmp_path):
    tool = _tool("systemd-analyze")
    units = _installed_units(tmp_path)
    done = _verify(tool, units, UNITS)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    # the same check refuses a broken unit: the test can fail
    broken = (units / "klambi.service").read_text().replace("ExecStart=", "ExecStrat=")
    (units / "klambi.service").write_text(broken)
    refused = _verify(tool, units, ["klambi.service"])
    assert refused.returncode != 0 and "ExecStrat" in refused.stderr


def test_the_units_run_klambi_as_the_readme_says():
    service = (DEPLOY / "klambi.service").read_text()
    assert "EnvironmentFile=/var/lib/klambi/klambi.env" in service  # written by `klambi setup`, mode 0600
    assert re.search(r"^ExecStart=\S+/klambi --config /var/lib/klambi/config.toml run$", service, re.M)
    assert "Restart=on-failure" in service and "User=klambi" in service
    assert "klambi backup" in (DEPLOY / "klambi-backup.service").read_text().replace("config.toml backup", "backup")
    assert "doctor --notify" in (DEPLOY / "klambi-doctor.service").read_text()
    assert os.access(DEPLOY / "backup-offsite.sh", os.X_OK)


def test_the_caddyfile_validates_and_forwards_every_route(tmp_path):
    tool = _tool("caddy")
    caddyfile = DEPLOY / "Caddyfile"
    done = subprocess.run([tool, "validate", "--config", str(caddyfile), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
                          env=os.environ | {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Valid configuration" in done.stdout + done.stderr
    settings = Settings()
    matcher = next(line for line in caddyfile.read_text().splitlines() if line.strip().startswith("@klambi path"))
    for path in (settings.telegram.webhook_path, settings.whatsapp.webhook_path, HEALTH_PATH, "/dasbor", "/dasbor/*"):
        assert f" {path}" in matcher
    assert f"reverse_proxy 127.0.0.1:{settings.web.port}" in caddyfile.read_text()
    broken = tmp_path / "Caddyfile"
    broken.write_text(caddyfile.read_text().replace("reverse_proxy 127.0.0.1", "reverse_proxi 127.0.0.1"))
    refused = subprocess.run([tool, "validate", "--config", str(broken), "--adapter", "caddyfile"],
                             capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
                             env=os.environ | {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})  # fmt: skip
    assert refused.returncode != 0


def _gpg(gpg: str, home: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run([gpg, "--homedir", str(home), "--batch", "--yes", *args], input=stdin, capture_output=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def test_backup_offsite_encrypts_copies_and_the_copy_restores(klambi, database_url, tmp_path, monkeypatch,
                                                               empty_place):  # fmt: skip  # noqa: F811
    gpg = _tool("gpg")
    # the office's key pair lives elsewhere; this machine holds only its public key
    office, machine = tmp_path / "office-gnupg", tmp_path / "machine-gnupg"
    for home in (office, machine):
        home.mkdir(mode=0o700)
    _gpg(gpg, office, "--passphrase", "", "--quick-gen-key", "Kantor Kecamatan <cadangan@example.go.id>", "default",
         "default", "never")  # fmt: skip
    public = _gpg(gpg, office, "--armor", "--export", "cadangan@example.go.id")
    _gpg(gpg, machine, "--import", stdin=public)

    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    record_all_on_time(klambi)
    backups, offsite = tmp_path / "backups", tmp_path / "offsite"
    monkeypatch.setenv("KLAMBI_BACKUP__PATH", str(backups))
    assert klambi("backup").code == 0
    environment = os.environ | {"GNUPGHOME": str(machine), "KLAMBI_OFFSITE_RECIPIENT": "cadangan@example.go.id",
                                "KLAMBI_OFFSITE_TARGET": str(offsite), "KLAMBI_BACKUP_KEEP": "1"}  # fmt: skip
    script = str(DEPLOY / "backup-offsite.sh")
    done = subprocess.run([script], env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (backup,) = backups.iterdir()
    (copy,) = offsite.iterdir()
    assert copy.name == backup.name + ".gpg"
    assert backup.read_bytes()[:64] not in copy.read_bytes()  # encrypted, not a plain copy

    # the machine cannot read its own copy (no private key); the office can
    refused = subprocess.run([gpg, "--homedir", str(machine), "--batch", "--decrypt", str(copy)], capture_output=True,
                             timeout=60, check=False)  # fmt: skip
    assert refused.returncode != 0
    restored_archive = tmp_path / "restored.tar.gz"
    restored_archive.write_bytes(_gpg(gpg, office, "--decrypt", str(copy)))
    assert restored_archive.read_bytes() == backup.read_bytes()
    url, storage = empty_place
    monkeypatch.setenv("KLAMBI_DATABASE__URL", url)
    monkeypatch.setenv("KLAMBI_STORAGE__PATH", str(storage))
    restored = klambi("restore", str(restored_archive))
    assert restored.code == 0, restored
    assert table_counts(url) == table_counts(database_url)

    # without a recipient it says which key is missing, and copies nothing
    del environment["KLAMBI_OFFSITE_RECIPIENT"]
    missing = subprocess.run([script], env=environment, capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 2 and "KLAMBI_OFFSITE_RECIPIENT" in missing.stderr
