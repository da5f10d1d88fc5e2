"""Planning: which messages should exist for a kecamatan in a window of time, and making the outbox agree.

`slots` is what the planner wants, per recipient role (the preview prints it); `plan_kecamatan` expands slots to the
people who hold those roles and makes the outbox rows match: missing rows are added, rows no longer wanted and not
yet sent are cancelled. Sent rows are history and never touched. Running it twice changes nothing.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authz import Grant
from bot.config import RemindersSettings
from bot.services.notices import Group
from bot.services.people import ancestors
from bot.services.planning import EVERYWHERE, PLANNED_ROLES, mark
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
    CalendarOverride,
    Contact,
    Desa,
    DocumentType,
    Kecamatan,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    PlanMark,
    PlanState,
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
    kecamatan: Kecamatan | _Kecamatan,
    start: datetime,
    end: datetime,
    settings: RemindersSettings,
    calendar: WorkingCalendar | None = None,
    assume_missing: bool = False,
    counted: frozenset[str] | set[str] | None = None,
    obligations: list[Any] | None = None,
) -> list[Slot]:
    """Every message the schedule wants in [start, end) for this kecamatan, by recipient role (`obligations`: its
    rows of `_obligations_query` when read with other kecamatan')."""
    if calendar is None or counted is None:
        read_calendar, read_counted = await _calendar_and_counted(session)
        calendar, counted = calendar or read_calendar, read_counted if counted is None else counted
    tz = ZoneInfo(kecamatan.timezone)
    at = settings.local_time
    first_day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    low, high = _agreed_range(first_day, last_day, settings)
    if obligations is None:
        rows = list(await session.execute(_obligations_query([kecamatan.kode], low, high)))
    else:
        rows = [row for row in obligations if low <= row[5] <= high]
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


def _agreed_range(first_day: date, last_day: date, settings: RemindersSettings) -> tuple[date, date]:
    """The agreed dates whose obligations can make a message on these days (reminders, overdue digests)."""
    return (first_day - timedelta(days=max(*settings.offsets, OVERDUE_MEMORY_DAYS)),
            last_day + timedelta(days=-min(settings.offsets) + OVERDUE_MEMORY_DAYS))  # fmt: skip


def _obligations_query(kecamatan: list[str], low: date, high: date) -> Any:
    """The obligations of these kecamatan agreed in [low, high], each with whether a version was accepted and whether
    one waits; in desa order (a desa's code begins with its kecamatan's)."""
    accepted = func.max(case((Submission.review_status == ReviewStatus.ACCEPTED, 1), else_=0))
    waiting = func.max(case((Submission.review_status == ReviewStatus.MENUNGGU, 1), else_=0))
    where = Desa.kecamatan_kode == kecamatan[0] if len(kecamatan) == 1 else Desa.kecamatan_kode.in_(kecamatan)
    return (
        select(
            Obligation.id, Obligation.desa_kode, Obligation.document_code, Obligation.tahun_anggaran,
            Obligation.legal_deadline, Obligation.agreed_date, accepted, waiting, Desa.kecamatan_kode,
        )
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .outerjoin(Submission, Submission.obligation_id == Obligation.id)
        .where(where, Obligation.agreed_date >= low, Obligation.agreed_date <= high)
        .group_by(Obligation.id, Desa.kecamatan_kode)
        .order_by(Obligation.desa_kode, Obligation.legal_deadline, Obligation.document_code)
    )  # fmt: skip


def _digest_due(missing_dates: list[date], day: date) -> bool:
    """Staf hear of a document due within a week or overdue (within the memory window): is any missing document's
    agreed date (sorted) in [day - memory, day + horizon]?"""
    first = bisect_left(missing_dates, day - timedelta(days=OVERDUE_MEMORY_DAYS))
    return first < len(missing_dates) and missing_dates[first] <= day + timedelta(days=DIGEST_HORIZON_DAYS)


Recipients = dict[tuple[str, str | None], list[int]]  # (role, desa or None) -> person ids
_Held = tuple[int, Role, ScopeKind, str | None]  # a role someone reachable holds: person id, role, scope


def _group_recipients(held: Iterable[_Held], kecamatan: list[str]) -> dict[str, Recipients]:
    """(role, desa or None) -> people with a reachable chat, for each of these kecamatan."""
    found: dict[str, Recipients] = {k: defaultdict(list) for k in kecamatan}
    for person_id, role, scope_kind, scope_code in held:
        if role in (Role.SEKDES, Role.PENDAMPING):
            code = scope_code
            if code and code[:8] in found and code.startswith(code[:8] + "."):
                found[code[:8]][(role.value, code)].append(person_id)
        elif role in (Role.STAF, Role.CAMAT) and scope_kind is not ScopeKind.DESA:
            # a kecamatan's own staf and camat directly; a kabupaten or wider scope covers each kecamatan inside it
            grant = Grant(role, scope_kind, scope_code)
            inside = [scope_code] if scope_code in found else [k for k in found if grant.covers(k)]
            for kode in inside:
                found[kode][(role.value, None)].append(person_id)
    return found


async def _reachable_roles(
    session: AsyncSession, kecamatan: list[str] | None, desa: list[str] | None = None
) -> list[_Held]:
    """The roles reminders go to held by people the bot can write to (a contact not marked unreachable), oldest
    person first: in these kecamatan (their `desa`, or without them every code in the kecamatan's range; the
    kecamatan and the areas above), or everywhere. One kecamatan: the range (no query for its desa); many: the desa
    (SQLite scans the table for an OR of many ranges)."""
    query = (
        select(RoleAssignment.person_id, RoleAssignment.role, RoleAssignment.scope_kind, RoleAssignment.scope_code)
        .where(
            RoleAssignment.revoked_at.is_(None),
            RoleAssignment.role.in_(PLANNED_ROLES),
            exists().where(Contact.person_id == RoleAssignment.person_id, Contact.unreachable_since.is_(None)),
        )
        .order_by(RoleAssignment.person_id, RoleAssignment.id)
    )
    if kecamatan is not None:
        above = sorted({a for kode in kecamatan for a in ancestors(kode)})
        below = (
            [RoleAssignment.scope_code.in_(desa)]
            if desa is not None
            else [and_(RoleAssignment.scope_code > kode + ".", RoleAssignment.scope_code < kode + "/")
                  for kode in kecamatan]  # its desa: "35.08.17." < code < "35.08.17/", on the scope_code index
        )  # fmt: skip
        query = query.where(
            or_(
                *below,
                RoleAssignment.scope_code.in_(above),
                and_(RoleAssignment.scope_code.is_(None), RoleAssignment.scope_kind == ScopeKind.DEPLOYMENT),
            )
        )  # fmt: skip
    return [tuple(row) for row in await session.execute(query)]  # type: ignore[misc]


async def _recipients(session: AsyncSession, kecamatan: _Kecamatan) -> Recipients:
    """(role, desa or None) -> people with a reachable chat, for one kecamatan (read for it alone)."""
    return _group_recipients(await _reachable_roles(session, [kecamatan.kode]), [kecamatan.kode])[kecamatan.kode]


def _outbox_query(kecamatan: list[str], from_date: date) -> Any:
    """The outbox rows of these kecamatan from `from_date` on (the caller keeps the planned subjects': filtering them
    here made SQLite scan the unique key's index, whose first column is the subject type)."""
    where = (
        OutboxMessage.kecamatan_kode == kecamatan[0]
        if len(kecamatan) == 1
        else OutboxMessage.kecamatan_kode.in_(kecamatan)
    )
    return select(
        OutboxMessage.id, OutboxMessage.subject_type, OutboxMessage.subject_id, OutboxMessage.recipient_key,
        OutboxMessage.kind, OutboxMessage.for_date, OutboxMessage.status, OutboxMessage.send_at,
        OutboxMessage.kecamatan_kode,
    ).where(where, OutboxMessage.for_date >= from_date)  # fmt: skip


@dataclass(frozen=True)
class _Kecamatan:
    """The columns of a kecamatan the planner reads (no ORM object)."""

    kode: str
    timezone: str
    forum_chat_id: int | None


_KECAMATAN = select(Kecamatan.kode, Kecamatan.timezone, Kecamatan.forum_chat_id)
_calendars: dict[tuple, WorkingCalendar] = {}
_counted: dict[str, frozenset[str]] = {}


async def _calendar_and_counted(session: AsyncSession) -> tuple[WorkingCalendar, frozenset[str]]:
    """The working calendar (with the admin's overrides) and the counted document codes.

    The overrides are a handful of rows, read each time so another process's change (`klambi holidays`) is seen at
    once; building the calendar from them is kept per process, keyed by exactly the rows read. The document kinds
    change only with a migration (no use-case writes them; a migrated deployment restarts): read once per database.
    """
    overrides = tuple(
        (await session.execute(
            select(CalendarOverride.day, CalendarOverride.is_working, CalendarOverride.name)
            .order_by(CalendarOverride.day)
        )).all()
    )  # fmt: skip
    calendar = _calendars.get(overrides)
    if calendar is None:
        calendar = WorkingCalendar.with_overrides(
            days_off=[(day, name) for day, working, name in overrides if not working],
            working_days=[day for day, working, _ in overrides if working],
        )
        _calendars.clear()  # one entry: the calendar as it is now
        _calendars[overrides] = calendar
    database = str(session.bind.url) if session.bind is not None else ""
    counted = _counted.get(database)
    if counted is None:
        counted = _counted[database] = frozenset(
            await session.scalars(select(DocumentType.code).where(DocumentType.counted.is_(True)))
        )
    return calendar, counted


@dataclass
class _Shared:
    """What planning every kecamatan reads once: the calendar, the counted documents, the people."""

    calendar: WorkingCalendar
    counted: frozenset[str]
    recipients: dict[str, Recipients]
    # read for a chunk of kecamatan at once (the hourly job): their rows, their obligations, their outbox rows
    kecamatan: dict[str, _Kecamatan] | None = None
    obligations: dict[str, list[Any]] | None = None
    outbox: dict[str, list[Any]] | None = None


async def plan_kecamatan(
    session: AsyncSession,
    kecamatan_kode: str,
    now: datetime,
    settings: RemindersSettings,
    shared: _Shared | None = None,
    start: datetime | None = None,
) -> tuple[int, int]:
    """Make the outbox of one kecamatan match the schedule from now to the end of the window (from `start` on: the
    days a new day added at the end of the window, the rest already agreeing). Planning the whole window on its own
    (a change, without `shared`) removes the kecamatan's plan mark: it is planned.

    Returns (rows added or revived, rows cancelled).
    """
    if shared is not None and shared.kecamatan is not None:
        kecamatan_or_none = shared.kecamatan.get(kecamatan_kode)
    else:
        found = (await session.execute(_KECAMATAN.where(Kecamatan.kode == kecamatan_kode))).first()
        kecamatan_or_none = _Kecamatan(*found) if found is not None else None
    if kecamatan_or_none is None:
        return 0, 0
    kecamatan = kecamatan_or_none
    end = now + timedelta(days=settings.window_days)
    start = now if start is None or start < now else start
    if shared is None:
        calendar, counted = await _calendar_and_counted(session)
        slots = await kecamatan_slots(session, kecamatan, start, end, settings, calendar, counted=counted)
        people = await _recipients(session, kecamatan)
    else:
        obligations = shared.obligations.get(kecamatan.kode, []) if shared.obligations is not None else None
        slots = await kecamatan_slots(session, kecamatan, start, end, settings, shared.calendar, counted=shared.counted,
                                      obligations=obligations)  # fmt: skip
        people = shared.recipients.get(kecamatan.kode) or {}
    if start == now and shared is None:  # planned on its own (a change): its mark, if any, is done with
        await session.execute(delete(PlanMark).where(PlanMark.place == kecamatan.kode))
    # A person's row names the person: the contact is chosen when it is sent. The forum group is a Telegram chat.
    wanted: dict[tuple[str, str, str, str, date], tuple[Slot, int | None, Group | None]] = {}
    for slot in slots:
        if slot.role == "forum":
            assert kecamatan.forum_chat_id is not None
            group = Group.telegram(kecamatan.forum_chat_id)
            targets: list[tuple[str, int | None, Group | None]] = [(group.key, None, group)]
        else:
            holders = people.get((slot.role, slot.desa if slot.role in ("sekdes", "pendamping") else None), [])
            targets = [(f"person:{p}", p, None) for p in holders]
        for key, person_id, group in targets:
            wanted[(slot.subject_type, slot.subject_id, key, slot.kind, slot.for_date)] = (slot, person_id, group)
    # Every row of this kecamatan from a day before the window on, in one query: rows still planned (or cancelled)
    # ahead are made to agree; any other row with a wanted key (sent, being sent, due) is history and stays.
    window_start = start.astimezone(ZoneInfo(kecamatan.timezone)).date() - timedelta(days=1)
    if shared is not None and shared.outbox is not None:
        rows = [r for r in shared.outbox.get(kecamatan.kode, []) if r[5] >= window_start]
    else:
        rows = (await session.execute(_outbox_query([kecamatan.kode], window_start))).all()
    rows = [r for r in rows if r[1] in PLANNED_SUBJECTS]  # notices are queued, never planned away
    taken: set[tuple[str, str, str, str, date]] = set()
    # (the kecamatan's code, last in each row of a chunk's read, is left out)
    existing: dict[tuple[str, str, str, str, date], tuple[int, OutboxStatus, datetime]] = {}
    open_ = (OutboxStatus.PLANNED, OutboxStatus.CANCELLED)
    for row_id, subject_type, subject_id, recipient_key, kind, for_date, status, send_at, *_ in rows:  # tuples
        row_key = (subject_type, subject_id, recipient_key, kind, for_date)
        taken.add(row_key)
        if send_at >= start and status in open_:
            existing[row_key] = (row_id, status, send_at)
    fresh, revived = [], []
    for key, (slot, person_id, group) in wanted.items():
        row = existing.get(key)
        if row is not None:
            row_id, status, send_at = row
            if status is OutboxStatus.CANCELLED or send_at != slot.send_at:
                revived.append({"id": row_id, "status": OutboxStatus.PLANNED, "send_at": slot.send_at})
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
    for first in range(0, len(fresh), INSERT_CHUNK):
        await session.execute(insert(OutboxMessage.__table__), fresh[first : first + INSERT_CHUNK])  # Core: no ORM
    if revived:
        await session.execute(update(OutboxMessage), revived)
    stale = [r[0] for key, r in existing.items() if r[1] is OutboxStatus.PLANNED and key not in wanted]
    for first in range(0, len(stale), INSERT_CHUNK):
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(stale[first : first + INSERT_CHUNK]), OutboxMessage.status == OutboxStatus.PLANNED
            )
            .values(status=OutboxStatus.CANCELLED)
        )
    return len(fresh) + len(revived), len(stale)


