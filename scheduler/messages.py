"""What each outbox row says, composed at sending time from the database as it is then.

A reminder for a document that has arrived since it was planned says nothing (None) and is cancelled; so is a digest
with nothing due. Texts come from the catalog; people's names never reach the forum group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.chat.actions import Action, AnnouncementRead, KirimFromReminder, RapatAttend, RapatDecline
from bot.chat.messages import OutFile, OutMessage
from bot.config import WhatsAppSettings
from bot.i18n import Language, doc_label, fmt_date, fmt_datetime, t
from bot.services.contacts import has_reachable_contact
from bot.services.indicator import ObligationRow, obligation_rows
from bot.services.links import whatsapp_invite_link
from bot.services.notices import notice_message, queue_notice
from bot.services.people import people_with_role_covering, standing_invitation
from bot.services.submissions import zone_label
from bot.views import MARKS, kecamatan_matrix
from models.reminders import DIGEST_HORIZON_DAYS, days_left
from models.status import ReviewStatus
from models.tables import (
    Announcement,
    Desa,
    Kecamatan,
    Meeting,
    MeetingInvitee,
    Obligation,
    OutboxMessage,
    Person,
    Role,
    RoleAssignment,
    ScopeKind,
)
from scheduler.planner import OVERDUE_MEMORY_DAYS


def _with(text: str, rows: list[list[tuple[str, Action]]] | None = None, attachment: dict | None = None) -> OutMessage:
    """A message with a stored file (an announcement's or the notulen's attachment: its sha256, mime type, path and
    the channel's file id) sent along."""
    return OutMessage.of(text, rows, (OutFile.stored(attachment),) if attachment else ())


def _countdown(agreed, today, lang: Language) -> str:
    left = days_left(agreed, today)
    if left > 0:
        return t("reminder.days_left", lang, days=left)
    if left == 0:
        return t("reminder.today", lang)
    return t("reminder.overdue", lang, days=-left)


async def compose(
    session: AsyncSession,
    row: OutboxMessage,
    now: datetime,
    lang: Language,
    *,
    whatsapp: WhatsAppSettings | None = None,
) -> OutMessage | None:
    """`whatsapp`: the deployment's WhatsApp settings; when it is configured with its number, the staf digest gives
    each desa without a secretary an invitation link to forward."""
    kecamatan = await session.get(Kecamatan, row.kecamatan_kode)
    assert kecamatan is not None
    tz = ZoneInfo(kecamatan.timezone)
    today = now.astimezone(tz).date()
    if row.subject_type == "obligation":
        return await _reminder(session, row, today, lang)
    if row.subject_type == "digest":
        number = whatsapp.business_number if whatsapp is not None and whatsapp.configured else None
        return await _digest(session, kecamatan, today, lang, now=now, business_number=number)
    if row.subject_type == "camat":
        return await _camat(session, kecamatan, row, lang)
    if row.subject_type == "recap":
        _, _, rows = await obligation_rows(session, kecamatan.kode, today.year, now)
        if row.role != "forum":  # to staf, to forward to the kecamatan's WhatsApp group as it is
            return OutMessage.of(plain_recap(kecamatan.nama, today, rows, lang))
        matrix = kecamatan_matrix(kecamatan.nama, today.year, rows, lang).after(t("recap.title", lang))
        return OutMessage(matrix)
    if row.subject_type == "notice":
        return notice_message(row.details)
    if row.subject_type == "announcement":
        return await _announcement(session, kecamatan, row, lang)
    if row.subject_type == "meeting":
        return await _meeting(session, kecamatan, row, lang)
    return None


async def _announcement(session: AsyncSession, kecamatan: Kecamatan, row: OutboxMessage, lang: Language) -> OutMessage:
    announcement = await session.get(Announcement, int(row.subject_id))
    assert announcement is not None
    author = await session.get(Person, announcement.author_id)
    sender = t(f"role.{announcement.author_role}", lang)
    if row.role != "forum" and author is not None:
        sender = f"{author.name} ({sender})"
    heading = t("umumkan.heading", lang, number=announcement.id, kecamatan=kecamatan.nama, sender=sender)
    buttons = [] if row.role == "forum" else [[(t("button.read", lang), AnnouncementRead(announcement.id))]]
    return _with(f"{heading}\n\n{announcement.text}", buttons, announcement.attachment)


async def _meeting(
    session: AsyncSession, kecamatan: Kecamatan, row: OutboxMessage, lang: Language
) -> OutMessage | None:
    meeting = await session.get(Meeting, int(row.subject_id))
    assert meeting is not None
    invitee = await session.scalar(
        select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.person_id == row.person_id)
    )
    tz = ZoneInfo(kecamatan.timezone)
    when = fmt_datetime(meeting.starts_at.astimezone(tz), lang) + " " + zone_label(kecamatan.timezone)
    details = t("rapat.details", lang, title=meeting.title, when=when, place=meeting.place, kecamatan=kecamatan.nama)
    if row.kind == "notulen":
        heading = t("rapat.notulen_heading", lang, number=meeting.id)
        return _with(f"{heading}\n{details}\n\n{meeting.notulen}", None, meeting.notulen_attachment)
    answer = invitee.answer if invitee else None
    if row.kind != "undangan" and answer == "tidak":
        return None  # they said they cannot come: no reminder
    heading = t("rapat.invitation" if row.kind == "undangan" else f"rapat.reminder.{row.kind}", lang,
                number=meeting.id)  # fmt: skip
    lines = [heading, details]
    if answer:
        lines.append(t(f"rapat.your_answer.{answer}", lang))
    buttons: list[list[tuple[str, Action]]] = [
        [(t("button.hadir", lang), RapatAttend(meeting.id)), (t("button.tidak_hadir", lang), RapatDecline(meeting.id))]
    ]
    return OutMessage.of("\n".join(lines), buttons)


