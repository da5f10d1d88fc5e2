"""The environment file (`klambi.env`): the secrets `klambi setup` writes, in systemd's `EnvironmentFile=` syntax.

Every `klambi` command reads it through `bot.config.load_settings`: `$KLAMBI_ENV_FILE` when set, else `klambi.env`
beside the configuration file in use (or in the working directory when there is none), when it exists. Variables
already in the process environment win. The file is parsed here rather than by pydantic-settings' dotenv source,
which needs python-dotenv (not a dependency) and accepts a wider syntax than systemd reads (`export`, interpolation):
what `klambi` reads is what systemd reads (docs/DECISIONS.md, "Issue 20: the environment file").

Syntax: one `KEY=value` a line; blank lines and lines starting with `#` or `;` are skipped; a value may be quoted with
"..." (backslash escapes \\" \\\\ \\n) or '...' (taken as is). Errors name the line number, never its value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV_FILE_NAME = "klambi.env"
ENV_FILE_VARIABLE = "KLAMBI_ENV_FILE"
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./~-]*")  # written without quotes


class EnvFileError(ValueError):
    """A line of the environment file that cannot be read; the message names the file and the line, never a value."""


def env_file_path(config: Path | None) -> tuple[Path | None, bool]:
    """The environment file to read and whether it was named explicitly (then it must exist)."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named:
        return Path(named), True
    folder = config.parent if config is not None else Path()
    path = folder / ENV_FILE_NAME
    return (path, False) if path.is_file() else (None, False)


def parse_env_file(path: Path) -> dict[str, str]:
    """The variables of `path`, in file order."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EnvFileError(f"berkas lingkungan {path} tidak ada ({ENV_FILE_VARIABLE})") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise EnvFileError(f"berkas lingkungan {path} tidak terbaca: {reason}") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        key, sep, raw = stripped.partition("=")
        key = key.strip()
        if not sep or not KEY.fullmatch(key):
            raise EnvFileError(
                f"berkas lingkungan {path} baris {number}: bukan KUNCI=nilai (contoh: KLAMBI_TELEGRAM__TOKEN=123:ABC)"
            )
        value = _value(raw.strip())
        if value is None:
            raise EnvFileError(f"berkas lingkungan {path} baris {number} ({key}): tanda kutip tidak ditutup")
        values[key] = value
    return values


def _value(raw: str) -> str | None:
    if raw[:1] == "'":
        return raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else None
    if raw[:1] == '"':
        out, index = [], 1
        while index < len(raw):
            char = raw[index]
            if char == "\\" and index + 1 < len(raw):
                following = raw[index + 1]
                out.append({"n": "\n", '"': '"', "\\": "\\"}.get(following, "\\" + following))
                index += 2
                continue
            if char == '"':
                return "".join(out) if raw[index + 1 :].strip() == "" else None
            out.append(char)
            index += 1
        return None
    return raw


def quote(value: str) -> str:
    """A value as systemd and `parse_env_file` read it back: bare when safe, else in double quotes."""
    if SAFE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_env(values: dict[str, str], header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    return "\n".join([*lines, *(f"{key}={quote(value)}" for key, value in values.items())]) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable only by its owner (0600) from the first byte: a new file created 0600 beside
    it, then renamed over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
