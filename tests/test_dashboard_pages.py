"""The kecamatan page, the kabupaten and national rankings, the chart and the downloads, over real HTTP on both
databases: the same figures as `klambi indicator`, the matrix as `obligation_rows` gives it, and every refusal."""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from sqlalchemy import update

from bot.db import LOCK_FREE
from bot.services.indicator import obligation_rows
from bot.services.records import RecordRequest, record_document
from bot.services.targets import set_target
from models.status import ReviewStatus
from models.tables import Desa, Kecamatan
from tests.dash_world import DESA, JATIROTO, LUMAJANG, NAMES, NOW, ROJOPOLO, SUKOSARI, YOSOWILANGUN, Dash

PAGE = f"/dasbor/kecamatan/{JATIROTO}"
SEASON = "tahun=2024&per=2025-01-15"
DOCS = ("LPPDES", "RKPDES", "APBDES")


def value_of(html: str, element_id: str) -> object:
    found = re.search(rf'id="{element_id}" data-value="([^"]*)"', html)
    assert found, f"no #{element_id} with data-value"
    return json.loads(unescape(found.group(1)))


def document_values(html: str) -> dict[str, object]:
    return {code: json.loads(value) for code, value in re.findall(r'data-doc="(\w+)" data-value="([^"]*)"', html)}


def matrix(html: str) -> dict[tuple[str, str], str]:
    """(desa code, document) → the cell's data-status, read from table#matriks."""
    table = html[html.index('id="matriks"') : html.index("</table>", html.index('id="matriks"'))]
    cells = {}
    for desa, row in re.findall(r'<tr data-desa="([\d.]+)">(.*?)</tr>', table, re.S):
        for status, doc in re.findall(r'data-status="(\w+)" data-dokumen="(\w+)"', row):
            cells[(desa, doc)] = status
    return cells


def names_in(html: str, list_id: str) -> list[str]:
    start = html.index(f'id="{list_id}"')
    block = html[start : html.index("</div>", start)]
    return re.findall(r'<a href="/dasbor/desa/[\d.]+\?tahun=\d+">([^<]*)</a>', block)


async def set_targets(dash: Dash) -> None:
    """Jatiroto's 2024 targets as its LKjIP has them: the IKU's 100% revised to 94,44%; APBDes' own 100%."""
    async with dash.app.sessions() as session, session.begin():
        await set_target(session, JATIROTO, 2024, NOW, awal=Decimal(100), perubahan=Decimal("94.44"))
        await set_target(session, JATIROTO, 2024, NOW, awal=Decimal(100), indicator="APBDES")


async def cli_json(klambi, *args: str) -> dict:
    """The real `klambi` command (in a thread: it runs its own event loop) against the page's database."""
    result = await asyncio.to_thread(klambi, *args, "--format", "json", now=NOW)
    assert result.code == 0, result
    return result.json()


async def test_the_kecamatan_page_shows_the_cli_s_figures_the_matrix_and_the_names(dash: Dash, klambi):
    await set_targets(dash)
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, reply = await dash.get(client, f"{PAGE}?{SEASON}")
    assert status == 200, html
    assert reply.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert "style=" not in html and "<script" not in html  # the CSP forbids inline style and script
    assert "Kecamatan Jatiroto" in html and "Tahun kinerja <strong" in html and "15 Januari 2025" in html

    expected = await cli_json(klambi, "indicator", "--kecamatan", JATIROTO, "--year", "2024", "--at", "2025-01-15")
    assert value_of(html, "realisasi") == expected["realisasi"] == 94.44
    assert value_of(html, "capaian") == expected["capaian"]
    assert value_of(html, "target") == expected["target"]
    assert document_values(html) == {code: doc["persen"] for code, doc in expected["documents"].items()}
    assert f'data-value="{json.dumps(expected["realisasi"])}">94,44%</td>' in html
    assert expected["predikat"] == "Sangat Tinggi" and '<td id="predikat" class="teks">Sangat Tinggi</td>' in html
    assert "(target awal 100,00%)" in html
    apbdes = expected["documents"]["APBDES"]
    assert f'<span data-value="{apbdes["capaian"]}">83,33%</span></td>\n      <td class="teks">Tinggi</td>' in html
    for label, value in expected["triwulan"].items():
        assert f'data-tw="{label}" data-value="{json.dumps(value)}"' in html

    async with dash.app.sessions() as session:
        _, _, rows = await obligation_rows(session, JATIROTO, 2024, NOW)
    cells = matrix(html)
    assert cells == {(r.desa_kode, r.document_code): r.status.value for r in rows}
    assert cells[(SUKOSARI, "APBDES")] == "terlambat" and cells[(ROJOPOLO, "RKPDES")] == "tepat_waktu"
    assert "☑️ terlambat" in html and "✅ tepat waktu" in html  # icon and word, never colour alone
    assert 'class="geser"' in html and f'href="/dasbor/desa/{ROJOPOLO}?tahun=2024">Rojopolo</a>' in html
    assert "batas: 30 September 2024" in html  # the legal deadline in the column head

    assert names_in(html, "terlambat") == ["Sukosari"]
    assert names_in(html, "ditolak") == [] and names_in(html, "belum-ada") == [] and names_in(html, "menunggu") == []
    assert f'src="{PAGE}/grafik.png?tahun=2024&amp;per=2025-01-15"' in html
    for name in ("rekap.xlsx", "tabel.md", "bukti.zip"):
        assert f'href="{PAGE}/{name}?tahun=2024&amp;per=2025-01-15"' in html