async def plan_everywhere(session: AsyncSession, now: datetime, settings: RemindersSettings) -> tuple[int, int]:
    """Every kecamatan, reading the calendar, the documents and the people once for all of them."""
    codes = list(await session.scalars(select(Kecamatan.kode).order_by(Kecamatan.kode)))
    calendar, counted = await _calendar_and_counted(session)
    shared = _Shared(calendar, counted, _group_recipients(await _reachable_roles(session, None), codes))
    added = cancelled = 0
    for kode in codes:
        a, c = await plan_kecamatan(session, kode, now, settings, shared)
        added, cancelled = added + a, cancelled + c
    return added, cancelled


# --- the hourly job: what changed, and the new day at the end of the window ------------------------------------

CHUNK_KECAMATAN = 50  # kecamatan planned per transaction: SQLite's write lock is let go and updates handled between
PLAN_RULES = 1  # raise when what the planner derives changes with the code: the next job plans every kecamatan


def settings_key(settings: RemindersSettings) -> str:
    """What the planned rows were derived with besides the database: the settings, the planner's rules and the
    official holidays (the `holidays` package). Another key in the state row: every kecamatan is planned again."""
    import holidays

    offsets = ",".join(str(o) for o in settings.offsets)
    return f"rules={PLAN_RULES};offsets={offsets};at={settings.send_time};window={settings.window_days};" \
        f"holidays={holidays.__version__}"  # fmt: skip


