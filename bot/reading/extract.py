"""The text of a document's pages: PDF by pypdf, DOCX by its XML, JPEG/PNG and PDF pages without text by OCR.

Nothing here renders or executes a document: pypdf extracts text (no JavaScript, no forms), the DOCX is a zip of XML
read with a parser that is given no DTD, and images go to Tesseract only through `bot.reading.ocr`. What a file is
comes from its first bytes, never its name; every limit of `Limits` is checked before the work it bounds.
"""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from bot.reading import Limits, Unreadable

log = logging.getLogger(__name__)

EMPTY_PAGE = 20  # a PDF page with fewer letters and digits than this has no text layer worth the name: a scan
DOCX_PARTS = 64 * 2**20  # what the XML parts of a DOCX may unpack to, together
DOCX_RATIO = 200  # a member that unpacks to more than this many times its packed size is a zip bomb

PDF, DOCX, JPEG, PNG = "pdf", "docx", "jpeg", "png"


def kind_of(path: Path, limits: Limits) -> str:
    """What the file is, by its first bytes; Unreadable when it is none of PDF, DOCX, JPEG, PNG or too big."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(1024)
    except OSError:
        raise Unreadable("reading.missing", name=path.name) from None
    if size > limits.max_bytes:
        raise Unreadable("reading.too_big", name=path.name, limit=limits.max_bytes // 2**20)
    if b"%PDF-" in start:  # the header may follow a little junk (the PDF reference allows 1024 bytes)
        return PDF
    if start.startswith(b"\xff\xd8\xff"):
        return JPEG
    if start.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if start.startswith(b"PK\x03\x04"):
        return DOCX  # checked to hold word/document.xml when opened
    raise Unreadable("reading.not_a_document", name=path.name)


OCR_MARGIN = 2.0  # seconds of the OCR time kept for answering the parent
PAGE_SECONDS = 30.0  # one page's OCR at most (a page takes 1–4 s here)


def page_texts(paths: list[Path], limits: Limits, on_ocr: Callable[[], None] | None = None) -> tuple[list[str], str]:
    """The texts of the pages of `paths` (one document, in order) and where they came from: "text", "ocr" (every
    page needed OCR, whether or not it could be done) or "mixed". `on_ocr` is called once before the first OCR."""
    pages: list[str] = []
    kinds: list[str] = []  # "text" or "ocr" per page
    budget = [limits.max_chars]
    ocr_deadline: list[float] = []  # set when the first OCR starts: the parent then allows ocr_seconds more

    def ocr_text(make_image: Callable[[], object]) -> str:
        from bot.reading import ocr  # lazily: Pillow and Tesseract only for scans

        if not (limits.ocr and ocr.available()):
            return ""
        if not ocr_deadline:
            ocr_deadline.append(time.monotonic() + limits.ocr_seconds - OCR_MARGIN)
            if on_ocr is not None:
                on_ocr()
        # Each page within what is left of the OCR time, none over PAGE_SECONDS: a long scan whose time runs out
        # keeps the pages read (the child answers before the parent's deadline kills it), the rest are empty.
        left = ocr_deadline[0] - time.monotonic()
        return ocr.image_text(make_image(), limits, seconds=min(left, PAGE_SECONDS))

    def add(text: str, kind: str) -> None:
        text = text[: max(0, budget[0])]
        budget[0] -= len(text)
        pages.append(text)
        kinds.append(kind)

    for path in paths:
        try:
            _read_one(path, limits, add, ocr_text, budget)
        except Unreadable as problem:
            if "name" in problem.params:
                raise
            raise Unreadable(problem.key, **{**problem.params, "name": path.name}) from None  # which file, always
    if not kinds or all(k == "text" for k in kinds):
        source = "text"
    elif all(k == "ocr" for k in kinds):
        source = "ocr"
    else:
        source = "mixed"
    return pages, source


def _read_one(
    path: Path,
    limits: Limits,
    add: Callable[[str, str], None],
    ocr_text: Callable[[Callable[[], object]], str],
    budget: list[int],
) -> None:
    """One file's pages, each given to `add` with "text" or "ocr"."""
    kind = kind_of(path, limits)
    if kind == PDF:
        for text, page_kind, index in _pdf_pages(path, limits, budget):
            if page_kind != SCAN:  # text, or a signature's name / a blank page with no image: nothing OCR could add
                add(text, "text")
                continue
            seen = ocr_text(lambda index=index: _ocr().pdf_page_image(path, index, limits))
            if len(seen.strip()) > len(text.strip()):
                add(seen, "ocr")
            else:  # a page with a few words and a picture that is not a scan (or no OCR here): its words
                add(text, "text" if any(c.isalnum() for c in text) else "ocr")
    elif kind == DOCX:
        for text in _docx_pages(path, limits):
            add(text, "text")
    else:
        add(ocr_text(lambda: _ocr().open_image(path, limits)), "ocr")


