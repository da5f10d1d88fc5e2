"""People, their roles, and invitations: one link, one person, one role in one place."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.authz import Grant, may_invite
from bot.chat.messages import Sender
from bot.config import RemindersSettings
from bot.errors import InputError
from bot.i18n import Language, t
from bot.services.audit import CLI, SYSTEM, Actor, audit
from bot.services.contacts import (
    WHATSAPP,
    add_contact,
    contact_by_sender,
    contacts_of,
    has_reachable_contact,
    wrote,
)
from bot.services.places import require_desa, require_kecamatan
from bot.services.planning import kecamatan_of, mark_person, plan_again
from bot.wilayah import Level, level_of
from models.tables import (
    Contact,
    Desa,
    Invitation,
    Kabupaten,
    Kecamatan,
    OutboxMessage,
    Person,
    Role,
    RoleAssignment,
    ScopeKind,
    StartAttempt,
)

# Invitation codes are read aloud on the phone and typed from paper: upper-case letters and digits without the ones
# that look alike (0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V) — docs/DECISIONS.md, "Codes to read aloud". 22 symbols, 10 of
# them: about 44.6 bits, a valid Telegram deep-link parameter ([A-Za-z0-9_-], at most 64) and a wa.me text as it is.
CODE_ALPHABET = "34679ACDEFGHJKMNPRTWXY"
CODE_LENGTH = 10
CODE_TYPED_LIMIT = 64  # what is read of a typed code: Telegram's start parameter is at most 64 characters
STANDING_EXPIRY = timedelta(days=14)  # a desa's invitation in the staf digest, reused every morning until then
STANDING_RENEW = timedelta(days=1)  # ... unless it has less than this left: a forwarded link should still work
DEFAULT_EXPIRY = timedelta(days=7)
MAX_EXPIRY = timedelta(days=90)
WRONG_CODE_LIMIT = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
NAME_LIMIT = 120

SCOPE_OF_ROLE = {  # where each role lives when invited by desa or kecamatan
    Role.SEKDES: ScopeKind.DESA,
    Role.PENDAMPING: ScopeKind.DESA,
    Role.STAF: ScopeKind.KECAMATAN,
    Role.CAMAT: ScopeKind.KECAMATAN,
}


@dataclass(frozen=True)
class NewInvitation:
    code: str  # shown once, never stored
    invitation_id: int
    role: Role
    scope_kind: ScopeKind
    scope_code: str | None
    scope_name: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    person: Person
    role: Role
    scope_kind: ScopeKind
    scope_code: str | None
    already_held: bool


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def new_code(pick: Callable[[str], str] = secrets.choice) -> str:
    """A fresh invitation code: CODE_LENGTH symbols of CODE_ALPHABET, each from `secrets` (`pick`: for tests)."""
    return "".join(pick(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_TYPED_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")


def normalise_code(typed: str) -> str:
    """A code as people type or read it: any case, with spaces, dashes, dots or underscores between groups
    ("acde f-3467 9x") -> "ACDEF34679X"."""
    return _TYPED_SEPARATORS.sub("", typed[:CODE_TYPED_LIMIT]).upper()


def code_hashes(typed: str) -> list[str]:
    """The hashes a typed code may be stored under: the normalised form (codes since issue 17), and the text as
    given (older codes: 16 URL-safe characters, case-sensitive, that may contain - and _)."""
    raw = typed[:CODE_TYPED_LIMIT].strip()
    return list(dict.fromkeys([hash_code(normalise_code(raw)), hash_code(raw)]))


def parse_expiry(text: str) -> timedelta:
    """'7d', '12h', '30m' → a duration, at most 90 days."""
    text = text.strip().lower()
    units = {"d": "days", "h": "hours", "m": "minutes"}
    found = re.fullmatch(r"([0-9]{1,6})([dhm])", text)  # ASCII digits, few enough that timedelta cannot overflow
    if found is None:
        raise InputError("error.bad_expiry", value=text[:20])
    duration = timedelta(**{units[found[2]]: int(found[1])})
    if not timedelta(minutes=1) <= duration <= MAX_EXPIRY:
        raise InputError("error.bad_expiry", value=text)
    return duration


async def scope_name(session: AsyncSession, scope_kind: ScopeKind, scope_code: str | None) -> str:
    if scope_kind is ScopeKind.DESA and scope_code:
        return f"Desa {(await require_desa(session, scope_code)).nama}"
    if scope_kind is ScopeKind.KECAMATAN and scope_code:
        return f"Kecamatan {(await require_kecamatan(session, scope_code)).nama}"
    if scope_kind is ScopeKind.KABUPATEN and scope_code:
        kabupaten = await session.get(Kabupaten, scope_code)
        if kabupaten is None:
            raise InputError("error.unknown_area", kode=scope_code)
        return kabupaten.nama
    return "seluruh wilayah"


async def create_invitation(
    session: AsyncSession,
    role: Role,
    place: str | None,
    now: datetime,
    expires_in: timedelta = DEFAULT_EXPIRY,
    invited_by: Person | None = None,
    inviter_grants: list[Grant] | None = None,
    *,
    actor: Actor = CLI,
    channel: str = "telegram",
    person_id: int | None = None,
) -> NewInvitation:
    """An invitation to `role` in `place` (a desa or kecamatan code; a kabupaten code or None for an admin).

    From the chat, `inviter_grants` must allow it (a staf invites only sekdes or pendamping of their kecamatan);
    the CLI is the deployment's operator and passes none. `channel` is the app the code is to be sent from; with
    `person_id` the invitation adds that app's account to an existing person instead of making a new one.
    """
    if person_id is not None:
        existing = await session.get(Person, person_id)
        if existing is None or existing.forgotten_at is not None:
            raise InputError("error.unknown_person", person=person_id)
    place = place.strip() if place else None
    level = level_of(place) if place else None
    if role in (Role.SEKDES, Role.PENDAMPING):
        if level not in (Level.DESA, Level.DESA_ADAT, Level.KELURAHAN):
            raise InputError("error.role_needs_desa", role=role.value)
        scope_kind = ScopeKind.DESA
    elif role in (Role.STAF, Role.CAMAT):
        if level is not Level.KECAMATAN:
            raise InputError("error.role_needs_kecamatan", role=role.value)
        scope_kind = ScopeKind.KECAMATAN
    else:
        scope_kind = {None: ScopeKind.DEPLOYMENT, Level.KECAMATAN: ScopeKind.KECAMATAN}.get(level, ScopeKind.KABUPATEN)
        if place is not None and level not in (Level.KECAMATAN, Level.KABUPATEN):
            raise InputError("error.not_a_kecamatan_code", kode=place)
    name = await scope_name(session, scope_kind, place)
    if inviter_grants is not None and not may_invite(inviter_grants, role, place):
        raise InputError("error.not_allowed")
    code = new_code()
    invitation = Invitation(
        code_hash=hash_code(code),
        role=role,
        scope_kind=scope_kind,
        scope_code=place,
        created_at=now,
        expires_at=now + expires_in,
        created_by_id=invited_by.id if invited_by else None,
        channel=channel,
        person_id=person_id,
    )
    session.add(invitation)
    await session.flush()
    audit(
        session,
        now,
        "invitation.create",
        "invitation",
        invitation.id,
        {
            "role": role.value,
            "scope_kind": scope_kind.value,
            "scope_code": place,
            "expires_at": str(invitation.expires_at),
            "channel": channel,
            "person_id": person_id,
        },
        actor=actor,
    )
    return NewInvitation(code, invitation.id, role, scope_kind, place, name, invitation.expires_at)


async def throttled(session: AsyncSession, sender: Sender, now: datetime) -> bool:
    recent = await session.scalar(
        select(func.count())
        .select_from(StartAttempt)
        .where(
            StartAttempt.channel == sender.channel,
            StartAttempt.user_id == sender.user_id,
            StartAttempt.at > now - WRONG_CODE_WINDOW,
        )
    )
    return (recent or 0) >= WRONG_CODE_LIMIT


async def redeem_invitation(
    session: AsyncSession, code: str, sender: Sender, now: datetime, *, reminders: RemindersSettings | None = None
) -> Redeemed:
    """Bind the account that wrote (`sender`) to the invitation's role and scope. Wrong codes are counted; too many,
    throttled.

    The account becomes a contact: of the person the invitation names (a second channel for someone known), of the
    person it already belongs to (a second role), or of a new person. A person is never made twice for one account;
    an account already linked to someone else is refused.

    A wrong code raises `InputError` after counting it: call `record_wrong_code` in the caller's own transaction
    (the refused transaction is rolled back), as the chat handler does.
    """
    if await throttled(session, sender, now):
        raise InputError("error.start_throttled", minutes=int(WRONG_CODE_WINDOW.total_seconds() // 60))
    invitation = await session.scalar(select(Invitation).where(Invitation.code_hash.in_(code_hashes(code))))
    problem = None
    if invitation is None:
        problem = "error.invitation_unknown"
    elif invitation.used_at is not None:
        problem = "error.invitation_used"
    elif invitation.expires_at <= now:
        problem = "error.invitation_expired"
    if problem is not None:
        raise WrongCode(problem)
    assert invitation is not None
    if invitation.channel != sender.channel:
        raise InputError("error.invitation_other_channel", channel=channel_label(invitation.channel))
    contact = await contact_by_sender(session, sender)
    if invitation.person_id is not None:
        person = await session.get(Person, invitation.person_id)
        if person is None or person.forgotten_at is not None:
            raise InputError("error.invitation_unknown")
        if contact is not None and contact.person_id != person.id:
            raise InputError("error.contact_linked_elsewhere")
    elif contact is not None:
        person = await session.get(Person, contact.person_id)
        assert person is not None
    else:
        person = Person(name=(sender.display_name or "")[:NAME_LIMIT] or "?", created_at=now)
        session.add(person)
        await session.flush()
    new_contact = contact is None
    reachable_again = contact is None or contact.unreachable_since is not None  # their other roles' reminders too
    if contact is None:
        contact = add_contact(session, person, sender, now)
    else:
        contact.last_message_at, contact.unreachable_since = now, None
    # Single use, even when two taps race: only one UPDATE finds the invitation unused. A standing code is let go.
    claimed = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now, used_by_id=person.id, standing_code=None)
    )
    if claimed.rowcount != 1:
        raise InputError("error.invitation_used")
    if new_contact and invitation.person_id is not None and sender.channel in RETIRED_ON_NEW_ACCOUNT:
        await session.flush()
        await retire_other_contacts(session, person, contact, now, actor=Actor(person.id, sender.channel))
    grants = await active_grants(session, person.id)
    already = Grant(invitation.role, invitation.scope_kind, invitation.scope_code) in grants
    if not already:
        session.add(
            RoleAssignment(
                person_id=person.id,
                role=invitation.role,
                scope_kind=invitation.scope_kind,
                scope_code=invitation.scope_code,
                granted_at=now,
                granted_by_id=invitation.created_by_id,
            )
        )
    audit(
        session,
        now,
        "invitation.redeem",
        "invitation",
        invitation.id,
        {"role": invitation.role.value, "scope_code": invitation.scope_code, "already_held": already,
         "channel": sender.channel, "linked_person": invitation.person_id is not None},
        actor=Actor(person.id, sender.channel),
    )  # fmt: skip
    await session.execute(
        delete(StartAttempt).where(StartAttempt.channel == sender.channel, StartAttempt.user_id == sender.user_id)
    )
    if invitation.role is Role.SEKDES and invitation.scope_code is not None:
        await _close_standing(session, invitation.scope_code, now)
    await session.flush()
    if reachable_again:
        await mark_person(session, person.id)
    kecamatan = kecamatan_of(invitation.scope_code) if invitation.scope_code else None
    if kecamatan is not None:  # a desa's or a kecamatan's role: its reminders now have someone to go to
        await plan_again(session, [kecamatan], now, reminders)
    return Redeemed(person, invitation.role, invitation.scope_kind, invitation.scope_code, already)


# A WhatsApp contact is a phone number, and Indonesian operators give a number that lapsed to someone else: when the
# office links a person's new number, the old one must not stay theirs. Telegram's user ids are never given to anyone
# else, and a second Telegram account (a work phone) is what /hubungkan offers: it stays (docs/DECISIONS.md).
RETIRED_ON_NEW_ACCOUNT = frozenset({WHATSAPP})


async def retire_other_contacts(
    session: AsyncSession, person: Person, kept: Contact, now: datetime, *, actor: Actor
) -> list[int]:
    """Remove the person's other contacts on `kept`'s channel (a new WhatsApp number replaces the old one): the contact
    rule can no longer pick them, a message from the old account is a stranger's, and the old number is no longer
    kept. Sent outbox rows keep their history but no longer point at it. Returns the retired contacts' ids."""
    others = [c for c in await contacts_of(session, person.id) if c.channel == kept.channel and c.id != kept.id]
    if not others:
        return []
    ids = [c.id for c in others]
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.contact_id.in_(ids)).values(contact_id=None, address=None)
    )
    for contact in others:
        await session.delete(contact)
    audit(session, now, "contact.retire", "person", person.id,
          {"channel": kept.channel, "retired_contacts": ids, "replaced_by": kept.id, "reason": "new_account"},
          actor=actor)  # fmt: skip
    await session.flush()
    return ids


