"""The office's dashboard over real HTTP (issue 18): `klambi web` as a process on the benchmark's deployment.

A deployment admin (made here once: the generator makes none) signs in as a person does: `klambi web link --person`
prints the one-use URL, the GET shows "Masuk", the POST with the form's token opens the session. Then, one request
at a time, each timed from sending it until its whole body is read:

- the kecamatan page, for kecamatan drawn at random (with desa) and a performance year drawn from the generated ones,
  every (kecamatan, year) once, half of them as of today and half as of a past `per`: no page is asked twice;
- one desa's page, for desa drawn at random (2024);
- one kabupaten's ranking page (the kabupaten drawn at random, Lumajang first);
- the national page, one performance year after the other (each year's ranking computed), then the first year again
  (nothing changed since: the page keeps the ranking while the audit log's last id and the day stay the same);
- the chart of a kecamatan page (its `<img>` address): the first request draws it, the second is served from the
  dashboard's cache (the figures unchanged).

The goals are issue 18's: a kecamatan page's HTML in under 100 ms at p95, the national page in under 3 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import random
import re
import statistics
import sys
import time
from datetime import date
from tempfile import TemporaryDirectory
from typing import Any

import aiohttp
from sqlalchemy import func, select

from benchmarks.chat import _env, _memory, _process
from benchmarks.generate import NOW, PERFORMANCE_YEARS
from benchmarks.whatsapp import _free_port
from bot.app import App
from models.tables import Desa, Kabupaten, Kecamatan, Person, Role, RoleAssignment, ScopeKind

ADMIN = "Admin Dasbor (benchmark)"
KABUPATEN = "35.08"  # Lumajang: in every size the harness builds
NATIONAL_YEARS = (2024, 2023, 2022, 2021, 2020)  # the national page: one year after the other, each computed
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CHART = re.compile(r'<img[^>]+src="([^"]*grafik\.png[^"]*)"')
TIMEOUT = aiohttp.ClientTimeout(total=300)


def figures(samples_ms: list[float]) -> dict[str, Any]:
    """p50, p95 (nearest rank) and max of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "samples": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }


async def _admin(app: App) -> int:
    """The person the benchmark signs in as: an admin of the whole deployment (made once, kept for reruns)."""
    async with app.sessions() as session, session.begin():
        found = await session.scalar(select(Person.id).where(Person.name == ADMIN))
        if found is not None:
            return found
        person = Person(name=ADMIN, created_at=NOW)
        session.add(person)
        await session.flush()
        session.add(RoleAssignment(person_id=person.id, role=Role.ADMIN, scope_kind=ScopeKind.DEPLOYMENT,
                                   scope_code=None, granted_at=NOW))  # fmt: skip
        return person.id


async def _sample(app: App, counts: dict[str, int]) -> dict[str, list[Any]]:
    """What is asked: (kecamatan, year, per) never twice, desa, kabupaten — drawn with a fixed seed."""
    rng = random.Random(18)
    async with app.sessions() as session:
        kecamatan = list(await session.scalars(select(Desa.kecamatan_kode).distinct().order_by(Desa.kecamatan_kode)))
        desa = list(await session.scalars(select(Desa.kode).order_by(Desa.kode)))
        kabupaten = list(
            await session.scalars(
                select(Kabupaten.kode)
                .join(Kecamatan, Kecamatan.kabupaten_kode == Kabupaten.kode)
                .join(Desa, Desa.kecamatan_kode == Kecamatan.kode)
                .group_by(Kabupaten.kode)
                .having(func.count(Desa.kode) > 0)
                .order_by(Kabupaten.kode)
            )
        )
    drawn = rng.sample(kecamatan, min(len(kecamatan), counts["pages"] + 1))
    warmup, drawn = drawn[0], drawn[1:] or drawn
    pairs = [(k, y) for k in drawn for y in PERFORMANCE_YEARS]
    rng.shuffle(pairs)
    pages = []
    for n, (kode, year) in enumerate(pairs[: counts["pages"]]):
        per = date(year + 1, 1, 15) if n % 2 and date(year + 1, 1, 15) <= NOW.date() else None
        pages.append((kode, year, per))
    chosen_kabupaten = ([KABUPATEN] if KABUPATEN in kabupaten else []) + rng.sample(
        [k for k in kabupaten if k != KABUPATEN], min(len(kabupaten) - 1, counts["kabupaten"] - 1)
    )
    return {
        "warmup": warmup,
        "pages": pages,
        "desa": rng.sample(desa, min(len(desa), counts["desa"])),
        "kabupaten": chosen_kabupaten,
    }


async def _get(client: aiohttp.ClientSession, url: str, expect: str | None = None) -> tuple[float, str | bytes]:
    """One GET, timed until its whole body is read; it must answer 200 (and show `expect`, when given)."""
    start = time.perf_counter()
    async with client.get(url, allow_redirects=False) as reply:
        body = await reply.read()
        ms = (time.perf_counter() - start) * 1000
        if reply.status != 200:
            raise RuntimeError(f"GET {url.split('?')[0]}: {reply.status} {body[:300]!r}")
        if reply.content_type.startswith("text/html"):
            text = body.decode()
            if expect is not None and expect not in text:
                raise RuntimeError(f"GET {url.split('?')[0]}: {expect!r} is not on the page")
            return ms, text
        return ms, body


