"""A person's data out (`klambi person export`) or removed (`klambi person forget`).

What identifies a person lives in the `person` row (name, Telegram user and chat id) and in what was sent to them
(the outbox keeps the chat id and the text of notices, which may carry their name). Everything else refers to the
person by id only — submissions they made, verdicts they gave, invitations, and the append-only audit log, whose
entries carry `actor_id` and ids, never names. So forgetting rewrites the person row and their outbox rows and keeps
every document, verdict and audit entry: the trail stays complete and now points at "Orang terhapus #id".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InputError
from bot.services.audit import CLI, Actor, audit
from bot.services.contacts import contacts_of
from models.tables import (
    AuditEntry,
    Draft,
    Extension,
    InboxMessage,
    Invitation,
    OutboxMessage,
    OutboxStatus,
    Person,
    RoleAssignment,
    StartAttempt,
    Submission,
    SubmissionFile,
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


async def require_person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise InputError("cli.person.unknown", id=person_id)
    return person


async def export_person(session: AsyncSession, person_id: int) -> dict[str, Any]:
    person = await require_person(session, person_id)
    roles = (await session.scalars(select(RoleAssignment).where(RoleAssignment.person_id == person_id))).all()
    invitations = (
        await session.scalars(
            select(Invitation)
            .where(or_(Invitation.created_by_id == person_id, Invitation.used_by_id == person_id))
            .order_by(Invitation.id)
        )
    ).all()
    submitted = (
        await session.scalars(select(Submission).where(Submission.received_by_id == person_id).order_by(Submission.id))
    ).all()
    reviewed = (
        await session.scalars(select(Submission).where(Submission.reviewed_by_id == person_id).order_by(Submission.id))
    ).all()
    extensions = (
        await session.scalars(select(Extension).where(Extension.granted_by_id == person_id).order_by(Extension.id))
    ).all()
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(
                or_(
                    AuditEntry.actor_id == person_id,
                    (AuditEntry.entity == "person") & (AuditEntry.entity_id == str(person_id)),
                )
            )
            .order_by(AuditEntry.id)
        )
    ).all()
    draft = await session.get(Draft, person_id)
    messages = (
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.person_id == person_id).order_by(OutboxMessage.id)
        )
    ).all()
    forum = await _forum_of(session, person_id)
    files: dict[int, list[SubmissionFile]] = {}
    for row in await session.scalars(
        select(SubmissionFile).where(SubmissionFile.submission_id.in_([s.id for s in submitted]))
    ):
        files.setdefault(row.submission_id, []).append(row)

    def version(s: Submission) -> dict[str, Any]:
        return {
            "id": s.id, "obligation_id": s.obligation_id, "version": s.version,
            "tanggal_penetapan": _iso(s.tanggal_penetapan), "nomor": s.nomor, "received_at": _iso(s.received_at),
            "channel": _enum(s.channel), "review_status": _enum(s.review_status), "reviewed_at": _iso(s.reviewed_at),
            "review_reason": s.review_reason,
            "files": [{"sha256": f.sha256, "original_name": f.original_name, "mime_type": f.mime_type,
                       "size_bytes": f.size_bytes} for f in files.get(s.id, [])],
        }  # fmt: skip

    return {
        "person": {
            "id": person.id, "name": person.name, "created_at": _iso(person.created_at),
            "forgotten_at": _iso(person.forgotten_at),
        },
        "contacts": [
            {"channel": c.channel, "user_id": c.user_id, "phone": c.phone, "display_name": c.display_name,
             "linked_at": _iso(c.linked_at), "last_message_at": _iso(c.last_message_at),
             "unreachable_since": _iso(c.unreachable_since)}
            for c in await contacts_of(session, person_id)
        ],
        "roles": [
            {"role": _enum(r.role), "scope_kind": _enum(r.scope_kind), "scope_code": r.scope_code,
             "granted_at": _iso(r.granted_at), "granted_by_id": r.granted_by_id, "revoked_at": _iso(r.revoked_at),
             "revoked_by_id": r.revoked_by_id}
            for r in roles
        ],
        "invitations": [
            {"id": i.id, "role": _enum(i.role), "scope_code": i.scope_code, "created_at": _iso(i.created_at),
             "expires_at": _iso(i.expires_at), "used_at": _iso(i.used_at),
             "relation": "created" if i.created_by_id == person_id else "used"}
            for i in invitations
        ],
        "submissions": [version(s) for s in submitted],
        "verdicts_given": [{"submission_id": s.id, "review_status": _enum(s.review_status),
                            "reviewed_at": _iso(s.reviewed_at), "review_reason": s.review_reason} for s in reviewed],
        "extensions_granted": [{"obligation_id": e.obligation_id, "new_agreed_date": _iso(e.new_agreed_date),
                                "reason": e.reason, "granted_at": _iso(e.granted_at)} for e in extensions],
        "draft": {"flow": draft.flow, "step": draft.step, "updated_at": _iso(draft.updated_at)} if draft else None,
        "messages": [{"kind": m.kind, "for_date": _iso(m.for_date), "status": _enum(m.status),
                      "sent_at": _iso(m.sent_at)} for m in messages],
        "audit": [{"id": a.id, "at": _iso(a.at), "actor_id": a.actor_id, "actor_label": a.actor_label,
                   "action": a.action, "entity": a.entity, "entity_id": a.entity_id, "details": a.details}
                  for a in entries],
        "forum": forum,
    }  # fmt: skip


async def _forum_of(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """What the person wrote and answered in the forum: announcements, problems, questions, answers, meetings."""
    from models.tables import Announcement, AnnouncementRecipient, ForumReply, ForumThread, MeetingInvitee

    async def rows(query):
        return (await session.scalars(query)).all()

    written = await rows(select(Announcement).where(Announcement.author_id == person_id).order_by(Announcement.id))
    received = await rows(select(AnnouncementRecipient).where(AnnouncementRecipient.person_id == person_id))
    threads = await rows(select(ForumThread).where(ForumThread.author_id == person_id).order_by(ForumThread.id))
    replies = await rows(select(ForumReply).where(ForumReply.author_id == person_id).order_by(ForumReply.id))
    meetings = await rows(select(MeetingInvitee).where(MeetingInvitee.person_id == person_id))
    return {
        "announcements_written": [{"id": a.id, "text": a.text, "created_at": _iso(a.created_at)} for a in written],
        "announcements_received": [{"announcement_id": r.announcement_id, "read_at": _iso(r.read_at)}
                                   for r in received],
        "problems_and_questions": [{"id": th.id, "kind": _enum(th.kind), "desa": th.desa_kode, "text": th.text,
                                    "status": _enum(th.status), "created_at": _iso(th.created_at)} for th in threads],
        "answers_written": [{"thread_id": r.thread_id, "text": r.text, "at": _iso(r.at)} for r in replies],
        "meetings": [{"meeting_id": m.meeting_id, "answer": m.answer, "answered_at": _iso(m.answered_at)}
                     for m in meetings],
    }  # fmt: skip


def forgotten_name(person_id: int) -> str:
    return f"Orang terhapus #{person_id}"


async def forget_person(session: AsyncSession, person_id: int, now: datetime, *, actor: Actor = CLI) -> Person:
    """Remove what identifies the person; keep documents, verdicts and the audit trail (by id). Idempotent."""
    person = await require_person(session, person_id)
    if person.forgotten_at is not None:
        return person
    old_name = person.name
    contacts = await contacts_of(session, person_id)
    label = forgotten_name(person_id)
    # their roles end: nobody can act under a forgotten identity
    active = (
        await session.scalars(
            select(RoleAssignment).where(RoleAssignment.person_id == person_id, RoleAssignment.revoked_at.is_(None))
        )
    ).all()
    for assignment in active:
        assignment.revoked_at = now
    await session.execute(delete(Draft).where(Draft.person_id == person_id))
    from bot.services.signin import forget_person as end_web_access

    await end_web_access(session, now, person_id)  # their dashboard sessions end, their unused links go
    for contact in contacts:
        if contact.user_id is not None:
            same = (StartAttempt.channel == contact.channel, StartAttempt.user_id == contact.user_id)
            await session.execute(delete(StartAttempt).where(*same))
            # what they wrote on WhatsApp, kept by wamid against redelivery (their number, their words): gone
            inbox = (InboxMessage.channel == contact.channel, InboxMessage.sender == contact.user_id)
            await session.execute(delete(InboxMessage).where(*inbox))
    # messages to them: no address kept; what was still to go never goes
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.person_id == person_id, OutboxMessage.status == OutboxStatus.PLANNED)
        .values(status=OutboxStatus.CANCELLED)
    )
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.person_id == person_id).values(address=None, contact_id=None)
    )
    for contact in contacts:  # their accounts: gone (joining again makes a new person)
        await session.delete(contact)
    # notices to others that named them (e.g. "Siti cannot be reached")
    for row in await session.scalars(select(OutboxMessage).where(OutboxMessage.subject_type == "notice")):
        text = (row.details or {}).get("text")
        if isinstance(text, str) and old_name and old_name in text:
            row.details = {**row.details, "text": text.replace(old_name, label)}
    person.name, person.forgotten_at = label, now
    audit(session, now, "person.forget", "person", person_id,
          {"roles_revoked": len(active)}, actor=actor)  # fmt: skip
    await session.flush()
    return person
