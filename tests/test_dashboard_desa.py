"""The desa page and its files over real HTTP on both databases: every version with who verified it and why it was
rejected, the files as attachments, reminders sent and planned, open problems and questions, phone numbers for the
kecamatan's staf only, and the one 403 for anything outside the viewer's scope (or that does not exist)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from bot.services.records import RecordRequest, record_document
from models.status import ReviewStatus
from models.tables import Channel, SubmissionFile
from tests.dash_world import (
    JATIROTO,
    LUMAJANG,
    PDF,
    ROJOPOLO,
    SEKDES_PHONE,
    SUKOSARI,
    YOSOWILANGUN,
    Dash,
    DesaExtras,
    desa_extras,
)

ROJOPOLO_PAGE = f"/dasbor/desa/{ROJOPOLO}"
FILE_LINK = re.compile(r'href="/dasbor/berkas/(\d+)"')


@pytest.fixture
async def extras(dash: Dash) -> DesaExtras:
    return await desa_extras(dash)


def section(html: str, doc: str) -> str:
    """The obligation section of one document (`data-doc="RKPDES"`)."""
    start = html.index(f'data-doc="{doc}"')
    return html[start : html.index("</section>", start)]


def part(html: str, element_id: str) -> str:
    """From the element with this id to the end of its table, paragraph or section."""
    start = html.index(f'id="{element_id}"')
    ends = [i for tag in ("</table>", "</p>", "</section>") if (i := html.find(tag, start)) != -1]
    return html[start : min(ends)]


def message(html: str) -> str:
    """The one message page's sentence (the rest of the page names the viewer)."""
    found = re.search(r'<section class="pesan" id="pesan">(.*?)</section>', html, re.S)
    assert found is not None, html
    return found.group(1)


