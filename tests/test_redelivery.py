"""Redelivery: Telegram gives the same update again (same update_id) when it did not learn that it was handled — a
crash before the next getUpdates confirmed the offset, a lost webhook answer. The second delivery changes nothing
and is not answered again: no second page, submission, receipt, verdict, or invitation use."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.storage import minimal_pdf
from models.tables import AuditEntry, Base, Draft, ProcessedUpdate, Submission, SubmissionFile
from tests.world import JATIROTO, JPEG, ROJOPOLO, Role, World, send_rkpdes


async def counts(world: World) -> dict[str, int]:
    """Rows per table, but for the record of handled updates itself."""
    async with world.app.sessions() as session:
        return {
            name: await session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
            if name != ProcessedUpdate.__tablename__
        }


def bot_messages(world: World) -> int:
    return sum(len(chat.messages) for chat in world.sandbox._chats.values()) + len(world.sandbox.answers)


async def redeliver(world: World, update_id: int) -> None:
    world.sandbox.redeliver(update_id)
    await world.sandbox.settle()


async def test_a_page_delivered_twice_is_one_page(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text("/kirim")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.send_photo(JPEG)
    await sekdes.expect("Halaman diterima (1 berkas)")
    page = world.sandbox.last_update_id
    await redeliver(world, page)
    [(draft,)] = await world.rows(select(Draft.data))
    assert len(draft["files"]) == 1
    await sekdes.send_photo(JPEG + b"page two")
    await sekdes.expect("Halaman diterima (2 berkas)")
    await sekdes.press("k:next")
    await sekdes.press("k:d:0")
    await sekdes.press("k:skip")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")
    assert len(await world.rows(select(SubmissionFile.id))) == 2


async def test_a_date_delivered_twice_does_not_become_the_nomor(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text("/kirim")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.send_document(minimal_pdf(b"x" * 500), "rkpdes.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text("27/09/2024")
    await sekdes.expect("Nomor dokumennya")
    before = len(sekdes.messages)
    await redeliver(world, world.sandbox.last_update_id)
    assert len(sekdes.messages) == before  # not answered again
    await sekdes.send_text("5 Tahun 2024")
    await sekdes.expect("Periksa dulu")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")
    assert await world.rows(select(Submission.nomor)) == [("5 Tahun 2024",)]


async def test_every_update_of_a_season_delivered_again_changes_nothing(world):
    """A submission, a rejection with its reason, a second submission, an acceptance, an invitation: then every one
    of those updates again, in order. Not one row, not one message more."""
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await send_rkpdes(world, sekdes)
    await staf.expect("Dokumen masuk")
    await staf.press("❌ Tolak")
    await staf.send_text("Lampiran belum ditandatangani")
    await sekdes.expect("ditolak")
    await send_rkpdes(world, sekdes, data=minimal_pdf(b" corrected"))
    await staf.expect("Dokumen masuk")
    await staf.press("✅ Terima")
    await sekdes.expect("diterima kecamatan")
    await world.join(102, "Budi", Role.PENDAMPING, ROJOPOLO, "Pendamping")
    await world.sandbox.settle()
    before, messages = await counts(world), bot_messages(world)
    audit_before = await world.rows(select(func.count()).select_from(AuditEntry))
    for update_id in range(1, world.sandbox.last_update_id + 1):
        world.sandbox.redeliver(update_id)
    await world.sandbox.settle()
    assert await counts(world) == before
    assert await world.rows(select(func.count()).select_from(AuditEntry)) == audit_before
    assert bot_messages(world) == messages


async def test_a_refused_update_delivered_again_is_not_answered_again_and_changes_nothing(world):
    """A refusal was answered: its work is undone but the update counts as handled, so a redelivery (a message, a
    forged press) gets no second answer — and the conversation goes on where it stood."""
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text("/kirim")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.send_document(minimal_pdf(b"rkpdes"), "rkpdes.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text("kemarin lusa")
    await sekdes.expect("bukan tanggal")
    refused_text = world.sandbox.last_update_id
    press = await sekdes.press_callback(sekdes.last, "v:a:1")
    assert "tidak punya hak" in ((await world.sandbox.answer_to(press)).text or "")
    await world.sandbox.settle()
    refused_press = world.sandbox.last_update_id
    before, messages = await counts(world), bot_messages(world)
    await redeliver(world, refused_text)
    await redeliver(world, refused_press)
    assert bot_messages(world) == messages  # not answered again
    assert await counts(world) == before
    await sekdes.send_text("27/09/2024")
    await sekdes.expect("Nomor dokumennya")
