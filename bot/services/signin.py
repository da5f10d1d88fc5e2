"""Signing in to the dashboard without passwords: one-use links, server-side sessions, and who a session may see.

A link is made for a person (`/dasbor` in the chat: 10 minutes; `klambi web link --person`) or for a read-only viewer
of one kecamatan or kabupaten (`klambi web link --kecamatan/--kabupaten`, for the kabupaten's PMD office). Its token is
random and only its hash is stored. Opening the link shows a "Masuk" button; pressing it (`use_link`) uses the link up
and opens a session whose cookie token is random too, its hash stored. What a session may see is read from the one
grants table at every request (`look_up`): a person whose last staf, camat or admin role was revoked sees nothing
more, and their sessions end. docs/architecture.md, "The dashboard"; docs/DECISIONS.md, "Issue 18".
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.authz import Grant
from bot.config import WebSettings
from bot.errors import InputError
from bot.services.audit import Actor, audit
from bot.services.people import active_grants, scope_name
from bot.wilayah import Level, level_of
from models.tables import Kabupaten, Kecamatan, Person, Role, ScopeKind, WebLink, WebSession

LINK_MINUTES = 10  # a link from the chat
MAX_LINK_MINUTES = 7 * 24 * 60  # `klambi web link --minutes`: at most 7 days
SESSION_HOURS = 12
DASHBOARD_ROLES = frozenset({Role.STAF, Role.CAMAT, Role.ADMIN})
SIGN_IN_PATH = "/dasbor/masuk/"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Viewer:
    """Who a dashboard session is, and what it may see. Built from the grants at every request (`look_up`)."""

    session_id: int
    person_id: int | None  # None: a read-only viewer of one place (`klambi web link --kecamatan/--kabupaten`)
    name: str
    grants: tuple[Grant, ...]  # a person's staf/camat/admin grants; a viewer's one scope (as a camat's, read-only)
    expires_at: datetime

    def sees(self, place: str) -> bool:
        """May this session see this kecamatan, desa or kabupaten (code)?"""
        return any(g.covers(place) for g in self.grants)

    @property
    def sees_everything(self) -> bool:
        return any(g.scope_kind is ScopeKind.DEPLOYMENT for g in self.grants)

    def sees_phones(self, kecamatan: str) -> bool:
        """Phone numbers are shown to staf of that kecamatan only (docs/domain.md, "Privacy")."""
        return self.person_id is not None and any(
            g.role is Role.STAF and g.scope_kind is ScopeKind.KECAMATAN and g.covers(kecamatan) for g in self.grants
        )

    def places(self) -> list[Grant]:
        """The scopes, widest first: where `/dasbor` leads."""
        order = {ScopeKind.DEPLOYMENT: 0, ScopeKind.KABUPATEN: 1, ScopeKind.KECAMATAN: 2, ScopeKind.DESA: 3}
        return sorted(set(self.grants), key=lambda g: (order[g.scope_kind], g.scope_code or ""))

    def home(self) -> str:
        """Where `/dasbor` leads: the one place, or the chooser when there are several."""
        places = [g for g in self.places() if g.scope_kind is not ScopeKind.DESA]
        distinct = {(g.scope_kind, g.scope_code) for g in places}
        if len(distinct) != 1:
            return "/dasbor/pilih"
        return path_of(places[0])


def path_of(grant: Grant) -> str:
    if grant.scope_kind is ScopeKind.DEPLOYMENT:
        return "/dasbor/nasional"
    return f"/dasbor/{grant.scope_kind.value}/{grant.scope_code}"


@dataclass(frozen=True)
class NewLink:
    token: str
    link_id: int
    expires_at: datetime
    scope_name: str  # the person's name, or the viewer's place


def link_url(base: str, token: str) -> str:
    return base.rstrip("/") + SIGN_IN_PATH + token


def dashboard_base(web: WebSettings) -> str:
    """Where people reach the dashboard: `[web] public_url`, or this machine's own address."""
    if web.public_url:
        return web.public_url
    host = f"[{web.listen}]" if ":" in web.listen else web.listen
    return f"http://{host}:{web.port}"


def dashboard_grants(grants: list[Grant]) -> tuple[Grant, ...]:
    return tuple(g for g in grants if g.role in DASHBOARD_ROLES)


