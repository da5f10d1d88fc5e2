"""Placeholder until helper OCR's module merges: no OCR, so scans and photos are simply not read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.reading import Limits


def available() -> bool:
    return False


def open_image(path: Path, limits: Limits) -> Any:
    raise NotImplementedError("OCR is not part of this build yet")


def image_text(image: Any, limits: Limits) -> str:
    raise NotImplementedError("OCR is not part of this build yet")


def pdf_page_image(path: Path, index: int, limits: Limits) -> Any:
    raise NotImplementedError("OCR is not part of this build yet")
