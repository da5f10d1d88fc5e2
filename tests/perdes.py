"""A Perdes as a secretary sends it, for the chat's tests of reading (tests/test_read_chat.py): the demo's PDF with a
text layer (bot/sandbox/perdes.py), and a phone photo of one of its pages (pypdfium2 renders, Pillow tilts and
compresses it)."""

from __future__ import annotations

import io

from bot.sandbox.perdes import perdes_pdf

__all__ = ["perdes_pdf", "photo_of"]


def photo_of(pdf: bytes, page: int, angle: float = 2.5) -> bytes:
    """A phone photo of one page: 150 dpi, a little tilted, JPEG."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=150 / 72).to_pil().convert("L")
    finally:
        document.close()
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()
