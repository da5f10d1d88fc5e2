"""The one web application (`bot/web/`), on its own: real HTTP on a free port, no channel, no database."""

from __future__ import annotations

import io
import logging

import aiohttp
import pytest
from aiohttp import ClientSession, web

from bot.config import WebSettings
from bot.web import HEALTH_PATH, MAX_BODY_BYTES, WebApp

SECRET = "verify-token-0123456789"


async def _echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


async def _hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def _webapp(**settings: object) -> WebApp:
    webapp = WebApp(WebSettings(port=0, **settings))
    webapp.add_route("POST", "/echo", _echo, name="echo")
    return webapp


async def test_routes_health_404_and_the_body_cap(caplog):
    caplog.set_level(logging.INFO, logger="klambi.web")
    async with _webapp() as webapp, ClientSession() as client:
        assert webapp.port != 0 and webapp.routes == {HEALTH_PATH: "health", "/echo": "echo"}
        async with client.get(webapp.local_url(HEALTH_PATH)) as reply:
            assert (reply.status, await reply.text()) == (200, "ok")
        async with client.post(webapp.local_url("/echo"), data=io.BytesIO(b"x" * MAX_BODY_BYTES)) as reply:
            assert reply.status == 200 and len(await reply.read()) == MAX_BODY_BYTES  # up to the cap: read
        async with client.post(webapp.local_url("/echo"), data=io.BytesIO(b"x" * (MAX_BODY_BYTES + 1))) as reply:
            assert reply.status == 413
        async with client.get(webapp.local_url("/echo")) as reply:
            assert reply.status == 405
        async with client.get(webapp.local_url(f"/nothing?hub.verify_token={SECRET}")) as reply:
            assert reply.status == 404
        async with client.post(webapp.local_url(f"/echo?hub.verify_token={SECRET}"), headers={"X-Secret": SECRET}):
            pass
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("web listening on http://127.0.0.1:") and "echo, health" in m for m in messages)
    assert any('"GET health" 200' in m for m in messages)
    assert len([m for m in messages if '"POST echo" 200' in m]) == 2
    assert len([m for m in messages if "refused since the last such line" in m]) == 1  # 413, 405, 404: one line
    assert not [m for m in messages if SECRET in m or "nothing" in m or "verify_token" in m]


async def test_after_stopping_nothing_listens():
    async with _webapp() as webapp:
        url = webapp.local_url(HEALTH_PATH)
    async with ClientSession() as client:
        with pytest.raises(aiohttp.ClientConnectionError):
            await client.get(url)


async def test_routes_are_mounted_once_and_before_the_start():
    webapp = _webapp()
    for method in ("POST", "*"):  # the same method twice, or any method over one: refused
        with pytest.raises(ValueError, match="already served by the echo route"):
            webapp.add_route(method, "/echo", _echo, name="other")
    webapp.add_route("GET", "/echo", _hello, name="other")  # another method of the same path: its own handler
    assert webapp.routes["/echo"] == "echo"
    async with webapp:
        async with ClientSession() as client, client.get(webapp.local_url("/echo")) as reply:
            assert (reply.status, await reply.text()) == (200, "hello")
        with pytest.raises(RuntimeError):
            webapp.add_route("POST", "/late", _echo, name="late")


async def test_listening_callbacks_run_once_it_listens_and_a_failing_one_stops_it():
    answers: list[int] = []

    async def ask_myself() -> None:
        async with ClientSession() as client, client.get(webapp.local_url(HEALTH_PATH)) as reply:
            answers.append(reply.status)

    webapp = _webapp()
    webapp.on_listening(ask_myself)
    async with webapp:
        assert answers == [200]

    async def fail() -> None:
        raise OSError("setWebhook refused")

    broken = _webapp()
    broken.on_listening(fail)
    with pytest.raises(OSError, match="setWebhook refused"):
        await broken.start()
    async with ClientSession() as client:
        with pytest.raises(aiohttp.ClientConnectionError):
            await client.get(broken.local_url(HEALTH_PATH))


def test_public_urls():
    assert (
        _webapp(public_url="https://klambi.example.go.id/").public_url_for("/wa") == "https://klambi.example.go.id/wa"
    )
    assert _webapp().public_url_for("/wa") is None
    assert WebApp(WebSettings(listen="::1", port=8443)).local_url("/x") == "http://[::1]:8443/x"
