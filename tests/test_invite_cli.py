"""`klambi invite` and `klambi run` without a token."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services.people import hash_code
from models.tables import AuditEntry, Invitation
from tests.conftest import query, table_counts


@pytest.fixture
def loaded(klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_TELEGRAM__USERNAME", "ngobras_klambi_bot")
    assert klambi("villages", "import", "--area", "35.08.17").code == 0
    return klambi


def test_invite_prints_a_deep_link_and_stores_only_the_hash(loaded, database_url):
    result = loaded("invite", "--role", "sekdes", "--desa", "35.08.17.2002", "--expires", "3d")
    assert result.code == 0, result
    link = re.search(r"https://t\.me/ngobras_klambi_bot\?start=([A-Z0-9]{10})\n", result.out)
    assert link is not None
    code = link.group(1)
    assert f"Kode: {code}" in result.out and "Desa Rojopolo" in result.out
    assert "18 Januari 2025" in result.out  # 15 January + 3 days
    [(stored, role, scope)] = query(database_url, select(Invitation.code_hash, Invitation.role, Invitation.scope_code))
    assert stored == hash_code(code) and code not in stored
    assert (role.value, scope) == ("sekdes", "35.08.17.2002")
    audit = query(database_url, select(AuditEntry.details).where(AuditEntry.action == "invitation.create"))
    assert code not in str(audit)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "sekdes", "--kecamatan", "35.08.17"], "satu desa"),
        (["--role", "staf", "--desa", "35.08.17.2001"], "satu kecamatan"),
        (["--role", "sekdes", "--desa", "35.08.17.2999"], "belum terdaftar"),
        (["--role", "sekdes", "--desa", "35.08.10.1003"], "kelurahan"),
        (["--role", "camat", "--kecamatan", "35.08.17", "--expires", "1y"], "7d"),
        (["--role", "camat", "--kecamatan", "35.08.17", "--expires", "365d"], "90d"),
        (["--role", "camat", "--kecamatan", "35.08.17", "--expires", "99999999999d"], "90d"),
        (["--role", "camat", "--kecamatan", "35.08.17", "--expires", "²d"], "7d"),
        (["--role", "admin", "--kecamatan", "35.08.17", "--desa", "35.08.17.2001"], "satu tempat"),
        (["--role", "lurah", "--kecamatan", "35.08.17"], "lurah"),
    ],
)
def test_invite_bad_input_writes_nothing(loaded, database_url, args, message):
    before = table_counts(database_url)
    result = loaded("invite", *args)
    assert result.code == 2, result
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert table_counts(database_url) == before


def test_invite_without_a_bot_name_says_how_and_writes_nothing(klambi, monkeypatch, database_url):
    assert klambi("villages", "import", "--area", "35.08.17").code == 0
    before = table_counts(database_url)
    result = klambi("invite", "--role", "camat", "--kecamatan", "35.08.17")
    assert result.code == 2 and "[telegram] username" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Tidak ada undangan" in result.err
    assert table_counts(database_url) == before


def test_invite_with_a_token_and_no_network_fails_in_one_line_and_writes_nothing(klambi, monkeypatch, database_url):
    """getMe is asked before the invitation is written; here nothing listens where the Bot API should be."""
    import socket

    assert klambi("villages", "import", "--area", "35.08.17").code == 0
    before = table_counts(database_url)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("KLAMBI_TELEGRAM__TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("KLAMBI_TELEGRAM__BASE_URL", f"http://127.0.0.1:{port}/bot")
    result = klambi("invite", "--role", "camat", "--kecamatan", "35.08.17")
    assert result.code == 2, result
    assert "Telegram tidak terjangkau" in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert table_counts(database_url) == before


def test_invite_expiry_is_shown_in_the_time_of_the_place(klambi, monkeypatch):
    """A Bali desa's invitation expires at a WITA time (15 January 09:00 WIB is 10:00 WITA, plus 3 days)."""
    monkeypatch.setenv("KLAMBI_TELEGRAM__USERNAME", "ngobras_klambi_bot")
    assert klambi("villages", "import", "--area", "51.01.03").code == 0
    result = klambi("invite", "--role", "sekdes", "--desa", "51.01.03.2001", "--expires", "3d")
    assert result.code == 0, result
    assert "18 Januari 2025 10.00 WITA" in result.out, result.out


def test_run_without_a_token_says_how_in_one_line(klambi):
    result = klambi("run")
    assert result.code == 2
    assert "KLAMBI_TELEGRAM__TOKEN" in result.err and "klambi demo" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_invite_person_links_another_app_to_someone_registered_and_never_makes_a_second_person(
    loaded, database_url, monkeypatch
):
    """`klambi invite --person ID --channel whatsapp`: the invitation names the person, is bound to that app, and
    redeeming it there adds a contact to the same person."""
    import asyncio

    from bot.chat.messages import Sender
    from bot.db import make_engine, session_factory
    from bot.services.people import redeem_invitation
    from models.tables import Contact, Person

    made = loaded("invite", "--role", "sekdes", "--desa", "35.08.17.2002")
    code = re.search(r"start=([A-Z0-9]{10})\n", made.out).group(1)

    async def redeem(code: str, sender: Sender) -> int:
        engine = make_engine(database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                at = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
                return (await redeem_invitation(session, code, sender, at)).person.id
        finally:
            await engine.dispose()

    siti = asyncio.run(redeem(code, Sender("telegram", "101", "101", "Siti")))
    monkeypatch.setenv("KLAMBI_WHATSAPP__BUSINESS_NUMBER", "6281234567890")
    linked = loaded("invite", "--person", str(siti), "--channel", "whatsapp")
    assert linked.code == 0, linked
    assert "t.me" not in linked.out and "wa.me/6281234567890?text=DAFTAR%20" in linked.out  # WhatsApp's own link
    second = re.search(r"Kode: (\S+)", linked.out).group(1)
    [(channel, person_id)] = query(
        database_url, select(Invitation.channel, Invitation.person_id).where(Invitation.person_id.is_not(None))
    )
    assert (channel, person_id) == ("whatsapp", siti)
    assert asyncio.run(redeem(second, Sender("whatsapp", "wa-628", "628123", "Siti WA"))) == siti
    assert query(database_url, select(Person.id)) == [(siti,)]
    assert query(database_url, select(Contact.channel).order_by(Contact.id)) == [("telegram",), ("whatsapp",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "999"], "999"),
        (["--person", "x"], "x"),
        (["--channel", "telegram"], "--role"),
        (["--person", "1", "--channel", "sms"], "sms"),
    ],
)
def test_invite_person_bad_input_writes_nothing(loaded, database_url, args, message):
    before = table_counts(database_url)
    result = loaded("invite", *args)
    assert result.code == 2, result
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert table_counts(database_url) == before
