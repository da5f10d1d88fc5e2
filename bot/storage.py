"""Uploaded files, stored by content hash under `[storage] path`.

A file is written to a temporary name in the same folder, flushed, then renamed: a crash leaves a stray temporary
file, never a half-written document under its final name. Stored names come from the content, never from the user.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    relative_path: str
    size_bytes: int
    mime_type: str
    original_name: str | None = None  # as the sender named it: kept for people, never used as a path
    telegram_file_id: str | None = None
    telegram_kind: str | None = None  # "document" or "photo": how Telegram gave it, and how it is sent on


def received_as(file: dict) -> str:
    """How a downloaded file came ("document" or "photo"); a draft from before `kind` was kept: a photo has no
    file name, a document has one."""
    if file.get("kind") in ("document", "photo"):
        return file["kind"]
    return "photo" if file.get("original_name") is None and file["mime_type"].startswith("image/") else "document"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Content types and parts that carry code: a macro-enabled document, its VBA project, ActiveX controls.
CODE_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")
EXECUTABLE_SUFFIXES = {
    ".exe", ".dll", ".com", ".scr", ".pif", ".cpl", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js",
    ".jse", ".wsf", ".wsh", ".hta", ".jar", ".lnk", ".sh", ".so", ".dylib", ".apk", ".reg", ".inf",
}  # fmt: skip
ZIP_MAX_ENTRIES = 1000  # a Word document has a few dozen parts
ZIP_MAX_DIRECTORY = 256 * 1024  # bytes of central directory read at most (about 5,000 entries)
CONTENT_TYPES_MAX = 256 * 1024
PDF_TAIL = 1024  # readers look for %%EOF and startxref in the last KiB
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s")
_XREF_SECTION = re.compile(rb"\s*(?:xref|\d{1,10}\s+\d{1,5}\s+obj)")
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


def sniff_mime_type(path: Path) -> str | None:
    """The type of a document by its content: PDF, JPEG, PNG, WebP, or DOCX; None for anything else.

    Bounded work whatever the file holds: a few KiB of a PDF, a zip's directory only when it is small.
    """
    with path.open("rb") as handle:
        head = handle.read(16)
        size = handle.seek(0, os.SEEK_END)
        if head.startswith(b"%PDF-"):
            return "application/pdf" if _is_pdf(handle, head, size) else None
        if head.startswith(b"\xff\xd8\xff"):
            return "image/jpeg"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png"
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "image/webp"
        if head.startswith(b"PK\x03\x04"):
            return DOCX if _is_docx(handle, size) else None
    return None


def _is_pdf(handle: BinaryIO, head: bytes, size: int) -> bool:
    """A PDF header, and at the end `startxref` pointing at a cross-reference section (a table or a stream object)
    inside the file, then `%%EOF`: what a reader needs to open it. `%PDF-` followed by a web page is not one."""
    if not _PDF_HEADER.match(head):
        return False
    handle.seek(max(0, size - PDF_TAIL))
    tail = handle.read(PDF_TAIL)
    found = list(_STARTXREF.finditer(tail))
    if b"%%EOF" not in tail or not found:
        return False
    offset = int(found[-1].group(1))
    if offset >= size:
        return False
    handle.seek(offset)
    return _XREF_SECTION.match(handle.read(40)) is not None


def _is_docx(handle: BinaryIO, size: int) -> bool:
    """A WordprocessingML package: `[Content_Types].xml` names one main document part of the document type, which
    is there; no macro-enabled or code content type, no `vbaProject.bin`, no executable member. The directory is
    measured from its end record before zipfile reads it: too many entries are refused unread."""
    if not _small_zip_directory(handle, size):
        return False
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_ENTRIES:
                return False
            names = {member.filename for member in members}
            for name in names:
                lowered = PurePosixPath(name.lower())
                if lowered.name == "vbaproject.bin" or lowered.suffix in EXECUTABLE_SUFFIXES:
                    return False
            with archive.open("[Content_Types].xml") as reader:
                declared = reader.read(CONTENT_TYPES_MAX + 1)
            if len(declared) > CONTENT_TYPES_MAX:
                return False
            types = ElementTree.fromstring(declared)
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError, NotImplementedError, EOFError, OSError,
            zlib.error, ElementTree.ParseError):  # fmt: skip
        return False
    parts = [(element.get("PartName") or "", element.get("ContentType") or "") for element in types]
    if any(code in content_type.lower() for _, content_type in parts for code in CODE_CONTENT_TYPES):
        return False
    main = [part for part, content_type in parts if content_type == DOCX_MAIN]
    return len(main) == 1 and main[0].lstrip("/") in names


def _small_zip_directory(handle: BinaryIO, size: int) -> bool:
    """The end-of-central-directory record found as zipfile finds it; a single-disk, non-zip64 archive whose
    directory is at most ZIP_MAX_ENTRIES entries in ZIP_MAX_DIRECTORY bytes."""
    start = max(0, size - 22 - 65535 - 20)  # the record, the longest comment, a zip64 locator before it
    handle.seek(start)
    tail = handle.read()
    if len(tail) >= 22 and tail[-22:-18] == _END_OF_DIRECTORY and tail[-2:] == b"\0\0":
        at = len(tail) - 22
    else:
        at = tail.rfind(_END_OF_DIRECTORY)
        if at < 0 or len(tail) - at < 22:
            return False
    if at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
        return False
    disk, directory_disk, here, entries, directory_size = struct.unpack("<4H L", tail[at + 4 : at + 16])
    return disk == directory_disk == 0 and here == entries <= ZIP_MAX_ENTRIES and directory_size <= ZIP_MAX_DIRECTORY


def minimal_pdf(note: bytes = b"") -> bytes:
    """A small well-formed PDF (an empty page tree) with `note` in a comment: the demo's stand-in for a Perdes."""
    header = b"%PDF-1.7\n%" + note.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n"
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n",
    ]
    offsets, body = [], header
    for item in objects:
        offsets.append(len(body))
        body += item
    xref = b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(body)
    return body + xref + trailer


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