@dataclass
class PlanRound:
    """What one run of the hourly job did."""

    marked: int = 0  # kecamatan planned because a change marked them (all of them on a first run)
    extended: int = 0  # kecamatan given the new day(s) at the end of the window
    added: int = 0
    cancelled: int = 0
    transactions: int = 0
    longest_chunk_ms: float = 0.0


async def _expand_marks(session: AsyncSession) -> None:
    """Marks of a wider place (a kabupaten, a provinsi, everywhere) become a mark per kecamatan in it."""
    wide = [p for p in await session.scalars(select(PlanMark.place)) if p == EVERYWHERE or p.count(".") < 2]
    if not wide:
        return
    query = select(Kecamatan.kode)
    if EVERYWHERE not in wide:
        query = query.where(or_(*(Kecamatan.kode.startswith(p + ".", autoescape=True) for p in wide)))
    await mark(session, list(await session.scalars(query)))
    await session.execute(delete(PlanMark).where(PlanMark.place.in_(wide)))


async def _plan_chunk(
    session: AsyncSession, codes: list[str], now: datetime, settings: RemindersSettings, start: datetime | None
) -> tuple[int, int]:
    """Plan these kecamatan, reading the calendar, the documents, their people, obligations and outbox rows once for
    all of them (a query each, not one per kecamatan)."""
    calendar, counted = await _calendar_and_counted(session)
    desa = list(await session.scalars(select(Desa.kode).where(Desa.kecamatan_kode.in_(codes))))
    people = await _reachable_roles(session, codes, desa)
    rows = [_Kecamatan(*r) for r in await session.execute(_KECAMATAN.where(Kecamatan.kode.in_(codes)))]
    shared = _Shared(calendar, counted, _group_recipients(people, codes), {k.kode: k for k in rows}, {}, {})
    if rows:
        begin = now if start is None or start < now else start
        end = now + timedelta(days=settings.window_days)
        zones = [ZoneInfo(tz) for tz in {k.timezone for k in rows}]
        low = min(_agreed_range(begin.astimezone(tz).date(), end.astimezone(tz).date(), settings)[0] for tz in zones)
        high = max(_agreed_range(begin.astimezone(tz).date(), end.astimezone(tz).date(), settings)[1] for tz in zones)
        assert shared.obligations is not None and shared.outbox is not None
        for row in await session.execute(_obligations_query(codes, low, high)):
            shared.obligations.setdefault(row[8], []).append(row)
        earliest = min(begin.astimezone(tz).date() for tz in zones) - timedelta(days=1)
        for row in await session.execute(_outbox_query(codes, earliest)):
            shared.outbox.setdefault(row[8], []).append(row)
    added = cancelled = 0
    for kode in codes:
        a, c = await plan_kecamatan(session, kode, now, settings, shared, start=start)
        added, cancelled = added + a, cancelled + c
    return added, cancelled