async def test_a_moment_in_the_past_shows_that_moment(dash: Dash, klambi):
    client = await dash.client_for(dash.people["Pak Camat Jatiroto"])  # a camat sees the page too
    status, now_html, _ = await dash.get(client, f"{PAGE}?tahun=2024")
    assert status == 200
    status, html, _ = await dash.get(client, f"{PAGE}?tahun=2024&per=2024-09-25")
    assert status == 200 and "25 September 2024" in html
    expected = await cli_json(klambi, "indicator", "--kecamatan", JATIROTO, "--year", "2024", "--at", "2024-09-25")
    assert value_of(html, "realisasi") == expected["realisasi"] != value_of(now_html, "realisasi")
    assert document_values(html) == {code: doc["persen"] for code, doc in expected["documents"].items()}
    # Rojopolo's first RKPDes was rejected on 23 September; the accepted one arrived on the 27th
    assert matrix(html)[(ROJOPOLO, "RKPDES")] == "ditolak" and names_in(html, "ditolak") == ["Rojopolo"]
    assert names_in(html, "terlambat") == []
    assert f'href="/dasbor/desa/{ROJOPOLO}?tahun=2024"' in html


async def test_the_default_is_the_current_year_now(dash: Dash):
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, _ = await dash.get(client, PAGE)
    assert status == 200 and '<strong id="tahun">2025</strong>' in html and "15 Januari 2025" in html
    assert f'src="{PAGE}/grafik.png?tahun=2025"' in html  # no `per` asked: the chart is of now too


@pytest.mark.parametrize(
    "query, words",
    [
        ("tahun=dua+ribu", "Tahun 'dua ribu' tidak bisa dibaca"),
        ("tahun=1850", "Tahun '1850' tidak bisa dibaca"),
        ("tahun=2024&per=15-01-2025", "Tanggal '15-01-2025' tidak bisa dibaca"),
        ("tahun=2024&per=2025-02-30", "Tanggal '2025-02-30' tidak bisa dibaca"),
    ],
)
async def test_a_year_or_date_that_cannot_be_read_is_a_kind_400(dash: Dash, query: str, words: str):
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    for path in (PAGE, f"{PAGE}/grafik.png", f"{PAGE}/rekap.xlsx", f"/dasbor/kabupaten/{LUMAJANG}"):
        if path.startswith("/dasbor/kabupaten"):
            client = await dash.client_for(dash.people["Admin Lumajang"])
        status, html, _ = await dash.get(client, f"{path}?{query}")
        assert status == 400 and words in unescape(html), (path, html)