async def create_link(
    session: AsyncSession,
    now: datetime,
    *,
    actor: Actor,
    person_id: int | None = None,
    place: str | None = None,
    minutes: int = LINK_MINUTES,
) -> NewLink:
    """A one-use link for a person (who must hold a staf, camat or admin role) or for a viewer of `place` (a
    kecamatan or a kabupaten code). Audited; the token is returned once and never stored."""
    if not 1 <= minutes <= MAX_LINK_MINUTES:
        raise InputError("dasbor.bad_minutes", low=1, high=MAX_LINK_MINUTES)
    if (person_id is None) == (place is None):
        raise InputError("dasbor.person_or_place")
    kind: ScopeKind | None = None
    if person_id is not None:
        person = await session.get(Person, person_id)
        if person is None or person.forgotten_at is not None:
            raise InputError("error.unknown_person", person=person_id)
        if not dashboard_grants(await active_grants(session, person_id)):
            raise InputError("dasbor.no_role")
        name = person.name
    else:
        assert place is not None
        place = place.strip()
        level = level_of(place)
        table = {Level.KECAMATAN: Kecamatan, Level.KABUPATEN: Kabupaten}.get(level) if level else None
        if table is None:
            raise InputError("dasbor.viewer_place", kode=place[:20])
        if await session.get(table, place) is None:
            raise InputError("error.unknown_kecamatan" if table is Kecamatan else "error.unknown_kabupaten", kode=place)
        kind = ScopeKind.KECAMATAN if table is Kecamatan else ScopeKind.KABUPATEN
        name = await scope_name(session, kind, place)
    token = secrets.token_urlsafe(32)
    link = WebLink(
        token_hash=token_hash(token), person_id=person_id, scope_kind=kind, scope_code=place, created_at=now,
        created_by=actor.channel, expires_at=now + timedelta(minutes=minutes),
    )  # fmt: skip
    session.add(link)
    await session.flush()
    audit(session, now, "web_link_created", "web_link", link.id,
          {"person_id": person_id, "place": place, "minutes": minutes}, actor=actor)  # fmt: skip
    return NewLink(token, link.id, link.expires_at, name)


