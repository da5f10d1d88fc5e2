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

from dataclasses import dataclass, field
from datetime import date
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
