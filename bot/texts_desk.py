"""Texts of the kecamatan's desk commands on the command line (merged into `bot.texts.CATALOG`)."""

from __future__ import annotations

DESK_TEXTS: dict[str, tuple[str, str]] = {}
