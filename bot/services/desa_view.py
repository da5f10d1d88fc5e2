"""The read model of one desa for the dashboard's desa page (`/dasbor/desa/<kode>`): each obligation of a performance
year with its status (from `bot.services.indicator.obligation_rows`, the path of the CLI and the chat) and every
version received by the moment asked about, the reminders sent and planned, the open problems and questions, and the
desa's people. Reads only.

A version is shown as it stood at the moment, as the recap's Rincian shows it (`reports.tables.gather`): a verdict
given later is "menunggu", and so has no reviewer yet. Phone numbers are read only when the caller may show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services.archive import EXTENSIONS
from bot.services.forum import members, open_threads, thread_number
from bot.services.indicator import ObligationRow, obligation_rows
from bot.services.submissions import zone_label
from models.status import ReviewStatus, deciding_version
from models.tables import (
    Channel,
    Contact,
    Desa,
    ForumThread,
    Kecamatan,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Submission,
    SubmissionFile,
    ThreadKind,
    ThreadStatus,
)

REMINDER_SUBJECT = "obligation"  # the planner's reminders to a desa's sekdes and pendamping (scheduler/planner.py)
SENT_STATUSES = (OutboxStatus.SENT, OutboxStatus.UNREACHABLE)  # history: went out, or could reach nobody
PLANNED_STATUSES = (OutboxStatus.PLANNED, OutboxStatus.SENDING)


@dataclass(frozen=True)
class FileView:
    id: int
    name: str  # as the sender named it, or made from the document and version (a scan recorded from the CLI)
    size_bytes: int
    mime_type: str


@dataclass(frozen=True)
class VersionView:
    version: int
    tanggal_penetapan: date
    nomor: str | None
    received_at: datetime  # in the kecamatan's time zone
    channel: Channel
    review_status: ReviewStatus  # the verdict as it stood at the moment
    reviewer: str | None
    reviewed_at: datetime | None  # in the kecamatan's time zone; None while waiting
    reason: str | None  # why it was rejected
    decides: bool  # this version decides the obligation's status
    files: tuple[FileView, ...]


@dataclass(frozen=True)
class ObligationView:
    row: ObligationRow  # document, TA, legal deadline, agreed date, status: as the matrix and /status give them
    versions: tuple[VersionView, ...]  # received on or before the moment, oldest first


@dataclass(frozen=True)
class ReminderView:
    at: datetime  # sent (or due, for one that reached nobody / is planned), in the kecamatan's time zone
    kind: str  # H-3, H, H+1 …
    status: OutboxStatus
    person: str | None
    role: str  # sekdes, pendamping
    document_code: str
    tahun_anggaran: int
    channel: str | None
    read_at: datetime | None  # as WhatsApp reported, in the kecamatan's time zone


@dataclass(frozen=True)
class ReplyView:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class ThreadView:
    kind: ThreadKind
    number: int  # as people see it: Kendala #1, Pertanyaan #1
    status: ThreadStatus
    created_at: datetime  # in the kecamatan's time zone
    author: str
    author_role: str
    document: tuple[str, int] | None  # (code, TA) of the document it is about
    text: str
    replies: tuple[ReplyView, ...]


@dataclass(frozen=True)
class PersonView:
    name: str
    role: str  # sekdes, pendamping
    reachable: bool
    phones: tuple[str, ...]  # only when asked for (staf of the kecamatan); digits with the country code


@dataclass(frozen=True)
class DesaView:
    desa: Desa
    kecamatan: Kecamatan
    zone: str  # WIB, WITA, WIT
    year: int
    at: datetime
    local_date: date
    obligations: tuple[ObligationView, ...]
    sent: tuple[ReminderView, ...]
    planned: tuple[ReminderView, ...]
    threads: tuple[ThreadView, ...]
    people: tuple[PersonView, ...]


def file_name(f: SubmissionFile, document_code: str, tahun_anggaran: int, version: int) -> str:
    """The name a file is shown and downloaded under: the sender's, else one made as the evidence archive makes it."""
    if f.original_name:
        return f.original_name
    return f"{document_code}_TA{tahun_anggaran}_v{version}_{f.position}.{EXTENSIONS.get(f.mime_type, 'bin')}"


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict((await session.execute(select(Person.id, Person.name).where(Person.id.in_(sorted(ids))))).all())


