"""Planning: which messages should exist for a kecamatan in a window of time, and making the outbox agree.

`slots` is what the planner wants, per recipient role (the preview prints it); `plan_kecamatan` expands slots to the
people who hold those roles and makes the outbox rows match: missing rows are added, rows no longer wanted and not
yet sent are cancelled. Sent rows are history and never touched. Running it twice changes nothing.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.authz import Grant
from bot.config import RemindersSettings
from bot.services.calendar import load_calendar
from bot.services.notices import Group
from bot.services.people import ancestors, reachable_assignments
from bot.services.places import document_kinds
from models.calendar import WorkingCalendar
from models.reminders import (
    DIGEST_HORIZON_DAYS,
    ReminderDay,
    first_working_day_after,
    reminder_days,
    send_moment,
    weekly_recap_day,
    working_days,
)
from models.status import ReviewStatus
from models.tables import (
    Desa,
    Kecamatan,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    RoleAssignment,
    ScopeKind,
    Submission,
)

OVERDUE_MEMORY_DAYS = 400
INSERT_CHUNK = 500  # rows per statement
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


@dataclass(frozen=True)
class _Obligation:
    """The columns of an obligation the planner reads (plain values: no ORM object per row)."""

    id: int
    desa_kode: str
    document_code: str
    tahun_anggaran: int
    legal_deadline: date
    agreed_date: date


@dataclass
class _Open:
    """An obligation as the planner sees it."""

    obligation: _Obligation
    missing: bool  # no accepted version and none waiting: reminders are due
    waiting: bool


@dataclass
class KecamatanPlan:
    kecamatan: Kecamatan
    slots: list[Slot] = field(default_factory=list)


async def kecamatan_slots(
    session: AsyncSession,
    kecamatan: Kecamatan,
    start: datetime,
    end: datetime,
    settings: RemindersSettings,
    calendar: WorkingCalendar | None = None,
    assume_missing: bool = False,
    counted: set[str] | None = None,
) -> list[Slot]:
    """Every message the schedule wants in [start, end) for this kecamatan, by recipient role."""
    calendar = calendar or await load_calendar(session)
    tz = ZoneInfo(kecamatan.timezone)
    at = settings.local_time
    first_day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    if counted is None:
        counted = {k.code for k in await document_kinds(session) if k.counted}
    accepted = func.max(case((Submission.review_status == ReviewStatus.ACCEPTED, 1), else_=0))
    waiting = func.max(case((Submission.review_status == ReviewStatus.MENUNGGU, 1), else_=0))
    rows = await session.execute(
        select(
            Obligation.id, Obligation.desa_kode, Obligation.document_code, Obligation.tahun_anggaran,
            Obligation.legal_deadline, Obligation.agreed_date, accepted, waiting,
        )
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .outerjoin(Submission, Submission.obligation_id == Obligation.id)
        .where(
            Desa.kecamatan_kode == kecamatan.kode,
            Obligation.agreed_date >= first_day - timedelta(days=max(*settings.offsets, OVERDUE_MEMORY_DAYS)),
            Obligation.agreed_date <= last_day + timedelta(days=-min(settings.offsets) + OVERDUE_MEMORY_DAYS),
        )
        .group_by(Obligation.id)
        .order_by(Obligation.desa_kode, Obligation.legal_deadline, Obligation.document_code)
    )  # fmt: skip
    states = [
        _Open(_Obligation(*row[:6]), True, False)
        if assume_missing
        else _Open(_Obligation(*row[:6]), not row[6] and not row[7], bool(row[7]))
        for row in rows
    ]

    def inside(moment: datetime) -> bool:
        return start <= moment < end

    slots: list[Slot] = []
    days_of: dict[date, list[ReminderDay]] = {}  # most desa share an agreed date: its reminder days once
    for state in states:
        o = state.obligation
        if not state.missing:
            continue
        if o.agreed_date not in days_of:
            days_of[o.agreed_date] = reminder_days(o.agreed_date, settings.offsets, calendar)
        for day in days_of[o.agreed_date]:
            moment = send_moment(day.day, at, tz)
            if not inside(moment):
                continue
            for role in (Role.SEKDES.value, Role.PENDAMPING.value):
                slots.append(
                    Slot(moment, day.day, role, "obligation", str(o.id), day.kind, o.desa_kode, o.document_code,
                         o.tahun_anggaran)
                )  # fmt: skip
    missing_dates = sorted(s.obligation.agreed_date for s in states if s.missing)
    for day in working_days(first_day, last_day, calendar):
        moment = send_moment(day, at, tz)
        if not inside(moment):
            continue
        if _digest_due(missing_dates, day):
            slots.append(Slot(moment, day, Role.STAF.value, "digest", kecamatan.kode, "digest"))
        if day == weekly_recap_day(day - timedelta(days=day.weekday()), calendar):
            # to the kecamatan's forum group; without one, to its staf as a text to forward to the WhatsApp group
            to = "forum" if kecamatan.forum_chat_id is not None else Role.STAF.value
            slots.append(Slot(moment, day, to, "recap", kecamatan.kode, "recap"))
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


def _digest_due(missing_dates: list[date], day: date) -> bool:
    """Staf hear of a document due within a week or overdue (within the memory window): is any missing document's
    agreed date (sorted) in [day - memory, day + horizon]?"""
    first = bisect_left(missing_dates, day - timedelta(days=OVERDUE_MEMORY_DAYS))
    return first < len(missing_dates) and missing_dates[first] <= day + timedelta(days=DIGEST_HORIZON_DAYS)


Recipients = dict[tuple[str, str | None], list[Person]]


def _group_recipients(pairs: list[tuple[Person, RoleAssignment]], kecamatan: list[str]) -> dict[str, Recipients]:
    """(role, desa or None) -> people with a reachable chat, for each of these kecamatan."""
    found: dict[str, Recipients] = {k: defaultdict(list) for k in kecamatan}
    for person, assignment in pairs:
        grant = Grant(assignment.role, assignment.scope_kind, assignment.scope_code)
        if assignment.role in (Role.SEKDES, Role.PENDAMPING):
            code = assignment.scope_code
            if code and code[:8] in found and code.startswith(code[:8] + "."):
                found[code[:8]][(assignment.role.value, code)].append(person)
        elif assignment.role in (Role.STAF, Role.CAMAT) and grant.scope_kind is not ScopeKind.DESA:
            # a kecamatan's own staf and camat directly; a kabupaten or wider scope covers each kecamatan inside it
            inside = [grant.scope_code] if grant.scope_code in found else [k for k in found if grant.covers(k)]
            for kode in inside:
                found[kode][(assignment.role.value, None)].append(person)
    return found


async def _recipients(session: AsyncSession, kecamatan: Kecamatan) -> Recipients:
    """(role, desa or None) -> people with a reachable chat, for one kecamatan (read for it alone)."""
    desa = list(await session.scalars(select(Desa.kode).where(Desa.kecamatan_kode == kecamatan.kode)))
    pairs = await reachable_assignments(session, scope_codes=[*desa, *ancestors(kecamatan.kode)])
    return _group_recipients(pairs, [kecamatan.kode])[kecamatan.kode]


@dataclass
class _Shared:
    """What planning every kecamatan reads once: the calendar, the counted documents, the people."""

    calendar: WorkingCalendar
    counted: set[str]
    recipients: dict[str, Recipients]


async def plan_kecamatan(
    session: AsyncSession,
    kecamatan_kode: str,
    now: datetime,
    settings: RemindersSettings,
    shared: _Shared | None = None,
) -> tuple[int, int]:
    """Make the outbox of one kecamatan match the schedule from now to the end of the window.

    Returns (rows added or revived, rows cancelled).
    """
    kecamatan = await session.get(Kecamatan, kecamatan_kode)
    if kecamatan is None:
        return 0, 0
    end = now + timedelta(days=settings.window_days)
    if shared is None:
        slots = await kecamatan_slots(session, kecamatan, now, end, settings)
        people = await _recipients(session, kecamatan)
    else:
        slots = await kecamatan_slots(session, kecamatan, now, end, settings, shared.calendar, counted=shared.counted)
        people = shared.recipients.get(kecamatan.kode) or {}
    # A person's row names the person: the contact is chosen when it is sent. The forum group is a Telegram chat.
    wanted: dict[tuple[str, str, str, str, date], tuple[Slot, int | None, Group | None]] = {}
    for slot in slots:
        if slot.role == "forum":
            assert kecamatan.forum_chat_id is not None
            group = Group.telegram(kecamatan.forum_chat_id)
            targets: list[tuple[str, int | None, Group | None]] = [(group.key, None, group)]
        else:
            holders = people.get((slot.role, slot.desa if slot.role in ("sekdes", "pendamping") else None), [])
            targets = [(f"person:{p.id}", p.id, None) for p in holders]
        for key, person_id, group in targets:
            wanted[(slot.subject_type, slot.subject_id, key, slot.kind, slot.for_date)] = (slot, person_id, group)
    # Every row of this kecamatan from a day before the window on, in one query: rows still planned (or cancelled)
    # ahead are made to agree; any other row with a wanted key (sent, being sent, due) is history and stays.
    window_start = now.astimezone(ZoneInfo(kecamatan.timezone)).date() - timedelta(days=1)
    rows = (
        await session.execute(
            select(
                OutboxMessage.id, OutboxMessage.subject_type, OutboxMessage.subject_id, OutboxMessage.recipient_key,
                OutboxMessage.kind, OutboxMessage.for_date, OutboxMessage.status, OutboxMessage.send_at,
            ).where(
                OutboxMessage.kecamatan_kode == kecamatan.kode,
                OutboxMessage.subject_type.in_(PLANNED_SUBJECTS),  # notices are queued, never planned away
                OutboxMessage.for_date >= window_start,
            )
        )
    ).all()  # fmt: skip
    taken = {(r.subject_type, r.subject_id, r.recipient_key, r.kind, r.for_date) for r in rows}
    existing = {
        (r.subject_type, r.subject_id, r.recipient_key, r.kind, r.for_date): r
        for r in rows
        if r.send_at >= now and r.status in (OutboxStatus.PLANNED, OutboxStatus.CANCELLED)
    }
    fresh, revived = [], []
    for key, (slot, person_id, group) in wanted.items():
        row = existing.get(key)
        if row is not None:
            if row.status is OutboxStatus.CANCELLED or row.send_at != slot.send_at:
                revived.append({"id": row.id, "status": OutboxStatus.PLANNED, "send_at": slot.send_at})
            continue
        if key in taken:
            continue  # already sent (or being sent) for that day: history stays
        fresh.append(
            {"kecamatan_kode": kecamatan.kode, "subject_type": slot.subject_type, "subject_id": slot.subject_id,
             "recipient_key": key[2], "person_id": person_id, "channel": group.channel if group else None,
             "address": group.address if group else None, "role": slot.role,
             "kind": slot.kind, "for_date": slot.for_date, "send_at": slot.send_at, "status": OutboxStatus.PLANNED,
             "attempts": 0, "created_at": now,
             "details": {"desa": slot.desa, "document": slot.document, "tahun_anggaran": slot.tahun_anggaran}}
        )  # fmt: skip
    for start in range(0, len(fresh), INSERT_CHUNK):
        await session.execute(insert(OutboxMessage.__table__), fresh[start : start + INSERT_CHUNK])  # Core: no ORM
    if revived:
        await session.execute(update(OutboxMessage), revived)
    stale = [r.id for key, r in existing.items() if r.status is OutboxStatus.PLANNED and key not in wanted]
    for start in range(0, len(stale), INSERT_CHUNK):
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(stale[start : start + INSERT_CHUNK]), OutboxMessage.status == OutboxStatus.PLANNED
            )
            .values(status=OutboxStatus.CANCELLED)
        )
    return len(fresh) + len(revived), len(stale)


async def plan_everywhere(session: AsyncSession, now: datetime, settings: RemindersSettings) -> tuple[int, int]:
    """Every kecamatan, reading the calendar, the documents and the people once for all of them."""
    codes = list(await session.scalars(select(Kecamatan.kode).order_by(Kecamatan.kode)))
    shared = _Shared(
        await load_calendar(session),
        {k.code for k in await document_kinds(session) if k.counted},
        _group_recipients(await reachable_assignments(session), codes),
    )
    added = cancelled = 0
    for kode in codes:
        a, c = await plan_kecamatan(session, kode, now, settings, shared)
        added, cancelled = added + a, cancelled + c
    return added, cancelled