async def link_state(session: AsyncSession, token: str, now: datetime) -> WebLink:
    """The link behind `token` if it can still be used; otherwise an error that says kindly why."""
    link = await session.scalar(select(WebLink).where(WebLink.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None:
        raise InputError("dasbor.link_unknown")
    if link.used_at is not None:
        raise InputError("dasbor.link_used")
    if link.expires_at <= now:
        raise InputError("dasbor.link_expired")
    return link


async def use_link(session: AsyncSession, token: str, now: datetime, *, remote: str | None) -> tuple[str, WebSession]:
    """Use the link up and open a session: (the cookie's token, the session). A person's session lasts
    `SESSION_HOURS`; a viewer's lasts until its link would have expired, and at least as long (a week's link gives
    the PMD office a week). The link is claimed by a guarded UPDATE, so two presses open one session."""
    link = await link_state(session, token, now)
    claimed = await session.execute(
        update(WebLink).where(WebLink.id == link.id, WebLink.used_at.is_(None)).values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InputError("dasbor.link_used")
    if link.person_id is not None and not dashboard_grants(await active_grants(session, link.person_id)):
        raise InputError("dasbor.no_role")
    expires = now + timedelta(hours=SESSION_HOURS)
    if link.person_id is None:
        expires = max(expires, link.expires_at)
    cookie = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=token_hash(cookie), link_id=link.id, person_id=link.person_id, scope_kind=link.scope_kind,
        scope_code=link.scope_code, started_at=now, expires_at=expires, last_seen_at=now,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    audit(session, now, "web_sign_in", "web_session", row.id,
          {"link_id": link.id, "person_id": link.person_id, "place": link.scope_code, "from": remote or "-"},
          actor=Actor(link.person_id, "web"))  # fmt: skip
    return cookie, row


@dataclass(frozen=True)
class Lookup:
    """What a session cookie gives, read without a lock: the viewer (or None), and what the lookup found to write —
    the session to end (its person has no role left) or to mark seen — done apart in `after_lookup`."""

    viewer: Viewer | None
    end: int | None = None
    touch: int | None = None


async def look_up(session: AsyncSession, cookie: str | None, now: datetime) -> Lookup:
    """The viewer of a live session, its grants read now; reads only."""
    if not cookie or len(cookie) > 100:
        return Lookup(None)
    row = await session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(cookie)))
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return Lookup(None)
    if row.person_id is None:
        assert row.scope_kind is not None
        grants: tuple[Grant, ...] = (Grant(Role.CAMAT, row.scope_kind, row.scope_code),)  # reads, as a camat's
        name = await scope_name(session, row.scope_kind, row.scope_code)
    else:
        person = await session.get(Person, row.person_id)
        grants = dashboard_grants(await active_grants(session, row.person_id)) if person else ()
        if person is None or person.forgotten_at is not None or not grants:
            return Lookup(None, end=row.id)
        name = person.name
    stale = now - row.last_seen_at > timedelta(minutes=5)  # a write per request would be wasted
    return Lookup(Viewer(row.id, row.person_id, name, grants, row.expires_at), touch=row.id if stale else None)


async def after_lookup(session: AsyncSession, lookup: Lookup, now: datetime) -> None:
    """End the session of a person with no role left; mark a session seen."""
    if lookup.end is not None:
        await end_sessions(session, now, "revoked", session_id=lookup.end)
    if lookup.touch is not None:
        await session.execute(update(WebSession).where(WebSession.id == lookup.touch).values(last_seen_at=now))


async def end_sessions(
    session: AsyncSession, now: datetime, why: str, *, session_id: int | None = None, person_id: int | None = None
) -> int:
    """End one session or every live session of a person; how many ended."""
    where = [WebSession.ended_at.is_(None)]
    if session_id is not None:
        where.append(WebSession.id == session_id)
    elif person_id is not None:
        where.append(WebSession.person_id == person_id)
    else:
        raise ValueError("end which sessions?")
    result = await session.execute(update(WebSession).where(*where).values(ended_at=now, ended_by=why))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class Access:
    """A row of `klambi web sessions`: a live session or an unused link."""

    kind: str  # "sesi" or "tautan"
    id: int
    who: str
    person_id: int | None
    place: str | None
    since: datetime
    until: datetime
    last_seen: datetime | None


async def live_access(session: AsyncSession, now: datetime) -> list[Access]:
    """Every live session and every link not yet used nor expired, oldest first."""
    names: dict[int, str] = {}

    async def who(person_id: int | None, kind: ScopeKind | None, code: str | None) -> str:
        if person_id is None:
            assert kind is not None
            return await scope_name(session, kind, code)
        if person_id not in names:
            person = await session.get(Person, person_id)
            names[person_id] = person.name if person else str(person_id)
        return names[person_id]

    rows: list[Access] = []
    for s in await session.scalars(
        select(WebSession).where(WebSession.ended_at.is_(None), WebSession.expires_at > now).order_by(WebSession.id)
    ):
        rows.append(Access("sesi", s.id, await who(s.person_id, s.scope_kind, s.scope_code), s.person_id,
                           s.scope_code, s.started_at, s.expires_at, s.last_seen_at))  # fmt: skip
    for link in await session.scalars(
        select(WebLink)
        .where(WebLink.used_at.is_(None), WebLink.revoked_at.is_(None), WebLink.expires_at > now)
        .order_by(WebLink.id)
    ):
        rows.append(Access("tautan", link.id, await who(link.person_id, link.scope_kind, link.scope_code),
                           link.person_id, link.scope_code, link.created_at, link.expires_at, None))  # fmt: skip
    return rows


async def revoke(
    session: AsyncSession, now: datetime, *, actor: Actor, session_id: int | None = None,
    link_id: int | None = None, person_id: int | None = None,
) -> int:  # fmt: skip
    """End a session, cancel an unused link, or both for every session and link of a person. How many; audited."""
    count = 0
    if session_id is not None or person_id is not None:
        count += await end_sessions(session, now, "cli", session_id=session_id, person_id=person_id)
    if link_id is not None or person_id is not None:
        where = [WebLink.used_at.is_(None), WebLink.revoked_at.is_(None)]
        where.append(WebLink.id == link_id if link_id is not None else WebLink.person_id == person_id)
        result = await session.execute(update(WebLink).where(*where).values(revoked_at=now))
        count += result.rowcount  # type: ignore[attr-defined]
    details = {"session_id": session_id, "link_id": link_id, "person_id": person_id, "count": count}
    audit(session, now, "web_revoked", "web_session", session_id or link_id or person_id, details, actor=actor)
    return count


async def forget_person(session: AsyncSession, now: datetime, person_id: int) -> None:
    """`klambi person forget`: their sessions end and their unused links go."""
    await end_sessions(session, now, "forgotten", person_id=person_id)
    await session.execute(
        update(WebLink).where(WebLink.person_id == person_id, WebLink.used_at.is_(None)).values(revoked_at=now)
    )