async def _close_standing(session: AsyncSession, desa: str, now: datetime) -> None:
    """The desa has a secretary now: its standing invitations (the digest's links, forwarded in a group) end."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.standing_code.is_not(None),
            Invitation.role == Role.SEKDES,
            Invitation.scope_code == desa,
            Invitation.used_at.is_(None),
        )
        .values(standing_code=None, expires_at=now)
    )


async def standing_invitation(session: AsyncSession, desa: str, now: datetime) -> tuple[str, datetime]:
    """The code and expiry of the desa's standing sekdes invitation on WhatsApp (the staf digest's link): the one
    not used and not about to expire (STANDING_RENEW), else a new one (STANDING_EXPIRY)."""
    found = await session.scalar(
        select(Invitation)
        .where(
            Invitation.standing_code.is_not(None),
            Invitation.role == Role.SEKDES,
            Invitation.scope_code == desa,
            Invitation.channel == WHATSAPP,
            Invitation.used_at.is_(None),
            Invitation.person_id.is_(None),
            Invitation.expires_at > now + STANDING_RENEW,
        )
        .order_by(Invitation.expires_at.desc(), Invitation.id.desc())
        .limit(1)
    )
    if found is not None and found.standing_code is not None:
        return found.standing_code, found.expires_at
    created = await create_invitation(session, Role.SEKDES, desa, now, STANDING_EXPIRY, actor=SYSTEM, channel=WHATSAPP)
    invitation = await session.get(Invitation, created.invitation_id)
    assert invitation is not None
    invitation.standing_code = created.code
    await session.flush()
    return created.code, created.expires_at


def channel_label(channel: str) -> str:
    return {"telegram": "Telegram", "whatsapp": "WhatsApp"}.get(channel, channel)


@dataclass(frozen=True)
class Revocation:
    person: Person
    revoked: list[Grant]
    told: int  # notices queued on the outbox for the person: none when they cannot be reached


async def revoke_assignment(
    session: AsyncSession,
    *,
    assignment_id: int,
    actor: Actor,
    now: datetime,
    reminders: RemindersSettings,
    language: Language,
    revoker_grants: list[Grant] | None = None,
) -> Revocation:
    """Revoke one role assignment (`/cabut` in the chat): the role goes, the kecamatan's reminders are planned again
    in the same transaction, and the person is told through the outbox."""
    assignment = await session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.revoked_at is not None:
        raise InputError("error.unknown_assignment")
    person = await session.get(Person, assignment.person_id)
    assert person is not None
    return await _revoke(session, person, [assignment], now, revoker_grants, actor, reminders, language)


async def revoke_person_roles(
    session: AsyncSession,
    *,
    person_id: int,
    actor: Actor,
    now: datetime,
    reminders: RemindersSettings,
    language: Language,
    role: Role | None = None,
    place: str | None = None,
    revoker_grants: list[Grant] | None = None,
) -> Revocation:
    """Revoke a person's active roles (`klambi person revoke`), all of them or those of `role` and/or in `place`,
    with the same planning and notice as `revoke_assignment`."""
    person, rows = await _active_rows(session, person_id, role, place)
    return await _revoke(session, person, rows, now, revoker_grants, actor, reminders, language)


async def _active_rows(
    session: AsyncSession, person_id: int, role: Role | None, place: str | None
) -> tuple[Person, list[RoleAssignment]]:
    person = await session.get(Person, person_id)
    if person is None:
        raise InputError("error.unknown_person", person=person_id)
    rows = [
        r
        for r in await session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.person_id == person_id, RoleAssignment.revoked_at.is_(None))
            .order_by(RoleAssignment.id)
        )
        if (role is None or r.role is role) and (place is None or r.scope_code == place)
    ]
    if not rows:
        raise InputError("error.nothing_to_revoke", person=person.name)
    return person, rows


async def _take_away(
    session: AsyncSession,
    person: Person,
    rows: list[RoleAssignment],
    now: datetime,
    revoker_grants: list[Grant] | None,
    actor: Actor,
) -> None:
    for row in rows:
        if revoker_grants is not None and not may_invite(revoker_grants, row.role, row.scope_code):
            raise InputError("error.not_allowed")
    for row in rows:
        row.revoked_at, row.revoked_by_id = now, actor.person_id
    from bot.services.drafts import clear_draft
    from bot.services.signin import end_sessions

    await clear_draft(session, person.id)
    await end_sessions(session, now, "revoked", person_id=person.id)  # a new /dasbor link shows what is left
    audit(
        session, now, "role.revoke", "person", person.id,
        {"roles": [{"role": r.role.value, "scope_code": r.scope_code} for r in rows]},
        actor=actor,
    )  # fmt: skip
    await session.flush()


async def _revoke(
    session: AsyncSession,
    person: Person,
    rows: list[RoleAssignment],
    now: datetime,
    revoker_grants: list[Grant] | None,
    actor: Actor,
    reminders: RemindersSettings,
    language: Language,
) -> Revocation:
    await _take_away(session, person, rows, now, revoker_grants, actor)
    await _replan_after_revoke(session, rows, now, reminders)
    told = 0
    for row in rows:
        told += await _tell_revoked(session, person, row, now, language)
    return Revocation(person, [Grant(r.role, r.scope_kind, r.scope_code) for r in rows], told)


async def _replan_after_revoke(
    session: AsyncSession, rows: list[RoleAssignment], now: datetime, reminders: RemindersSettings
) -> None:
    """The reminders of every kecamatan the roles covered (a kabupaten's: each of its kecamatan; the whole
    deployment: every kecamatan), planned again in the caller's transaction."""
    if any(r.scope_code is None for r in rows):
        await plan_again(session, None, now, reminders)
        return
    codes: set[str] = set()
    for row in rows:
        assert row.scope_code is not None
        if row.scope_kind is ScopeKind.KABUPATEN:
            codes.update(
                await session.scalars(select(Kecamatan.kode).where(Kecamatan.kabupaten_kode == row.scope_code))
            )
        else:
            codes.add(".".join(row.scope_code.split(".")[:3]))
    await plan_again(session, sorted(codes), now, reminders)


