"""The forum half: announcements, problems and questions, meetings. Every write checks the authorization table again.

Everything that goes to other people goes through the outbox (`bot.services.notices`), so it is rate limited, survives
a restart, and shows afterwards who received it and who could not be reached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.authz import Action, Grant, allowed
from bot.chat.actions import Action as ChatAction
from bot.chat.actions import ThreadAnswer, ThreadClose
from bot.chat.messages import OutMessage
from bot.errors import InputError
from bot.i18n import Language, doc_label, t
from bot.parsing import limit_text, whole_number
from bot.services.audit import Actor, audit
from bot.services.contacts import reachable_person_ids
from bot.services.notices import Group, queue_message, queue_notice
from bot.services.people import people_with_role_covering
from models.tables import (
    Announcement,
    AnnouncementRecipient,
    Desa,
    ForumReply,
    ForumThread,
    Kecamatan,
    Meeting,
    MeetingInvitee,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    RoleAssignment,
    ScopeKind,
    ThreadKind,
    ThreadStatus,
)

ANNOUNCEMENT_LIMIT = 3000
THREAD_LIMIT = 2000
REPLY_LIMIT = 2000
TITLE_LIMIT = 120
PLACE_LIMIT = 200
NOTULEN_LIMIT = 3500
FIELD_ROLES = (Role.SEKDES.value, Role.PENDAMPING.value)
ANSWERS = ("hadir", "tidak")


@dataclass(frozen=True)
class Member:
    """A sekdes or pendamping of a desa, as an audience sees them."""

    person: Person
    role: str
    desa_kode: str
    reachable: bool  # has a contact not marked unreachable


async def members(session: AsyncSession, desa_codes: Iterable[str], roles: Iterable[str] = FIELD_ROLES) -> list[Member]:
    """Everyone holding one of `roles` for one of the desa, reachable or not; a person once (their first desa)."""
    codes = sorted(set(desa_codes))
    if not codes:
        return []
    rows = await session.execute(
        select(Person, RoleAssignment)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(
            RoleAssignment.revoked_at.is_(None),
            RoleAssignment.scope_kind == ScopeKind.DESA,
            RoleAssignment.scope_code.in_(codes),
            RoleAssignment.role.in_([Role(r) for r in roles]),
        )
        .order_by(RoleAssignment.scope_code, RoleAssignment.role, Person.id)
    )
    first: dict[int, tuple[Person, RoleAssignment]] = {}
    for person, assignment in rows:
        first.setdefault(person.id, (person, assignment))
    reachable = await reachable_person_ids(session, first)
    return [Member(p, a.role.value, a.scope_code or "", p.id in reachable) for p, a in first.values()]


async def kecamatan_desa(session: AsyncSession, kecamatan_kode: str) -> list[Desa]:
    return list(await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan_kode).order_by(Desa.kode)))


def _require(grants: list[Grant], action: Action, places: Iterable[str]) -> None:
    places = list(places)
    if not places or not all(allowed(grants, action, place) for place in places):
        raise InputError("chat.not_allowed")


def _local(now: datetime, kecamatan: Kecamatan) -> datetime:
    return now.astimezone(ZoneInfo(kecamatan.timezone))


async def _kecamatan(session: AsyncSession, kode: str) -> Kecamatan:
    kecamatan = await session.get(Kecamatan, kode)
    if kecamatan is None:
        raise InputError("chat.stale_button")
    return kecamatan


async def _check_desa(session: AsyncSession, kecamatan_kode: str, desa_codes: Iterable[str]) -> list[str]:
    known = {d.kode for d in await kecamatan_desa(session, kecamatan_kode)}
    codes = sorted(set(desa_codes))
    if not codes or not set(codes) <= known:
        raise InputError("forum.no_desa_chosen")
    return codes


# --- Announcements ------------------------------------------------------------------------------------------------


@dataclass
class AnnouncementResult:
    announcement: Announcement
    queued: int
    unreachable: int
    forum: bool


async def create_announcement(
    session: AsyncSession,
    author: Person,
    grants: list[Grant],
    kecamatan_kode: str,
    text: str,
    desa_codes: Iterable[str],
    attachment: dict[str, Any] | None,
    now: datetime,
    *,
    actor: Actor,
) -> AnnouncementResult:
    """Queue a pengumuman for every sekdes and pendamping of the chosen desa (and the forum group for all desa)."""
    body = limit_text("Pengumuman", text, ANNOUNCEMENT_LIMIT)
    if body is None:
        raise InputError("forum.empty_text")
    kecamatan = await _kecamatan(session, kecamatan_kode)
    codes = await _check_desa(session, kecamatan.kode, desa_codes)
    _require(grants, Action.ANNOUNCE, codes)
    role = next(r for r in _ANNOUNCER_ORDER if any(g.role.value == r and all(map(g.covers, codes)) for g in grants))
    whole = codes == [d.kode for d in await kecamatan_desa(session, kecamatan.kode)]
    to_forum = whole and kecamatan.forum_chat_id is not None
    announcement = Announcement(
        kecamatan_kode=kecamatan.kode, author_id=author.id, author_role=role, text=body, desa_codes=codes,
        to_forum=to_forum, attachment=attachment, created_at=now,
    )  # fmt: skip
    session.add(announcement)
    await session.flush()
    today = _local(now, kecamatan).date()
    queued = unreachable = 0
    for member in await members(session, codes):
        if member.person.id == author.id:
            continue
        row = await queue_message(session, kecamatan.kode, "announcement", str(announcement.id), member.person,
                            member.role, "pengumuman", today, now, now, {"desa": member.desa_kode})  # fmt: skip
        if row is not None:
            await session.flush()
        session.add(
            AnnouncementRecipient(
                announcement_id=announcement.id, person_id=member.person.id, role=member.role,
                desa_kode=member.desa_kode, outbox_id=row.id if row else None,
            )
        )  # fmt: skip
        queued, unreachable = queued + (row is not None), unreachable + (row is None)
    if to_forum:
        assert kecamatan.forum_chat_id is not None
        await queue_message(session, kecamatan.kode, "announcement", str(announcement.id),
                            Group.telegram(kecamatan.forum_chat_id),
                      "forum", "pengumuman", today, now, now)  # fmt: skip
    audit(session, now, "announcement.create", "announcement", announcement.id,
          {"desa": codes, "recipients": queued + unreachable, "forum": to_forum}, actor=actor)  # fmt: skip
    await session.flush()
    return AnnouncementResult(announcement, queued, unreachable, to_forum)


_ANNOUNCER_ORDER = (Role.STAF.value, Role.CAMAT.value, Role.ADMIN.value, Role.PENDAMPING.value)


async def acknowledge(session: AsyncSession, announcement_id: int, person: Person, now: datetime) -> bool:
    """'Sudah dibaca': True the first time; pressing again changes nothing."""
    recipient = await session.scalar(
        select(AnnouncementRecipient)
        .where(AnnouncementRecipient.announcement_id == announcement_id, AnnouncementRecipient.person_id == person.id)
        .with_for_update()
    )
    if recipient is None:
        raise InputError("chat.not_allowed")
    if recipient.read_at is not None:
        return False
    recipient.read_at = now
    return True


@dataclass(frozen=True)
class Delivery:
    """How an announcement stands for one recipient."""

    name: str
    role: str
    desa: str
    state: str  # read, sent, queued, unreachable
    read_at: datetime | None


async def may_see_announcement(session: AsyncSession, announcement: Announcement, person: Person, grants) -> bool:
    if announcement.author_id == person.id:
        return True
    return any(g.role.value in ("staf", "camat", "admin") and g.covers(announcement.kecamatan_kode) for g in grants)


async def deliveries(session: AsyncSession, announcement_id: int) -> list[Delivery]:
    rows = await session.execute(
        select(AnnouncementRecipient, Person, Desa, OutboxMessage)
        .join(Person, Person.id == AnnouncementRecipient.person_id)
        .outerjoin(Desa, Desa.kode == AnnouncementRecipient.desa_kode)
        .outerjoin(OutboxMessage, OutboxMessage.id == AnnouncementRecipient.outbox_id)
        .where(AnnouncementRecipient.announcement_id == announcement_id)
        .order_by(AnnouncementRecipient.desa_kode, AnnouncementRecipient.role, Person.id)
    )
    found = []
    for recipient, person, desa, row in rows:
        if recipient.read_at is not None:
            state = "read"
        elif row is None or row.status in (OutboxStatus.UNREACHABLE, OutboxStatus.CANCELLED):
            state = "unreachable"
        elif row.status is OutboxStatus.SENT:
            state = "sent"
        else:
            state = "queued"
        found.append(Delivery(person.name, recipient.role, desa.nama if desa else "", state, recipient.read_at))
    return found


async def recent_announcements(
    session: AsyncSession, person: Person, grants: list[Grant], limit: int = 5
) -> list[Announcement]:
    kecamatan = {g.scope_code for g in grants if g.role.value in ("staf", "camat", "admin") and g.scope_code}
    query = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
    if any(g.scope_kind is ScopeKind.DEPLOYMENT and g.role is Role.ADMIN for g in grants):
        return list(await session.scalars(query))
    condition = Announcement.author_id == person.id
    if kecamatan:
        condition = condition | Announcement.kecamatan_kode.in_(kecamatan)
    return list(await session.scalars(query.where(condition)))


# --- Problems (kendala) and questions (tanya) ---------------------------------------------------------------------


async def raise_thread(
    session: AsyncSession,
    kind: ThreadKind,
    author: Person,
    grants: list[Grant],
    desa_kode: str,
    obligation_id: int | None,
    text: str,
    now: datetime,
    language: Language,
    *,
    actor: Actor,
) -> tuple[ForumThread, int]:
    """A sekdes or pendamping raises a problem or a question; the kecamatan's staf are alerted (how many: returned)."""
    body = limit_text("Teks", text, THREAD_LIMIT)
    if body is None:
        raise InputError("forum.empty_text")
    _require(grants, Action.RAISE, [desa_kode])
    desa = await session.get(Desa, desa_kode)
    if desa is None:
        raise InputError("chat.stale_button")
    document = None
    if obligation_id is not None:
        obligation = await session.get(Obligation, obligation_id)
        if obligation is None or obligation.desa_kode != desa_kode:
            raise InputError("chat.not_allowed")
        document = f"{doc_label(obligation.document_code)} TA {obligation.tahun_anggaran}"
    role = next(g.role.value for g in grants if g.role.value in FIELD_ROLES and g.covers(desa_kode))
    thread = ForumThread(
        kind=kind, kecamatan_kode=desa.kecamatan_kode, desa_kode=desa_kode, author_id=author.id, author_role=role,
        obligation_id=obligation_id, text=body, status=ThreadStatus.OPEN, created_at=now,
    )  # fmt: skip
    session.add(thread)
    await session.flush()
    audit(session, now, f"{kind.value}.raise", "forum_thread", thread.id, {"desa": desa_kode}, actor=actor)
    about = t("forum.about_document", language, document=document) if document else ""
    alert = t(f"{kind.value}.alert", language, number=await thread_number(session, thread), desa=desa.nama,
              name=author.name, role=t(f"role.{role}", language), about=about, text=body)  # fmt: skip
    buttons: list[tuple[str, ChatAction]] = [(t("button.answer", language), ThreadAnswer(thread.id))]
    if kind is ThreadKind.KENDALA:
        buttons.append((t("button.close", language), ThreadClose(thread.id)))
    alerted = 0
    for staf in await people_with_role_covering(session, {Role.STAF}, desa_kode):
        alerted += await queue_notice(session, kecamatan_kode=desa.kecamatan_kode, person=staf, role=Role.STAF.value,
                                      key=f"thread:{thread.id}", message=OutMessage.of(alert, [buttons]),
                                      now=now)  # fmt: skip
    return thread, alerted


