"""OCR of scans and phone photos: Tesseract 5 with its Indonesian data (`ind`), through pytesseract.

Only Pillow and numpy prepare the image (no OpenCV). The steps, each a small function, in order:

1. `flatten`: uneven light and shadows are divided out by a blurred estimate of the paper without its text.
2. `upright`: a page lying on its side (90/180/270) is turned, by Tesseract's OSD when it is confident, else by
   reading the inked part of the page in the four rotations and keeping the one that reads most like words.
3. `upscale`: a page narrower than a 200 dpi scan (a photo sent on by a chat app) is enlarged.
4. `deskew`: the text lines are straightened by a projection-profile search over ±10° on a small binary copy.
5. `binarise`: Otsu's threshold, computed with numpy.

PDF pages are rasterised by pypdfium2 without its form environment (`init_forms` is never called), so no JavaScript
in a PDF ever runs. docs/DECISIONS.md "Issue 21: OCR" says why each choice.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import threading
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from bot.reading import Limits, Unreadable

LANG = "ind"
OEM = 1  # the LSTM engine only: the `ind` data of Debian's tesseract-ocr-ind is the "fast" LSTM model
PSM = 3  # automatic page segmentation: a Perdes page has a centred title, paragraphs and a signature block
PDF_DPI = 300
WIDE_ENOUGH = 1600  # pixels across: a 200 dpi A4 scan (1654) or more is read as it is
TARGET_WIDTH = 2400  # narrower pages (a phone photo sent on: 1200-1600) are enlarged to this before OCR
MAX_UPSCALE = 2.0
DESKEW_RANGE = 10.0  # degrees either way
OSD_MIN_CONFIDENCE = 2.0  # Tesseract's orientation confidence below which the four rotations are tried instead

JPEG_REDUCIBLE = 16  # a JPEG of up to 16 x max_pixels is decoded at 1/4 scale; anything larger is refused

# What a scanner or a phone writes. Not EPS/PS (Pillow would run Ghostscript on it), nor the rarer formats.
IMAGE_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP")  # "JPEG" also opens a phone's multi-picture JPEG (MPO)

_available: bool | None = None
_available_lock = threading.Lock()


def available() -> bool:
    """True when the tesseract binary is on PATH with the Indonesian data; asked once, never raises."""
    global _available
    with _available_lock:
        if _available is None:
            _available = _probe()
        return _available


def _probe() -> bool:
    binary = shutil.which("tesseract")
    if binary is None:
        return False
    try:
        listing = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=10, env=_tesseract_env(), check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    languages = {line.strip() for line in (listing.stdout + listing.stderr).splitlines()}
    return LANG in languages


def _tesseract_env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


# --- opening images and PDF pages ---------------------------------------------------------------------------------


def open_image(path: Path, limits: Limits) -> Image.Image:
    """A JPEG, PNG, TIFF, WebP or BMP (IMAGE_FORMATS) as a greyscale image, EXIF orientation applied, at most
    `limits.max_pixels`. A JPEG up to JPEG_REDUCIBLE times larger (a 50-megapixel phone photo) is decoded at 1/2 or
    1/4 of its size (JPEG's own scaled decoding: the full size is never allocated); any other image over the limit,
    a decompression bomb or a damaged file raises `Unreadable` before any large allocation."""
    Image.MAX_IMAGE_PIXELS = limits.max_pixels * JPEG_REDUCIBLE  # Pillow refuses more from the header alone
    Image.init()  # registers every plugin, so that `formats` can name TIFF and WEBP
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=IMAGE_FORMATS) as opened:
                _reduce_or_refuse(opened, limits.max_pixels)
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
                image = image.convert("L")
    except Unreadable:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Unreadable("reading.too_big_image") from None
    except (OSError, ValueError, SyntaxError, EOFError, TypeError, IndexError, KeyError, struct.error):
        raise Unreadable("reading.damaged") from None
    return _within(image, limits.max_pixels)


def _reduce_or_refuse(opened: Image.Image, max_pixels: int) -> None:
    """Before decoding: a JPEG over max_pixels is set to decode at 1/2 or 1/4 scale; anything else over is refused."""
    width, height = opened.size
    if width * height <= max_pixels:
        return
    if opened.format == "JPEG":
        for reduction in (2, 4):
            if width * height <= max_pixels * reduction * reduction:
                opened.draft("L", (math.ceil(width / reduction), math.ceil(height / reduction)))
                break
        if opened.size[0] * opened.size[1] <= max_pixels:
            return
    raise Unreadable("reading.too_big_image")


def _within(image: Image.Image, max_pixels: int) -> Image.Image:
    pixels = image.width * image.height
    if pixels <= max_pixels:
        return image
    factor = math.sqrt(max_pixels / pixels)
    size = (max(1, int(image.width * factor)), max(1, int(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def pdf_page_image(path: Path, index: int, limits: Limits) -> Image.Image:
    """Page `index` (0-based) of a PDF rasterised by pypdfium2 at 300 dpi, or less so that it stays under
    `limits.max_pixels` whatever its MediaBox says; greyscale. No form environment: no JavaScript runs."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        raise Unreadable("reading.damaged") from None
    try:
        if not 0 <= index < len(document):
            raise Unreadable("reading.damaged")
        page = document[index]
        try:
            width, height = page.get_size()
            if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
                raise Unreadable("reading.damaged")
            scale = PDF_DPI / 72
            if width * height * scale * scale > limits.max_pixels:
                scale = math.sqrt(limits.max_pixels / (width * height)) * 0.999
            bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
            image = bitmap.to_pil().convert("L")
        finally:
            page.close()
    except pdfium.PdfiumError:
        raise Unreadable("reading.damaged") from None
    finally:
        document.close()
    return _within(image, limits.max_pixels)


# --- preparing a page ---------------------------------------------------------------------------------------------


def _small(image: Image.Image, longest: int) -> tuple[Image.Image, float]:
    factor = min(1.0, longest / max(image.size))
    if factor >= 1.0:
        return image, 1.0
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BOX), factor


