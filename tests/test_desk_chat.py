"""The kecamatan's desk in the chat, end to end against the sandbox on both databases."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.services.audit import Actor
from bot.services.deadlines import grant_extension
from bot.services.records import RecordRequest, record_document
from models.status import ReviewStatus
from models.tables import (
    AuditEntry,
    Channel,
    Draft,
    Obligation,
    OutboxMessage,
    Role,
    RoleAssignment,
    Submission,
    SubmissionFile,
)
from scheduler.sweep import sweep
from tests.conftest import WIB
from tests.world import JATIROTO, JPEG, PDF, ROJOPOLO, SUKOSARI, matrix_grid, send_rkpdes


async def test_tenggat_sets_the_agreed_date_for_every_desa_and_tells_them(world):
    world.clock.set(datetime(2024, 9, 2, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    sukosari_rkpdes = await world.obligation_id(SUKOSARI, "RKPDES", 2025)
    async with world.app.sessions() as session, session.begin():
        await grant_extension(session, None, None, sukosari_rkpdes, date(2024, 9, 25), "Sekdes baru", world.clock.now(),
                              actor=Actor(None, "telegram"))  # fmt: skip
    await staf.send_text("/tenggat")
    await staf.expect("Batas kesepakatan untuk dokumen mana")
    await staf.press("t:o:RKPDES:2025")
    await staf.expect("Tanggal kesepakatan untuk RKPDes TA 2025 (batas waktu peraturan 30 September 2024)")
    await staf.send_text("13/09/2024")
    done = await staf.expect("Batas kesepakatan RKPDes TA 2025: 13 September 2024 untuk 5 desa")
    assert "Tetap dengan perpanjangannya: Sukosari" in done.text and "1 orang diberi tahu" in done.text
    agreed = dict(await world.rows(select(Obligation.desa_kode, Obligation.agreed_date).where(
        Obligation.document_code == "RKPDES", Obligation.tahun_anggaran == 2025)))  # fmt: skip
    assert agreed[ROJOPOLO] == date(2024, 9, 13) and agreed[SUKOSARI] == date(2024, 9, 25)
    await sweep(world.app, world.transports)
    await sekdes.expect("Batas kesepakatan baru: RKPDes TA 2025 Desa Rojopolo paling lambat 13 September 2024")
    rojopolo = str(await world.obligation_id(ROJOPOLO, "RKPDES", 2025))
    planned = await world.rows(select(OutboxMessage.kind, OutboxMessage.for_date).where(
        OutboxMessage.subject_id == rojopolo, OutboxMessage.status == "planned"))  # fmt: skip
    assert ("H", date(2024, 9, 13)) in [tuple(r) for r in planned]
    legal = await world.rows(select(Obligation.legal_deadline).where(Obligation.id == int(rojopolo)))
    assert legal == [(date(2024, 9, 30),)]


async def test_catat_records_a_paper_document_with_its_photos(world):
    sekdes = await world.join(105, "Wahyu", Role.SEKDES, SUKOSARI, "Sekdes Sukosari")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await staf.send_text("/catat")
    await staf.expect("Desa mana")
    await staf.press("Sukosari")
    await staf.expect("Dokumen mana")
    await staf.press(f"c:o:{await world.obligation_id(SUKOSARI, 'RKPDES', 2025)}")
    await staf.expect("Tanggal penetapan dokumen kertas")
    await staf.send_text("30 Sep 2024")
    await staf.expect("belum terjadi")
    await staf.send_text("25/09/2024")
    await staf.expect("Tanggal diterima kecamatan")
    await staf.send_text("24/09/2024")
    await staf.expect("tidak bisa sebelum tanggal penetapan")
    await staf.press("c:r:0")  # Hari ini: 27 September
    await staf.expect("Kirim pindaian")
    await staf.send_photo(JPEG)
    await staf.expect("(1 berkas)")
    await staf.press("c:f")
    await staf.expect("Periksa dulu (dokumen kertas)")
    await staf.press("c:s")
    saved = await staf.expect("Tercatat: RKPDes TA 2025 Desa Sukosari, versi 1, diterima 27 September 2024")
    assert "Tepat waktu" in saved.text
    await sekdes.expect("Kecamatan mencatat RKPDes TA 2025 Desa Sukosari yang diserahkan di atas kertas")
    [(channel, status, reviewer)] = await world.rows(
        select(Submission.channel, Submission.review_status, Submission.reviewed_by_id)
    )
    assert (channel, status) == (Channel.PAPER, ReviewStatus.ACCEPTED) and reviewer is not None
    [(mime,)] = await world.rows(select(SubmissionFile.mime_type))
    assert mime == "image/jpeg"
    assert ("submission.record",) in await world.rows(select(AuditEntry.action))


async def test_koreksi_undoes_a_wrong_verdict_and_keeps_both_in_the_audit(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await send_rkpdes(world, sekdes)
    await staf.expect("Dokumen masuk")
    await staf.press("✅ Terima")
    await sekdes.expect("diterima kecamatan")
    await staf.send_text("/koreksi")
    listing = await staf.expect("Keputusan mana yang keliru")
    [(submission_id,)] = await world.rows(select(Submission.id))
    assert any(data == f"x:s:{submission_id}" for row in listing.buttons for _, data in row)
    await staf.press(f"x:s:{submission_id}")
    await staf.expect("Kenapa keputusan ini dibatalkan")
    await staf.send_text("Salah pilih desa")
    await staf.expect("kembali menunggu verifikasi")
    await sekdes.expect("Kecamatan membatalkan keputusan atas RKPDes TA 2025 Desa Rojopolo (versi 1): Salah pilih desa")
    [(status, reviewer)] = await world.rows(select(Submission.review_status, Submission.reviewed_by_id))
    assert (status, reviewer) == (ReviewStatus.MENUNGGU, None)
    actions = [a for (a,) in await world.rows(select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions[-2:] == ["submission.accept", "submission.undo"]
    await staf.send_text("/verifikasi")
    await staf.expect("Menunggu verifikasi (1)")


async def test_cabut_replaces_a_secretary_and_keeps_what_she_sent(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    await send_rkpdes(world, sekdes)
    await sekdes.send_text("/kirim")  # a draft left open
    await sekdes.expect("Dokumen mana")
    await staf.send_text("/cabut")
    listing = await staf.expect("Peran siapa yang dicabut")
    labels = [text for row in listing.buttons for text, _ in row]
    assert any(label.startswith("Siti — Sekretaris Desa") for label in labels)
    assert not any("Camat" in label for label in labels)  # a staf may not revoke the camat
    await staf.press(next(label for label in labels if label.startswith("Siti")))
    await staf.expect("Cabut peran Sekretaris Desa Desa Rojopolo dari Siti?")
    await staf.press("Ya, cabut")
    await staf.expect("Dokumen yang pernah dikirimnya tetap tersimpan")
    await sekdes.expect("telah dicabut oleh kecamatan")
    assert await world.rows(select(Draft.person_id)) == []
    revoked = await world.rows(select(RoleAssignment.revoked_at).where(RoleAssignment.role == Role.SEKDES))
    assert revoked[0][0] is not None
    assert len(await world.rows(select(Submission.id))) == 1
    await sekdes.send_text("/kirim")
    await sekdes.expect("tidak punya hak")


async def test_arsip_gives_files_back_to_whom_may_see_them(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await send_rkpdes(world, sekdes)
    scan = Path(world.app.files.root).parent / "scan.pdf"
    scan.write_bytes(PDF + b"% Sukosari paper scan")
    async with world.app.sessions() as session, session.begin():
        await record_document(
            session, RecordRequest(SUKOSARI, "RKPDES", 2025, date(2024, 9, 20), date(2024, 9, 23), file=scan),
            world.clock.now(), world.app.files,
        )  # fmt: skip
    await sekdes.send_text("/arsip")
    desa = await sekdes.expect("Desa mana")
    assert [text for row in desa.buttons for text, _ in row] == ["Rojopolo", "Batal"]
    await sekdes.press_callback(desa, f"a:d:{SUKOSARI}", "forged")
    await world.sandbox.settle()
    assert "tidak punya hak" in world.sandbox.answers[-1].text
    await sekdes.press("Rojopolo")
    await sekdes.expect("Dokumen mana")
    await sekdes.press("RKPDes TA 2025")
    await sekdes.expect("Versi mana")
    await sekdes.press(f"a:v:{(await world.rows(select(Submission.id).order_by(Submission.id)))[0][0]}")
    await sekdes.expect("RKPDes TA 2025 Desa Rojopolo, versi 1: 1 berkas")
    await world.sandbox.settle()
    sent = [m for m in sekdes.messages if m.document is not None]
    assert sent and world.sandbox.downloaded(sent[-1].document["file_id"]) == PDF
    await staf.send_text("/arsip")
    await staf.expect("Desa mana")
    await staf.press("Sukosari")
    await staf.press("RKPDes TA 2025")
    await staf.expect("Versi mana")
    await staf.press("v1 · diterima · masuk 23 September 2024 · 1 berkas")
    await staf.expect("1 berkas")
    await world.sandbox.settle()
    uploaded = [m for m in staf.messages if m.document is not None][-1]
    assert world.sandbox.downloaded(uploaded.document["file_id"]) == scan.read_bytes()
    assert "scan" not in uploaded.document.get("file_name", "")  # stored names never come from the user


async def test_libur_lists_the_days_off(world):
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await staf.send_text("/libur 2025")
    days = await staf.expect("Hari libur kerja 2025")
    assert "31 Maret 2025 — Hari Raya Idul Fitri" in days.text
    await sekdes.send_text("/libur")
    await sekdes.expect("tidak punya hak")


async def test_the_forum_group_gets_the_matrix_and_nothing_else(world):
    from models.tables import Kecamatan

    async with world.app.sessions() as session, session.begin():
        (await session.get(Kecamatan, JATIROTO)).forum_chat_id = -1009876543210
    forum = world.sandbox.group(-1009876543210, "Forum Sekdes Jatiroto")
    elsewhere = world.sandbox.group(-1001111111111, "Grup lain")
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await send_rkpdes(world, sekdes)
    await sekdes.send_text("/status", chat=forum)
    matrix = await forum.expect("Kecamatan Jatiroto, tahun kinerja 2024")
    assert "⏳      ▫️      ⭕      Rojopolo" in matrix_grid(matrix) and "Siti" not in matrix.text
    await sekdes.send_text("selamat pagi semua", chat=forum)  # not addressed to the bot
    await sekdes.send_text("/status", chat=elsewhere)
    await elsewhere.expect("belum terhubung")
    await world.sandbox.settle()
    assert len(forum.messages) == 1
