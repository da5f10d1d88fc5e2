"""Planning: which messages should exist for a kecamatan in a window of time, and making the outbox agree.

`slots` is what the planner wants, per recipient role (the preview prints it); `plan_kecamatan` expands slots to the
people who hold those roles and makes the outbox rows match: missing rows are added, rows no longer wanted and not
yet sent are cancelled. Sent rows are history and never touched. Running it twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.authz import Grant
from bot.config import RemindersSettings
from bot.services.calendar import load_calendar
from bot.services.people import reachable_assignments
from bot.services.places import document_kinds
from models.calendar import WorkingCalendar
from models.reminders import (
    DIGEST_HORIZON_DAYS,
    first_working_day_after,
    reminder_days,
    send_moment,
    weekly_recap_day,
    working_days,
)
from models.status import ReviewStatus
from models.tables import Desa, Kecamatan, Obligation, OutboxMessage, OutboxStatus, Person, Role

OVERDUE_MEMORY_DAYS = 400
PLANNED_SUBJECTS = (
    "obligation",
    "digest",
    "camat",
    "recap",
)  # digests keep listing what is overdue until its performance year is closed


@dataclass(frozen=True)
class Slot:
    send_at: datetime
    for_date: date
    role: str  # sekdes, pendamping, staf, camat, forum
    subject_type: str  # obligation, digest, camat, recap
    subject_id: str
    kind: str
    desa: str | None = None
    document: str | None = None
    tahun_anggaran: int | None = None


@dataclass
class _Open:
    """An obligation as the planner sees it."""

    obligation: Obligation
    missing: bool  # no accepted version and none waiting: reminders are due
    waiting: bool


@dataclass
class KecamatanPlan:
    kecamatan: Kecamatan
    slots: list[Slot] = field(default_factory=list)


def _state(obligation: Obligation, assume_missing: bool) -> _Open:
    statuses = [s.review_status for s in obligation.submissions]
    if assume_missing:
        return _Open(obligation, True, False)
    accepted = ReviewStatus.ACCEPTED in statuses
    waiting = ReviewStatus.MENUNGGU in statuses
    return _Open(obligation, not accepted and not waiting, waiting)


async def kecamatan_slots(
    session: AsyncSession,
    kecamatan: Kecamatan,
    start: datetime,
    end: datetime,
    settings: RemindersSettings,
    calendar: WorkingCalendar | None = None,
    assume_missing: bool = False,
) -> list[Slot]:
    """Every message the schedule wants in [start, end) for this kecamatan, by recipient role."""
    calendar = calendar or await load_calendar(session)
    tz = ZoneInfo(kecamatan.timezone)
    at = settings.local_time
    first_day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    counted = {k.code for k in await document_kinds(session) if k.counted}
    rows = await session.scalars(
        select(Obligation)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .where(
            Desa.kecamatan_kode == kecamatan.kode,
            Obligation.agreed_date >= first_day - timedelta(days=max(*settings.offsets, OVERDUE_MEMORY_DAYS)),
            Obligation.agreed_date <= last_day + timedelta(days=-min(settings.offsets) + OVERDUE_MEMORY_DAYS),
        )
        .options(selectinload(Obligation.submissions))
        .order_by(Obligation.desa_kode, Obligation.legal_deadline, Obligation.document_code)
    )
    states = [_state(o, assume_missing) for o in rows]

    def inside(moment: datetime) -> bool:
        return start <= moment < end

    slots: list[Slot] = []
    for state in states:
        o = state.obligation
        if not state.missing:
            continue
        for day in reminder_days(o.agreed_date, settings.offsets, calendar):
            moment = send_moment(day.day, at, tz)
            if not inside(moment):
                continue
            for role in (Role.SEKDES.value, Role.PENDAMPING.value):
                slots.append(
                    Slot(moment, day.day, role, "obligation", str(o.id), day.kind, o.desa_kode, o.document_code,
                         o.tahun_anggaran)
                )  # fmt: skip
    for day in working_days(first_day, last_day, calendar):
        moment = send_moment(day, at, tz)
        if not inside(moment):
            continue
        if any(_for_digest(s, day) for s in states):
            slots.append(Slot(moment, day, Role.STAF.value, "digest", kecamatan.kode, "digest"))
        if kecamatan.forum_chat_id is not None and day == weekly_recap_day(
            day - timedelta(days=day.weekday()), calendar
        ):
            slots.append(Slot(moment, day, "forum", "recap", kecamatan.kode, "recap"))
    deadlines: dict[tuple[str, int], list[_Open]] = defaultdict(list)
    for state in states:
        if state.obligation.document_code in counted:
            deadlines[(state.obligation.document_code, state.obligation.tahun_anggaran)].append(state)
    for (document, ta), group in sorted(deadlines.items()):
        legal = group[0].obligation.legal_deadline
        day = first_working_day_after(legal, calendar)
        moment = send_moment(day, at, tz)
        if inside(moment) and any(s.missing or s.waiting for s in group):
            subject = f"{kecamatan.kode}:{document}:{ta}"
            slots.append(Slot(moment, day, Role.CAMAT.value, "camat", subject, "camat", None, document, ta))
    return sorted(slots, key=lambda s: (s.send_at, s.role, s.desa or "", s.document or ""))


def _for_digest(state: _Open, day: date) -> bool:
    """Staf hear of a document due within a week or overdue (within the memory window)."""
    if not state.missing:
        return False
    agreed = state.obligation.agreed_date
    return agreed <= day + timedelta(days=DIGEST_HORIZON_DAYS) and agreed >= day - timedelta(days=OVERDUE_MEMORY_DAYS)


async def _recipients(session: AsyncSession, kecamatan: Kecamatan) -> dict[tuple[str, str | None], list[Person]]:
    """(role, desa or None) -> people with a reachable chat."""
    found: dict[tuple[str, str | None], list[Person]] = defaultdict(list)
    for person, assignment in await reachable_assignments(session):
        grant = Grant(assignment.role, assignment.scope_kind, assignment.scope_code)
        if assignment.role in (Role.SEKDES, Role.PENDAMPING):
            if assignment.scope_code and assignment.scope_code.startswith(kecamatan.kode + "."):
                found[(assignment.role.value, assignment.scope_code)].append(person)
        elif assignment.role in (Role.STAF, Role.CAMAT) and grant.covers(kecamatan.kode):
            found[(assignment.role.value, None)].append(person)
    return found


async def plan_kecamatan(
    session: AsyncSession, kecamatan_kode: str, now: datetime, settings: RemindersSettings
) -> tuple[int, int]:
    """Make the outbox of one kecamatan match the schedule from now to the end of the window.

    Returns (rows added or revived, rows cancelled).
    """
    kecamatan = await session.get(Kecamatan, kecamatan_kode)
    if kecamatan is None:
        return 0, 0
    end = now + timedelta(days=settings.window_days)
    slots = await kecamatan_slots(session, kecamatan, now, end, settings)
    people = await _recipients(session, kecamatan)
    wanted: dict[tuple[str, str, str, str, date], tuple[Slot, int | None, int]] = {}
    for slot in slots:
        if slot.role == "forum":
            assert kecamatan.forum_chat_id is not None
            targets: list[tuple[str, int | None, int]] = [
                (f"chat:{kecamatan.forum_chat_id}", None, kecamatan.forum_chat_id)
            ]
        else:
            holders = people.get((slot.role, slot.desa if slot.role in ("sekdes", "pendamping") else None), [])
            targets = [(f"person:{p.id}", p.id, p.telegram_chat_id) for p in holders if p.telegram_chat_id]
        for key, person_id, chat_id in targets:
            wanted[(slot.subject_type, slot.subject_id, key, slot.kind, slot.for_date)] = (slot, person_id, chat_id)
    existing = {
        (r.subject_type, r.subject_id, r.recipient_key, r.kind, r.for_date): r
        for r in await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kecamatan_kode == kecamatan.kode,
                OutboxMessage.subject_type.in_(PLANNED_SUBJECTS),  # notices are queued, never planned away
                OutboxMessage.send_at >= now,
                OutboxMessage.status.in_([OutboxStatus.PLANNED, OutboxStatus.CANCELLED]),
            )
        )
    }
    added = 0
    for key, (slot, person_id, chat_id) in wanted.items():
        row = existing.get(key)
        if row is not None:
            if row.status is OutboxStatus.CANCELLED or row.send_at != slot.send_at:
                row.status, row.send_at, row.chat_id = OutboxStatus.PLANNED, slot.send_at, chat_id
                added += 1
            continue
        if await _exists(session, key):
            continue  # already sent (or being sent) for that day: history stays
        session.add(
            OutboxMessage(
                kecamatan_kode=kecamatan.kode, subject_type=slot.subject_type, subject_id=slot.subject_id,
                recipient_key=key[2], person_id=person_id, chat_id=chat_id, role=slot.role, kind=slot.kind,
                for_date=slot.for_date, send_at=slot.send_at, status=OutboxStatus.PLANNED, attempts=0,
                details={"desa": slot.desa, "document": slot.document, "tahun_anggaran": slot.tahun_anggaran},
                created_at=now,
            )
        )  # fmt: skip
        added += 1
    stale = [r.id for key, r in existing.items() if r.status is OutboxStatus.PLANNED and key not in wanted]
    if stale:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(stale), OutboxMessage.status == OutboxStatus.PLANNED)
            .values(status=OutboxStatus.CANCELLED)
        )
    await session.flush()
    return added, len(stale)


async def _exists(session: AsyncSession, key: tuple[str, str, str, str, date]) -> bool:
    subject_type, subject_id, recipient, kind, for_date = key
    found = await session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.subject_type == subject_type,
            OutboxMessage.subject_id == subject_id,
            OutboxMessage.recipient_key == recipient,
            OutboxMessage.kind == kind,
            OutboxMessage.for_date == for_date,
        )
    )
    return found is not None


async def plan_everywhere(session: AsyncSession, now: datetime, settings: RemindersSettings) -> tuple[int, int]:
    added = cancelled = 0
    for kode in await session.scalars(select(Kecamatan.kode).order_by(Kecamatan.kode)):
        a, c = await plan_kecamatan(session, kode, now, settings)
        added, cancelled = added + a, cancelled + c
    return added, cancelled