async def thread_number(session: AsyncSession, thread: ForumThread) -> int:
    """The number people see: problems and questions are counted apart within their kecamatan (Kendala #1,
    Pertanyaan #1), so a first question is never "#2". Buttons and the database keep the id."""
    return await session.scalar(
        select(func.count())
        .select_from(ForumThread)
        .where(
            ForumThread.kind == thread.kind,
            ForumThread.kecamatan_kode == thread.kecamatan_kode,
            ForumThread.id <= thread.id,
        )
    )


async def thread_for_staf(session: AsyncSession, thread_id: int, grants: list[Grant]) -> ForumThread:
    """A problem or question this staf may answer or close, still open (locked until the transaction ends)."""
    thread = await session.get(ForumThread, thread_id, with_for_update=True)
    if thread is None:
        raise InputError("chat.stale_button")
    _require(grants, Action.ANSWER, [thread.desa_kode])
    if thread.status is ThreadStatus.CLOSED:
        raise InputError("kendala.already_closed", number=await thread_number(session, thread))
    return thread


async def answer_thread(
    session: AsyncSession, thread_id: int, staf: Person, grants: list[Grant], text: str, now: datetime,
    language: Language, *, actor: Actor,
) -> ForumThread:  # fmt: skip
    """A staf answer goes back to the one who asked; a question is then answered, a problem stays open."""
    body = limit_text("Jawaban", text, REPLY_LIMIT)
    if body is None:
        raise InputError("forum.empty_text")
    thread = await thread_for_staf(session, thread_id, grants)
    reply = ForumReply(thread_id=thread.id, author_id=staf.id, text=body, at=now)
    session.add(reply)
    if thread.kind is ThreadKind.TANYA:
        thread.status = ThreadStatus.ANSWERED
    await session.flush()
    audit(session, now, f"{thread.kind.value}.answer", "forum_thread", thread.id, {"reply": reply.id},
          actor=actor)  # fmt: skip
    author = await session.get(Person, thread.author_id)
    assert author is not None
    number = await thread_number(session, thread)
    message = t(f"{thread.kind.value}.answered", language, number=number, question=_short(thread.text), text=body)
    await queue_notice(
        session,
        kecamatan_kode=thread.kecamatan_kode,
        person=author,
        role=thread.author_role,
        key=f"reply:{reply.id}",
        message=OutMessage.of(message),
        now=now,
    )
    return thread


