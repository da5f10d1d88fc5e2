"""Heavy files off the path (`reports.pool`): /rekap and /indikator read in the update's transaction, the file is built
after it in the report pool (a real worker process) and follows; one build per person; kept while the data holds;
the pool stops with the runtime. Through the real sandboxes over HTTP, on both databases.

The pool's test hook (`Builds.gate`) holds a build until the test releases it: no sleeps, no timing.
"""

from __future__ import annotations

import asyncio
import io
import os

import pytest
from openpyxl import load_workbook

from bot.chat.messages import Recipe
from models.tables import Role
from tests.world import JATIROTO, ROJOPOLO, send_rkpdes

PNG = b"\x89PNG\r\n\x1a\n"


class Hold:
    """`Builds.gate`: every build waits here until `release()`; `started` is set when one is waiting."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.released = asyncio.Event()
        self.recipes: list[Recipe] = []
        self._arrived = asyncio.Event()

    async def __call__(self, recipe: Recipe) -> None:
        self.recipes.append(recipe)
        self.started.set()
        self._arrived.set()
        await self.released.wait()

    async def holding(self, count: int) -> None:
        """Wait until `count` builds are held."""
        while len(self.recipes) < count:
            self._arrived.clear()
            await self._arrived.wait()

    def release(self) -> None:
        self.released.set()


async def test_status_is_answered_while_the_workbook_is_built_and_a_second_rekap_builds_nothing(world):
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    builds = world.app.builds
    hold = builds.gate = Hold()
    await camat.send_text("/rekap 2024")
    await camat.expect("Rekap Kecamatan Jatiroto tahun 2024 sedang disiapkan")
    await hold.started.wait()  # the workbook's build has started and is held
    await camat.send_text("/status 2024")  # the same person: their turn is not held by the build
    status = await camat.expect("RKPDes")
    assert status.document is None
    await camat.send_text("/rekap 2024")
    await camat.expect("masih disiapkan, tunggu sebentar")
    await camat.send_text("/indikator 2024")
    await camat.expect("masih disiapkan, tunggu sebentar")
    assert len(hold.recipes) == 1 and builds.misses == 1  # the second /rekap and /indikator built nothing
    assert not [m for m in camat.messages if m.document is not None]
    hold.release()
    await builds.idle()
    sent = await camat.expect("Rekap Kecamatan Jatiroto, tahun kinerja 2024")
    assert sent.document["file_name"] == "rekap-jatiroto-2024.xlsx"
    workbook = load_workbook(io.BytesIO(world.sandbox.downloaded(sent.document["file_id"])))
    assert {"Ringkasan", "Per Desa", "Rincian", "Perbandingan"} <= set(workbook.sheetnames)
    assert builds.built == 1 and not builds.busy(("person", 1)) and not builds.busy(("person", 2))

    # the same data again: the kept workbook goes at once, with no "sedang disiapkan" and no build
    await camat.send_text("/rekap 2024")
    again = await camat.expect("Rekap Kecamatan Jatiroto, tahun kinerja 2024")
    assert again.document is not None and builds.built == 1 and builds.hits >= 1
    assert not any("sedang disiapkan" in m.text for m in camat.messages[-1:])
    assert world.sandbox.downloaded(again.document["file_id"]) == world.sandbox.downloaded(sent.document["file_id"])


async def test_a_changed_figure_draws_a_new_chart_and_the_same_figures_are_kept(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    builds = world.app.builds

    async def chart() -> bytes:
        await camat.send_text("/indikator 2024")
        await camat.expect("Indikator akuntabilitas")  # the figures at once
        await builds.idle()
        await world.sandbox.settle()
        photo = [m for m in camat.messages if m.photo][-1]
        return world.sandbox.downloaded(photo.photo[-1]["file_id"])

    first = await chart()
    assert first.startswith(PNG) and builds.built == 1
    photos = len([m for m in camat.messages if m.photo])
    assert await chart() == first and builds.built == 1  # the same figures: kept, sent again, not drawn
    assert len([m for m in camat.messages if m.photo]) == photos + 1
    await send_rkpdes(world, sekdes)
    await staf.expect("Dokumen masuk")
    await staf.press("✅ Terima")
    await staf.expect("Diterima oleh Kasi Pem")
    changed = await chart()
    assert changed.startswith(PNG) and changed != first and builds.built == 2  # Rojopolo on time: a new picture


async def test_a_failed_build_is_told_kindly_and_the_person_may_ask_again(world):
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    builds = world.app.builds

    async def broken(recipe: Recipe) -> None:
        raise RuntimeError("the worker fell over")

    builds.gate = broken
    await camat.send_text("/rekap 2024")
    await camat.expect("sedang disiapkan")
    await builds.idle()
    await camat.expect("gagal disiapkan")
    builds.gate = None
    await camat.send_text("/rekap 2024")  # the person's place was given back, and nothing broken was kept
    await camat.expect("sedang disiapkan")
    await builds.idle()
    sent = await camat.expect("Rekap Kecamatan Jatiroto, tahun kinerja 2024")
    assert sent.document["file_name"] == "rekap-jatiroto-2024.xlsx"


async def test_a_builder_failing_in_the_worker_raises_and_keeps_nothing(world):
    builds = world.app.builds
    with pytest.raises(KeyError):
        await builds.build(Recipe("no-such-builder", {"a": 1}, "id"))
    assert builds.built == 0 and builds.cached(Recipe("no-such-builder", {"a": 1}, "id")) is None


async def test_the_pool_stops_with_the_bot(world):
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    builds = world.app.builds
    await camat.send_text("/indikator 2024")
    await camat.expect("Indikator akuntabilitas")
    await builds.idle()
    assert builds.started
    workers = list(builds._executor._processes.values())  # type: ignore[union-attr]
    assert workers and all(p.is_alive() for p in workers) and all(p.pid != os.getpid() for p in workers)
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert mine == 19 or all(os.getpriority(os.PRIO_PROCESS, p.pid) > mine for p in workers)  # the bot goes first
    await world.restart_bot()  # the Application stops (post_stop), as a deploy would
    assert not builds.started and not any(p.is_alive() for p in workers)
    await camat.send_text("/rekap 2024")  # the next file starts a new pool
    await camat.expect("sedang disiapkan")
    await builds.idle()
    await camat.expect("Rekap Kecamatan Jatiroto, tahun kinerja 2024")
    assert builds.started


async def test_whatsapp_gets_the_workbook_after_its_waiting_word_and_the_runtime_stops_the_pool(wa_world):
    staf = await wa_world.join_whatsapp("6281234567031", "Bu Kasi", Role.STAF, JATIROTO)
    builds = wa_world.app.builds
    hold = builds.gate = Hold()
    await staf.say("rekap 2024")
    await staf.expect("sedang disiapkan")
    await hold.started.wait()
    await staf.say("rekap 2024")
    await staf.expect("masih disiapkan")
    assert len(hold.recipes) == 1
    hold.release()
    await wa_world.idle()
    workbooks = [m for m in staf.messages if m.document is not None]
    assert len(workbooks) == 1 and workbooks[0].document.filename == "rekap-jatiroto-2024.xlsx"
    assert "Rekap Kecamatan Jatiroto" in workbooks[0].text  # its caption
    book = load_workbook(io.BytesIO(workbooks[0].document.data))
    assert "Ringkasan" in book.sheetnames
    workers = list(builds._executor._processes.values())  # type: ignore[union-attr]
    await wa_world.stack.aclose()  # `klambi run` stopping
    assert not builds.started and not any(p.is_alive() for p in workers)


async def test_the_pool_starts_in_a_thread_not_on_the_event_loop(world, monkeypatch):
    import threading

    from reports.pool import Builds

    starters = []
    real = Builds._start

    def recording(self):
        starters.append(threading.get_ident())
        return real(self)

    monkeypatch.setattr(Builds, "_start", recording)
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    await camat.send_text("/indikator 2024")
    await camat.expect("Indikator akuntabilitas")
    await world.app.builds.idle()
    assert starters and threading.get_ident() not in starters  # the forkserver's imports never stop the loop


async def test_the_dashboard_answers_429_to_a_second_chart_while_one_is_drawn_for_the_same_viewer(dash):
    page = f"/dasbor/kecamatan/{JATIROTO}"
    builds = dash.app.builds
    hold = builds.gate = Hold()
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    other = await dash.client_for(dash.people["Pak Camat Jatiroto"])
    first = asyncio.ensure_future(dash.get(client, f"{page}/grafik.png?tahun=2024&per=2025-01-15"))
    await hold.started.wait()
    status, text, _ = await dash.get(client, f"{page}/grafik.png?tahun=2023&per=2025-01-15")
    assert status == 429 and "masih disiapkan" in text  # another chart for the same viewer: refused, not built
    again = asyncio.ensure_future(dash.get(client, f"{page}/grafik.png?tahun=2024&per=2025-01-15"))  # joins
    theirs = asyncio.ensure_future(dash.get(other, f"{page}/grafik.png?tahun=2023&per=2025-01-15"))  # another viewer
    await hold.holding(2)
    hold.release()
    for status, _, reply in await asyncio.gather(first, again, theirs):
        assert status == 200 and reply.headers["Content-Type"] == "image/png"
    assert builds.built == 2 and len(hold.recipes) == 2
    status, _, _ = await dash.get(client, f"{page}/grafik.png?tahun=2023&per=2025-01-15")  # now kept
    assert status == 200 and builds.built == 2