def flatten(image: Image.Image) -> Image.Image:
    """Divide out uneven light: the background is the page with its text removed (a max filter on a small copy,
    so dark strokes vanish) and heavily blurred; page / background brings paper to white everywhere."""
    small, _ = _small(image, 400)
    background = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(radius=3))
    background = background.resize(image.size, Image.Resampling.BILINEAR)
    page = np.asarray(image, dtype=np.float32) * 255.0  # in place from here: a 40-megapixel page is 160 MB a copy
    light = np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    np.divide(page, light, out=page)
    del light
    np.clip(page, 0, 255, out=page)
    return Image.fromarray(page.astype(np.uint8), mode="L")


def otsu_threshold(grey: np.ndarray) -> int:
    histogram = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    if total == 0:
        return 128
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(histogram)
    weight_light = total - weight_dark
    mean_dark_sum = np.cumsum(histogram * levels)
    grand = mean_dark_sum[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_dark = mean_dark_sum / weight_dark
        mean_light = (grand - mean_dark_sum) / weight_light
        between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def binarise(image: Image.Image) -> Image.Image:
    """Black text on white by Otsu's threshold (after `flatten` the light is even, so one threshold serves)."""
    threshold = otsu_threshold(np.asarray(image, dtype=np.uint8))
    return image.point([0] * (threshold + 1) + [255] * (255 - threshold))  # a lookup table: no copy in numpy


def skew_angle(image: Image.Image) -> float:
    """The angle (degrees, counter-clockwise positive as PIL rotates) that makes the text lines horizontal: the
    rotation whose row sums of ink vary most, searched coarsely then finely on a small binary copy."""
    small, _ = _small(image, 900)
    ink = Image.fromarray((np.asarray(binarise(small)) == 0).astype(np.uint8) * 255, mode="L")
    if not np.asarray(ink).any():
        return 0.0

    def score(angle: float) -> float:
        turned = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, expand=False), dtype=np.float32)
        rows = turned.sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-DESKEW_RANGE, DESKEW_RANGE + 0.01, 1.0), key=score)
    fine = max(np.arange(best - 1.0, best + 1.01, 0.1), key=score)
    return round(float(fine), 1)


def deskew(image: Image.Image) -> Image.Image:
    angle = skew_angle(image)
    if abs(angle) < 0.15:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def upscale(image: Image.Image, max_pixels: int) -> Image.Image:
    """Enlarge a page narrower than WIDE_ENOUGH (a photo sent on by a chat app) to TARGET_WIDTH, at most
    MAX_UPSCALE times and never past max_pixels; a 200 dpi scan read better as it was (docs/DECISIONS.md)."""
    if image.width >= WIDE_ENOUGH:
        return image
    factor = min(MAX_UPSCALE, TARGET_WIDTH / image.width)
    factor = min(factor, math.sqrt(max_pixels / (image.width * image.height)))
    if factor <= 1.1:
        return image
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


# --- Tesseract -----------------------------------------------------------------------------------------------------

MIN_CALL_SECONDS = 0.3  # a Tesseract call given less time than this is not started


def _tesseract(function_name: str, image: Image.Image, seconds: float, **options: object) -> object | None:
    """One pytesseract call with a timeout (pytesseract kills the process when it runs out); None when there is no
    time left, the call timed out, or Tesseract failed. pytesseract's timeout 0 means "none", hence the floor."""
    import pytesseract

    if seconds < MIN_CALL_SECONDS:
        return None
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one thread per Tesseract: other readings and the bot share the CPUs
    try:
        return getattr(pytesseract, function_name)(image, timeout=seconds, **options)
    except (pytesseract.TesseractError, RuntimeError, OSError, ValueError):
        return None