async def _tell_revoked(
    session: AsyncSession, person: Person, row: RoleAssignment, now: datetime, language: Language
) -> int:
    """The person hears it through the outbox (`cabut.told`); a role above a kecamatan has no kecamatan's outbox to go
    through and is not told. The key names the assignment: a role given again and revoked again is told again."""
    from bot.chat.messages import OutMessage
    from bot.services.notices import queue_notice

    if row.scope_code is None or row.scope_kind not in (ScopeKind.DESA, ScopeKind.KECAMATAN):
        return 0
    text = t("cabut.told", language, role=t(f"role.{row.role.value}", language),
             scope=await scope_name(session, row.scope_kind, row.scope_code))  # fmt: skip
    kecamatan = ".".join(row.scope_code.split(".")[:3])
    told = await queue_notice(session, kecamatan_kode=kecamatan, person=person, role=row.role.value,
                              key=f"revoke:{row.id}", message=OutMessage.of(text), now=now)  # fmt: skip
    return int(told)


class WrongCode(InputError):
    """An invitation code that is unknown, used or expired: counted toward the throttle."""


async def record_wrong_code(session: AsyncSession, sender: Sender, now: datetime) -> None:
    session.add(StartAttempt(channel=sender.channel, user_id=sender.user_id, at=now))
    await session.flush()


