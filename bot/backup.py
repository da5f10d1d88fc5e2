"""Backups: the database and the stored files, together, restorable into an empty place.

A backup is a folder (or the same folder packed as `.tar.gz`) holding `manifest.json` (what, when, the schema
revision, every stored file with its SHA-256), the database — `database.sqlite` made with SQLite's online backup API
(safe while the bot runs) or `database.pgdump` from `pg_dump --format=custom` — and `files/`, a copy of
`[storage] path`. Restoring refuses a database or storage folder that already holds something, checks every file
against its hash, and brings the schema up to date afterwards.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import URL, make_url

from bot.errors import InputError

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024
ARCHIVE_SUFFIXES = {".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar"}  # a file people expect


BACKUP_NAME = re.compile(r"klambi-backup-(\d{8}T\d{6}Z)\.tar\.gz")


def backup_name(now: datetime) -> str:
    """The name of a backup written into `[backup] path`: its UTC moment, so the newest sorts last."""
    return f"klambi-backup-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def latest_backup(folder: Path) -> tuple[Path, datetime] | None:
    """The newest backup `klambi backup` wrote into `folder` (by the moment in its name), or None."""
    if not folder.is_dir():
        return None
    found = []
    for entry in folder.iterdir():
        if (match := BACKUP_NAME.fullmatch(entry.name)) and entry.is_file():
            found.append((datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC), entry))
    if not found:
        return None
    moment, path = max(found)
    return path, moment


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str  # "sqlite" or "postgresql"
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _packed(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


def find_postgres_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest of Debian's /usr/lib/postgresql/<version>/bin."""
    if found := shutil.which(name):
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}") + glob.glob(f"/usr/pgsql-*/bin/{name}")

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.split("/bin/")[0]))

    candidates = [c for c in candidates if os.access(c, os.X_OK)]
    if not candidates:
        raise InputError("cli.backup.no_pg_tool", tool=name)
    return max(candidates, key=version)


