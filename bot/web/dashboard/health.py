"""`/dasbor/kesehatan`: the same checks as `klambi doctor` (bot/doctor.py), for admins only.

The checks call the Telegram and WhatsApp APIs and this application's own address, so they run off the request: one
run at a time in a task of its own, its result kept for `FRESH` (the page shows it and when it was made). A page
waits for a running check at most `WAIT_SECONDS`; a slower run answers "still checking" and the next load shows it.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from aiohttp import web

from bot.config import config_file
from bot.doctor import Check, health
from bot.web.dashboard.common import Dashboard, PageContext, Routes
from bot.web.server import WebApp
from models.tables import Role

FRESH = timedelta(seconds=60)
WAIT_SECONDS = 15.0


class HealthCache:
    """The latest run of the checks and the task making the next one."""

    def __init__(self, dashboard: Dashboard, webapp: WebApp) -> None:
        self.dashboard, self.webapp = dashboard, webapp
        self.result: tuple[datetime, list[Check]] | None = None
        self.task: asyncio.Task[None] | None = None

    async def latest(self, now: datetime) -> tuple[datetime, list[Check]] | None:
        if self.result is not None and now - self.result[0] < FRESH:
            return self.result
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(now))
        with contextlib.suppress(TimeoutError):  # still running: the page says so, the next load shows it
            await asyncio.wait_for(asyncio.shield(self.task), WAIT_SECONDS)
        return self.result

    async def _run(self, now: datetime) -> None:
        app = self.dashboard.app
        web_url = None if self.webapp.public_url else self.webapp.local_url()
        results = await health(app, config_file(None), app.settings.bot.language, web_url)
        self.result = (now, results)


def is_admin(ctx: PageContext) -> bool:
    return ctx.viewer.person_id is not None and any(g.role is Role.ADMIN for g in ctx.viewer.grants)


def mount(routes: Routes) -> None:
    cache = HealthCache(routes.dashboard, routes.webapp)

    async def page(request: web.Request, ctx: PageContext) -> web.StreamResponse:
        if not is_admin(ctx):
            ctx.refuse()
        latest = await cache.latest(ctx.now)
        language = ctx.app.settings.bot.language
        if latest is None:
            return ctx.render("kesehatan.html", diperiksa=None, baris=[], gagal=0)
        moment, results = latest
        rows = [(c, c.line(language)) for c in results]
        return ctx.render("kesehatan.html", diperiksa=moment, baris=rows, gagal=sum(1 for c in results if not c.ok))

    routes.page("/dasbor/kesehatan", page, name="dasbor_kesehatan")
