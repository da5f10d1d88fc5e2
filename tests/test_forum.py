"""The forum half end to end against the sandbox, on both databases: announcements, problems, questions, meetings."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.chat.messages import Sender
from bot.errors import InputError
from bot.services.audit import Actor
from bot.services.calendar import load_calendar
from bot.services.contacts import known_person
from bot.services.forum import create_announcement
from bot.services.people import active_grants
from bot.services.places import import_area
from models.tables import (
    Announcement,
    AnnouncementRecipient,
    ForumReply,
    ForumThread,
    Kecamatan,
    Meeting,
    MeetingInvitee,
    OutboxMessage,
    OutboxStatus,
    Role,
    ThreadStatus,
)
from reports.tables import gather
from reports.workbook import workbook_bytes
from scheduler.sweep import sweep
from tests.conftest import WIB
from tests.world import JATIROTO, KALIBOTO_LOR, PDF, ROJOPOLO, SUKOSARI

FORUM_CHAT = -1009876543210


async def _link_forum(world) -> None:
    async with world.app.sessions() as session, session.begin():
        (await session.get(Kecamatan, JATIROTO)).forum_chat_id = FORUM_CHAT


async def _count(world, table) -> int:
    return (await world.rows(select(func.count()).select_from(table)))[0][0]


async def test_an_announcement_reaches_the_chosen_desa_and_the_sender_sees_who_read_it(world):
    await _link_forum(world)
    forum = world.sandbox.group(FORUM_CHAT, "Forum Sekdes Jatiroto")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    budi = await world.join(301, "Budi", Role.PENDAMPING, ROJOPOLO, "Pendamping Rojopolo")
    wahyu = await world.join(105, "Wahyu", Role.SEKDES, SUKOSARI, "Sekdes Sukosari")

    await staf.send_text("/umumkan")
    await staf.expect("Pengumuman untuk Kecamatan Jatiroto")
    await staf.send_text("Mohon <b>RKPDes</b> diunggah sebelum 13 September & *jangan* terlambat.")
    audience = await staf.expect("Untuk desa mana")
    assert "☑️ Rojopolo" in [text for row in audience.buttons for text, _ in row]
    await staf.press("n:a")  # everyone off
    await staf.press(f"n:t:{ROJOPOLO}")
    await staf.press("n:g")
    check = await staf.expect("Periksa dulu pengumumannya")
    assert "Untuk: Rojopolo — 2 orang" in check.text and "grup forum" not in check.text
    await staf.press("n:s")
    await staf.expect("Pengumuman #1 sedang dikirim ke 2 orang")

    got = await siti.expect("Pengumuman #1 — Kecamatan Jatiroto")  # at once: the commit woke the courier
    assert "Mohon <b>RKPDes</b> diunggah sebelum 13 September & *jangan* terlambat." in got.text  # shown as typed
    assert "Kasi Pem (Staf Kecamatan)" in got.text
    await budi.expect("Pengumuman #1")
    await world.bot.bot_data["courier"].idle()
    announced = (OutboxMessage.subject_type == "announcement") & (OutboxMessage.status == OutboxStatus.SENT)
    assert await world.rows(select(func.count()).select_from(OutboxMessage).where(announced)) == [(2,)]
    await world.sandbox.settle()
    assert not [m for m in wahyu.messages if "Pengumuman" in m.text] and not forum.messages

    await siti.press("n:r:1")
    await world.sandbox.settle()
    assert "tercatat sudah dibaca" in world.sandbox.answers[-1].text
    await siti.press_callback(got, "n:r:1")  # a double tap
    await world.sandbox.settle()
    assert "Sudah tercatat dibaca" in world.sandbox.answers[-1].text
    read = await world.rows(select(AnnouncementRecipient.read_at).where(AnnouncementRecipient.read_at.is_not(None)))
    assert len(read) == 1
    await wahyu.press_callback(got, "n:r:1")  # not a recipient
    await world.sandbox.settle()
    assert "tidak punya hak" in world.sandbox.answers[-1].text

    await staf.send_text("/pengumuman")
    listing = await staf.expect("Pengumuman terakhir")
    assert "2 penerima: 1 sudah dibaca, 1 terkirim belum dibaca, 0 menunggu giliran, 0 tidak bisa dihubungi" in (
        listing.text
    )
    await staf.press("n:d:1")
    detail = await staf.expect("Pengumuman #1:")
    assert "✅ Siti — Sekretaris Desa Rojopolo: dibaca" in detail.text
    assert "📬 Budi — Pendamping Desa Rojopolo: terkirim, belum dibaca" in detail.text

    # To every desa, with a file: the forum group gets it too; someone who blocked the bot is reported.
    wahyu.blocked = True
    await staf.send_text("/umumkan")
    await staf.expect("Pengumuman untuk Kecamatan Jatiroto")
    await staf.send_document(PDF, "Jadwal APBDes.pdf", "application/pdf", caption="Jadwal penyusunan APBDes 2025")
    await staf.expect("Untuk desa mana")
    await staf.press("n:g")
    check = await staf.expect("Periksa dulu pengumumannya")
    assert "Semua desa (6)" in check.text and "grup forum" in check.text and "Lampiran: Jadwal APBDes.pdf" in check.text
    await staf.press("n:s")
    await staf.expect("Pengumuman #2 sedang dikirim ke 3 orang dan grup forum")
    await sweep(world.app, world.transports)
    posted = await forum.expect("Pengumuman #2")
    assert posted.document is not None and not posted.buttons and "Siti" not in posted.text
    with_file = await siti.expect("Jadwal penyusunan APBDes 2025")
    assert world.sandbox.downloaded(with_file.document["file_id"]) == PDF
    await siti.press("n:r:2")  # the button on a captioned file
    await world.sandbox.settle()
    assert "tercatat sudah dibaca" in world.sandbox.answers[-1].text
    await staf.send_text("/pengumuman")
    await staf.press("n:d:2")
    detail = await staf.expect("Pengumuman #2:")
    assert "⚠️ Wahyu — Sekretaris Desa Sukosari: tidak bisa dihubungi" in detail.text
    assert "Desa tanpa sekdes atau pendamping di bot:" in detail.text and "Kaliboto Lor" in detail.text
    assert "Juga dikirim ke grup forum" in detail.text


async def test_a_sekdes_cannot_announce_and_a_pendamping_reaches_only_their_desa(world):
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    wahyu = await world.join(105, "Wahyu", Role.SEKDES, SUKOSARI, "Sekdes Sukosari")
    budi = await world.join(301, "Budi", Role.PENDAMPING, ROJOPOLO, "Pendamping Rojopolo")
    before = await _count(world, OutboxMessage)
    await siti.send_text("/umumkan")
    await siti.expect("tidak punya hak")
    await siti.send_text("/pengumuman")
    await siti.expect("tidak punya hak")

    await budi.send_text("/umumkan")
    await budi.expect("Pengumuman untuk Kecamatan Jatiroto")
    await budi.send_text("Besok pendampingan di balai desa.")
    check = await budi.expect("Periksa dulu pengumumannya")  # one desa: nothing to choose
    assert "Untuk: Rojopolo — 1 orang" in check.text
    await budi.press_callback(check, f"n:t:{SUKOSARI}", "forged")
    await world.sandbox.settle()
    assert "tidak berlaku" in world.sandbox.answers[-1].text
    await budi.press("n:s")
    await budi.expect("Pengumuman #1 sedang dikirim ke 1 orang")
    await sweep(world.app, world.transports)
    await siti.expect("Dari: Budi (Pendamping Desa)")
    await world.sandbox.settle()
    assert not [m for m in wahyu.messages if "Pengumuman" in m.text]
    assert await _count(world, OutboxMessage) == before + 1

    # The service refuses another desa even when called directly (a forged draft).
    async with world.app.sessions() as session:
        person = await known_person(session, Sender("telegram", "301", "301"))
        grants = await active_grants(session, person.id)
        with pytest.raises(InputError) as refused:
            await create_announcement(session, person, grants, JATIROTO, "x", [SUKOSARI], None, world.clock.now(),
                                      actor=Actor(person.id, "telegram"))  # fmt: skip
        assert refused.value.key == "chat.not_allowed"
        await session.rollback()
    assert await _count(world, AnnouncementRecipient) == 1


async def test_a_problem_is_reported_answered_and_closed_and_lands_in_the_recap(world):
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    camat = await world.join(401, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    rkpdes = await world.obligation_id(ROJOPOLO, "RKPDES", 2025)

    await siti.send_text("/kendala")
    await siti.expect("Kendala Desa Rojopolo: tentang dokumen mana")
    await siti.press(f"kd:o:{rkpdes}")
    await siti.expect("Ceritakan kendalanya")
    await siti.send_text("x" * 2001)
    await siti.expect("paling banyak 2000")
    assert await _count(world, ForumThread) == 0
    await siti.send_text("Musdes RKPDes tertunda karena kepala desa sakit.")
    await siti.expect("Kendala #1 tercatat. 1 staf kecamatan sudah diberi tahu")
    await camat.send_text("/kendala")
    await camat.expect("tidak punya hak")

    await sweep(world.app, world.transports)
    alert = await staf.expect("Kendala #1 — Desa Rojopolo (tentang RKPDes TA 2025)")
    assert "Dari: Siti (Sekretaris Desa)" in alert.text
    await staf.send_text("/kendala")
    listing = await staf.expect("Kendala yang masih terbuka (1), per desa")
    assert "🏠 Rojopolo" in listing.text and "Musdes RKPDes tertunda" in listing.text
    await staf.press("f:j:1")
    await staf.expect("Jawaban untuk kendala #1")
    await staf.send_text("Musdes boleh dipimpin Sekdes sebagai Plh; kami bantu surat tugasnya.")
    await staf.expect("Jawaban untuk kendala #1 dikirim ke Siti")
    await sweep(world.app, world.transports)
    await siti.expect("Tanggapan kecamatan atas kendala #1")
    assert (await world.rows(select(ForumThread.status)))[0][0] is ThreadStatus.OPEN  # a problem stays open

    await staf.press_callback(listing, "f:c:1")
    await staf.expect("Tutup kendala #1")
    await staf.send_text("Musdes sudah dilaksanakan 20 September.")
    await staf.expect("Kendala #1 ditutup")
    await sweep(world.app, world.transports)
    await siti.expect("Kendala #1 (Musdes RKPDes tertunda karena kepala desa sakit.) ditutup oleh kecamatan")
    await staf.press_callback(listing, "f:c:1")  # pressed again from the old list
    await world.sandbox.settle()
    assert "Kendala #1 sudah ditutup" in world.sandbox.answers[-1].text
    await staf.send_text("/kendala")
    await staf.expect("Tidak ada kendala yang masih terbuka")

    async with world.app.sessions() as session:
        data = await gather(session, JATIROTO, 2024, world.clock.now())
    book = load_workbook(io.BytesIO(workbook_bytes(data, "id")))
    sheet = book["Kendala"]
    header = [c.value for c in sheet[4]]
    row = dict(zip(header, [c.value for c in sheet[5]], strict=True))
    assert row["Desa"] == "Rojopolo" and row["Dokumen"] == "RKPDes TA 2025" and row["Status"] == "selesai"
    assert row["Kendala"] == "Musdes RKPDes tertunda karena kepala desa sakit."
    assert (
        "Plh" in row["Tanggapan kecamatan"] and row["Catatan penyelesaian"] == "Musdes sudah dilaksanakan 20 September."
    )


async def test_a_question_is_answered_by_replying_to_its_alert(world):
    async with world.app.sessions() as session, session.begin():
        await import_area(session, "35.08.16", world.clock.now(), [2024, 2025], await load_calendar(session))
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    other = await world.join(202, "Staf Lain", Role.STAF, "35.08.16", "Staf kecamatan lain")

    await siti.send_text("/tanya Apakah APBDes perubahan juga harus diunggah?")
    await siti.expect("Pertanyaan #1 terkirim ke 1 staf kecamatan")
    await sweep(world.app, world.transports)
    alert = await staf.expect("Pertanyaan #1 — Desa Rojopolo")
    await world.sandbox.settle()
    assert not [m for m in other.messages if "Pertanyaan" in m.text]  # another kecamatan's staf hear nothing
    await other.send_text("/tanya")
    await other.expect("Tidak ada pertanyaan yang belum dijawab")
    await other.press_callback(alert, "f:j:1", "forged")
    await world.sandbox.settle()
    assert "tidak punya hak" in world.sandbox.answers[-1].text

    await staf.send_text("/tanya")
    await staf.expect("Pertanyaan yang belum dijawab (1)")
    await staf.send_text("Ya, APBDes perubahan juga diunggah lewat /kirim.", reply_to=alert)
    await staf.expect("Jawaban untuk pertanyaan #1 dikirim ke Siti")
    await sweep(world.app, world.transports)
    answer = await siti.expect("Jawaban kecamatan atas pertanyaan #1")
    assert "Ya, APBDes perubahan juga diunggah lewat /kirim." in answer.text
    await staf.send_text("/tanya")
    await staf.expect("Tidak ada pertanyaan yang belum dijawab")
    assert await _count(world, ForumReply) == 1

    await siti.send_text("/tanya")
    await siti.expect("Tulis pertanyaan Anda")
    await siti.send_text("Kapan rapat berikutnya?")
    await siti.expect("Pertanyaan #2 terkirim")


async def test_a_meeting_invites_reminds_collects_answers_and_sends_the_notulen(world):
    world.clock.set(datetime(2024, 12, 2, 10, 0, tzinfo=WIB))
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    wahyu = await world.join(105, "Wahyu", Role.SEKDES, SUKOSARI, "Sekdes Sukosari")
    budi = await world.join(301, "Budi", Role.PENDAMPING, ROJOPOLO, "Pendamping Rojopolo")
    lina = await world.join(106, "Lina", Role.SEKDES, KALIBOTO_LOR, "Sekdes Kaliboto Lor")
    await siti.send_text("/rapat")
    await siti.expect("tidak punya hak")

    await staf.send_text("/rapat")
    await staf.expect("Apa judulnya")
    await staf.send_text("Arisan sekdes — jadwal APBDes 2025")
    await staf.expect("Kapan?")
    await staf.send_text("besok pagi")
    await staf.expect("tidak bisa dibaca")
    await staf.send_text("01/12/2024 09.00")
    await staf.expect("sudah lewat")
    await staf.send_text("5 Desember 2024 pukul 9.00")
    await staf.expect("Di mana?")
    await staf.send_text("Rumah Sekdes Rojopolo")
    await staf.expect("Siapa yang diundang")
    await staf.press("m:r:pendamping")  # sekdes only
    await staf.press(f"m:t:{KALIBOTO_LOR}")  # not Kaliboto Lor
    await staf.press("m:g")
    check = await staf.expect("Periksa dulu:")
    assert "5 Desember 2024 09.00 WIB" in check.text and "2 orang" in check.text
    await staf.press("m:s")
    await staf.expect("Rapat #1 dijadwalkan. Undangan dikirim ke 2 orang")

    await sweep(world.app, world.transports)
    invitation = await siti.expect("Undangan rapat #1")
    assert "Rumah Sekdes Rojopolo" in invitation.text
    await wahyu.expect("Undangan rapat #1")
    await world.sandbox.settle()
    assert not [m for m in budi.messages + lina.messages if "Undangan rapat" in m.text]
    await siti.press("m:y:1")
    await siti.expect("Jawaban Anda untuk rapat #1: Hadir")
    await siti.press_callback(invitation, "m:y:1")
    await world.sandbox.settle()
    assert "Sudah tercatat: Hadir" in world.sandbox.answers[-1].text
    await wahyu.press("m:n:1")
    await wahyu.expect("Tidak hadir")
    await lina.press_callback(invitation, "m:y:1")  # not invited
    await world.sandbox.settle()
    assert "tidak punya hak" in world.sandbox.answers[-1].text
    answers = dict(await world.rows(select(MeetingInvitee.person_id, MeetingInvitee.answer)))
    assert sorted(answers.values(), key=str) == ["hadir", "tidak"]

    world.clock.set(datetime(2024, 12, 4, 8, 0, tzinfo=WIB))  # the day before, at the reminders' hour
    await sweep(world.app, world.transports)
    await siti.expect("besok rapat #1")
    world.clock.set(datetime(2024, 12, 5, 7, 0, tzinfo=WIB))
    await sweep(world.app, world.transports)
    reminder = await siti.expect("dua jam lagi rapat #1")
    assert "Jawaban Anda: hadir." in reminder.text
    await world.sandbox.settle()
    assert not [m for m in wahyu.messages if "Pengingat" in m.text]  # said they cannot come

    await staf.send_text("/agenda")
    agenda = await staf.expect("Agenda rapat")
    assert "1 hadir, 1 tidak hadir, 0 belum menjawab, 0 tidak bisa dihubungi" in agenda.text
    assert "m:c:1" not in [data for row in agenda.buttons for _, data in row]  # not started yet
    await staf.press("m:d:1")
    detail = await staf.expect("Rapat #1: Arisan sekdes")
    assert "✅ Siti — Sekretaris Desa Rojopolo: hadir" in detail.text

    world.clock.set(datetime(2024, 12, 5, 12, 0, tzinfo=WIB))
    await siti.press_callback(invitation, "m:n:1")  # too late to change
    await world.sandbox.settle()
    assert "sudah dimulai" in world.sandbox.answers[-1].text
    await staf.send_text("/agenda")
    await staf.press("m:c:1")
    await staf.expect("Notulen rapat #1")
    await staf.send_text("Disepakati APBDes 2025 ditetapkan paling lambat 20 Desember.")
    await staf.expect("Notulen rapat #1 dikirim ke 2 orang")
    await sweep(world.app, world.transports)
    await siti.expect("Disepakati APBDes 2025")
    await wahyu.expect("Notulen rapat #1")
    notulen_at = await world.rows(select(Meeting.notulen_at))
    assert notulen_at[0][0] is not None
    await staf.send_text("/agenda")
    agenda = await staf.expect("Agenda rapat")
    assert "m:c:1" not in [data for row in agenda.buttons for _, data in row]  # sent once


async def test_meeting_reminders_survive_a_restart(world):
    world.clock.set(datetime(2024, 12, 2, 10, 0, tzinfo=WIB))
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await staf.send_text("/rapat")
    await staf.send_text("Rapat koordinasi")
    await staf.send_text("03/12/2024 10.00")
    await world.restart_bot()  # mid-way: the draft is in the database
    await staf.send_text("Aula kecamatan")
    await staf.expect("Siapa yang diundang")
    await staf.press("m:g")
    await staf.press("m:s")
    await staf.expect("Rapat #1 dijadwalkan")
    kinds = await world.rows(select(OutboxMessage.kind).where(
        OutboxMessage.subject_type == "meeting").order_by(OutboxMessage.send_at))  # fmt: skip
    assert [k for (k,) in kinds] == ["undangan", "2 jam"]  # the day before at 08:00 is already past
    await siti.expect("Undangan rapat #1")  # sent at once by the courier the commit woke
    await world.bot.bot_data["courier"].idle()
    assert await _meeting_messages_sent(world) == ["undangan"]
    await world.restart_bot()
    world.clock.advance(timedelta(hours=22))
    await sweep(world.app, world.transports)
    await siti.expect("dua jam lagi rapat #1")
    await sweep(world.app, world.transports)
    assert await _meeting_messages_sent(world) == ["undangan", "2 jam"]  # each once


async def test_every_forum_text_is_refused_over_its_limit_and_sent_whole_at_it(world):
    world.clock.set(datetime(2024, 12, 2, 10, 0, tzinfo=WIB))
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    siti = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    rkpdes = await world.obligation_id(ROJOPOLO, "RKPDES", 2025)

    async def over_then_at(person, limit: int, letter: str, stored, accepted: str) -> None:
        """`stored`: a query of what the text would change; a refused text leaves its rows as they were."""
        before = await world.rows(stored)
        await person.send_text(letter * (limit + 1))
        await person.expect(f"paling banyak {limit}")
        assert await world.rows(stored) == before
        await person.send_text(letter * limit)  # the step is still waiting for its text
        await person.expect(accepted)

    await staf.send_text("/umumkan")
    await staf.expect("Pengumuman untuk Kecamatan Jatiroto")
    await over_then_at(staf, 3000, "a", select(Announcement.id), "Untuk desa mana")
    await staf.press("n:g")
    await staf.press("n:s")
    await staf.expect("Pengumuman #1 sedang dikirim")
    # Every text at its limit, with the bot's own words around it, still fits one message; each goes out at once.
    await siti.expect("a" * 3000)

    await siti.send_text("/tanya")
    await siti.expect("Tulis pertanyaan Anda")
    await over_then_at(siti, 2000, "q", select(ForumThread.id), "Pertanyaan #1 terkirim")
    await staf.expect("q" * 2000)
    await siti.send_text("/kendala")
    await siti.press(f"kd:o:{rkpdes}")
    await siti.expect("Ceritakan kendalanya")
    await over_then_at(siti, 2000, "k", select(ForumThread.id), "Kendala #1 tercatat")
    await staf.expect("k" * 2000)

    await staf.send_text("/tanya")
    await staf.expect("Pertanyaan yang belum dijawab (1)")
    await staf.press("f:j:1")
    await staf.expect("Jawaban untuk pertanyaan #1")
    await over_then_at(staf, 2000, "j", select(ForumReply.id), "Jawaban untuk pertanyaan #1 dikirim")
    await siti.expect("j" * 2000)
    await staf.send_text("/kendala")
    await staf.press("f:c:2")
    await staf.expect("Tutup kendala #1")
    assert (await world.rows(select(ForumThread.status).where(ForumThread.id == 2)))[0][0] is ThreadStatus.OPEN
    threads = select(ForumThread.status, ForumThread.closing_note).order_by(ForumThread.id)
    await over_then_at(staf, 2000, "c", threads, "Kendala #1 ditutup")
    await siti.expect("c" * 2000)

    await staf.send_text("/rapat")
    await staf.expect("Apa judulnya")
    await over_then_at(staf, 120, "t", select(Meeting.id), "Kapan?")
    await staf.send_text("3 Desember 2024 pukul 9.00")
    await staf.expect("Di mana?")
    await over_then_at(staf, 200, "p", select(Meeting.id), "Siapa yang diundang")
    await staf.press("m:g")
    await staf.press("m:s")
    await staf.expect("Rapat #1 dijadwalkan")
    world.clock.set(datetime(2024, 12, 3, 12, 0, tzinfo=WIB))
    await staf.send_text("/agenda")
    await staf.press("m:c:1")
    await staf.expect("Notulen rapat #1")
    assert (await world.rows(select(Meeting.notulen_at)))[0][0] is None
    await over_then_at(staf, 3500, "n", select(Meeting.notulen_at, Meeting.notulen), "Notulen rapat #1 dikirim")
    await siti.expect("n" * 3500)
    while (await sweep(world.app, world.transports)).claimed:  # the staf's morning digest, due at this hour
        pass
    await world.bot.bot_data["courier"].idle()
    due = OutboxMessage.send_at <= world.clock.now()
    gone = OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.SUPERSEDED])
    assert await world.rows(select(OutboxMessage.kind, OutboxMessage.status).where(due, ~gone)) == []


async def _meeting_messages_sent(world) -> list[str]:
    sent = (OutboxMessage.subject_type == "meeting") & (OutboxMessage.status == "sent")
    rows = await world.rows(select(OutboxMessage.kind).where(sent).order_by(OutboxMessage.sent_at))
    return [kind for (kind,) in rows]