async def close_thread(
    session: AsyncSession, thread_id: int, staf: Person, grants: list[Grant], note: str, now: datetime,
    language: Language, *, actor: Actor,
) -> ForumThread:  # fmt: skip
    body = limit_text("Catatan", note, REPLY_LIMIT)
    if body is None:
        raise InputError("forum.empty_text")
    thread = await thread_for_staf(session, thread_id, grants)
    thread.status, thread.closed_at, thread.closed_by_id, thread.closing_note = ThreadStatus.CLOSED, now, staf.id, body
    audit(session, now, f"{thread.kind.value}.close", "forum_thread", thread.id, {}, actor=actor)
    author = await session.get(Person, thread.author_id)
    assert author is not None
    message = t("kendala.closed", language, number=await thread_number(session, thread), problem=_short(thread.text),
                note=body)  # fmt: skip
    await queue_notice(
        session,
        kecamatan_kode=thread.kecamatan_kode,
        person=author,
        role=thread.author_role,
        key=f"closed:{thread.id}",
        message=OutMessage.of(message),
        now=now,
    )
    return thread


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def open_threads(session: AsyncSession, kind: ThreadKind, kecamatan_codes: Iterable[str]) -> list[ForumThread]:
    """Problems not yet closed, or questions not yet answered, by desa then number."""
    waiting = [ThreadStatus.OPEN] if kind is ThreadKind.TANYA else [ThreadStatus.OPEN, ThreadStatus.ANSWERED]
    return list(
        await session.scalars(
            select(ForumThread)
            .where(
                ForumThread.kind == kind,
                ForumThread.kecamatan_kode.in_(list(kecamatan_codes)),
                ForumThread.status.in_(waiting),
            )
            .options(selectinload(ForumThread.replies))
            .order_by(ForumThread.desa_kode, ForumThread.id)
        )
    )