async def test_what_waits_and_what_is_missing_are_named(dash: Dash):
    waiting = f"{YOSOWILANGUN}.2001"
    async with dash.app.sessions() as session, session.begin():
        await record_document(
            session, RecordRequest(waiting, "RKPDES", 2025, date(2024, 9, 20), date(2024, 9, 25), nomor="7/RKP/2024",
                                   review=ReviewStatus.MENUNGGU), NOW, dash.app.files,
        )  # fmt: skip
        nama = (await session.get(Desa, waiting)).nama
    client = await dash.client_for(dash.people["Staf Yosowilangun"])
    status, html, _ = await dash.get(client, f"/dasbor/kecamatan/{YOSOWILANGUN}?{SEASON}")
    assert status == 200
    cells = matrix(html)
    assert cells[(waiting, "RKPDES")] == "menunggu_verifikasi" and "⏳ menunggu verifikasi" in html
    assert names_in(html, "menunggu") == [nama]
    missing = names_in(html, "belum-ada")
    assert len(missing) == sum(1 for s in cells.values() if s == "tidak_ada") > 0 and nama in missing  # its APBDes


async def test_a_kecamatan_without_desa_has_no_indicator(dash: Dash):
    async with dash.app.sessions() as session, session.begin():
        session.add(Kecamatan(kode="35.08.01", nama="Tempursari", kabupaten_kode=LUMAJANG, timezone="Asia/Jakarta"))
    client = await dash.client_for(dash.people["Admin Lumajang"])
    status, html, _ = await dash.get(client, "/dasbor/kecamatan/35.08.01?tahun=2024")
    assert status == 200 and "belum mempunyai desa" in html and 'id="realisasi"' not in html
    status, _, reply = await dash.get(client, "/dasbor/kecamatan/35.08.01/grafik.png?tahun=2024")
    assert status == 200 and reply.headers["Content-Type"] == "image/png"
    status, html, _ = await dash.get(client, f"/dasbor/kabupaten/{LUMAJANG}?tahun=2024")
    assert status == 200 and 'data-kode="35.08.01"' not in html  # no desa: not ranked, not shown as 0%


async def test_the_chart_is_drawn_once_while_its_figures_hold(dash: Dash):
    builds = dash.app.builds
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    first = await asyncio.gather(*(dash.get(client, f"{PAGE}/grafik.png?{SEASON}") for _ in range(3)))
    for status, _, reply in first:
        assert status == 200 and reply.headers["Content-Type"] == "image/png"
    async with client.get(dash.url(f"{PAGE}/grafik.png?{SEASON}")) as reply:
        png = await reply.read()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and builds.built == 1  # drawn in the report pool, once
    # another day with the same figures is the same picture; a day with other figures is drawn
    status, _, _ = await dash.get(client, f"{PAGE}/grafik.png?tahun=2024&per=2025-01-14")
    assert status == 200 and builds.built == 1
    status, _, _ = await dash.get(client, f"{PAGE}/grafik.png?tahun=2024&per=2024-09-25")
    assert status == 200 and builds.built == 2


