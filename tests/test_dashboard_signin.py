"""Signing in to the dashboard: one-use links, the "Masuk" button, sessions, "Keluar", refusals and headers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.tables import AuditEntry, WebLink, WebSession
from tests.dash_world import CSRF, JATIROTO, Dash


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
    async with client.post(link, data={"csrf": token}) as reply:
        assert reply.status == 200 and reply.url.path == f"/dasbor/kecamatan/{JATIROTO}"
        cookie = reply.history[0].headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dasbor" in cookie
        assert "Secure" not in cookie  # plain http on this machine; behind https (public_url) it is Secure
    status, html, _ = await dash.get(client, "/dasbor")
    assert status == 303

    other = dash.client()  # the same link again, in another browser: used, grants nothing
    async with other.get(link) as page:
        assert page.status == 410 and "sudah dipakai" in await page.text()
    status, _, _ = await dash.get(other, "/dasbor")
    assert status == 401

    status, html, _ = await dash.get(client, f"/dasbor/kecamatan/{JATIROTO}")
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
