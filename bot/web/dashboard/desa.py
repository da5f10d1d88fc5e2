"""The desa page and its files (issue 18; being written)."""

from __future__ import annotations

from bot.web.dashboard.common import Routes


def mount(routes: Routes) -> None:
    """Register `/dasbor/desa/{code}` and `/dasbor/berkas/{id}`."""