# What every update reads first: the contact it came from, its person and their active roles (one row per role).
_WRITER = (
    select(Contact, Person, RoleAssignment.role, RoleAssignment.scope_kind, RoleAssignment.scope_code)
    .join(Person, Person.id == Contact.person_id)
    .outerjoin(RoleAssignment, and_(RoleAssignment.person_id == Person.id, RoleAssignment.revoked_at.is_(None)))
    .where(Contact.channel == bindparam("channel"), Contact.user_id == bindparam("user_id"))
    .order_by(RoleAssignment.id)
)


async def writer(session: AsyncSession, sender: Sender, now: datetime) -> tuple[Person | None, list[Grant]]:
    """The person behind a message and their active roles, in one statement (built once: every update runs it);
    (None, []) for a stranger. Records that they wrote now from this contact (`contacts.wrote`)."""
    rows = (await session.execute(_WRITER, {"channel": sender.channel, "user_id": sender.user_id})).all()
    if not rows or rows[0][1].forgotten_at is not None:
        return None, []
    contact, person = rows[0][0], rows[0][1]
    await wrote(session, contact, sender, now)
    return person, [Grant(role, kind, code) for _, _, role, kind, code in rows if role is not None]


async def active_grants(session: AsyncSession, person_id: int) -> list[Grant]:
    rows = await session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.person_id == person_id, RoleAssignment.revoked_at.is_(None))
        .order_by(RoleAssignment.id)
    )
    return [Grant(r.role, r.scope_kind, r.scope_code) for r in rows]


