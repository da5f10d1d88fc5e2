"""The hourly planning job follows changes (issue 19): a change that is not planned at once marks its places, the job
plans only the marked kecamatan and, when a new day enters the window, that day; the outbox it leaves is the one a
full re-plan of every kecamatan would leave."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.services.contacts import mark_unreachable
from bot.services.planning import EVERYWHERE, plan_again
from models.tables import Contact, OutboxMessage, OutboxStatus, PlanMark, PlanState, Role
from scheduler import planner
from scheduler.planner import plan_changes, plan_everywhere
from tests.conftest import WIB
from tests.world import JATIROTO, ROJOPOLO, World

YOSOWILANGUN = "35.08.07"


async def outbox(world: World) -> list[tuple]:
    """Every planned row's key, moment and state (what planning decides)."""
    columns = (OutboxMessage.subject_type, OutboxMessage.subject_id, OutboxMessage.recipient_key,
               OutboxMessage.kind, OutboxMessage.for_date, OutboxMessage.send_at, OutboxMessage.status)  # fmt: skip
    return [tuple(r) for r in await world.rows(select(*columns).order_by(*columns[:5]))]


async def marks(world: World) -> list[str]:
    return [p for (p,) in await world.rows(select(PlanMark.place).order_by(PlanMark.place))]


async def a_full_plan_changes_nothing(world: World, now: datetime) -> None:
    """The outbox the marks left is the one planning every kecamatan again leaves: the rows compared."""
    before = await outbox(world)
    async with world.app.sessions() as session, session.begin():
        changed = await plan_everywhere(session, now, world.app.settings.reminders)
    assert await outbox(world) == before
    assert changed == (0, 0)


def planned(rows: list[tuple], person_id: int, day: str | None = None) -> list[tuple]:
    return [r for r in rows if r[2] == f"person:{person_id}" and r[6] is OutboxStatus.PLANNED
            and (day is None or r[4].isoformat() == day)]  # fmt: skip


async def test_nothing_changed_plans_nothing_and_a_new_day_only_that_day(world):
    reminders = world.app.settings.reminders
    await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    now = world.clock.now()  # Friday 27 September 2024, 10:00 WIB
    first = await plan_changes(world.app.sessions, now, reminders)  # no state yet: every kecamatan, once
    assert first.marked == 1 and first.extended == 0
    assert await marks(world) == []
    [(planned_until,)] = await world.rows(select(PlanState.planned_until))
    assert planned_until == now + timedelta(days=reminders.window_days)
    rows = await outbox(world)

    quiet = await plan_changes(world.app.sessions, now + timedelta(hours=1), reminders)
    assert (quiet.marked, quiet.extended, quiet.added, quiet.cancelled) == (0, 0, 0, 0)
    other = App.create(world.app.settings, world.clock)  # a restart: the state is in the database, not in memory
    try:
        restarted = await plan_changes(other.sessions, now + timedelta(hours=2), reminders)
    finally:
        await other.close()
    assert (restarted.marked, restarted.extended, restarted.added) == (0, 0, 0)
    assert await outbox(world) == rows

    tomorrow = datetime(2024, 9, 30, 9, 0, tzinfo=WIB)  # Monday: 08:00 of three more days entered the window
    extended = await plan_changes(world.app.sessions, tomorrow, reminders)
    assert (extended.marked, extended.extended) == (0, 1)
    new = set(await outbox(world)) - set(rows)
    assert new and all(r[5] >= planned_until for r in new)  # only the days at the end of the window
    await a_full_plan_changes_nothing(world, tomorrow)