def _new_moment(since: datetime, end: datetime, tz: ZoneInfo, at: time) -> bool:
    """Does a send moment of this time zone fall in [since, end): did a new day enter the window there?"""
    day, last = since.astimezone(tz).date() - timedelta(days=1), end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        if since <= send_moment(day, at, tz) < end:
            return True
        day += timedelta(days=1)
    return False


async def plan_changes(
    sessions: async_sessionmaker[AsyncSession], now: datetime, settings: RemindersSettings
) -> PlanRound:
    """The hourly job: plan the marked kecamatan (every kecamatan when nothing is planned yet or the settings
    changed), then give the kecamatan of each time zone where a new day entered the window that day's rows. Each
    chunk of kecamatan is its own transaction and the event loop runs between chunks. Nothing changed: one short read.
    """
    import asyncio
    import time as timing

    result = PlanRound()
    key = settings_key(settings)
    end = now + timedelta(days=settings.window_days)
    async with sessions() as session, session.begin():
        state = await session.get(PlanState, 1)
        since = state.planned_until if state is not None and state.settings_key == key else None
        if since is None:
            await mark(session, [None])
        await _expand_marks(session)
    result.transactions += 1

    async def chunk(codes: list[str], start: datetime | None, claim: bool) -> list[str]:
        began = timing.perf_counter()
        async with sessions() as session, session.begin():
            if claim:
                # what this transaction deleted is its own: another worker running the job plans the rest
                deleted = await session.scalars(
                    delete(PlanMark).where(PlanMark.place.in_(codes)).returning(PlanMark.place)
                )
                codes = sorted(deleted)
            added, cancelled = await _plan_chunk(session, codes, now, settings, start)
        result.added, result.cancelled = result.added + added, result.cancelled + cancelled
        result.transactions += 1
        result.longest_chunk_ms = max(result.longest_chunk_ms, (timing.perf_counter() - began) * 1000)
        await asyncio.sleep(0)  # let the updates waiting meanwhile be handled
        return codes

    async with sessions() as session:  # marks made while this runs wait for the next run
        marked = list(await session.scalars(select(PlanMark.place).order_by(PlanMark.place)))
    planned: set[str] = set()
    for first in range(0, len(marked), CHUNK_KECAMATAN):
        planned.update(await chunk(marked[first : first + CHUNK_KECAMATAN], None, claim=True))
    result.marked = len(planned)
    if since is not None and since < end:
        at = settings.local_time
        async with sessions() as session:
            zones = [tz for tz in await session.scalars(select(Kecamatan.timezone).distinct())
                     if _new_moment(since, end, ZoneInfo(tz), at)]  # fmt: skip
            codes = [k for k in await session.scalars(
                select(Kecamatan.kode).where(Kecamatan.timezone.in_(zones)).order_by(Kecamatan.kode)
            ) if k not in planned] if zones else []  # fmt: skip
        for first in range(0, len(codes), CHUNK_KECAMATAN):
            await chunk(codes[first : first + CHUNK_KECAMATAN], since, claim=False)
        result.extended = len(codes)
    async with sessions() as session, session.begin():
        state = await session.get(PlanState, 1)
        if state is None:
            session.add(PlanState(id=1, planned_until=end, settings_key=key, updated_at=now))
        else:
            state.planned_until, state.settings_key, state.updated_at = end, key, now
    result.transactions += 1
    return result
