"""Signing in to the dashboard: one-use links, the "Masuk" button, sessions, "Keluar", refusals and headers."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, make_url, select

from bot import db as klambi_db
from bot.errors import InputError
from bot.services.audit import CLI
from bot.services.people import revoke_person_roles
from models.tables import AuditEntry, WebLink, WebSession
from tests.dash_world import CSRF, JATIROTO, LUMAJANG, Dash


async def test_a_link_opens_a_session_once_and_keluar_ends_it(dash: Dash):
    staf = dash.people["Bu Staf Jatiroto"]
    link = await dash.link(staf)
    client = dash.client()
    for _ in range(2):  # a chat app's preview opens the link: nothing is used up
        async with client.get(link) as page:
            html = await page.text()
            assert page.status == 200 and 'id="masuk"' in html
            assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
            assert page.headers["Cache-Control"] == "no-store"
    async with dash.app.sessions() as session:
        assert (await session.scalar(select(WebLink.used_at))) is None
    token = CSRF.search(html).group(1)
    async with client.post(link, data={"csrf": "wrong"}) as reply:  # a forged form
        assert reply.status == 400 and "tidak berlaku" in await reply.text()
    async with client.post(link, data={"csrf": token}, allow_redirects=False) as reply:
        assert reply.status == 303 and reply.headers["Location"] == "/dasbor"
        cookie = next(c for c in reply.headers.getall("Set-Cookie") if c.startswith("klambi_sesi="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dasbor" in cookie
        assert "Secure" not in cookie  # plain http on this machine; behind https (public_url) it is Secure
    status, html, reply = await dash.get(client, "/dasbor")
    assert status == 303 and reply.headers["Location"] == f"/dasbor/kecamatan/{JATIROTO}"

    other = dash.client()  # the same link again, in another browser: used, grants nothing
    async with other.get(link) as page:
        assert page.status == 410 and "sudah dipakai" in await page.text()
    status, _, _ = await dash.get(other, "/dasbor")
    assert status == 401

    status, html, _ = await dash.get(client, "/dasbor/pilih")
    assert status == 200 and 'href="/dasbor/kecamatan/35.08.17"' in html
    keluar = CSRF.search(html).group(1)
    async with client.post(dash.url("/dasbor/keluar"), data={"csrf": keluar}) as reply:
        assert reply.status == 200 and "sudah keluar" in await reply.text()
    status, _, _ = await dash.get(client, "/dasbor")
    assert status == 401
    async with dash.app.sessions() as session:
        ended = (await session.execute(select(WebSession.ended_at, WebSession.ended_by))).one()
        assert ended.ended_by == "keluar"
        sign_ins = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "web_sign_in")))
        assert len(sign_ins) == 1 and sign_ins[0].actor_id == staf and sign_ins[0].actor_label == "web"


async def test_an_expired_link_says_so_and_grants_nothing(dash: Dash):
    link = await dash.link(dash.people["Pak Camat Jatiroto"])
    dash.clock.advance(timedelta(minutes=11))
    client = dash.client()
    async with client.get(link) as page:
        assert page.status == 410 and "kedaluwarsa" in await page.text()
    async with client.post(link, data={"csrf": "x"}) as page:
        assert page.status == 400
    async with client.get(link.rsplit("/", 1)[0] + "/bukan-token") as page:
        assert page.status == 404 and "tidak dikenal" in await page.text()


async def test_two_presses_of_masuk_open_one_session(dash: Dash):
    link = await dash.link(dash.people["Bu Staf Jatiroto"])
    client = dash.client()
    async with client.get(link) as page:
        token = CSRF.search(await page.text()).group(1)

    async def press() -> int:
        async with client.post(link, data={"csrf": token}, allow_redirects=False) as reply:
            return reply.status

    statuses = sorted(await asyncio.gather(press(), press()))
    assert statuses == [303, 410]  # the second press finds the link used: a kind page, nothing more
    async with dash.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 1


async def test_a_person_whose_roles_are_revoked_loses_the_session(dash: Dash):
    staf = dash.people["Bu Staf Jatiroto"]
    client = await dash.client_for(staf)
    assert (await dash.get(client, "/dasbor"))[0] == 303
    async with dash.app.sessions() as session, session.begin():
        await revoke_person_roles(session, person_id=staf, actor=CLI, now=dash.clock.now(),
                                  reminders=dash.app.settings.reminders, language="id")  # fmt: skip
    status, html, _ = await dash.get(client, "/dasbor")
    assert status == 401 and "ketik /dasbor" in html
    async with dash.app.sessions() as session:
        assert await session.scalar(select(WebSession.ended_by)) == "revoked"
    with pytest.raises(InputError, match=r"dasbor\.no_role"):  # and no new link for them
        await dash.link(staf)


async def test_a_sekdes_gets_no_link_and_a_session_ends_after_12_hours(dash: Dash):
    with pytest.raises(InputError, match=r"dasbor\.no_role"):
        await dash.link(dash.people["Sekdes Rojopolo"])
    client = await dash.client_for(dash.people["Pak Camat Jatiroto"])
    dash.clock.advance(timedelta(hours=11, minutes=59))
    assert (await dash.get(client, "/dasbor"))[0] == 303
    dash.clock.advance(timedelta(minutes=2))
    assert (await dash.get(client, "/dasbor"))[0] == 401


async def test_a_viewer_of_a_kabupaten_keeps_its_session_as_long_as_its_link_ran(dash: Dash):
    link = await dash.link(place=LUMAJANG, minutes=7 * 24 * 60)
    client = dash.client()
    await dash.sign_in(client, link)
    status, _, reply = await dash.get(client, "/dasbor")
    assert status == 303 and reply.headers["Location"] == f"/dasbor/kabupaten/{LUMAJANG}"
    dash.clock.advance(timedelta(days=6))
    assert (await dash.get(client, "/dasbor"))[0] == 303
    dash.clock.advance(timedelta(days=1, minutes=1))
    assert (await dash.get(client, "/dasbor"))[0] == 401


async def test_dasbor_leads_each_to_their_own_place(dash: Dash):
    expected = {
        "Bu Staf Jatiroto": f"/dasbor/kecamatan/{JATIROTO}",
        "Admin Lumajang": f"/dasbor/kabupaten/{LUMAJANG}",
        "Admin Pusat": "/dasbor/nasional",
    }
    for name, path in expected.items():
        client = await dash.client_for(dash.people[name])
        status, _, reply = await dash.get(client, "/dasbor")
        assert (status, reply.headers["Location"]) == (303, path), name


async def test_the_stylesheet_is_public_and_every_page_is_not(dash: Dash):
    client = dash.client()
    async with client.get(dash.url("/dasbor/gaya.css")) as css:
        assert css.status == 200 and css.content_type == "text/css" and "max-age" in css.headers["Cache-Control"]
    for path in ("/dasbor", f"/dasbor/kecamatan/{JATIROTO}", f"/dasbor/desa/{JATIROTO}.2002", "/dasbor/nasional",
                 f"/dasbor/kabupaten/{LUMAJANG}", "/dasbor/pilih"):  # fmt: skip
        status, html, reply = await dash.get(client, path)
        assert status == 401 and "ketik /dasbor" in html, path
        assert reply.headers["X-Frame-Options"] == "DENY" and reply.headers["Cache-Control"] == "no-store"
    async with client.post(dash.url("/dasbor/keluar"), data={"csrf": "x"}) as reply:
        assert reply.status == 401


async def test_keluar_needs_its_token(dash: Dash):
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    async with client.post(dash.url("/dasbor/keluar"), data={"csrf": "forged"}) as reply:
        assert reply.status == 400
    assert (await dash.get(client, "/dasbor"))[0] == 303  # still signed in


async def test_while_the_database_is_busy_pages_still_read_and_masuk_waits_kindly(dash: Dash, monkeypatch):
    """Another process holds SQLite's write lock: pages read a snapshot and answer; pressing Masuk (a write) gets a
    kind "busy" page and uses nothing, and the same press works once the lock is gone."""
    if dash.app.engine.dialect.name != "sqlite":
        pytest.skip("the write lock of one SQLite file")
    monkeypatch.setattr(klambi_db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    await dash.app.engine.dispose()  # new connections take the short timeout
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    link = await dash.link(dash.people["Pak Camat Jatiroto"])
    other = dash.client()
    async with other.get(link) as page:
        token = CSRF.search(await page.text()).group(1)
    blocker = sqlite3.connect(make_url(dash.app.settings.database.url).database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        status, html, _ = await dash.get(client, "/dasbor/pilih")
        assert status == 200 and "Jatiroto" in html  # a read: no lock taken, no wait
        async with other.post(link, data={"csrf": token}, allow_redirects=False) as reply:
            assert reply.status == 503 and "sibuk" in await reply.text()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    async with other.post(link, data={"csrf": token}, allow_redirects=False) as reply:
        assert reply.status == 303  # nothing was used up by the busy press


async def test_forgetting_a_person_ends_their_sessions_and_links(dash: Dash):
    from bot.services.privacy import forget_person

    camat = dash.people["Pak Camat Jatiroto"]
    client = await dash.client_for(camat)
    link = await dash.link(camat)
    async with dash.app.sessions() as session, session.begin():
        await forget_person(session, camat, dash.clock.now())
    assert (await dash.get(client, "/dasbor"))[0] == 401
    async with dash.client().get(link) as page:
        assert page.status == 404  # the unused link is gone too
