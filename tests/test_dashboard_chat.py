"""`/dasbor` in the chat (Telegram) and `dasbor` (WhatsApp): a one-use link that signs the person in."""

from __future__ import annotations

import re

import aiohttp

from models.tables import Role, WebLink
from tests.dash_world import CSRF
from tests.world import JATIROTO, ROJOPOLO

LINK = re.compile(r"(http://\S+/dasbor/masuk/)(\S+)")


async def _sign_in_with(runtime, text: str) -> tuple[int, str]:
    """Open the link the chat gave on the running web application, press Masuk; where /dasbor leads."""
    found = LINK.search(text)
    assert found is not None, text
    link = runtime.webapp.local_url("/dasbor/masuk/") + found.group(2)  # the configured port is 0: the real one
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        async with client.get(link) as page:
            if page.status != 200:
                return page.status, ""
            token = CSRF.search(await page.text()).group(1)
        async with client.post(link, data={"csrf": token}, allow_redirects=False) as reply:
            if reply.status != 303:
                return reply.status, ""
        async with client.get(runtime.webapp.local_url("/dasbor"), allow_redirects=False) as home:
            return home.status, home.headers["Location"]


async def test_staf_on_telegram_and_camat_on_whatsapp_get_a_link_that_works_once(wa_world):
    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    camat = await wa_world.join_whatsapp("6281234567009", "Pak Camat", Role.CAMAT, JATIROTO)

    await staf.send_text("/dasbor")
    answer = await staf.expect("/dasbor/masuk/")
    assert "sekali pakai" in answer.text and "10 menit" in answer.text
    assert await _sign_in_with(wa_world.runtime, answer.text) == (303, f"/dasbor/kecamatan/{JATIROTO}")
    assert (await _sign_in_with(wa_world.runtime, answer.text))[0] == 410  # used: grants nothing

    await camat.say("Dasbor")
    answer = await camat.expect("/dasbor/masuk/")
    await wa_world.idle()
    assert await _sign_in_with(wa_world.runtime, answer.text) == (303, f"/dasbor/kecamatan/{JATIROTO}")
    links = await wa_world.rows(WebLink.__table__.select().order_by(WebLink.id))
    assert [row.created_by for row in links] == ["telegram", "whatsapp"]
    assert all(len(row.token_hash) == 64 and row.token_hash not in answer.text for row in links)


async def test_a_secretary_typing_dasbor_is_refused_and_gets_no_link(wa_world):
    siti = await wa_world.join_whatsapp("6281234567001", "Siti", Role.SEKDES, ROJOPOLO)
    await siti.say("dasbor")
    answer = await siti.expect("")
    await wa_world.idle()
    assert "/dasbor/masuk/" not in answer.text
    assert await wa_world.rows(WebLink.__table__.select()) == []
