"""The kecamatan page, the kabupaten and national rankings (issue 18; being written)."""

from __future__ import annotations

from bot.web.dashboard.common import Routes


def mount(routes: Routes) -> None:
    """Register `/dasbor/kecamatan/{code}`, `/dasbor/kabupaten/{code}`, `/dasbor/nasional` and their downloads."""
