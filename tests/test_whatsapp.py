"""The WhatsApp adapter end to end: signed webhooks into the running bot, answers read back from the Graph sandbox,
on both databases (tests/wa_world.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.i18n import t
from models.tables import InboxMessage
from tests.wa_world import VERIFY_TOKEN, wa_world  # noqa: F401

pytestmark = pytest.mark.usefixtures("wa_world")


async def test_the_handshake_answers_the_challenge_only_for_the_verify_token(wa_world):
    assert await wa_world.graph.verify(VERIFY_TOKEN, "c-1234") == (200, "c-1234")
    status, _ = await wa_world.graph.verify("not-the-token", "c-1234")
    assert status == 403


async def test_a_stranger_is_told_how_to_join(wa_world):
    stranger = wa_world.graph.person("6281299990000", "Orang Asing")
    await stranger.say("halo")
    await stranger.expect(t("chat.unknown_person")[:30])
    await wa_world.idle()
    assert await wa_world.rows(select(func.count()).select_from(InboxMessage)) == [(1,)]
