"""The bot's recurring work, whichever channels run: plan and sweep reminders, forget what no channel can deliver
again. APScheduler only calls these at their intervals; the time they act on comes from the app's clock.

With Telegram alone, python-telegram-bot's job queue (APScheduler inside) calls them; with WhatsApp (alone or beside
Telegram) `Jobs` runs them on an `AsyncIOScheduler` of its own (`bot/channels/run.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.chat.transport import Transport
from bot.services.inbox import forget_old
from bot.services.updates import forget_old_updates
from scheduler.planner import plan_changes
from scheduler.sweep import sweep

log = logging.getLogger("klambi.jobs")
PLAN_EVERY = timedelta(hours=1)
HOUSEKEEPING_EVERY = timedelta(hours=1)


async def reminder_round(app: App, transports: Mapping[str, Transport], worker: str, planned_at: datetime | None):
    """Plan what changed hourly (and on start: the state is in the database, so a restart plans only what changed
    meanwhile), sweep every time; the moment planning last ran."""
    now = app.clock.now()
    if planned_at is None or now - planned_at >= PLAN_EVERY:
        done = await plan_changes(app.sessions, now, app.settings.reminders)
        if done.marked or done.extended:
            log.info("planning: %s kecamatan changed, %s given a new day; %s rows added, %s cancelled", done.marked,
                     done.extended, done.added, done.cancelled)  # fmt: skip
        planned_at = now
    while True:  # a busy morning is more than one claim: keep going until what is due now is out
        result = await sweep(app, transports, worker)
        if result.sent or result.unreachable or result.waiting:
            log.info("reminders: %s sent, %s unreachable, %s superseded, %s waiting", result.sent,
                     result.unreachable, result.superseded, result.waiting)  # fmt: skip
        if not result.more:
            return planned_at


async def housekeeping(app: App) -> None:
    """Forget handled Telegram update ids and inbox rows once their channel can no longer deliver them again."""
    async with app.sessions() as session, session.begin():
        now = app.clock.now()
        await forget_old_updates(session, now)
        await forget_old(session, now)


class Jobs:
    def __init__(self, app: App, transports: Mapping[str, Transport], worker: str) -> None:
        self.app, self.transports, self.worker = app, transports, worker
        self.planned_at: datetime | None = None
        self.scheduler: AsyncIOScheduler | None = None

    async def reminders(self) -> None:
        try:
            self.planned_at = await reminder_round(self.app, self.transports, self.worker, self.planned_at)
        except Exception:
            log.warning("the reminder round failed; the next one tries again", exc_info=True)

    async def housekeeping(self) -> None:
        try:
            await housekeeping(self.app)
        except Exception:
            log.warning("housekeeping failed; the next round tries again", exc_info=True)

    def start(self) -> None:
        scheduler = AsyncIOScheduler()
        if self.app.settings.reminders.enabled:
            seconds = self.app.settings.reminders.sweep_seconds
            scheduler.add_job(self.reminders, "interval", seconds=seconds, max_instances=1, coalesce=True)
        scheduler.add_job(self.housekeeping, "interval", seconds=HOUSEKEEPING_EVERY.total_seconds(), max_instances=1)
        scheduler.start()
        self.scheduler = scheduler

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