async def first_grant(session: AsyncSession, person_id: int) -> Grant:
    """The role a person was given first and still holds: what an invitation that only links another account of
    theirs names (redeeming it gives no new role)."""
    person = await session.get(Person, person_id)
    grants = await active_grants(session, person_id) if person is not None and person.forgotten_at is None else []
    if not grants:
        raise InputError("error.person_without_role", person=person_id)
    return grants[0]


def ancestors(place: str) -> list[str]:
    """A place's code and the codes of the areas it lies in: 35.08.17.2002, 35.08.17, 35.08, 35."""
    parts = place.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


async def reachable_assignments(
    session: AsyncSession, roles: set[Role] | None = None, scope_codes: list[str] | None = None
) -> list[tuple[Person, RoleAssignment]]:
    """Active role assignments of people the bot can write to (a chat, not blocked), oldest person first.

    With `scope_codes`, only assignments whose scope is one of these codes, or the whole deployment."""
    query = (
        select(Person, RoleAssignment)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(
            RoleAssignment.revoked_at.is_(None),
            has_reachable_contact(),
        )
        .order_by(Person.id, RoleAssignment.id)
    )
    if roles is not None:
        query = query.where(RoleAssignment.role.in_(roles))
    if scope_codes is not None:
        query = query.where(
            or_(  # both sides on the indexed scope_code: the deployment scope has none
                RoleAssignment.scope_code.in_(scope_codes),
                and_(RoleAssignment.scope_code.is_(None), RoleAssignment.scope_kind == ScopeKind.DEPLOYMENT),
            )
        )
    return [(person, assignment) for person, assignment in await session.execute(query)]


async def people_with_role_covering(session: AsyncSession, roles: set[Role], place: str) -> list[Person]:
    """People holding one of `roles` whose scope covers `place` (a desa or kecamatan code), reachable."""
    found: dict[int, Person] = {}
    for person, assignment in await reachable_assignments(session, roles, ancestors(place)):
        if Grant(assignment.role, assignment.scope_kind, assignment.scope_code).covers(place):
            found[person.id] = person
    return list(found.values())


async def desa_of_grants(session: AsyncSession, grants: list[Grant], roles: set[Role]) -> list[Desa]:
    """The desa these grants (of `roles`) cover, by code."""
    codes = [g.scope_code for g in grants if g.role in roles and g.scope_code]
    if not codes:
        return []
    covering = [or_(Desa.kode == c, Desa.kode.like(f"{c}.%")) for c in codes]
    return list(await session.scalars(select(Desa).where(or_(*covering)).order_by(Desa.kode)))