def versions(block: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-versi="(\d+)" data-review="(\w+)"', block)


async def test_rojopolo_shows_every_version_its_reviewer_reason_files_reminders_and_threads(
    dash: Dash, extras: DesaExtras
):
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, reply = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2024")
    assert status == 200, html
    assert reply.headers["Cache-Control"] == "no-store" and reply.headers["X-Frame-Options"] == "DENY"
    assert "Desa Rojopolo" in html and ROJOPOLO in html and "Tahun kinerja 2024" in html
    assert f'href="/dasbor/kecamatan/{JATIROTO}?tahun=2024"' in html

    rkpdes = section(html, "RKPDES")
    assert "RKPDes TA 2025" in rkpdes and 'data-status="tepat_waktu"' in rkpdes and "✅ tepat waktu" in rkpdes
    assert "30 September 2024" in rkpdes  # the legal deadline
    assert versions(rkpdes) == [("1", "ditolak"), ("2", "diterima")]
    first, second = rkpdes.split('data-versi="2"')
    assert "Belum ditandatangani kepala desa" in first and "1/RKP/2024" in first and "❌ ditolak" in first
    assert "Bu Staf Jatiroto" in first and "Bu Staf Jatiroto" in second  # who verified each
    assert "23 September 2024" in first and "00.00" not in rkpdes  # recorded, not sent in the chat: a date alone
    assert "menentukan status" in second and "menentukan status" not in first
    assert "Belum ditandatangani" not in second and "2/RKP/2024" in second
    assert "dicatat (klambi record)" in second  # the channel
    assert "rkpdes-rojopolo.pdf" in second and len(FILE_LINK.findall(second)) == 1
    assert "tanpa berkas (kertas)" in first
    assert versions(section(html, "APBDES")) == [("1", "diterima")]
    assert versions(section(html, "LPPDES")) == [("1", "diterima")]

    sent = part(html, "pengingat-terkirim")
    rows = re.findall(r'<tr data-status="(\w+)">', sent)
    assert rows == ["sent", "unreachable"]  # not the notice, not Sukosari's, not the cancelled one
    assert "pengingat H-7" in sent and "Sekdes Rojopolo (Sekretaris Desa)" in sent and "lewat WhatsApp" in sent
    assert "23 September 2024 08.00" in sent and "dibaca 23 September 2024 09.12" in sent
    assert "Pendamping Rojopolo" in sent and "tidak terjangkau" in sent
    assert "pengingat H-3" not in sent
    assert 'id="pengingat-terjadwal"' in html and "Tidak ada pengingat yang terjadwal" in html  # 2024: all done

    threads = html[html.index('id="kendala"') : html.index('id="orang"')]
    assert threads.count("<article") == 2
    assert "Kendala #1" in threads and "Pertanyaan #1" in threads
    assert "&lt;script&gt;alert(&#34;kendala&#34;)&lt;/script&gt;" in threads and "<script>" not in html
    assert "tentang RKPDes TA 2025" in threads and extras.reply_text in threads
    assert extras.tanya_text in threads
    for gone in (extras.closed_text, extras.answered_text, extras.other_desa_text):
        assert gone not in html

    people = part(html, "orang")
    assert "Sekdes Rojopolo" in people and "Pendamping Rojopolo" in people and "Sekdes Sukosari" not in people
    assert f'href="tel:+{SEKDES_PHONE}"' in people  # staf of Jatiroto see the number
    assert "belum bisa dihubungi" in people  # the pendamping has no chat


async def test_planned_reminders_of_the_year_come_from_the_outbox(dash: Dash, extras: DesaExtras):
    assert extras.planned >= 1  # the bot's own planner planned Rojopolo's LPPDes TA 2024 (due 31 March 2025)
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2025")
    assert status == 200, html
    planned = part(html, "pengingat-terjadwal")
    assert len(re.findall(r'<tr data-status="planned">', planned)) == extras.planned
    assert "pengingat H-30" in planned and "LPPDes TA 2024" in planned and "terjadwal" in planned
    assert "28 Februari 2025 08.00" in planned  # H-30 of 31 March is a Saturday: the working day before
    assert 'data-doc="LPPDES"' in html and "LPPDes TA 2024" in section(html, "LPPDES")
    assert 'data-status="belum_jatuh_tempo"' in section(html, "LPPDES")


async def test_a_moment_in_the_past_shows_what_was_known_then(dash: Dash):
    client = await dash.client_for(dash.people["Pak Camat Jatiroto"])
    status, html, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2024&per=2024-09-24")
    assert status == 200, html
    rkpdes = section(html, "RKPDES")
    assert versions(rkpdes) == [("1", "ditolak")] and 'data-status="ditolak"' in rkpdes
    assert "Keadaan per 24 September 2024" in html
    assert f'href="/dasbor/kecamatan/{JATIROTO}?tahun=2024&amp;per=2024-09-24"' in html
    status, html, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2024&per=2024-09-22")
    rkpdes = section(html, "RKPDES")
    assert versions(rkpdes) == [] and 'data-status="belum_jatuh_tempo"' in rkpdes and "Belum ada versi" in rkpdes


async def test_sukosari_apbdes_is_late(dash: Dash):
    client = await dash.client_for(place=JATIROTO)
    status, html, _ = await dash.get(client, f"/dasbor/desa/{SUKOSARI}?tahun=2024")
    assert status == 200, html
    apbdes = section(html, "APBDES")
    assert 'data-status="terlambat"' in apbdes and "☑️ terlambat" in apbdes and "5 Januari 2025" in apbdes
    assert 'data-status="tepat_waktu"' in section(html, "RKPDES")


async def test_the_pdf_downloads_as_an_attachment(dash: Dash):
    client = await dash.client_for(dash.people["Pak Camat Jatiroto"])
    _, html, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2024")
    (file_id,) = FILE_LINK.findall(html)
    async with client.get(dash.url(f"/dasbor/berkas/{file_id}"), allow_redirects=False) as reply:
        body = await reply.read()
        assert reply.status == 200
        assert body == PDF
        assert reply.headers["Content-Type"] == "application/pdf"
        assert reply.headers["Content-Disposition"].startswith('attachment; filename="rkpdes-rojopolo.pdf"')
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["Cache-Control"] == "no-store"
    admin = await dash.client_for(dash.people["Admin Lumajang"])  # the kabupaten's admin sees it too
    async with admin.get(dash.url(f"/dasbor/berkas/{file_id}")) as reply:
        assert reply.status == 200 and await reply.read() == PDF


async def test_a_lost_or_damaged_file_says_so(dash: Dash):
    async with dash.app.sessions() as session:
        stored = await session.scalar(SubmissionFile.__table__.select().with_only_columns(SubmissionFile.stored_path))
        file_id = await session.scalar(SubmissionFile.__table__.select().with_only_columns(SubmissionFile.id))
    path = dash.app.files.path_of(stored)
    path.write_bytes(PDF.replace(b"RKPDes", b"RKPDxx"))
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, text, reply = await dash.get(client, f"/dasbor/berkas/{file_id}")
    assert status == 410 and "rusak" in text and "attachment" not in reply.headers.get("Content-Disposition", "")
    path.unlink()
    status, text, _ = await dash.get(client, f"/dasbor/berkas/{file_id}")
    assert status == 410 and "hilang" in text


@pytest.mark.parametrize("who", ["Pak Camat Jatiroto", "Admin Lumajang", "Admin Pusat", "viewer", "Staf Yosowilangun"])
async def test_phone_numbers_only_for_the_kecamatan_staf(dash: Dash, who: str):
    client = await dash.client_for(place=JATIROTO) if who == "viewer" else await dash.client_for(dash.people[who])
    status, html, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2024")
    if who == "Staf Yosowilangun":
        assert status == 403
    else:
        assert status == 200 and "Sekdes Rojopolo" in html
        assert "hanya ditampilkan untuk staf kecamatan ini" in html
    assert SEKDES_PHONE not in html and "tel:" not in html


async def test_outside_the_scope_and_unknown_is_the_one_403(dash: Dash):
    file_id = await _file_id(dash)
    other = await dash.client_for(dash.people["Staf Yosowilangun"])
    status, html, reply = await dash.get(other, ROJOPOLO_PAGE)
    refused = message(html)
    assert status == 403 and "di luar wilayah" in refused and reply.headers["Cache-Control"] == "no-store"
    for path in (
        f"/dasbor/berkas/{file_id}",  # Jatiroto's file
        "/dasbor/berkas/999999",  # no such file: the same answer
        "/dasbor/berkas/abc",
        "/dasbor/berkas/99999999999",  # past an integer key: still the same answer, not an error
        f"/dasbor/desa/{JATIROTO}.2999",  # no such desa
        "/dasbor/desa/zzz",
        f"/dasbor/desa/{JATIROTO}",  # a kecamatan's code is no desa
        f"{ROJOPOLO_PAGE}?tahun=20x4",  # the refusal comes before reading the request
    ):
        status, text, _ = await dash.get(other, path)
        assert (status, message(text)) == (403, refused), path
    status, _, _ = await dash.get(other, f"/dasbor/desa/{YOSOWILANGUN}.2001?tahun=2024")
    assert status == 200  # their own desa

    staf = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    for path in (f"/dasbor/desa/{YOSOWILANGUN}.2001", f"/dasbor/desa/{JATIROTO}.2999", "/dasbor/berkas/999999"):
        status, text, _ = await dash.get(staf, path)
        assert (status, message(text)) == (403, refused), path
    viewer = await dash.client_for(place=LUMAJANG)  # a kabupaten viewer sees the whole kabupaten
    status, _, _ = await dash.get(viewer, ROJOPOLO_PAGE)
    assert status == 200

    everything = await dash.client_for(dash.people["Admin Pusat"])  # who sees everything may learn what is not there
    for path in ("/dasbor/berkas/999999", f"/dasbor/desa/{JATIROTO}.2999", "/dasbor/desa/zzz", "/dasbor/berkas/x",
                 "/dasbor/berkas/99999999999"):  # fmt: skip
        status, text, _ = await dash.get(everything, path)
        assert status == 404 and "tidak ada" in text, path
    status, _, _ = await dash.get(everything, ROJOPOLO_PAGE)
    assert status == 200

    stranger = dash.client()  # not signed in
    for path in (ROJOPOLO_PAGE, f"/dasbor/berkas/{file_id}"):
        status, text, _ = await dash.get(stranger, path)
        assert status == 401 and "/dasbor" in text


async def test_text_typed_by_people_is_shown_as_text(dash: Dash):
    nomor, reason = '<script>alert("nomor")</script>', '<img src=x onerror="alert(1)"> tanda tangan'
    async with dash.app.sessions() as session, session.begin():
        await record_document(
            session,
            RecordRequest(ROJOPOLO, "LPPDES", 2023, date(2024, 2, 12), date(2024, 3, 4), nomor=nomor,
                          review=ReviewStatus.REJECTED, reason=reason, channel=Channel.WHATSAPP),
            dash.clock.now(),
            dash.app.files,
        )  # fmt: skip
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, html, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?tahun=2024")
    assert status == 200
    lppdes = section(html, "LPPDES")
    assert versions(lppdes) == [("1", "diterima"), ("2", "ditolak")]
    assert 'data-status="tepat_waktu"' in lppdes  # the first accepted version still decides
    assert "WhatsApp" in lppdes and "4 Maret 2024 00.00" in lppdes  # sent in the chat: the moment, to the minute
    assert "&lt;script&gt;alert(&#34;nomor&#34;)&lt;/script&gt;" in lppdes and "<script>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; tanda tangan" in lppdes and "<img" not in html


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("tahun=20x4", "Tahun '20x4' tidak bisa dibaca"),
        ("tahun=1999", "Tahun '1999' tidak bisa dibaca"),
        ("per=2024-13-01", "Tanggal '2024-13-01' tidak bisa dibaca"),
        ("per=kemarin", "Tanggal 'kemarin' tidak bisa dibaca"),
        ("tahun=2024&per=24-09-2024", "Tanggal '24-09-2024' tidak bisa dibaca"),
    ],
)
async def test_a_year_or_date_that_cannot_be_read_is_a_kind_400(dash: Dash, query: str, says: str):
    client = await dash.client_for(dash.people["Bu Staf Jatiroto"])
    status, text, _ = await dash.get(client, f"{ROJOPOLO_PAGE}?{query}")
    assert status == 400 and says in unescape(message(text))


async def _file_id(dash: Dash) -> int:
    async with dash.app.sessions() as session:
        file_id = await session.scalar(SubmissionFile.__table__.select().with_only_columns(SubmissionFile.id))
    assert file_id is not None
    return file_id
