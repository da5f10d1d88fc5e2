"""Turn a clean page into what a kecamatan receives: a flatbed scan or a phone photo.

Deterministic for a seed (`random.Random(seed)` and `numpy.random.default_rng(seed)`), so a corpus built twice is the
same corpus. Pillow and numpy only.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


def render_pdf_page(pdf_path: Path, index: int, dpi: int = 200) -> Image.Image:
    """Page `index` of a PDF rasterised at `dpi` by pypdfium2, as an RGB image."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        page = document[index]
        try:
            bitmap = page.render(scale=dpi / 72)
            image = bitmap.to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        document.close()
    return image


def _noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    return rng.normal(0.0, sigma, shape)


def scan(image: Image.Image, seed: int) -> Image.Image:
    """A clean 200 dpi flatbed scan: rotated by less than 1°, slightly grey paper, light noise; greyscale."""
    rand = random.Random(seed)
    rng = np.random.default_rng(seed)
    grey = image.convert("L")
    angle = rand.uniform(-0.9, 0.9)
    grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if rand.random() < 0.5:
        grey = grey.filter(ImageFilter.GaussianBlur(rand.uniform(0.2, 0.5)))
    paper = rand.uniform(228, 246)  # the scanner's white is never quite white
    ink = rand.uniform(10, 40)  # nor its black quite black
    values = np.asarray(grey, dtype=np.float32) / 255.0
    values = ink + values * (paper - ink)
    # a faint unevenness across the glass and a little sensor noise
    width = values.shape[1]
    ramp = np.linspace(0.0, rand.uniform(-6, 6), width, dtype=np.float32)[None, :]
    values = values + ramp + _noise(rng, values.shape, rand.uniform(2.0, 5.0))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), mode="L")


def _perspective_coefficients(source: list[tuple[float, float]], target: list[tuple[float, float]]) -> list[float]:
    """The 8 coefficients Image.transform(PERSPECTIVE) wants: for each output point (target) the input point
    (source)."""
    rows = []
    values = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.extend([u, v])
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(values, dtype=np.float64))
    return [float(c) for c in solution]


def photo(image: Image.Image, seed: int) -> Image.Image:
    """A phone photo of the page on a table: perspective and a skew of 2–6°, uneven light with a shadow band, slight
    blur, a warm tint; about one page in four lies at 90° or 180°. Save it with `save_jpeg` for the JPEG artefacts."""
    rand = random.Random(seed)
    rng = np.random.default_rng(seed)
    page = image.convert("RGB")
    width, height = page.size
    # the table around the page
    margin_x, margin_y = int(width * rand.uniform(0.04, 0.10)), int(height * rand.uniform(0.03, 0.08))
    table = tuple(int(c) for c in (rand.uniform(90, 150), rand.uniform(70, 120), rand.uniform(40, 90)))
    canvas = Image.new("RGB", (width + 2 * margin_x, height + 2 * margin_y), table)
    canvas.paste(page, (margin_x, margin_y))
    cw, ch = canvas.size
    # perspective: the phone is held a little off the page's axis
    jitter = 0.035
    corners = [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)]
    moved = [(x + rand.uniform(-jitter, jitter) * cw, y + rand.uniform(-jitter, jitter) * ch) for x, y in corners]
    coefficients = _perspective_coefficients(corners, moved)
    canvas = canvas.transform(
        (cw, ch), Image.Transform.PERSPECTIVE, coefficients, resample=Image.Resampling.BICUBIC, fillcolor=table
    )
    angle = rand.uniform(2.0, 6.0) * rand.choice((-1, 1))
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=table)
    values = np.asarray(canvas, dtype=np.float32)
    h, w = values.shape[:2]
    # uneven light: brighter where the lamp is, darker at the far side
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rand.uniform(0.2, 0.8) * w, rand.uniform(0.1, 0.6) * h
    distance = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / np.hypot(w, h)
    light = 1.05 - rand.uniform(0.25, 0.45) * distance
    # the shadow of the hand or the phone: a soft band across the page
    band_angle = rand.uniform(0, np.pi)
    offset = rand.uniform(0.25, 0.75)
    across = (xs / w) * np.cos(band_angle) + (ys / h) * np.sin(band_angle)
    across = across - (offset * (abs(np.cos(band_angle)) + abs(np.sin(band_angle))))
    band_width = rand.uniform(0.08, 0.18)
    shadow = 1.0 - rand.uniform(0.25, 0.40) * np.clip(1.0 - np.abs(across) / band_width, 0.0, 1.0) ** 0.7
    values = values * (light * shadow)[:, :, None]
    # warm tint of indoor light
    values = values * np.array([1.0, rand.uniform(0.90, 0.96), rand.uniform(0.72, 0.85)], dtype=np.float32)
    values = values + _noise(rng, values.shape, rand.uniform(3.0, 7.0))
    result = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), mode="RGB")
    result = result.filter(ImageFilter.GaussianBlur(rand.uniform(0.5, 1.1)))
    # a phone's picture sent on: about 1200–1600 pixels wide for a page
    scale = rand.uniform(1200, 1600) / result.width
    if scale < 1:
        result = result.resize(
            (round(result.width * scale), round(result.height * scale)), resample=Image.Resampling.LANCZOS
        )
    turn = rand.random()
    if turn < 0.12:
        result = result.transpose(Image.Transpose.ROTATE_90)
    elif turn < 0.18:
        result = result.transpose(Image.Transpose.ROTATE_270)
    elif turn < 0.27:
        result = result.transpose(Image.Transpose.ROTATE_180)
    return result


def jpeg_quality(seed: int) -> int:
    """The JPEG quality a photo of this seed is saved at (55–75, as a chat app recompresses it)."""
    return random.Random(seed * 7919 + 1).randint(55, 75)


def save_jpeg(image: Image.Image, path: Path, seed: int) -> Path:
    image.convert("RGB").save(path, "JPEG", quality=jpeg_quality(seed))
    return path


def save_image_pdf(images: list[Image.Image], path: Path, dpi: int = 200) -> Path:
    """Pages as an image-only PDF (no text layer), as a scanner writes it."""
    first, *rest = images
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return path