async def _sign_in(client: aiohttp.ClientSession, link: str) -> None:
    """As a person: open the link (GET: "Masuk"), press it (POST with the form's token)."""
    async with client.get(link) as page:
        token = CSRF.search(await page.text())
        if page.status != 200 or token is None:
            raise RuntimeError(f"the sign-in link answered {page.status}")
    async with client.post(link, data={"csrf": token.group(1)}, allow_redirects=False) as reply:
        await reply.read()
        if reply.status != 303:
            raise RuntimeError(f"pressing Masuk answered {reply.status}")


async def _listening(client: aiohttp.ClientSession, base: str, seconds: float = 120.0) -> float:
    start = time.perf_counter()
    while True:
        with contextlib.suppress(aiohttp.ClientError):
            async with client.get(base + "/healthz") as reply:
                if reply.status == 200:
                    return time.perf_counter() - start
        if time.perf_counter() - start > seconds:
            raise RuntimeError(f"klambi web did not answer within {seconds:.0f} s")
        await asyncio.sleep(0.1)


async def _link(env: dict[str, str], person_id: int) -> str:
    command = [sys.executable, "-m", "bot", "--now", NOW.isoformat(), "web", "link", "--person", str(person_id)]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"klambi web link ended with {process.returncode}: {err.decode()[-1000:]}")
    return out.decode().strip()


def _query(year: int, per: date | None) -> str:
    return f"?tahun={year}" + (f"&per={per.isoformat()}" if per else "")


async def pages(app: App, database_url: str, counts: dict[str, int]) -> dict[str, Any]:
    """The dashboard's pages over HTTP from `klambi web`: p50/p95/max of each kind, the chart first and cached."""
    person_id = await _admin(app)
    asked = await _sample(app, counts)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with TemporaryDirectory() as files:
        env = _env({"KLAMBI_DATABASE__URL": database_url, "KLAMBI_STORAGE__PATH": files,
                    "KLAMBI_WEB__LISTEN": "127.0.0.1", "KLAMBI_WEB__PORT": str(port)})  # fmt: skip
        command = [sys.executable, "-m", "bot", "--now", NOW.isoformat(), "web"]
        async with (
            _process(*command, env=env) as server,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=TIMEOUT) as client,
        ):
            started = await _listening(client, base)
            await _sign_in(client, await _link(env, person_id))
            idle = _memory(server.pid)
            # one warm-up (imports, templates, the first query plans), of a kecamatan not drawn: not counted
            await _get(client, f"{base}/dasbor/kecamatan/{asked['warmup']}{_query(2024, None)}", 'id="matriks"')
            kecamatan, charts = [], []
            for kode, year, per in asked["pages"]:
                ms, text = await _get(client, f"{base}/dasbor/kecamatan/{kode}{_query(year, per)}", 'id="matriks"')
                kecamatan.append(ms)
                if len(charts) < counts["charts"]:
                    found = CHART.search(str(text))
                    if found is None:
                        raise RuntimeError("the kecamatan page shows no chart (<img … grafik.png>)")
                    charts.append(base + html.unescape(found.group(1)))
            desa = [(await _get(client, f"{base}/dasbor/desa/{kode}?tahun=2024", "versi"))[0] for kode in asked["desa"]]
            first_draw, cached = [], []
            for url in charts:
                ms, body = await _get(client, url)
                if not (isinstance(body, bytes) and body.startswith(b"\x89PNG")):
                    raise RuntimeError("the chart is not a PNG")
                first_draw.append(ms)
                again, same = await _get(client, url)
                if same != body:
                    raise RuntimeError("the cached chart differs from the one drawn")
                cached.append(again)
            kabupaten = [
                (await _get(client, f"{base}/dasbor/kabupaten/{kode}?tahun=2024", 'id="peringkat"'))[0]
                for kode in asked["kabupaten"]
            ]
            national, again, size = [], [], 0
            for year in NATIONAL_YEARS[: counts["national"]]:  # each year once: its ranking is computed
                ms, text = await _get(client, f"{base}/dasbor/nasional?tahun={year}", 'id="jumlah"')
                national.append(ms)
                size = max(size, len(str(text).encode()))
            for _ in range(counts["national"]):  # nothing changed since: the ranking is kept (the audit log's last id)
                again.append((await _get(client, f"{base}/dasbor/nasional?tahun={NATIONAL_YEARS[0]}"))[0])
            loaded = _memory(server.pid)
    return {
        "kecamatan_page": figures(kecamatan) | {"kecamatan": len({k for k, _, _ in asked["pages"]})},
        "desa_page": figures(desa),
        "kabupaten_page": figures(kabupaten) | {"kabupaten": asked["kabupaten"][0]},
        "national_page": figures(national) | {"bytes": size},
        "national_page_again": figures(again),
        "chart_first": figures(first_draw),
        "chart_cached": figures(cached),
        "first_answer_after_start_seconds": round(started, 2),
        "memory_idle_mb": idle.get("VmRSS"),
        "memory_peak_mb": loaded.get("VmHWM"),
        "now": NOW.isoformat(),
    }