async def desa_view(
    session: AsyncSession, desa: Desa, year: int, at: datetime, now: datetime, *, with_phones: bool
) -> DesaView:
    """Everything the desa page shows for performance `year` as known at `at`; planned reminders as of `now`."""
    kecamatan, local_date, rows = await obligation_rows(session, desa.kecamatan_kode, year, at)
    tz = ZoneInfo(kecamatan.timezone)
    rows = [r for r in rows if r.desa_kode == desa.kode]
    found: dict[tuple[str, int], Obligation] = {}
    if rows:
        pairs = or_(*(and_(Obligation.document_code == r.document_code, Obligation.tahun_anggaran == r.tahun_anggaran)
                      for r in rows))  # fmt: skip
        for o in await session.scalars(
            select(Obligation)
            .where(Obligation.desa_kode == desa.kode, pairs)
            .options(selectinload(Obligation.submissions).selectinload(Submission.files))
        ):
            found[(o.document_code, o.tahun_anggaran)] = o
    reviewers = {s.reviewed_by_id for o in found.values() for s in o.submissions if s.reviewed_by_id is not None}
    names = await _names(session, reviewers)

    obligations = []
    for row in rows:
        obligation = found.get((row.document_code, row.tahun_anggaran))
        submissions = [s for s in (obligation.submissions if obligation else []) if s.received_at <= at]
        facts = [s.facts() for s in submissions]
        shown = deciding_version(facts, at)
        versions = []
        for s, f in zip(submissions, facts, strict=True):
            verdict = f.verdict_at(at)
            decided = verdict is not ReviewStatus.MENUNGGU
            versions.append(
                VersionView(
                    s.version, s.tanggal_penetapan, s.nomor, s.received_at.astimezone(tz), s.channel, verdict,
                    names.get(s.reviewed_by_id) if decided and s.reviewed_by_id is not None else None,
                    s.reviewed_at.astimezone(tz) if decided and s.reviewed_at else None,
                    s.review_reason if verdict is ReviewStatus.REJECTED else None,
                    shown is not None and shown.version == s.version,
                    tuple(FileView(x.id, file_name(x, row.document_code, row.tahun_anggaran, s.version), x.size_bytes,
                                   x.mime_type) for x in s.files),
                )
            )  # fmt: skip
        obligations.append(ObligationView(row, tuple(versions)))

    sent, planned = await _reminders(session, found, tz, at)
    return DesaView(
        desa, kecamatan, zone_label(kecamatan.timezone), year, at, local_date, tuple(obligations), sent, planned,
        await _threads(session, desa, tz), await _people(session, desa, with_phones),
    )  # fmt: skip


async def _reminders(
    session: AsyncSession, obligations: dict[tuple[str, int], Obligation], tz: ZoneInfo, at: datetime
) -> tuple[tuple[ReminderView, ...], tuple[ReminderView, ...]]:
    """The planner's reminders of these obligations (`scheduler/planner.py`, subject "obligation"): those that went
    out by `at` (or found nobody to reach), and those the outbox holds planned now."""
    by_id = {str(o.id): o for o in obligations.values()}
    if not by_id:
        return (), ()
    rows = list(
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.subject_type == REMINDER_SUBJECT,
                OutboxMessage.subject_id.in_(sorted(by_id)),
                OutboxMessage.status.in_([*SENT_STATUSES, *PLANNED_STATUSES]),
            )
            .order_by(OutboxMessage.send_at, OutboxMessage.id)
        )
    )
    names = await _names(session, {r.person_id for r in rows if r.person_id is not None})
    sent, planned = [], []
    for r in rows:
        o = by_id[r.subject_id]
        moment = r.sent_at if r.status is OutboxStatus.SENT and r.sent_at else r.send_at
        view = ReminderView(
            moment.astimezone(tz), r.kind, r.status, names.get(r.person_id) if r.person_id else None, r.role,
            o.document_code, o.tahun_anggaran, r.channel, r.read_at.astimezone(tz) if r.read_at else None,
        )  # fmt: skip
        if r.status in PLANNED_STATUSES:
            planned.append(view)
        elif moment <= at:
            sent.append(view)
    return tuple(sent), tuple(planned)


async def _threads(session: AsyncSession, desa: Desa, tz: ZoneInfo) -> tuple[ThreadView, ...]:
    """The desa's problems not yet closed and questions not yet answered (`bot.services.forum.open_threads`)."""
    threads: list[ForumThread] = []
    for kind in (ThreadKind.KENDALA, ThreadKind.TANYA):
        threads += [t for t in await open_threads(session, kind, [desa.kecamatan_kode]) if t.desa_kode == desa.kode]
    authors = {t.author_id for t in threads} | {r.author_id for t in threads for r in t.replies}
    names = await _names(session, authors)
    about: dict[int, tuple[str, int]] = {}
    wanted = sorted({t.obligation_id for t in threads if t.obligation_id is not None})
    if wanted:
        about = {
            o.id: (o.document_code, o.tahun_anggaran)
            for o in await session.scalars(select(Obligation).where(Obligation.id.in_(wanted)))
        }
    views = []
    for t in threads:
        views.append(
            ThreadView(
                t.kind, await thread_number(session, t), t.status, t.created_at.astimezone(tz),
                names.get(t.author_id, ""), t.author_role, about.get(t.obligation_id) if t.obligation_id else None,
                t.text, tuple(ReplyView(r.at.astimezone(tz), names.get(r.author_id, ""), r.text) for r in t.replies),
            )
        )  # fmt: skip
    views.sort(key=lambda v: v.created_at)
    return tuple(views)


async def _people(session: AsyncSession, desa: Desa, with_phones: bool) -> tuple[PersonView, ...]:
    """The desa's sekdes and pendamping (roles held now); their WhatsApp numbers only when `with_phones`."""
    found = await members(session, [desa.kode])
    phones: dict[int, list[str]] = {}
    if with_phones and found:
        for person_id, phone in await session.execute(
            select(Contact.person_id, Contact.phone)
            .where(Contact.person_id.in_([m.person.id for m in found]), Contact.phone.is_not(None))
            .order_by(Contact.id)
        ):
            phones.setdefault(person_id, []).append(phone)
    return tuple(PersonView(m.person.name, m.role, m.reachable, tuple(phones.get(m.person.id, ()))) for m in found)
