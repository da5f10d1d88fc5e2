"""Files in and out (issue 15): sent on the way they came, checked as documented, downloaded within the limit."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date

import pytest
from alembic import command
from sqlalchemy import select

from bot.db import alembic_config, upgrade
from bot.services.calendar import load_calendar
from bot.services.places import import_area
from bot.services.records import RecordRequest, record_document
from bot.storage import StoredFile, sniff_mime_type
from models.tables import SubmissionFile
from scheduler.sweep import sweep
from tests.world import JATIROTO, JPEG, PDF, ROJOPOLO, SUKOSARI, Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"scan" * 400
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>{more}</Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'


def package(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCUMENT = {"_rels/.rels": "<Relationships/>", "word/document.xml": "<w:document/>"}
DOCX = package({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCX_MAIN, more=""), **DOCUMENT})


async def start_kirim(world, sekdes) -> None:
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.expect("Kirim berkas RKPDes TA 2025")


async def finish_kirim(sekdes) -> None:
    await sekdes.press("k:next")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text("27/09/2024")
    await sekdes.expect("Nomor dokumennya")
    await sekdes.press("k:skip")
    await sekdes.expect("Periksa dulu")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")


async def arsip(world, user, desa: str, version_label: str) -> list:
    """The messages /arsip sends for the first version of `desa`'s RKPDes 2025."""
    await user.send_text("/arsip")
    await user.expect("Desa mana")
    await user.press(desa)
    await user.expect("Dokumen mana")
    await user.press("RKPDes TA 2025")
    await user.expect("Versi mana")
    before = len(user.messages)
    await user.press(version_label)
    await user.expect("versi 1")
    await world.sandbox.settle()
    return [m for m in user.messages[before:] if m.document is not None or m.photo is not None]


# --- item 5: a file goes on the way it came --------------------------------------------------------------------