async def threads_for_report(session: AsyncSession, kecamatan_kode: str, year: int) -> list[ForumThread]:
    """Every problem a kecamatan's desa raised in a year (the recap's Kendala sheet), with their answers."""
    tz = ZoneInfo((await _kecamatan(session, kecamatan_kode)).timezone)
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    return list(
        await session.scalars(
            select(ForumThread)
            .where(
                ForumThread.kind == ThreadKind.KENDALA,
                ForumThread.kecamatan_kode == kecamatan_kode,
                ForumThread.created_at >= start,
                ForumThread.created_at < end,
            )
            .options(selectinload(ForumThread.replies))
            .order_by(ForumThread.desa_kode, ForumThread.id)
        )
    )


async def thread_of_reply(session: AsyncSession, address: str, message_id: str, channel: str) -> int | None:
    """The problem or question whose alert a staf answered with the channel's 'reply' (None: not such a message).
    `address` is the chat the reply was written in, `message_id` the channel's id of the message replied to."""
    subject = await session.scalar(
        select(OutboxMessage.subject_id).where(
            OutboxMessage.channel == channel,
            OutboxMessage.channel_message_id == str(message_id),
            OutboxMessage.address == str(address),
            OutboxMessage.subject_type == "notice",
        )
    )
    if subject is None or not subject.startswith("thread:"):
        return None
    number = subject.removeprefix("thread:")
    return whole_number(number)


