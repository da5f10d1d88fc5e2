"""The authorization matrix, end to end: generated from the one table (`bot.authz.POLICY` and `COMMANDS`).

Every chat command × every role and no role: allowed exactly when the table says so, and a refusal changes nothing
in the database. Every button that names a desa, a document, a version, a person's role, a problem, an
announcement or a meeting, pressed by every role with the id of another kecamatan's object (and, for the desa-bound
roles, of another desa of their own kecamatan), forged after the command that opens its step: always refused, and
nothing changes. The flows' own tests show the same buttons working for those who may press them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.authz import COMMANDS, POLICY
from bot.i18n import t
from bot.services.calendar import load_calendar
from bot.services.places import import_area
from bot.services.records import RecordRequest, record_document
from handlers import COMMAND_HANDLERS
from handlers.common import STRANGER_QUIET
from models.tables import (
    Announcement,
    AnnouncementRecipient,
    Base,
    Contact,
    Desa,
    ForumThread,
    Meeting,
    MeetingInvitee,
    Obligation,
    Person,
    Role,
    RoleAssignment,
    Submission,
    ThreadKind,
    ThreadStatus,
)
from tests.world import JATIROTO, ROJOPOLO, SUKOSARI

OTHER_KECAMATAN = "35.08.16"
ROLES: list[Role | None] = [None, Role.SEKDES, Role.PENDAMPING, Role.STAF, Role.CAMAT, Role.ADMIN]
REFUSED = (t("chat.not_allowed"), t("chat.unknown_person"), t("chat.stale_button"))


def test_every_registered_command_is_in_the_table():
    assert set(COMMAND_HANDLERS) == set(COMMANDS)


def may_use(role: Role | None, command: str) -> bool:
    if command in ("start", "bantuan", "help", "menu"):
        return True
    if role is None:
        return False
    actions = COMMANDS[command]
    return not actions or any(role in POLICY[action] for action in actions)


async def snapshot(world) -> dict[str, int]:
    """Rows per table: a refusal must leave every count as it was (the audit log included), but for the record of
    handled updates, which keeps the refused update so that a redelivery is not answered twice."""
    async with world.app.sessions() as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name != "processed_update"
        }


async def _person(world, role: Role | None):
    world.clock.set(datetime(2024, 9, 27, 10, 0, tzinfo=world.clock.now().tzinfo))
    if role is None:
        return world.sandbox.user(999, "Orang Asing", label="Orang asing")
    place = ROJOPOLO if role in (Role.SEKDES, Role.PENDAMPING) else JATIROTO
    return await world.join(500, f"Pemegang {role.value}", role, place, f"{role.value} Jatiroto")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "no-role")
async def test_every_command_for_every_role(world, role):
    user = await _person(world, role)
    await world.sandbox.settle(quiet=0.05)
    for command in sorted(COMMANDS):
        if command == "start":
            continue  # redeeming is tested in test_bot; a bare /start only greets
        before = await snapshot(world)
        if role is None:
            world.clock.advance(STRANGER_QUIET)  # a stranger is told how to join once in a while
        await user.send_text(f"/{command}")
        reply = await user.expect("")
        await world.sandbox.settle(quiet=0.05)
        await world.app.builds.idle()  # a file that follows (/rekap, /indikator) is not taken for /batal's answer
        await world.sandbox.settle(quiet=0.05)
        refused = any(text in reply.text for text in REFUSED[:2])
        assert refused is not may_use(role, command), (command, reply.text)
        if refused:
            assert await snapshot(world) == before, command
        await user.send_text("/batal")
        if role is None:  # a stranger has no draft, and is not told again
            await world.sandbox.settle(quiet=0.05)
        else:  # wait for its answer, or it is taken for the next command's (a loaded machine answers late)
            await user.expect("")


async def _foreign_objects(world) -> dict[str, object]:
    """One of everything in another kecamatan: a desa, an obligation, a version, a role, a problem, an
    announcement, a meeting."""
    now = world.clock.now()
    async with world.app.sessions() as session, session.begin():
        await import_area(session, OTHER_KECAMATAN, now, [2024, 2025], await load_calendar(session))
        desa = await session.scalar(select(Desa).where(Desa.kecamatan_kode == OTHER_KECAMATAN).order_by(Desa.kode))
        stranger = Person(name="Sekdes lain", created_at=now)
        session.add(stranger)
        await session.flush()
        session.add(Contact(person_id=stranger.id, channel="telegram", user_id="777", linked_at=now))
        assignment = RoleAssignment(person_id=stranger.id, role=Role.SEKDES, scope_kind="desa", scope_code=desa.kode,
                                    granted_at=now)  # fmt: skip
        session.add(assignment)
        await record_document(
            session,
            RecordRequest(desa.kode, "RKPDES", 2025, date(2024, 9, 20), date(2024, 9, 21)),
            now,
            world.app.files,
        )
        obligation = await session.scalar(
            select(Obligation).where(Obligation.desa_kode == desa.kode, Obligation.document_code == "APBDES")
        )
        submission = await session.scalar(select(Submission).join(Obligation).where(Obligation.desa_kode == desa.kode))
        thread = ForumThread(kind=ThreadKind.KENDALA, kecamatan_kode=OTHER_KECAMATAN, desa_kode=desa.kode,
                             author_id=stranger.id, author_role="sekdes", text="kendala", status=ThreadStatus.OPEN,
                             created_at=now)  # fmt: skip
        announcement = Announcement(kecamatan_kode=OTHER_KECAMATAN, author_id=stranger.id, author_role="staf",
                                    text="x", desa_codes=[desa.kode], to_forum=False, created_at=now)  # fmt: skip
        meeting = Meeting(kecamatan_kode=OTHER_KECAMATAN, title="rapat", starts_at=now - timedelta(hours=1),
                          place="aula", roles=["sekdes"], desa_codes=[desa.kode], created_by_id=stranger.id,
                          created_at=now)  # fmt: skip
        session.add_all([thread, announcement, meeting])
        await session.flush()
        session.add(AnnouncementRecipient(announcement_id=announcement.id, person_id=stranger.id, role="sekdes",
                                          desa_kode=desa.kode))  # fmt: skip
        session.add(MeetingInvitee(meeting_id=meeting.id, person_id=stranger.id, role="sekdes", desa_kode=desa.kode,
                                   reachable=True))  # fmt: skip
        return {
            "desa": desa.kode, "obligation": obligation.id, "submission": submission.id, "assignment": assignment.id,
            "thread": thread.id, "announcement": announcement.id, "meeting": meeting.id,
        }  # fmt: skip


# (the command that opens the step, or None; the forged callback data)
FORGED = [
    ("kirim", "k:o:{obligation}"),
    (None, "k:go:{obligation}"),
    (None, "v:a:{submission}"),
    (None, "v:r:{submission}"),
    ("perpanjang", "p:d:{desa}"),
    ("catat", "c:d:{desa}"),
    ("koreksi", "x:s:{submission}"),
    ("cabut", "r:a:{assignment}"),
    (None, "r:y:{assignment}"),
    ("arsip", "a:d:{desa}"),
    (None, "a:o:{obligation}"),
    (None, "a:v:{submission}"),
    ("undang", "u:d:{desa}"),
    ("kendala", "kd:d:{desa}"),
    ("kendala", "kd:o:{obligation}"),
    ("tanya", "q:d:{desa}"),
    (None, "f:j:{thread}"),
    (None, "f:c:{thread}"),
    (None, "n:r:{announcement}"),
    (None, "n:d:{announcement}"),
    (None, "m:y:{meeting}"),
    (None, "m:n:{meeting}"),
    (None, "m:d:{meeting}"),
    (None, "m:c:{meeting}"),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "no-role")
async def test_no_role_can_press_its_way_into_another_place(world, role):
    user = await _person(world, role)
    targets = [await _foreign_objects(world)]
    if role in (Role.SEKDES, Role.PENDAMPING):  # another desa of their own kecamatan
        async with world.app.sessions() as session:
            targets.append({
                "desa": SUKOSARI,
                "obligation": await session.scalar(select(Obligation.id).where(Obligation.desa_kode == SUKOSARI)),
            })  # fmt: skip
    await world.sandbox.settle(quiet=0.05)
    for ids in targets:
        for opener, template in FORGED:
            try:
                data = template.format(**ids)
            except KeyError:
                continue
            if opener is not None:
                if role is None:
                    world.clock.advance(STRANGER_QUIET)  # a stranger is told how to join once in a while
                await user.send_text(f"/{opener}")
                await user.expect("")
                await world.sandbox.settle(quiet=0.05)
            before = await snapshot(world)
            query = await user.press_callback(user.chat.last if user.chat.messages else _blank(user), data)
            answer = await world.sandbox.answer_to(query)
            await world.sandbox.settle(quiet=0.05)
            assert answer.show_alert and any(text[:26] in (answer.text or "") for text in REFUSED), (data, answer.text)
            assert await snapshot(world) == before, data
            await user.send_text("/batal")
            if role is None:  # a stranger has no draft, and is not told again
                await world.sandbox.settle(quiet=0.05)
            else:  # wait for its answer: on a loaded machine a quiet moment is no proof that /batal was handled
                await user.expect("")


def _blank(user):
    """A stranger has no message from the bot yet: press on a made-up one (Telegram would deliver the press)."""
    from bot.sandbox.telegram import SandboxMessage

    return SandboxMessage({"message_id": 1, "chat": {"id": user.id, "type": "private"}, "text": "?"}, True)
