"""Migration 0009: a database at revision 0007 holding people with Telegram ids (one unreachable), sent outbox rows,
a forum question whose alert a staf can answer by reply, a start attempt and an invitation comes out at head with
everything found again: contacts, message ids as strings, the reply lookup. And back down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bot.db import alembic_config, make_engine, session_factory, upgrade
from bot.services.forum import thread_of_reply
from models.tables import Contact, Invitation, OutboxMessage, OutboxStatus, Person, StartAttempt
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES, _admin, _pg_url

AT = datetime(2024, 9, 20, 1, 0)  # naive UTC, as stored


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("KLAMBI_TEST_REQUIRE_POSTGRES=1 but KLAMBI_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL: set KLAMBI_TEST_POSTGRES_URL")
    name = f"klambi_old_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    yield _pg_url(name)
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _t(name: str, *columns: str, **typed: sa.types.TypeEngine) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns), *(sa.column(c, t) for c, t in typed.items()))


async def _fill_at_0007(connection) -> None:
    dt, js = sa.DateTime(), sa.JSON()
    run = connection.execute
    await run(sa.insert(_t("provinsi", "kode", "nama")).values(kode="35", nama="Jawa Timur"))
    await run(sa.insert(_t("kabupaten", "kode", "nama", "provinsi_kode")).values(kode="35.08", nama="Lumajang",
                                                                                 provinsi_kode="35"))  # fmt: skip
    await run(sa.insert(_t("kecamatan", "kode", "nama", "kabupaten_kode", "timezone", "forum_chat_id")).values(
        kode="35.08.17", nama="Jatiroto", kabupaten_kode="35.08", timezone="Asia/Jakarta",
        forum_chat_id=-1001234567890))  # fmt: skip
    await run(sa.insert(_t("desa", "kode", "nama", "kecamatan_kode", "is_adat")).values(
        kode="35.08.17.2002", nama="Rojopolo", kecamatan_kode="35.08.17", is_adat=False))  # fmt: skip
    person = _t("person", "id", "name", "telegram_user_id", "telegram_chat_id", created_at=dt, unreachable_at=dt,
                forgotten_at=dt)  # fmt: skip
    await run(sa.insert(person), [
        {"id": 1, "name": "Siti", "telegram_user_id": 101, "telegram_chat_id": 101, "created_at": AT,
         "unreachable_at": None, "forgotten_at": None},
        {"id": 2, "name": "Kasi Pem", "telegram_user_id": 201, "telegram_chat_id": 201, "created_at": AT,
         "unreachable_at": None, "forgotten_at": None},
        {"id": 3, "name": "Budi", "telegram_user_id": 5_000_000_001, "telegram_chat_id": 5_000_000_001,
         "created_at": AT, "unreachable_at": AT, "forgotten_at": None},
        {"id": 4, "name": "Tanpa Telegram", "telegram_user_id": None, "telegram_chat_id": None, "created_at": AT,
         "unreachable_at": None, "forgotten_at": None},
    ])  # fmt: skip
    thread = _t("forum_thread", "id", "kind", "kecamatan_kode", "desa_kode", "author_id", "author_role", "text",
                "status", created_at=dt)  # fmt: skip
    await run(sa.insert(thread).values(id=7, kind="tanya", kecamatan_kode="35.08.17", desa_kode="35.08.17.2002",
                                       author_id=1, author_role="sekdes", text="Kapan rapat?", status="terbuka",
                                       created_at=AT))  # fmt: skip
    outbox = _t("outbox", "id", "kecamatan_kode", "subject_type", "subject_id", "recipient_key", "person_id",
                "chat_id", "role", "kind", "status", "attempts", "telegram_message_id", for_date=sa.Date(),
                send_at=dt, sent_at=dt, created_at=dt, details=js)  # fmt: skip
    common = {"kecamatan_kode": "35.08.17", "for_date": date(2024, 9, 20), "send_at": AT, "created_at": AT,
              "attempts": 1}  # fmt: skip
    await run(sa.insert(outbox), [
        {**common, "id": 1, "subject_type": "notice", "subject_id": "thread:7", "recipient_key": "person:2",
         "person_id": 2, "chat_id": 201, "role": "staf", "kind": "notice", "status": "sent", "sent_at": AT,
         "telegram_message_id": 4242, "details": {"text": "Pertanyaan #1", "buttons": [[["Jawab", "f:j:7"]]]}},
        {**common, "id": 2, "subject_type": "obligation", "subject_id": "12", "recipient_key": "person:1",
         "person_id": 1, "chat_id": 101, "role": "sekdes", "kind": "H-7", "status": "sent", "sent_at": AT,
         "telegram_message_id": 99, "details": {"desa": "35.08.17.2002"}},
        {**common, "id": 3, "subject_type": "recap", "subject_id": "35.08.17", "recipient_key": "chat:-1001234567890",
         "person_id": None, "chat_id": -1001234567890, "role": "forum", "kind": "recap", "status": "sent",
         "sent_at": AT, "telegram_message_id": 7, "details": {}},
        {**common, "id": 4, "subject_type": "obligation", "subject_id": "12", "recipient_key": "person:1",
         "person_id": 1, "chat_id": 101, "role": "sekdes", "kind": "H-3", "status": "planned", "sent_at": None,
         "telegram_message_id": None, "details": {"desa": "35.08.17.2002"}, "for_date": date(2024, 9, 24)},
    ])  # fmt: skip
    await run(sa.insert(_t("start_attempt", "id", "telegram_user_id", at=dt)).values(id=1, telegram_user_id=777,
                                                                                      at=AT))  # fmt: skip
    invitation = _t("invitation", "id", "code_hash", "role", "scope_kind", "scope_code", created_at=dt,
                    expires_at=dt)  # fmt: skip
    await run(sa.insert(invitation).values(id=1, code_hash="ab" * 32, role="sekdes", scope_kind="desa",
                                           scope_code="35.08.17.2002", created_at=AT, expires_at=AT))  # fmt: skip


async def _downgrade(engine, revision: str) -> None:
    def _run(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


async def test_0009_carries_telegram_ids_outbox_rows_and_replies_into_contacts(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        await upgrade(engine, "0007")
        async with engine.begin() as connection:
            await _fill_at_0007(connection)
        await upgrade(engine)
        async with session_factory(engine)() as session:
            contacts = {c.person_id: c for c in await session.scalars(select_all(Contact))}
            assert sorted(contacts) == [1, 2, 3]  # person 4 had no Telegram account: no contact
            assert [(c.channel, c.user_id) for c in contacts.values()] == [
                ("telegram", "101"), ("telegram", "201"), ("telegram", "5000000001"),
            ]  # fmt: skip
            assert contacts[3].unreachable_since == AT.replace(tzinfo=UTC) and contacts[1].unreachable_since is None
            assert contacts[1].linked_at == AT.replace(tzinfo=UTC) and contacts[1].display_name == "Siti"
            assert [p.name for p in await session.scalars(select_all(Person))] == [
                "Siti", "Kasi Pem", "Budi", "Tanpa Telegram",
            ]  # fmt: skip
            rows = {r.id: r for r in await session.scalars(select_all(OutboxMessage))}
            assert (rows[1].channel, rows[1].address, rows[1].contact_id, rows[1].channel_message_id) == (
                "telegram", "201", contacts[2].id, "4242",
            )  # fmt: skip
            assert rows[2].channel_message_id == "99" and rows[2].contact_id == contacts[1].id
            assert (rows[3].channel, rows[3].address, rows[3].contact_id, rows[3].channel_message_id) == (
                "telegram", "-1001234567890", None, "7",
            )  # fmt: skip
            assert rows[4].status is OutboxStatus.PLANNED and rows[4].address is None  # resolved when sent
            assert await thread_of_reply(session, "201", "4242", "telegram") == 7  # a reply still finds its question
            assert await thread_of_reply(session, "201", "4242", "whatsapp") is None
            assert await thread_of_reply(session, "101", "4242", "telegram") is None
            [attempt] = await session.scalars(select_all(StartAttempt))
            assert (attempt.channel, attempt.user_id) == ("telegram", "777")
            [invitation] = await session.scalars(select_all(Invitation))
            assert (invitation.channel, invitation.person_id, invitation.role.value) == ("telegram", None, "sekdes")

        await _downgrade(engine, "0008")  # and back, as far as it goes
        async with engine.connect() as connection:
            people = (await connection.execute(sa.text(
                "SELECT id, telegram_user_id, telegram_chat_id, unreachable_at IS NOT NULL FROM person ORDER BY id"
            ))).all()  # fmt: skip
            assert [tuple(p) for p in people] == [
                (1, 101, 101, False), (2, 201, 201, False), (3, 5_000_000_001, 5_000_000_001, True),
                (4, None, None, False),
            ]  # fmt: skip
            outbox = (await connection.execute(
                sa.text("SELECT id, chat_id, telegram_message_id FROM outbox ORDER BY id"))).all()  # fmt: skip
            assert [tuple(r) for r in outbox] == [(1, 201, 4242), (2, 101, 99), (3, -1001234567890, 7), (4, 101, None)]
            attempts = (await connection.execute(sa.text("SELECT telegram_user_id FROM start_attempt"))).all()
            assert [tuple(a) for a in attempts] == [(777,)]
        await upgrade(engine)  # and up again
        async with session_factory(engine)() as session:
            assert len((await session.scalars(select_all(Contact))).all()) == 3
    finally:
        await engine.dispose()


def select_all(model):
    return sa.select(model).order_by(model.id)