# --- Meetings -----------------------------------------------------------------------------------------------------


@dataclass
class MeetingResult:
    meeting: Meeting
    invited: int
    unreachable: int


async def create_meeting(
    session: AsyncSession,
    creator: Person,
    grants: list[Grant],
    kecamatan_kode: str,
    title: str,
    starts_at: datetime,
    place: str,
    roles: Iterable[str],
    desa_codes: Iterable[str],
    now: datetime,
    send_time: time,
    *,
    actor: Actor,
) -> MeetingResult:
    """Schedule a meeting: invitations now, reminders the day before (at the reminders' hour) and two hours before."""
    name = limit_text("Judul", title, TITLE_LIMIT)
    where = limit_text("Tempat", place, PLACE_LIMIT)
    if name is None or where is None:
        raise InputError("forum.empty_text")
    if starts_at <= now:
        raise InputError("rapat.in_the_past")
    kecamatan = await _kecamatan(session, kecamatan_kode)
    codes = await _check_desa(session, kecamatan.kode, desa_codes)
    _require(grants, Action.SCHEDULE_MEETING, [kecamatan.kode])
    chosen_roles = sorted(set(roles) & set(FIELD_ROLES))
    if not chosen_roles:
        raise InputError("rapat.no_roles")
    meeting = Meeting(
        kecamatan_kode=kecamatan.kode, title=name, starts_at=starts_at, place=where, roles=chosen_roles,
        desa_codes=codes, created_by_id=creator.id, created_at=now,
    )  # fmt: skip
    session.add(meeting)
    await session.flush()
    tz = ZoneInfo(kecamatan.timezone)
    local_start = starts_at.astimezone(tz)
    day_before = datetime.combine(local_start.date() - timedelta(days=1), send_time, tz)
    schedule = [("undangan", now), ("H-1", day_before), ("2 jam", starts_at - timedelta(hours=2))]
    invited = unreachable = 0
    for member in await members(session, codes, chosen_roles):
        session.add(
            MeetingInvitee(meeting_id=meeting.id, person_id=member.person.id, role=member.role,
                           desa_kode=member.desa_kode, reachable=member.reachable)
        )  # fmt: skip
        if not member.reachable:
            unreachable += 1
            continue
        invited += 1
        for kind, moment in schedule:
            if kind == "undangan" or moment > now:
                day = moment.astimezone(tz).date()
                await queue_message(session, kecamatan.kode, "meeting", str(meeting.id), member.person, member.role,
                                    kind, day, moment, now, {"desa": member.desa_kode})  # fmt: skip
    facts = {"starts_at": starts_at.isoformat(), "roles": chosen_roles, "desa": codes}
    audit(session, now, "meeting.create", "meeting", meeting.id, facts, actor=actor)
    await session.flush()
    return MeetingResult(meeting, invited, unreachable)


