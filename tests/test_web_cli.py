"""`klambi web`: the dashboard alone as a process, and the operator's `link`, `sessions` and `revoke`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import aiohttp
import pytest

from models.tables import WebLink
from tests.conftest import table_counts
from tests.dash_world import JATIROTO, LUMAJANG, NOW, Dash
from tests.test_run import free_port


async def cli(klambi, *args: str):
    return await asyncio.to_thread(klambi, "web", *args)


def one_line_error(result, words: str) -> None:
    assert result.code == 2 and result.out == "", result
    assert len(result.err.strip().splitlines()) == 1 and words in result.err, result


async def test_link_prints_the_url_alone_and_it_signs_in(dash: Dash, klambi, monkeypatch):
    staf = dash.people["Bu Staf Jatiroto"]
    result = await cli(klambi, "link", "--person", str(staf))
    assert result.code == 0, result
    [url] = result.out.splitlines()  # the URL alone on stdout: `$(klambi web link ...)` works
    assert url.startswith("http://127.0.0.1:8443/dasbor/masuk/")  # [web] listen and port by default
    assert "Bu Staf Jatiroto" in result.err and "sekali pakai" in result.err
    client = dash.client()
    reply = await dash.sign_in(client, dash.url(url.removeprefix("http://127.0.0.1:8443")))
    assert reply.status == 303

    monkeypatch.setenv("KLAMBI_WEB__PUBLIC_URL", "https://klambi.example.go.id")
    result = await cli(klambi, "link", "--kabupaten", LUMAJANG, "--minutes", "10080")
    assert result.code == 0 and result.out.startswith("https://klambi.example.go.id/dasbor/masuk/"), result


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "--person ID"),
        (["--person", "1", "--kecamatan", JATIROTO], "--person ID"),
        (["--kecamatan", JATIROTO, "--minutes", "0"], "10080"),
        (["--kecamatan", JATIROTO, "--minutes", "10081"], "10080"),
        (["--kecamatan", JATIROTO, "--minutes", "sepuluh"], "10080"),
        (["--kecamatan", "35.08"], "bukan kode kecamatan"),
        (["--kabupaten", JATIROTO], "bukan kode kecamatan"),
        (["--kecamatan", "35.08.99"], "35.08.99"),
        (["--person", "abc"], "bukan id orang"),
        (["--person", "999"], "999"),
    ],
)
async def test_bad_link_requests_say_one_line_and_write_nothing(dash: Dash, klambi, database_url, args, words):
    before = await asyncio.to_thread(table_counts, database_url)
    one_line_error(await cli(klambi, "link", *args), words)
    assert await asyncio.to_thread(table_counts, database_url) == before


async def test_a_secretary_gets_no_link(dash: Dash, klambi):
    one_line_error(await cli(klambi, "link", "--person", str(dash.people["Sekdes Rojopolo"])), "hanya untuk staf")


async def test_sessions_lists_and_revoke_ends(dash: Dash, klambi):
    assert "Tidak ada sesi" in (await cli(klambi, "sessions")).out
    client = await dash.client_for(dash.people["Pak Camat Jatiroto"])
    await dash.link(place=LUMAJANG, minutes=60)  # made, not used yet
    result = await cli(klambi, "sessions", "--format", "json")
    rows = json.loads(result.out)
    assert [(r["kind"], r["who"]) for r in rows] == [("sesi", "Pak Camat Jatiroto"), ("tautan", "Kabupaten Lumajang")]
    table = (await cli(klambi, "sessions")).out
    assert "Pak Camat Jatiroto" in table and "Kabupaten Lumajang" in table

    session_id, link_id = rows[0]["id"], rows[1]["id"]
    result = await cli(klambi, "revoke", "--session", str(session_id))
    assert result.code == 0 and "1 sesi" in result.out, result
    assert (await dash.get(client, "/dasbor"))[0] == 401
    assert (await cli(klambi, "revoke", "--link", str(link_id))).code == 0
    assert json.loads((await cli(klambi, "sessions", "--format", "json")).out) == []
    async with dash.app.sessions() as session:
        link = await session.get(WebLink, link_id)
        assert link is not None and link.revoked_at is not None

    one_line_error(await cli(klambi, "revoke", "--session", str(session_id)), "tidak ada yang diubah")
    one_line_error(await cli(klambi, "revoke"), "--session ID")
    one_line_error(await cli(klambi, "revoke", "--session", "x1"), "bukan nomor")


async def test_revoke_person_ends_every_session_of_theirs(dash: Dash, klambi):
    staf = dash.people["Bu Staf Jatiroto"]
    first, second = await dash.client_for(staf), await dash.client_for(staf)
    result = await cli(klambi, "revoke", "--person", str(staf))
    assert result.code == 0 and "2 sesi" in result.out, result
    for client in (first, second):
        assert (await dash.get(client, "/dasbor"))[0] == 401


async def test_klambi_web_serves_the_dashboard_alone_and_stops_on_sigterm(dash: Dash, klambi, database_url, tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_")},
        "KLAMBI_DATABASE__URL": database_url,
        "KLAMBI_STORAGE__PATH": str(tmp_path / "files"),
        "KLAMBI_WEB__PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--now",
        NOW.isoformat(),
        "web",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            for _ in range(100):  # until it listens
                try:
                    async with client.get(base + "/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            link = await dash.link(dash.people["Admin Lumajang"])
            reply = await dash.sign_in(client, base + link.removeprefix(dash.url("")))
            assert reply.status == 303
            async with client.get(base + "/dasbor", allow_redirects=False) as page:
                assert page.status == 303 and page.headers["Location"] == f"/dasbor/kabupaten/{LUMAJANG}"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    assert "/dasbor/masuk/" not in (out + err).decode()  # no token in the log