async def test_changes_not_planned_at_once_are_planned_by_the_next_job(world, klambi, monkeypatch):
    """A holiday (every kecamatan), a contact the channel refused and one reachable again (the person's places), a
    large import (its kecamatan): marked in the change's transaction, planned by the next job, as a full plan would."""
    reminders = world.app.settings.reminders
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await plan_changes(world.app.sessions, world.clock.now(), reminders)
    [(person_id,)] = await world.rows(select(Contact.person_id).where(Contact.user_id == "101"))
    assert planned(await outbox(world), person_id, "2024-09-27")  # H-1 of the RKPDes (30 September)

    # a holiday: every kecamatan reads the calendar
    holiday = await asyncio.to_thread(
        klambi, "holidays", "add", "2024-09-27", "--name", "Libur daerah", now=world.clock.now()
    )
    assert holiday.code == 0, holiday
    assert await marks(world) == [EVERYWHERE]
    assert planned(await outbox(world), person_id, "2024-09-27")  # not planned again in the command's transaction
    now = world.clock.now() + timedelta(minutes=5)
    done = await plan_changes(world.app.sessions, now, reminders)
    assert done.marked == 1 and done.added and done.cancelled
    rows = await outbox(world)
    assert not planned(rows, person_id, "2024-09-27") and planned(rows, person_id, "2024-09-26")
    await a_full_plan_changes_nothing(world, now)

    # the channel refused her: her kecamatan is marked in the sweep's transaction, her reminders go at the next job
    [(contact_id,)] = await world.rows(select(Contact.id).where(Contact.user_id == "101"))
    async with world.app.sessions() as session, session.begin():
        assert await mark_unreachable(session, contact_id, now) is not None
    assert await marks(world) == [JATIROTO]
    now += timedelta(hours=1)
    await plan_changes(world.app.sessions, now, reminders)
    assert not planned(await outbox(world), person_id) and await marks(world) == []
    await a_full_plan_changes_nothing(world, now)

    # she writes again: reachable there again, her reminders come back
    await sekdes.send_text("/status")
    await sekdes.expect("")
    assert await marks(world) == [JATIROTO]
    now += timedelta(hours=1)
    world.clock.set(now)
    await plan_changes(world.app.sessions, now, reminders)
    assert planned(await outbox(world), person_id)
    await a_full_plan_changes_nothing(world, now)

    # a large import is left to the job (here every import is large): its new kecamatan is marked
    monkeypatch.setattr("bot.cli.villages.REPLAN_AT_IMPORT", 0)
    assert (await asyncio.to_thread(klambi, "villages", "import", "--area", YOSOWILANGUN, now=now)).code == 0
    assert await marks(world) == [YOSOWILANGUN]
    now += timedelta(hours=1)
    done = await plan_changes(world.app.sessions, now, reminders)
    assert done.marked == 1  # nobody there has joined yet: nothing to send, but it is planned
    await a_full_plan_changes_nothing(world, now)


async def test_the_job_plans_in_chunks_and_again_when_the_settings_change(world, klambi, monkeypatch):
    reminders = world.app.settings.reminders
    await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    imported = await asyncio.to_thread(klambi, "villages", "import", "--area", YOSOWILANGUN, now=world.clock.now())
    assert imported.code == 0
    monkeypatch.setattr(planner, "CHUNK_KECAMATAN", 1)
    first = await plan_changes(world.app.sessions, world.clock.now(), reminders)
    assert first.marked == 2 and first.transactions == 4  # the marks, one kecamatan each, the state
    longer = reminders.model_copy(update={"window_days": reminders.window_days + 30})
    again = await plan_changes(world.app.sessions, world.clock.now(), longer)
    assert again.marked == 2 and again.added  # other settings: every kecamatan, over the longer window
    async with world.app.sessions() as session, session.begin():
        assert await plan_everywhere(session, world.clock.now(), longer) == (0, 0)


async def test_with_reminders_off_a_change_is_marked_for_when_they_are_on(app):
    off = app.settings.reminders.model_copy(update={"enabled": False})
    async with app.sessions() as session, session.begin():
        await plan_again(session, [f"{JATIROTO}.2001", JATIROTO], app.clock.now(), off)
        await plan_again(session, None, app.clock.now(), app.settings.reminders)  # every kecamatan: the job's
    async with app.sessions() as session:
        assert list(await session.scalars(select(PlanMark.place).order_by(PlanMark.place))) == [EVERYWHERE, JATIROTO]