async def preload(session: AsyncSession, rows: Iterable[OutboxMessage]) -> list[object]:
    """Load what `compose` reads for these rows into the session in a few `IN (...)` queries: their kecamatan, and
    the obligations reminders talk about with their submissions and desa. `compose` then finds them without a query
    (`session.get` looks in the session first); what is not preloaded it still loads itself. The caller keeps the
    list while composing (the session holds its objects weakly)."""
    rows = list(rows)
    kecamatan = sorted({row.kecamatan_kode for row in rows})
    obligation_ids = sorted({int(row.subject_id) for row in rows if row.subject_type == "obligation"})
    loaded: list[object] = []
    if kecamatan:
        loaded += (await session.scalars(select(Kecamatan).where(Kecamatan.kode.in_(kecamatan)))).all()
    if obligation_ids:
        obligations = (
            await session.scalars(
                select(Obligation)
                .where(Obligation.id.in_(obligation_ids))
                .options(selectinload(Obligation.submissions))
            )
        ).all()
        desa = sorted({o.desa_kode for o in obligations})
        loaded += obligations
        if desa:
            loaded += (await session.scalars(select(Desa).where(Desa.kode.in_(desa)))).all()
    return loaded


async def _reminder(session: AsyncSession, row: OutboxMessage, today, lang: Language) -> OutMessage | None:
    obligation = await session.get(Obligation, int(row.subject_id), options=[selectinload(Obligation.submissions)])
    if obligation is None:
        return None
    if "submissions" in inspect(obligation).unloaded:  # in the session already, without them
        await session.refresh(obligation, ["submissions"])
    statuses = [s.review_status for s in obligation.submissions]
    if ReviewStatus.ACCEPTED in statuses or ReviewStatus.MENUNGGU in statuses:
        return None  # checked again at sending time: nothing for a document already submitted
    desa = await session.get(Desa, obligation.desa_kode)
    assert desa is not None
    lines = [
        t("reminder.title", lang, kind=row.kind, doc=obligation.document_code, ta=obligation.tahun_anggaran,
          desa=desa.nama),
        t("reminder.agreed", lang, date=fmt_date(obligation.agreed_date, lang),
          countdown=_countdown(obligation.agreed_date, today, lang)),
        t("reminder.legal", lang, date=fmt_date(obligation.legal_deadline, lang)),
    ]  # fmt: skip
    if statuses and statuses[-1] is ReviewStatus.REJECTED:
        reason = obligation.submissions[-1].review_reason or "—"
        lines.append(t("reminder.rejected", lang, reason=reason))
    buttons = [[(t("button.kirim", lang), KirimFromReminder(obligation.id))]] if row.role == Role.SEKDES.value else None
    return OutMessage.of("\n".join(lines), buttons)