async def test_a_png_sent_as_a_document_reaches_staf_as_a_document_and_arsip_sends_it(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await start_kirim(world, sekdes)
    scan = await sekdes.send_document(PNG, "halaman 1.png", "image/png")
    await sekdes.expect("Halaman diterima (1 berkas)")
    photo = await sekdes.send_photo(JPEG)
    await sekdes.expect("Halaman diterima (2 berkas)")
    await finish_kirim(sekdes)
    await staf.expect("Dokumen masuk")
    await world.sandbox.settle()
    document_id, photo_id = scan.document["file_id"], photo.photo[-1]["file_id"]
    alert = [m for m in staf.messages if m.document is not None or m.photo is not None]
    assert [m.document["file_id"] if m.document else m.photo[-1]["file_id"] for m in alert] == [document_id, photo_id]
    assert alert[0].document is not None and alert[1].photo is not None
    kinds = await world.rows(select(SubmissionFile.telegram_kind).order_by(SubmissionFile.position))
    assert [k for (k,) in kinds] == ["document", "photo"]

    back = await arsip(world, staf, "Rojopolo", "v1 · menunggu verifikasi · masuk 27 September 2024 · 2 berkas")
    assert [bool(m.document) for m in back] == [True, False]
    assert world.sandbox.downloaded(back[0].document["file_id"]) == PNG

    await staf.send_text("/verifikasi")
    await staf.expect("Menunggu verifikasi (1)")
    await world.sandbox.settle()
    listed = [m for m in staf.messages[-4:] if m.document is not None or m.photo is not None]
    assert [bool(m.document) for m in listed] == [True, False]


async def test_a_paper_scan_sent_as_a_document_is_given_back_by_arsip(world):
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await staf.send_text("/catat")
    await staf.press("Sukosari")
    await staf.press(f"c:o:{await world.obligation_id(SUKOSARI, 'RKPDES', 2025)}")
    await staf.expect("Tanggal penetapan dokumen kertas")
    await staf.send_text("25/09/2024")
    await staf.press("c:r:0")
    await staf.expect("Kirim pindaian")
    await staf.send_document(PNG, "pindaian.png", "image/png")
    await staf.expect("(1 berkas)")
    await staf.press("c:f")
    await staf.press("c:s")
    await staf.expect("Tercatat")
    back = await arsip(world, staf, "Sukosari", "v1 · diterima · masuk 27 September 2024 · 1 berkas")
    assert len(back) == 1 and back[0].document is not None
    assert world.sandbox.downloaded(back[0].document["file_id"]) == PNG


# --- item 10: files are what they claim, one kind per version, within the limit ---------------------------------


@pytest.mark.parametrize(
    "data",
    [
        package({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCM_MAIN, more=VBA), **DOCUMENT,
                 "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}),
        package({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCX_MAIN, more=VBA), **DOCUMENT,
                 "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}),
        package({"word/document.xml": "<w:document/>", "setup.exe": b"MZ\x90\x00"}),
        package({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCX_MAIN, more=""), **DOCUMENT,
                 "setup.exe": b"MZ\x90\x00"}),
        b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n",
        b"%PDF-1.7\n<html><body>startxref 0</body></html>\n%%EOF\n",
    ],
    ids=["docm-renamed", "docx-with-vbaproject", "zip-with-exe", "docx-with-exe", "pdf-then-html", "pdf-fake-xref"],
)  # fmt: skip
async def test_a_file_that_only_looks_like_a_document_is_refused(world, data):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await start_kirim(world, sekdes)
    await sekdes.send_document(data, "Perdes RKPDes 2025.docx")
    await sekdes.expect("Jenis berkas ini tidak bisa diterima")
    assert await world.rows(select(SubmissionFile.id)) == []
    await sekdes.send_document(DOCX, "Perdes RKPDes 2025.docx")
    await sekdes.expect("Tanggal penetapan")  # a real Word document is taken


@pytest.mark.parametrize("second", [(PDF, "lampiran.pdf"), (DOCX, "lampiran.docx")], ids=["pdf", "docx"])
async def test_a_pdf_or_docx_after_a_photo_is_refused_with_the_rule(world, second):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await start_kirim(world, sekdes)
    await sekdes.send_photo(JPEG)
    await sekdes.expect("Halaman diterima (1 berkas)")
    await sekdes.send_document(*second)
    await sekdes.expect("satu PDF/DOCX, atau sebagai foto halaman-halamannya, tidak dicampur")
    await sekdes.send_photo(JPEG + b"2")
    await sekdes.expect("Halaman diterima (2 berkas)")


async def test_a_scan_pdf_after_a_photo_is_refused_in_a_paper_record(world):
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await staf.send_text("/catat")
    await staf.press("Sukosari")
    await staf.press(f"c:o:{await world.obligation_id(SUKOSARI, 'RKPDES', 2025)}")
    await staf.send_text("25/09/2024")
    await staf.press("c:r:0")
    await staf.expect("Kirim pindaian")
    await staf.send_photo(JPEG)
    await staf.expect("(1 berkas)")
    await staf.send_document(PDF, "pindaian.pdf")
    await staf.expect("tidak dicampur")


async def test_the_31st_photo_is_refused_in_words_about_pages(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await start_kirim(world, sekdes)
    for page in range(1, 31):
        await sekdes.send_photo(JPEG + bytes([page]))
        await sekdes.expect(f"Halaman diterima ({page} berkas)")
    await sekdes.send_photo(JPEG + b"31")
    refusal = await sekdes.expect("Paling banyak 30 foto halaman")
    assert "karakter" not in refusal.text
    await finish_kirim(sekdes)
    assert len(await world.rows(select(SubmissionFile.id))) == 30


async def test_a_file_larger_than_announced_is_cut_off_at_the_limit(world):
    world.app.settings.storage.max_file_mb = 2
    world.sandbox.file_size_limit = 64 * 2**20  # a self-hosted Bot API server serves large files
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await start_kirim(world, sekdes)
    data = PDF + b"0" * (25 * 2**20)
    big = await sekdes.send_document(data, "kecil.pdf", file_size=2048)
    refusal = await sekdes.expect("lebih besar dari batas 2 MB")
    assert "0,0 MB" not in refusal.text
    [(file_id, served)] = world.sandbox.served
    assert file_id == big.document["file_id"]
    assert served < len(data) // 2  # stopped reading at the limit (plus what the sockets buffer), not at the end
    assert not list((world.app.files.root / "incoming").iterdir())
    assert await world.rows(select(SubmissionFile.id)) == []


@pytest.mark.parametrize("status", [502, 404, 403])
async def test_a_download_answered_by_a_proxy_error_page_is_answered_kindly(world, caplog, status):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await start_kirim(world, sekdes)
    caplog.set_level(logging.INFO)
    world.sandbox.download_failure = (status, f"<html><body><h1>{status}</h1>nginx</body></html>")
    await sekdes.send_document(PDF, "rkpdes.pdf")
    await sekdes.expect("Berkas gagal diunduh")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    world.sandbox.download_failure = None
    await sekdes.send_document(PDF, "rkpdes.pdf")
    await sekdes.expect("Tanggal penetapan")


# --- sniffing stays bounded -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crowded_zips(tmp_path_factory):
    """A Word document with 180,000 extra entries (zip64) and one with 60,000 (a plain zip)."""
    folder = tmp_path_factory.mktemp("zips")
    paths = []
    for count in (180_000, 60_000):
        path = folder / f"{count}.docx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=DOCX_MAIN, more=""))
            for name, content in DOCUMENT.items():
                archive.writestr(name, content)
            for number in range(count):
                archive.writestr(f"word/media/{number}.xml", b"")
        paths.append(path)
    return paths


def test_a_zip_with_too_many_entries_is_refused_without_reading_its_directory(crowded_zips, monkeypatch, tmp_path):
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a) or real(*a, **k))
    for path in crowded_zips:
        assert sniff_mime_type(path) is None
    assert opened == []  # refused from the end record: zipfile never parsed the 180,000 entries
    small = tmp_path / "ok.docx"
    small.write_bytes(DOCX)
    assert sniff_mime_type(small) == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert len(opened) == 1


# --- migration 0008 ---------------------------------------------------------------------------------------------


async def test_migration_0008_fills_in_how_earlier_files_came(app):
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, app.clock.now(), [2025], await load_calendar(session))
    stored = (
        StoredFile("a" * 64, "files/aa/a", 10, "image/jpeg", None, "AgAC-photo", "photo"),
        StoredFile("b" * 64, "files/bb/b", 10, "image/png", "scan.png", "BQAC-png", "document"),
        StoredFile("c" * 64, "files/cc/c", 10, "application/pdf", "perdes.pdf", "BQAC-pdf", "document"),
        StoredFile("d" * 64, "files/dd/d", 10, "image/jpeg"),  # recorded from the CLI: never in Telegram
    )
    async with app.sessions() as session, session.begin():
        request = RecordRequest(ROJOPOLO, "RKPDES", 2025, date(2024, 9, 20), stored_files=stored)
        await record_document(session, request, app.clock.now(), app.files)

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")

    async with app.engine.begin() as connection:
        await connection.run_sync(downgrade)
    await upgrade(app.engine)
    async with app.sessions() as session:
        kinds = (await session.execute(select(SubmissionFile.telegram_kind).order_by(SubmissionFile.position))).all()
    assert [k for (k,) in kinds] == ["photo", "document", "document", None]


@pytest.mark.parametrize("as_photo", [False, True], ids=["png-document", "photo"])
async def test_an_announcement_file_goes_out_the_way_it_came(world, as_photo):
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await staf.send_text("/umumkan")
    await staf.expect("Pengumuman untuk Kecamatan Jatiroto")
    if as_photo:
        await staf.send_photo(JPEG, caption="Denah balai desa")
    else:
        await staf.send_document(PNG, "denah.png", "image/png", caption="Denah balai desa")
    await staf.expect("Untuk desa mana")
    await staf.press("n:g")
    await staf.expect("Periksa dulu pengumumannya")
    await staf.press("n:s")
    await staf.expect("sedang dikirim")
    await sweep(world.app, world.transports)
    got = await siti.expect("Denah balai desa")
    assert (got.photo is not None) == as_photo and (got.document is not None) != as_photo