async def test_the_downloads_are_the_reports(dash: Dash):
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    async with client.get(dash.url(f"{PAGE}/rekap.xlsx?{SEASON}")) as reply:
        assert reply.status == 200
        assert reply.headers["Content-Disposition"].startswith('attachment; filename="rekap-jatiroto-2024.xlsx"')
        assert reply.headers["X-Content-Type-Options"] == "nosniff" and reply.headers["Cache-Control"] == "no-store"
        workbook = openpyxl.load_workbook(io.BytesIO(await reply.read()))
    cells = [str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("Sukosari" in c for c in cells) and any("94,44" in c or c == "94.44" for c in cells)

    async with client.get(dash.url(f"{PAGE}/tabel.md?{SEASON}")) as reply:
        assert reply.status == 200 and reply.headers["Content-Type"] == "text/markdown; charset=utf-8"
        assert 'filename="tabel-jatiroto-2024.md"' in reply.headers["Content-Disposition"]
        assert "94,44" in await reply.text()

    async with client.get(dash.url(f"{PAGE}/bukti.zip?{SEASON}")) as reply:
        assert reply.status == 200 and reply.headers["Content-Type"] == "application/zip"
        assert 'filename="bukti-jatiroto-2024.zip"' in reply.headers["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(await reply.read()))
    names = archive.namelist()
    assert "index.csv" in names and "index.md" in names
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 1 and archive.read(pdfs[0]).startswith(b"%PDF")
    assert "Rojopolo" in archive.read("index.csv").decode("utf-8-sig")


async def test_another_kecamatan_s_staf_is_refused_everywhere(dash: Dash):
    client = await dash.client_for(dash.people["Staf Yosowilangun"])
    for path in ("", "/grafik.png", "/rekap.xlsx", "/tabel.md", "/bukti.zip"):
        status, html, reply = await dash.get(client, f"{PAGE}{path}?{SEASON}")
        assert status == 403 and "di luar wilayah" in html, path
        assert "Content-Disposition" not in reply.headers and "Jatiroto" not in html
    status, html, _ = await dash.get(client, f"/dasbor/kecamatan/{YOSOWILANGUN}?tahun=2024")
    assert status == 200 and "Yosowilangun" in html
    # a code that does not exist, is not a kecamatan's, or is not a code: the same 403 (no probing)
    for code in ("35.08.99", "35.08.07.2001", "35.08", "zz<b>", "99.99.99"):
        status, html, _ = await dash.get(client, f"/dasbor/kecamatan/{code}")
        assert status == 403 and "di luar wilayah" in html, code
    status, _, _ = await dash.get(client, f"/dasbor/kabupaten/{LUMAJANG}")
    assert status == 403
    status, _, _ = await dash.get(client, "/dasbor/nasional")
    assert status == 403


async def test_a_viewer_of_one_kecamatan_sees_it_and_nothing_else(dash: Dash):
    client = await dash.client_for(place=JATIROTO)
    status, html, _ = await dash.get(client, f"{PAGE}?{SEASON}")
    assert status == 200 and value_of(html, "realisasi") == 94.44
    assert f'href="/dasbor/kabupaten/{LUMAJANG}' not in html  # the kabupaten is not theirs to see
    for path in (f"/dasbor/kecamatan/{YOSOWILANGUN}", f"/dasbor/kabupaten/{LUMAJANG}", "/dasbor/nasional"):
        status, _, _ = await dash.get(client, path)
        assert status == 403, path
    status, _, reply = await dash.get(client, f"{PAGE}/grafik.png?{SEASON}")
    assert status == 200 and reply.headers["Content-Type"] == "image/png"

    pmd = await dash.client_for(place=LUMAJANG)  # the kabupaten's PMD office: its ranking and each kecamatan
    for path in (f"/dasbor/kabupaten/{LUMAJANG}", PAGE, f"/dasbor/kecamatan/{YOSOWILANGUN}"):
        status, _, _ = await dash.get(pmd, path)
        assert status == 200, path
    for path in ("/dasbor/nasional", "/dasbor/kabupaten/35.09", "/dasbor/kecamatan/35.09.01"):
        status, _, _ = await dash.get(pmd, path)
        assert status == 403, path


async def test_the_kabupaten_admin_sees_every_kecamatan_ranked_as_the_cli_does(dash: Dash, klambi):
    await set_targets(dash)
    client = await dash.client_for(dash.people["Admin Lumajang"])
    status, html, _ = await dash.get(client, f"/dasbor/kabupaten/{LUMAJANG}?{SEASON}")
    assert status == 200 and 'id="peringkat"' in html
    expected = await cli_json(klambi, "indicator", "--kabupaten", LUMAJANG, "--year", "2024", "--at", "2025-01-15")
    rows = re.findall(r'<tr data-kode="([\d.]+)">(.*?)</tr>', html, re.S)
    ranked = [k["kecamatan"]["kode"] for k in expected["kecamatan"]]
    assert [kode for kode, _ in rows] == ranked == [JATIROTO, YOSOWILANGUN]
    for (kode, row), cli in zip(rows, expected["kecamatan"], strict=True):
        figures = dict(re.findall(r'data-kolom="(\w+)" data-value="([^"]*)"', row))
        assert json.loads(figures["realisasi"]) == cli["realisasi"]
        assert json.loads(figures["capaian"]) == cli["capaian"]
        assert json.loads(figures["target"]) == cli["target"]
        assert f'href="/dasbor/kecamatan/{kode}?tahun=2024&amp;per=2025-01-15"' in row
    status, html, _ = await dash.get(client, f"{PAGE}?{SEASON}")  # and each kecamatan's own page
    assert status == 200 and f'href="/dasbor/kabupaten/{LUMAJANG}?tahun=2024' in html
    status, _, _ = await dash.get(client, "/dasbor/nasional")
    assert status == 403
    for code in ("35.09", "35.08.17", "xx"):  # another kabupaten, a kecamatan's code, not a code
        status, _, _ = await dash.get(client, f"/dasbor/kabupaten/{code}")
        assert status == 403, code

    staf = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, _ = await dash.get(staf, f"/dasbor/kabupaten/{LUMAJANG}")
    assert status == 403 and "di luar wilayah" in html


async def test_only_the_deployment_sees_the_national_page(dash: Dash):
    client = await dash.client_for(dash.people["Admin Pusat"])
    status, html, _ = await dash.get(client, f"/dasbor/nasional?{SEASON}")
    assert status == 200, html
    assert re.search(r'id="jumlah" data-value="2"', html)
    top = html[html.index('id="teratas"') : html.index("</table>", html.index('id="teratas"'))]
    assert re.findall(r'<tr data-kode="([\d.]+)">', top) == [JATIROTO, YOSOWILANGUN]
    assert f'href="/dasbor/kabupaten/{LUMAJANG}?tahun=2024&amp;per=2025-01-15">' in html
    assert 'data-value="94.44"' in html
    status, _, _ = await dash.get(client, "/dasbor/kecamatan/35.08.99")  # one who sees everything may know
    assert status == 404
    status, _, _ = await dash.get(client, "/dasbor/kabupaten/35.99")
    assert status == 404
    status, html, _ = await dash.get(client, f"{PAGE}?{SEASON}")
    assert status == 200 and value_of(html, "realisasi") == 94.44
    for person in ("Admin Lumajang", "Pak Camat Jatiroto"):
        other = await dash.client_for(dash.people[person])
        status, html, _ = await dash.get(other, "/dasbor/nasional")
        assert status == 403 and "di luar wilayah" in html, person


async def test_pages_read_without_taking_the_write_lock(dash: Dash, monkeypatch: pytest.MonkeyPatch):
    """On SQLite a page's transaction begins deferred (`LOCK_FREE`): the national ranking reads for seconds at the size
    of the country, and the bot must not wait for it to write."""
    import bot.web.dashboard.kecamatan as pages

    seen = []

    def watching(real):
        async def read(session, *args, **kwargs):
            seen.append((await session.connection()).sync_connection.get_execution_options().get(LOCK_FREE))
            return await real(session, *args, **kwargs)

        return read

    monkeypatch.setattr(pages, "kecamatan_season", watching(pages.kecamatan_season))
    monkeypatch.setattr(pages, "ranking", watching(pages.ranking))
    client = await dash.client_for(dash.people["Admin Pusat"])
    for path in (f"{PAGE}?{SEASON}", f"/dasbor/kabupaten/{LUMAJANG}", "/dasbor/nasional"):
        status, _, _ = await dash.get(client, path)
        assert status == 200, path
    assert seen == [True, True, True]


async def test_names_are_written_as_text(dash: Dash):
    hostile = '<img src=x onerror="alert(1)"> & Co'
    async with dash.app.sessions() as session, session.begin():
        await session.execute(update(Desa).where(Desa.kode == DESA[0]).values(nama=hostile))
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, _ = await dash.get(client, f"{PAGE}?tahun=2024&per=2024-09-25")
    assert status == 200
    assert hostile not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co" in html
    assert NAMES[0] not in html


async def test_the_national_ranking_is_kept_until_something_changes(dash: Dash):
    """The national page keeps its ranking (seconds at the country's size) while nothing changed; a new version
    (written with its audit entry) shows at the next view."""
    client = await dash.client_for(dash.people["Admin Pusat"])

    def yosowilangun(html: str) -> str:
        top = html[html.index('id="teratas"') : html.index("</table>", html.index('id="teratas"'))]
        row = top[top.index(f'data-kode="{YOSOWILANGUN}"') :]
        return re.search(r'data-value="([\d.]+)"', row[row.index("realisasi") :] if "realisasi" in row else row)[1]

    status, first, _ = await dash.get(client, "/dasbor/nasional?tahun=2024")
    assert status == 200
    status, again, _ = await dash.get(client, "/dasbor/nasional?tahun=2024")
    assert again == first  # kept: nothing changed
    async with dash.app.sessions() as session, session.begin():
        await record_document(session, RecordRequest(f"{YOSOWILANGUN}.2004", "LPPDES", 2023, date(2024, 2, 10),
                              date(2024, 3, 5)), dash.clock.now(), dash.app.files)  # fmt: skip
    status, after, _ = await dash.get(client, "/dasbor/nasional?tahun=2024")
    assert status == 200 and yosowilangun(after) != yosowilangun(first)