def plain_recap(kecamatan_nama: str, today: date, rows: list[ObligationRow], lang: Language) -> str:
    """The weekly recap as plain text, one desa a line with a mark beside each document's name: pasted into a
    WhatsApp group it reads the same in any font (the forum's grid needs a monospace block). No names of people."""
    by_desa: dict[str, list[ObligationRow]] = {}
    for r in rows:
        by_desa.setdefault(r.desa_kode, []).append(r)
    lines = [t("recap.plain_title", lang, date=fmt_date(today, lang)),
             t("status.kecamatan_title", lang, kecamatan=kecamatan_nama, year=today.year), ""]  # fmt: skip
    for cells in by_desa.values():
        marks = " · ".join(f"{doc_label(c.document_code)} {MARKS[c.status]}" for c in cells)
        lines.append(f"• {cells[0].desa_nama}: {marks}")
    lines += ["", t("recap.plain_footer", lang)]
    return "\n".join(lines)


@dataclass(frozen=True)
class DigestObligations:
    """What a staf digest lists: open documents due within the horizon, past their agreed date, and how many wait
    for a verdict (by agreed date, then desa)."""

    due: list[Obligation]
    overdue: list[Obligation]
    waiting: int


async def digest_obligations(session: AsyncSession, kecamatan_kode: str, today: date) -> DigestObligations:
    rows = await session.scalars(
        select(Obligation)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .where(
            Desa.kecamatan_kode == kecamatan_kode,
            Obligation.agreed_date <= today + timedelta(days=DIGEST_HORIZON_DAYS),
            Obligation.agreed_date >= today - timedelta(days=OVERDUE_MEMORY_DAYS),
        )
        .options(selectinload(Obligation.submissions))
        .order_by(Obligation.agreed_date, Obligation.desa_kode)
    )
    due, overdue, waiting = [], [], 0
    for o in rows:
        statuses = [s.review_status for s in o.submissions]
        if ReviewStatus.ACCEPTED in statuses:
            continue
        if ReviewStatus.MENUNGGU in statuses:
            waiting += 1
            continue
        (overdue if o.agreed_date < today else due).append(o)
    return DigestObligations(due, overdue, waiting)


async def _digest(
    session: AsyncSession, kecamatan: Kecamatan, today, lang: Language, *, now: datetime, business_number: str | None
) -> OutMessage | None:
    found = await digest_obligations(session, kecamatan.kode, today)
    if not found.due and not found.overdue:
        return None
    names = {d.kode: d.nama for d in await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan.kode))}

    def line(o: Obligation) -> str:
        document = f"{doc_label(o.document_code)} TA {o.tahun_anggaran}"
        return f"• {names.get(o.desa_kode, o.desa_kode)} — {document} ({_countdown(o.agreed_date, today, lang)})"

    due, overdue, waiting = [line(o) for o in found.due], [line(o) for o in found.overdue], found.waiting
    lines = [t("digest.title", lang, kecamatan=kecamatan.nama, date=fmt_date(today, lang))]
    if due:
        lines += ["", t("digest.due", lang), *due]
    if overdue:
        lines += ["", t("digest.overdue", lang), *overdue]
    if waiting:
        lines += ["", t("digest.waiting", lang, count=waiting)]
    without = await desa_without_sekdes(session, kecamatan.kode)
    if without:
        lines += ["", t("digest.no_sekdes", lang, names=", ".join(names[k] for k in without))]
        if business_number is None:  # no WhatsApp number of the office: a text for staf to forward
            forward = t("digest.forward_text", lang, kecamatan=kecamatan.nama)
            lines.append(t("digest.forward", lang, link=f"https://wa.me/?text={quote(forward)}"))
        else:  # each desa's standing invitation: the same link every morning until it is used or ends
            lines.append(t("digest.invite_links", lang))
            tz = ZoneInfo(kecamatan.timezone)
            for kode in without:
                code, until = await standing_invitation(session, kode, now)
                link = whatsapp_invite_link(business_number, code)
                when = fmt_date(until.astimezone(tz).date(), lang)
                lines.append(t("digest.invite_link", lang, desa=names[kode], link=link, until=when))
    return OutMessage.of("\n".join(lines))


