"""Render docs/performance.md from results files."""

from __future__ import annotations

from typing import Any


def render_markdown(results: list[dict[str, Any]]) -> str:
    raise NotImplementedError
