"""The bot reads the document sent with /kirim and proposes what it read, on both channels (issue 21).

Played by people on Telegram (the Bot API sandbox) and WhatsApp (signed webhooks, the Graph sandbox) against the real
bot serving both, as tests/test_scenarios.py does: the file is a Perdes with a text layer made by fpdf2
(tests/perdes.py); photos of its pages are read by OCR when Tesseract is installed.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import select

from bot.chat.actions import KirimObligation, encode
from bot.i18n import t
from bot.reading import ocr
from models.tables import Role, Submission
from tests.perdes import perdes_pdf, photo_of
from tests.test_scenarios import CHANNELS, head, join, words
from tests.world import JATIROTO, ROJOPOLO

RKPDES = perdes_pdf("Rojopolo", "RKPDES", 2025, 5, 2024, "27 September 2024")
APBDES = perdes_pdf("Rojopolo", "APBDES", 2025, 9, 2024, "20 September 2024")
PROPOSAL = "Saya membaca: Perdes Nomor 5 Tahun 2024, ditetapkan 27 September 2024. Benar?"


async def start_rkpdes(world, sekdes, data: bytes) -> None:
    await sekdes.say("/kirim")
    await sekdes.expect(head("kirim.choose"))
    await sekdes.press(encode(KirimObligation(await world.obligation_id(ROJOPOLO, "RKPDES", 2025))))
    await sekdes.expect(head("kirim.send_file"))
    await sekdes.send_file(data, "Perdes RKPDes 2025.pdf", "application/pdf")


async def penetapan(world) -> list[tuple[date, str | None]]:
    return await world.rows(select(Submission.tanggal_penetapan, Submission.nomor))


@pytest.mark.parametrize("channel", CHANNELS)
async def test_what_was_read_is_proposed_and_right_takes_it(wa_world, channel):
    staf = await join(wa_world, "telegram", 501, "Bu Kasi", Role.STAF, JATIROTO)
    sekdes = await join(wa_world, channel, 502, "Siti", Role.SEKDES, ROJOPOLO)

    await start_rkpdes(wa_world, sekdes, RKPDES)
    proposal = await sekdes.expect(PROPOSAL, timeout=20)
    assert "⚠️" not in proposal.text  # the right document, year and desa: no warning
    await sekdes.press(t("button.read_right"))
    summary = await sekdes.expect(head("kirim.summary"))
    assert "27 September 2024" in summary.text and "5/2024" in summary.text
    await sekdes.press(t("button.send"))
    await sekdes.expect(head("receipt.text"))

    alert = await staf.expect(head("verif.alert"))
    assert "Terbaca dari berkas: RKPDes TA 2025 · Nomor 5/2024 · ditetapkan 27 September 2024" in alert.text
    assert words("verif.read_differs") not in alert.text  # nothing differs
    assert await penetapan(wa_world) == [(date(2024, 9, 27), "5/2024")]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_another_document_and_another_date_are_said_before_the_receipt(wa_world, channel):
    """An APBDes sent as the RKPDes: warned at once; the date typed instead of the file's: warned at the summary,
    with the choice to take the file's. The typed values stay what counts; staf see both."""
    staf = await join(wa_world, "whatsapp", 501, "Bu Kasi", Role.STAF, JATIROTO)
    sekdes = await join(wa_world, channel, 502, "Siti", Role.SEKDES, ROJOPOLO)

    await start_rkpdes(wa_world, sekdes, APBDES)
    proposal = await sekdes.expect("Saya membaca:", timeout=20)
    assert "tampaknya APBDes TA 2025, padahal yang Anda pilih RKPDes TA 2025" in proposal.text
    assert "Perdes Nomor 9 Tahun 2024, ditetapkan 20 September 2024" in proposal.text
    await sekdes.press(t("button.read_change"))
    await sekdes.expect(head("kirim.ask_date"))
    await sekdes.say("25/09/2024")
    await sekdes.expect(head("kirim.ask_nomor"))
    await sekdes.say("9 Tahun 2024")  # the same nomor, typed as people type it
    summary = await sekdes.expect(head("kirim.summary"))
    assert "tampaknya APBDes TA 2025" in summary.text
    assert "(25 September 2024) berbeda dengan yang tertulis di berkas (20 September 2024)" in summary.text
    assert "Nomor yang Anda isi" not in summary.text  # "9 Tahun 2024" is 9/2024
    await sekdes.press(t("button.send"))
    await sekdes.expect(head("receipt.text"))

    alert = await staf.expect(head("verif.alert"))
    assert "Terbaca dari berkas: APBDes TA 2025 · Nomor 9/2024 · ditetapkan 20 September 2024" in alert.text
    assert "Berbeda dengan isian pengirim: tanggal penetapan diisi 25 September 2024; dipilih RKPDes TA 2025" in (
        alert.text
    )
    assert await penetapan(wa_world) == [(date(2024, 9, 25), "9 Tahun 2024")]  # what she typed counts


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_file_s_date_can_be_taken_at_the_summary(wa_world, channel):
    sekdes = await join(wa_world, channel, 502, "Siti", Role.SEKDES, ROJOPOLO)
    await start_rkpdes(wa_world, sekdes, RKPDES)
    await sekdes.expect(PROPOSAL, timeout=20)
    await sekdes.say("26/09/2024")  # typed instead of pressing Benar or Ubah: the date given
    await sekdes.expect(head("kirim.ask_nomor"))
    await sekdes.press(t("button.skip"))
    summary = await sekdes.expect(head("kirim.summary"))
    assert "Nomor yang Anda isi (—) berbeda dengan yang tertulis di berkas (5/2024)" in summary.text
    await sekdes.press(t("button.use_read"))
    summary = await sekdes.expect("Tanggal penetapan: 27 September 2024")  # the summary again, with the file's
    assert "Nomor: 5/2024" in summary.text
    assert words("kirim.read_differs_date") not in summary.text
    await sekdes.press(t("button.send"))
    await sekdes.expect(head("receipt.text"))
    assert await penetapan(wa_world) == [(date(2024, 9, 27), "5/2024")]