def _ocr():  # the module, imported when first needed
    from bot.reading import ocr

    return ocr


# --- PDF --------------------------------------------------------------------------------------------------------


TEXT, SCAN, EMPTY = "text", "scan", "empty"  # a PDF page: a text layer; an image and (almost) no text; neither
IMAGE_DEPTH = 4  # Form XObjects inside Form XObjects looked into for an image, at most
IMAGE_OBJECTS = 64  # XObjects looked at per page, at most
INLINE_BYTES = 4 * 2**20  # of a page's content stream searched for an inline image ("BI ... ID")
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s*/")


def _has_image(page: object) -> bool:
    """Whether a PDF page shows an image: an /Image XObject in its resources (or in a Form XObject's, up to
    IMAGE_DEPTH deep, IMAGE_OBJECTS in all), or an inline image in its content stream. Bounded for hostile files;
    when the page cannot be looked into, True (OCR decides, as before)."""
    try:
        seen = [0]

        def in_resources(resources: object, depth: int) -> bool:
            resources = _resolved(resources)
            xobjects = _resolved(resources.get("/XObject")) if isinstance(resources, dict) else None
            if not isinstance(xobjects, dict):
                return False
            for value in list(xobjects.values())[:IMAGE_OBJECTS]:
                seen[0] += 1
                if seen[0] > IMAGE_OBJECTS:
                    return False
                xobject = _resolved(value)
                if not isinstance(xobject, dict):
                    continue
                subtype = xobject.get("/Subtype")
                if subtype == "/Image":
                    return True
                if subtype == "/Form" and depth > 0 and in_resources(xobject.get("/Resources"), depth - 1):
                    return True
            return False

        if in_resources(page.get("/Resources"), IMAGE_DEPTH):  # type: ignore[attr-defined]
            return True
        contents = page.get_contents()  # type: ignore[attr-defined]
        data = contents.get_data()[:INLINE_BYTES] if contents is not None else b""
        return bool(_INLINE_IMAGE.search(data))
    except MemoryError:
        raise
    except Exception:  # RecursionError too: a page too odd to look into is left to OCR
        log.debug("pdf page images unknown", exc_info=True)
        return True


def _resolved(value: object) -> object:
    get_object = getattr(value, "get_object", None)
    return get_object() if get_object is not None else value


def _pdf_pages(path: Path, limits: Limits, budget: list[int]):  # yields (text, TEXT|SCAN|EMPTY, index)
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")  # many "protected" PDFs only forbid printing: no password to open
            except Exception:  # an unknown or unsupported cipher is as locked as a password
                decrypted = 0
            if not decrypted:
                raise Unreadable("reading.encrypted", name=path.name)
        count = len(reader.pages)
    except Unreadable:
        raise
    except FileNotDecryptedError:
        raise Unreadable("reading.encrypted", name=path.name) from None
    except MemoryError:
        raise  # too heavy, not damaged: the child says so
    except RecursionError:
        raise Unreadable("reading.damaged", name=path.name) from None
    except Exception:  # pypdf has many ways of saying a file is broken; all mean the same here
        log.debug("pdf unreadable", exc_info=True)
        raise Unreadable("reading.damaged", name=path.name) from None
    if count > limits.max_pages:
        raise Unreadable("reading.too_many_pages", name=path.name, pages=count, limit=limits.max_pages)
    if count == 0:
        raise Unreadable("reading.damaged", name=path.name)
    head = list(range(min(count, limits.pages_head)))
    tail = [i for i in range(max(0, count - limits.pages_tail), count) if i not in head]
    for index in head + tail:
        if budget[0] <= 0:
            return
        try:
            text = reader.pages[index].extract_text() or ""
        except FileNotDecryptedError:
            raise Unreadable("reading.encrypted", name=path.name) from None
        except MemoryError:
            raise
        except RecursionError:
            raise Unreadable("reading.damaged", name=path.name) from None
        except Exception:  # one broken page: read as a page without text (OCR may still see it)
            log.debug("pdf page unreadable", exc_info=True)
            text = ""
        text = text[: budget[0]]
        if sum(c.isalnum() for c in text) >= EMPTY_PAGE:
            yield text, TEXT, index
        else:
            yield text, (SCAN if _has_image(reader.pages[index]) else EMPTY), index


