"""Uploaded files, stored by content hash under `[storage] path`.

A file is written to a temporary name in the same folder, flushed, then renamed: a crash leaves a stray temporary
file, never a half-written document under its final name. Stored names come from the content, never from the user.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    relative_path: str
    size_bytes: int
    mime_type: str
    original_name: str | None = None  # as the sender named it: kept for people, never used as a path
    telegram_file_id: str | None = None


def sniff_mime_type(head: bytes, path: Path | None = None) -> str | None:
    """The type of a document by its first bytes: PDF, JPEG, PNG, WebP, or DOCX (a zip holding word/document.xml)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04") and path is not None:
        try:
            with zipfile.ZipFile(path) as archive:
                if "word/document.xml" in archive.namelist():
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except zipfile.BadZipFile:
            return None
    return None


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, relative_path: str) -> Path:
        return self.root / relative_path

    def store(self, source: Path, mime_type: str) -> StoredFile:
        """Copy `source` into the store under its hash; storing the same content twice keeps one copy."""
        digest = hashlib.sha256()
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        size = 0
        with source.open("rb") as reader, tempfile.NamedTemporaryFile(dir=incoming, delete=False) as writer:
            temporary = Path(writer.name)
            try:
                while chunk := reader.read(CHUNK):
                    digest.update(chunk)
                    writer.write(chunk)
                    size += len(chunk)
                writer.flush()
                os.fsync(writer.fileno())
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        sha = digest.hexdigest()
        relative = f"files/{sha[:2]}/{sha}"
        final = self.root / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            temporary.unlink()
        else:
            os.replace(temporary, final)
        return StoredFile(sha, relative, size, mime_type)