async def desa_without_sekdes(session: AsyncSession, kecamatan_kode: str) -> list[str]:
    """Desa of the kecamatan where nobody holds the sekdes role on Telegram: reported, never skipped in silence."""
    desa = list(
        await session.scalars(select(Desa.kode).where(Desa.kecamatan_kode == kecamatan_kode).order_by(Desa.kode))
    )
    covered = set(
        await session.scalars(
            select(RoleAssignment.scope_code)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.role == Role.SEKDES,
                RoleAssignment.scope_kind == ScopeKind.DESA,
                RoleAssignment.revoked_at.is_(None),
                has_reachable_contact(),
                RoleAssignment.scope_code.in_(desa),
            )
        )
    )
    return [k for k in desa if k not in covered]


async def camat_obligations(session: AsyncSession, kecamatan_kode: str, subject_id: str) -> list[Obligation]:
    """The kecamatan's obligations a camat's escalation (subject "camat:<document>:<ta>") is about, by desa."""
    _, document, ta = subject_id.split(":")
    rows = await session.scalars(
        select(Obligation)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .where(
            Desa.kecamatan_kode == kecamatan_kode,
            Obligation.document_code == document,
            Obligation.tahun_anggaran == int(ta),
        )
        .options(selectinload(Obligation.submissions))
        .order_by(Obligation.desa_kode)
    )
    return list(rows)


async def _camat(session: AsyncSession, kecamatan: Kecamatan, row: OutboxMessage, lang: Language) -> OutMessage | None:
    _, document, ta = row.subject_id.split(":")
    obligations = await camat_obligations(session, kecamatan.kode, row.subject_id)
    names = {d.kode: d.nama for d in await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan.kode))}
    missing = [
        names[o.desa_kode] for o in obligations if ReviewStatus.ACCEPTED not in [s.review_status for s in o.submissions]
    ]
    if not missing or not obligations:
        return None
    return OutMessage.of(
        t("camat.deadline_passed", lang, doc=document, ta=ta, date=fmt_date(obligations[0].legal_deadline, lang),
          count=len(missing), total=len(obligations), names=", ".join(missing))
    )  # fmt: skip


async def unreachable_notice(
    session: AsyncSession, person: Person, row: OutboxMessage, now: datetime, lang: Language
) -> None:
    """Tell the kecamatan's staf, once, that a person no longer receives the bot's messages."""
    desa = row.details.get("desa") or row.kecamatan_kode
    staf = await people_with_role_covering(session, {Role.STAF}, desa)
    place = await session.get(Desa, desa)
    text = t("notice.unreachable", lang, name=person.name, role=row.role, place=place.nama if place else desa)
    for member in staf:
        if member.id != person.id:
            await queue_notice(
                session,
                kecamatan_kode=row.kecamatan_kode,
                person=member,
                role=Role.STAF.value,
                key=f"unreachable:{person.id}",
                message=OutMessage.of(text),
                now=now,
            )


async def release_follow_ups(
    session: AsyncSession, person: Person, now: datetime, lang: Language, *, whatsapp: WhatsAppSettings | None = None
) -> int:
    """The person wrote, so their WhatsApp window is open: what templates only announced ("Balas *baca*") goes now,
    composed from the database as it is, as notices (sent at once). How many were released. `whatsapp`: as for
    `compose` (a digest's invitation links)."""
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person.id, OutboxMessage.follow_up.is_(True))
            .order_by(OutboxMessage.id)
        )
    ).all()
    released = 0
    for row in rows:
        row.follow_up = False
        message = await compose(session, row, now, lang, whatsapp=whatsapp)
        if message is None:  # nothing left to say (the digest emptied, the meeting was cancelled)
            continue
        await queue_notice(session, kecamatan_kode=row.kecamatan_kode, person=person, role=row.role,
                           key=f"opened:{row.id}", message=message, now=now)  # fmt: skip
        released += 1
    return released