# --- DOCX -------------------------------------------------------------------------------------------------------


def _docx_pages(path: Path, limits: Limits) -> list[str]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Unreadable("reading.damaged", name=path.name) from None
    with archive:
        names = archive.namelist()
        if "word/document.xml" not in names:
            raise Unreadable("reading.not_a_document", name=path.name)
        headers = sorted(n for n in names if n.startswith("word/header") and n.endswith(".xml"))
        footers = sorted(n for n in names if n.startswith("word/footer") and n.endswith(".xml"))
        parts = {name: _member(archive, name, path) for name in ["word/document.xml", *headers, *footers]}
    for data in parts.values():
        lowered = data.lower()
        if b"<!doctype" in lowered or b"<!entity" in lowered:  # WordprocessingML has no DTD: entities are an attack
            raise Unreadable("reading.damaged", name=path.name)
    pages = _wordml_pages(parts["word/document.xml"], path, limits)
    top = " ".join(t for n in headers if (t := " ".join(_wordml_pages(parts[n], path, limits)).strip()))
    bottom = " ".join(t for n in footers if (t := " ".join(_wordml_pages(parts[n], path, limits)).strip()))
    if top:
        pages[0] = f"{top}\n{pages[0]}"
    if bottom:
        pages[-1] = f"{pages[-1]}\n{bottom}"
    return pages


def _member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """A member's bytes, refused when it unpacks (declared or in fact) beyond what a village document needs."""
    info = archive.getinfo(name)
    total = sum(i.file_size for i in archive.infolist())
    absurd = info.file_size > 2**20 and info.file_size > DOCX_RATIO * max(1, info.compress_size)
    if info.file_size > DOCX_PARTS or total > 4 * DOCX_PARTS or absurd:
        raise Unreadable("reading.unpacked_too_big", name=path.name)
    try:
        with archive.open(info) as member:
            data = member.read(DOCX_PARTS + 1)  # the declared size may lie: read no more than the limit
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise Unreadable("reading.damaged", name=path.name) from None
    if len(data) > DOCX_PARTS:
        raise Unreadable("reading.unpacked_too_big", name=path.name)
    return data


def _wordml_pages(data: bytes, path: Path, limits: Limits) -> list[str]:
    """Paragraphs and table cells in order; a page break (`w:br w:type="page"`, `w:lastRenderedPageBreak`, a
    section's end) starts a page."""
    pages: list[list[str]] = [[]]
    line: list[str] = []
    chars = 0

    def new_page() -> None:
        if line:
            pages[-1].append("".join(line))
            line.clear()
        if any(part.strip() for part in pages[-1]):
            pages.append([])

    try:
        for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
            name = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if name == "lastRenderedPageBreak" or (name == "br" and _attr(element, "type") == "page"):
                    new_page()
                continue
            if name == "t" and element.text:
                line.append(element.text)
                chars += len(element.text)
            elif name == "tab":
                line.append(" ")
            elif name == "br" and _attr(element, "type") != "page":
                line.append("\n")
            elif name == "tc":
                line.append(" | ")
            elif name in ("p", "tr"):
                line.append("\n")
                pages[-1].append("".join(line))
                line.clear()
                if name == "p" and any(c.tag.rsplit("}", 1)[-1] == "sectPr" for c in _ppr(element)):
                    new_page()  # a section ends here: the next starts on a new page
            if name in ("p", "tbl"):
                element.clear()  # the tree need not stay in memory
            if chars > limits.max_chars:
                break
    except ElementTree.ParseError:
        raise Unreadable("reading.damaged", name=path.name) from None
    if line:
        pages[-1].append("".join(line))
    texts = ["".join(page) for page in pages]
    if len(texts) > 1 and not texts[-1].strip():
        texts.pop()
    return texts


def _attr(element: ElementTree.Element, local: str) -> str | None:
    return next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == local), None)


def _ppr(paragraph: ElementTree.Element) -> list[ElementTree.Element]:
    properties = next((c for c in paragraph if c.tag.rsplit("}", 1)[-1] == "pPr"), None)
    return list(properties) if properties is not None else []
