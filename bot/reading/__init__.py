"""Reading a village document: which document it is, its tahun anggaran, nomor, tanggal penetapan and desa.

The contract every part of the project relies on (docs/domain.md "Reading a document"):

- `Reading` is what was found; every field a reader is not sure of is None, with confidence 0 and no evidence.
- `read_document(pages, source)` is pure: the text of the pages in order in, a `Reading` out (`fields.py`).
- `read_files(paths, limits)` reads files in this process: text layer first (PDF by pypdf, DOCX by its XML), OCR by
  Tesseract for images and for PDF pages without text (`extract.py`, `ocr.py`); raises `Unreadable` with an
  Indonesian reason for a file that cannot be read.
- `read_isolated(paths, limits)` does the same in a child process with limits on time and memory (`child.py`): what
  the chat and `klambi read` call, so a hostile file never takes the bot down.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DOCUMENTS = ("RKPDES", "APBDES", "LPPDES")
FIELDS = ("document", "tahun_anggaran", "nomor", "tanggal_penetapan", "desa_nama")
SOURCES = ("text", "ocr", "mixed")


@dataclass(frozen=True)
class Reading:
    document: str | None = None
    tahun_anggaran: int | None = None
    nomor: str | None = None
    tanggal_penetapan: date | None = None
    desa_nama: str | None = None
    source: str = "text"
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    pages: int = 0

    def found(self, name: str) -> bool:
        return getattr(self, name) is not None

    def as_json(self) -> dict[str, Any]:
        """Every key always present (the `klambi read --format json` shape); dates as ISO text."""
        values = {name: getattr(self, name) for name in FIELDS}
        if values["tanggal_penetapan"] is not None:
            values["tanggal_penetapan"] = values["tanggal_penetapan"].isoformat()
        return {
            **values,
            "source": self.source,
            "confidence": {name: round(float(self.confidence.get(name, 0.0)), 2) for name in FIELDS},
            "evidence": {name: self.evidence[name] for name in FIELDS if name in self.evidence},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reading:
        penetapan = data.get("tanggal_penetapan")
        return cls(
            document=data.get("document"),
            tahun_anggaran=data.get("tahun_anggaran"),
            nomor=data.get("nomor"),
            tanggal_penetapan=date.fromisoformat(penetapan) if penetapan else None,
            desa_nama=data.get("desa_nama"),
            source=data.get("source", "text"),
            confidence=dict(data.get("confidence") or {}),
            evidence=dict(data.get("evidence") or {}),
            pages=int(data.get("pages") or 0),
        )


class Unreadable(Exception):
    """A file that cannot be read (encrypted, damaged, not a document, over a limit): `key` is a text of
    `bot/i18n/reading.py`, `params` its values."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Limits:
    """What one reading may cost. Pages beyond `pages_head` + `pages_tail` are not read (the nomor is on the first
    pages, the date on the last)."""

    max_bytes: int = 30 * 2**20
    max_pages: int = 2000
    pages_head: int = 30
    pages_tail: int = 10
    max_chars: int = 2_000_000
    max_pixels: int = 40_000_000
    seconds: float = 20.0
    ocr_seconds: float = 90.0
    memory_bytes: int = 2**30
    ocr: bool = True


# --- reading files ------------------------------------------------------------------------------------------------

OUTPUT_LIMIT = 4 * 2**20  # what a child may print: a reading is a few kilobytes


def read_files(paths: list[Path], limits: Limits | None = None) -> Reading:
    """Read the files (the pages of one document, in order) in this process: text layer first, OCR for scans."""
    from bot.reading.extract import page_texts

    pages, source = page_texts([Path(p) for p in paths], limits or Limits())
    return read_document(pages, source)


def read_isolated(paths: list[Path], limits: Limits | None = None) -> Reading:
    """`read_files` in a child process (`bot.reading.child`) with its memory and CPU limited, killed (with whatever
    it started) when it overruns `limits.seconds` (plus `limits.ocr_seconds` once it says OCR started). A file that
    cannot be read, a crash or a kill is an `Unreadable`; this process never runs the document's code."""
    limits = limits or Limits()
    request = json.dumps({"paths": [str(Path(p).resolve()) for p in paths], "limits": asdict(limits)})
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.reading.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # its own process group: a kill takes Tesseract with it
    )
    try:
        return _answer(process, request, limits)
    finally:
        _kill(process)


def _answer(process: subprocess.Popen[bytes], request: str, limits: Limits) -> Reading:
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(request.encode())
        process.stdin.close()
    except OSError:
        pass  # it died already: said below
    deadline = time.monotonic() + limits.seconds
    extended = False
    output = b""
    stream = process.stdout.fileno()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unreadable("reading.too_slow", seconds=round(limits.seconds))
        ready, _, _ = select.select([stream], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(stream, 65536)
        if not chunk:
            break
        output += chunk
        if len(output) > OUTPUT_LIMIT:
            raise Unreadable("reading.too_heavy")
        if not extended and output.startswith(b"ocr\n"):
            extended = True
            deadline += limits.ocr_seconds
    try:
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise Unreadable("reading.too_slow", seconds=round(limits.seconds)) from None
    lines = [line for line in output.split(b"\n") if line.strip() and line.strip() != b"ocr"]
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise Unreadable("reading.too_heavy")  # killed by its memory or CPU limit, or crashed
    if "error" in answer:
        raise Unreadable(str(answer["error"]), **dict(answer.get("params") or {}))
    return Reading.from_json(answer["reading"])


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


from bot.reading.fields import normalise_nomor, read_document  # noqa: E402 - after Reading, which fields imports

__all__ = [
    "DOCUMENTS",
    "FIELDS",
    "SOURCES",
    "Limits",
    "Reading",
    "Unreadable",
    "normalise_nomor",
    "read_document",
    "read_files",
    "read_isolated",
]