def _pg_command(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment, never on a command line."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [f"exit {done.returncode}"]
        raise InputError("cli.backup.tool_failed", tool=what, reason=lines[0][:300])


def make_backup(database_url: str, storage: Path, revision: str | None, now: datetime, output: Path) -> BackupSummary:
    if output.suffix.lower() in ARCHIVE_SUFFIXES and not _packed(output):
        raise InputError("cli.backup.suffix", path=output)
    if output.exists():
        raise InputError("cli.backup.output_exists", path=output)
    if not output.parent.is_dir():
        raise InputError("cli.output_folder", folder=output.parent)
    url = make_url(database_url)
    kind = url.get_backend_name()
    with tempfile.TemporaryDirectory(prefix=".klambi-backup-", dir=output.parent) as scratch:
        folder = Path(scratch) / "backup"
        folder.mkdir()
        if kind == "sqlite":
            source = Path(url.database or "")
            if not source.is_file():
                raise InputError("cli.backup.no_database", path=source)
            with sqlite3.connect(source) as live, sqlite3.connect(folder / "database.sqlite") as copy:
                live.backup(copy)  # the online backup API: consistent while the bot writes
            live.close()
            copy.close()
            database_file = "database.sqlite"
        else:
            args, env = _pg_command(url)
            dump = find_postgres_tool("pg_dump")
            database_file = "database.pgdump"
            command = [dump, "--format=custom", "--no-owner", "--no-privileges", "--file", str(folder / database_file)]
            _run(command + args, env, "pg_dump")
        files, total = [], 0
        if storage.is_dir():
            for path in sorted(p for p in storage.rglob("*") if p.is_file()):
                relative = path.relative_to(storage).as_posix()
                if relative.startswith(".") or "/." in relative:
                    continue  # temporary names of writes in progress
                target = folder / "files" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                files.append({"path": relative, "sha256": _sha256(target), "size": target.stat().st_size})
                total += target.stat().st_size
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": kind,
            "database_file": database_file,
            "database_sha256": _sha256(folder / database_file),
            "schema_revision": revision,
            "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if _packed(output):
            partial = Path(scratch) / "backup.tar.gz"
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(folder, arcname="klambi-backup")
            partial.replace(output)
        else:
            folder.replace(output)
    return BackupSummary(output, kind, len(files), total)


def _unpack(source: Path, scratch: Path) -> Path:
    if not source.exists():
        raise InputError("cli.backup.not_found", path=source)
    if source.is_dir():
        folder = source
    else:
        try:
            with tarfile.open(source, "r:*") as archive:
                archive.extractall(scratch, filter="data")
        except (tarfile.TarError, OSError):
            raise InputError("cli.backup.not_a_backup", path=source) from None
        folder = scratch / "klambi-backup"
    if not (folder / MANIFEST).is_file():
        raise InputError("cli.backup.not_a_backup", path=source)
    return folder


def read_manifest(folder: Path, source: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except ValueError:
        raise InputError("cli.backup.not_a_backup", path=source) from None
    if manifest.get("format") != FORMAT:
        raise InputError("cli.backup.not_a_backup", path=source)
    return manifest


async def database_is_empty(engine) -> bool:
    from sqlalchemy import inspect

    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return not names


def restore_backup(source: Path, database_url: str, storage: Path, database_empty: bool) -> BackupSummary:
    """Put a backup into an empty database and an empty storage folder; every file is checked against its hash."""
    url = make_url(database_url)
    kind = url.get_backend_name()
    with tempfile.TemporaryDirectory(prefix=".klambi-restore-") as scratch:
        folder = _unpack(source, Path(scratch))
        manifest = read_manifest(folder, source)
        if manifest["database"] != kind:
            raise InputError("cli.backup.other_database", made=manifest["database"], here=kind)
        if not database_empty:
            raise InputError("cli.backup.database_not_empty")
        if storage.exists() and any(storage.iterdir()):
            raise InputError("cli.backup.storage_not_empty", path=storage)
        database_file, entries = _checked(manifest, folder, storage, source)
        if kind == "sqlite":
            target = Path(url.database or "")
            target.parent.mkdir(parents=True, exist_ok=True)
            for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                stale.unlink(missing_ok=True)  # an empty database file (no tables) only
            with sqlite3.connect(database_file) as saved, sqlite3.connect(target) as live:
                saved.backup(live)
            saved.close()
            live.close()
        else:
            args, env = _pg_command(url)
            command = [find_postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
            _run([*command, *args, str(database_file)], env, "pg_restore")
        total = 0
        for saved_file, target in entries:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved_file, target)
            total += saved_file.stat().st_size
    return BackupSummary(source, kind, len(entries), total)


def _inside(root: Path, relative: str) -> Path | None:
    """`root / relative` with every link and `..` resolved, or None when that leaves `root` (or names `root`)."""
    if not relative or "\x00" in relative or PurePosixPath(relative).is_absolute() or "\\" in relative:
        return None
    resolved = (root / relative).resolve()
    return resolved if resolved.is_relative_to(root) and resolved != root else None


def _checked(manifest: dict, folder: Path, storage: Path, source: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    """The database file and every (saved file, place in storage), all checked before anything is written: each
    path stays inside the backup's files and inside the storage folder once resolved (`..`, absolute paths and links
    out refused), and every hash matches."""
    files, entries = manifest.get("files"), []
    if manifest.get("database_file") not in ("database.sqlite", "database.pgdump") or not isinstance(files, list):
        raise InputError("cli.backup.not_a_backup", path=source)
    database_file = folder / manifest["database_file"]
    if database_file.is_symlink() or not database_file.is_file():
        raise InputError("cli.backup.not_a_backup", path=source)
    if _sha256(database_file) != manifest.get("database_sha256"):
        raise InputError("cli.backup.damaged", path=manifest["database_file"])
    saved_root, storage_root = (folder / "files").resolve(), storage.resolve()
    for entry in files:
        relative = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(relative, str):
            raise InputError("cli.backup.not_a_backup", path=source)
        saved_file, target = _inside(saved_root, relative), _inside(storage_root, relative)
        if saved_file is None or target is None:
            raise InputError("cli.backup.unsafe_path", path=relative[:200], storage=storage)
        if not saved_file.is_file():
            raise InputError("cli.backup.damaged", path=relative[:200])
        if _sha256(saved_file) != entry.get("sha256"):
            raise InputError("cli.backup.damaged", path=relative[:200])
        entries.append((saved_file, target))
    return database_file, entries