async def answer_meeting(session: AsyncSession, meeting_id: int, person: Person, answer: str, now: datetime) -> bool:
    """Hadir / Tidak hadir: True when it changed the record (a second press of the same button changes nothing)."""
    if answer not in ANSWERS:
        raise InputError("chat.stale_button")
    invitee = await session.scalar(
        select(MeetingInvitee)
        .where(MeetingInvitee.meeting_id == meeting_id, MeetingInvitee.person_id == person.id)
        .with_for_update()
    )
    if invitee is None:
        raise InputError("chat.not_allowed")
    meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None
    if meeting.starts_at <= now:
        raise InputError("rapat.already_started")
    if invitee.answer == answer:
        return False
    invitee.answer, invitee.answered_at = answer, now
    return True


async def meeting_for_staf(session: AsyncSession, meeting_id: int, grants: list[Grant]) -> Meeting:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        raise InputError("chat.stale_button")
    _require(grants, Action.SCHEDULE_MEETING, [meeting.kecamatan_kode])
    return meeting


async def invitees(session: AsyncSession, meeting_id: int) -> list[tuple[MeetingInvitee, Person, str]]:
    rows = await session.execute(
        select(MeetingInvitee, Person, Desa.nama)
        .join(Person, Person.id == MeetingInvitee.person_id)
        .outerjoin(Desa, Desa.kode == MeetingInvitee.desa_kode)
        .where(MeetingInvitee.meeting_id == meeting_id)
        .order_by(MeetingInvitee.desa_kode, MeetingInvitee.role, Person.id)
    )
    return [(invitee, person, desa or "") for invitee, person, desa in rows]


async def send_notulen(
    session: AsyncSession,
    meeting_id: int,
    staf: Person,
    grants: list[Grant],
    text: str,
    attachment: dict[str, Any] | None,
    now: datetime,
    *,
    actor: Actor,
) -> tuple[Meeting, int]:
    """After the meeting: the notes to everyone invited (once; a second time is refused)."""
    body = limit_text("Notulen", text, NOTULEN_LIMIT)
    if body is None:
        raise InputError("forum.empty_text")
    meeting = await meeting_for_staf(session, meeting_id, grants)
    if meeting.starts_at > now:
        raise InputError("rapat.not_yet")
    if meeting.notulen_at is not None:
        raise InputError("rapat.notulen_sent")
    meeting.notulen, meeting.notulen_attachment, meeting.notulen_at = body, attachment, now
    kecamatan = await _kecamatan(session, meeting.kecamatan_kode)
    today = _local(now, kecamatan).date()
    sent = 0
    for invitee, person, _ in await invitees(session, meeting.id):
        row = await queue_message(session, kecamatan.kode, "meeting", str(meeting.id), person, invitee.role, "notulen",
                            today, now, now, {"desa": invitee.desa_kode})  # fmt: skip
        sent += row is not None
    audit(session, now, "meeting.notulen", "meeting", meeting.id, {"recipients": sent}, actor=actor)
    await session.flush()
    return meeting, sent


async def meetings_of(
    session: AsyncSession, person: Person, grants: list[Grant], now: datetime, days_back: int = 30
) -> list[Meeting]:
    """Meetings this person schedules (staf) or is invited to, from `days_back` ago on, soonest first."""
    since = now - timedelta(days=days_back)
    staf_of = [g.scope_code for g in grants if g.role in (Role.STAF, Role.ADMIN) and g.scope_code]
    invited = select(MeetingInvitee.meeting_id).where(MeetingInvitee.person_id == person.id)
    condition = Meeting.id.in_(invited)
    if staf_of:
        condition = condition | Meeting.kecamatan_kode.in_(staf_of)
    return list(
        await session.scalars(
            select(Meeting).where(condition, Meeting.starts_at >= since).order_by(Meeting.starts_at).limit(10)
        )
    )


async def kecamatan_of_forum(session: AsyncSession, group_chat_id: int) -> Kecamatan | None:
    """The kecamatan whose forum group this is (`klambi forum` links them), or None."""
    return await session.scalar(select(Kecamatan).where(Kecamatan.forum_chat_id == group_chat_id))