async def test_a_pressed_right_twice_is_told_stale_and_changes_nothing(wa_world):
    sekdes = await join(wa_world, "telegram", 502, "Siti", Role.SEKDES, ROJOPOLO)
    await start_rkpdes(wa_world, sekdes, RKPDES)
    proposal = await sekdes.expect(PROPOSAL, timeout=20)
    await sekdes.press(t("button.read_right"))
    await sekdes.expect(head("kirim.summary"))
    query = await sekdes.user.press_callback(proposal, "k:ok", t("button.read_right"))  # a double tap, raced
    answer = await wa_world.telegram.answer_to(query)
    assert answer.text == t("chat.stale_button")
    await sekdes.press(t("button.cancel"))
    await sekdes.expect(t("chat.cancelled"))
    assert await penetapan(wa_world) == []


async def test_with_reading_off_the_date_is_asked_as_before(wa_world):
    wa_world.app.settings.reading.enabled = False
    sekdes = await join(wa_world, "whatsapp", 502, "Siti", Role.SEKDES, ROJOPOLO)
    await start_rkpdes(wa_world, sekdes, RKPDES)
    asked = await sekdes.expect(head("kirim.ask_date"))
    assert "Saya membaca" not in asked.text


async def test_a_file_that_cannot_be_read_goes_on_as_before(wa_world):
    """An encrypted PDF: nothing is proposed, nothing fails; the secretary gives the date."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(RKPDES)))
    writer.encrypt("rahasia", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    sekdes = await join(wa_world, "telegram", 502, "Siti", Role.SEKDES, ROJOPOLO)
    await start_rkpdes(wa_world, sekdes, locked.getvalue())
    asked = await sekdes.expect(head("kirim.ask_date"), timeout=20)
    assert "Saya membaca" not in asked.text


needs_ocr = pytest.mark.skipif(
    not ocr.available() and os.environ.get("KLAMBI_TEST_REQUIRE_OCR") != "1",
    reason="Tesseract with its Indonesian data is not installed (README: Reading scans and photos)",
)


@needs_ocr
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # OCR is the same on either database
@pytest.mark.parametrize("channel", CHANNELS)
async def test_photos_of_the_pages_are_read_when_lanjut_is_pressed(wa_world, channel):
    sekdes = await join(wa_world, channel, 502, "Siti", Role.SEKDES, ROJOPOLO)
    await sekdes.say("/kirim")
    await sekdes.expect(head("kirim.choose"))
    await sekdes.press(encode(KirimObligation(await wa_world.obligation_id(ROJOPOLO, "RKPDES", 2025))))
    await sekdes.expect(head("kirim.send_file"))
    for page in (0, 1):
        data = photo_of(RKPDES, page)
        if channel == "telegram":
            await sekdes.user.send_photo(data)
        else:
            await sekdes.person.send_image(data)
        received = await sekdes.expect(head("kirim.file_received"))
        if page == 0:  # sent as a photo, the app shrank it: the hint to send a scan as a document
            app = "Telegram" if channel == "telegram" else "WhatsApp"
            assert f"Tips: {app} memperkecil foto" in received.text
    await sekdes.press(t("button.next"))
    await sekdes.expect(PROPOSAL, timeout=120)