# --- orientation --------------------------------------------------------------------------------------------------


def osd_rotation(image: Image.Image, seconds: float) -> int | None:
    """Tesseract's orientation detection: the clockwise degrees to turn the page, or None when unsure or failed."""
    small, _ = _small(image, 1600)
    found = _tesseract("image_to_osd", small, seconds, config="--psm 0 -c min_characters_to_try=20", output_type="dict")
    if not isinstance(found, dict) or float(found.get("orientation_conf", 0.0)) < OSD_MIN_CONFIDENCE:
        return None
    return int(found.get("rotate", 0)) % 360


def _words_score(image: Image.Image, seconds: float) -> float:
    data = _tesseract("image_to_data", image, seconds, lang=LANG, config=f"--oem {OEM} --psm 6", output_type="dict")
    if not isinstance(data, dict):
        return 0.0
    score = 0.0
    for word, confidence in zip(data.get("text", []), data.get("conf", []), strict=False):
        letters = sum(character.isalpha() for character in word)
        if letters >= 3 and letters >= 0.7 * len(word) and float(confidence) > 50:
            score += float(confidence) / 100 * letters
    return score


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of the dark marks on a page (None for a blank page), from a small binary copy."""
    small, factor = _small(image, 600)
    ink = np.asarray(binarise(small)) == 0
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    margin = 4
    left, top = max(0, columns[0] - margin), max(0, rows[0] - margin)
    right, bottom = min(small.width, columns[-1] + margin + 1), min(small.height, rows[-1] + margin + 1)
    return (int(left / factor), int(top / factor), int(right / factor), int(bottom / factor))


def _turn_scores(image: Image.Image, turns: tuple[int, ...], seconds: float) -> dict[int, float]:
    """How much the inked part of the page reads like words, turned by each of `turns` (clockwise degrees)."""
    box = ink_box(image)
    if box is None:
        return {}
    small, _ = _small(image.crop(box), 1400)
    return {turn: _words_score(small.rotate(-turn, expand=True), seconds / len(turns)) for turn in turns}


def guess_rotation(image: Image.Image, seconds: float) -> int:
    """Read the inked part of the page turned 0/90/180/270° and keep the turn that reads most like words (a turn
    must read clearly better than upright to be chosen)."""
    scores = _turn_scores(image, (0, 90, 180, 270), seconds)
    if not scores:
        return 0
    best = max(scores, key=lambda turn: scores[turn])
    return best if scores[best] > scores[0] * 1.2 else 0


def upright(image: Image.Image, deadline: float) -> Image.Image:
    """Turn a page lying on its side: OSD first (a third of the time left), the four rotations when OSD is unsure.
    OSD can also be sure and wrong (an upright scan of a report's title page said 180°): a turn it asks for is kept
    unless the page reads better as it is."""
    rotation = osd_rotation(image, (deadline - time.monotonic()) / 3)
    if rotation is None:
        rotation = guess_rotation(image, (deadline - time.monotonic()) / 2)
    elif rotation:
        scores = _turn_scores(image, (0, rotation), (deadline - time.monotonic()) / 2)
        if scores and scores[0] > scores[rotation]:
            rotation = 0
    if rotation == 0:
        return image
    return image.rotate(-rotation, expand=True)


# --- OCR ----------------------------------------------------------------------------------------------------------


def prepare(image: Image.Image, limits: Limits, deadline: float) -> Image.Image:
    """The page made ready for Tesseract: even light, upright, large enough, straight, black on white. Turning it
    upright may use Tesseract until `deadline` (time.monotonic()); the rest is numpy and Pillow, well under a
    second for a 300 dpi page."""
    page = _within(image.convert("L"), limits.max_pixels)
    page = flatten(page)
    page = upright(page, deadline)
    page = upscale(page, limits.max_pixels)  # before deskew, whose expanded canvas would make a photo look wider
    page = deskew(page)
    return binarise(page)


def image_text(image: Image.Image, limits: Limits, *, seconds: float | None = None) -> str:
    """The text Tesseract reads on one page after `prepare`, or "" when the time runs out or Tesseract fails.

    `seconds` is this page's share of the reading's OCR time (the caller splits limits.ocr_seconds across the pages
    it reads); by default the whole of limits.ocr_seconds. Orientation may use up to a third of it."""
    budget = limits.ocr_seconds if seconds is None else seconds
    if budget < MIN_CALL_SECONDS:
        return ""
    start = time.monotonic()
    try:
        page = prepare(image, limits, start + budget / 3)
    except (OSError, ValueError, MemoryError):
        return ""
    text = _tesseract(
        "image_to_string", page, start + budget - time.monotonic(), lang=LANG, config=f"--oem {OEM} --psm {PSM}"
    )
    return text if isinstance(text, str) else ""
