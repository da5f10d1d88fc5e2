"""The bot end to end: the real Application over real HTTP against the local Bot API sandbox, on both databases."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services.indicator import kecamatan_indicator
from handlers.common import STRANGER_QUIET
from models.tables import AuditEntry, Contact, Draft, Person, Role, Submission, SubmissionFile
from tests.world import JATIROTO, JPEG, KALIBOTO_LOR, PDF, ROJOPOLO, SUKOSARI, matrix_grid, send_rkpdes


async def test_start_without_an_invitation_explains_how_to_get_one_once_in_a_while(world):
    stranger = world.sandbox.user(999, "Orang", label="Orang asing")
    await stranger.send_text("/start")
    await stranger.expect("belum terdaftar")
    await stranger.send_text("/kirim")  # told a minute ago: not again
    await stranger.send_text("halo?")
    await world.sandbox.settle()
    assert len(stranger.messages) == 1
    world.clock.advance(STRANGER_QUIET)
    await stranger.send_text("/kirim")
    await stranger.expect("belum terdaftar")
    await stranger.send_text(f"/start {await world.invite(Role.SEKDES, ROJOPOLO)}")  # an invitation always works
    await stranger.expect("Selamat datang")
    assert await world.rows(select(Person.name)) == [("Orang",)]


async def test_an_invitation_binds_a_role_once_and_sets_the_menu(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    assert "Sekretaris Desa untuk Desa Rojopolo" in sekdes.messages[0].text
    commands = [c for c, _ in world.sandbox.commands_for(sekdes.id)]
    assert commands == ["kirim", "status", "arsip", "kendala", "tanya", "agenda", "hubungkan", "batal", "bantuan"]
    code = await world.invite(Role.PENDAMPING, ROJOPOLO)
    other = world.sandbox.user(102, "Budi", label="Budi")
    await other.send_text(f"/start {code}")
    await other.expect("Selamat datang")
    await sekdes.send_text(f"/start {code}")  # the same code again: already used
    await sekdes.expect("sudah dipakai")
    [(used_by,)] = await world.rows(
        select(Person.name).join(Contact, Contact.person_id == Person.id).where(Contact.user_id == "102")
    )
    assert used_by == "Budi"


async def test_expired_and_wrong_codes_are_refused_and_guessing_is_throttled(world):
    code = await world.invite(Role.SEKDES, ROJOPOLO)
    world.clock.advance(timedelta(days=8))
    late = world.sandbox.user(103, "Telat", label="Telat")
    await late.send_text(f"/start {code}")
    await late.expect("kedaluwarsa")
    guesser = world.sandbox.user(104, "Penebak", label="Penebak")
    for attempt in range(5):
        await guesser.send_text(f"/start salah{attempt}")
        await guesser.expect("tidak dikenal")
    good = await world.invite(Role.SEKDES, ROJOPOLO)
    await guesser.send_text(f"/start {good}")
    await guesser.expect("Terlalu banyak kode yang salah")
    assert await world.rows(select(Person.id)) == []
    world.clock.advance(timedelta(minutes=16))
    await guesser.send_text(f"/start {good}")
    await guesser.expect("Selamat datang")


async def test_a_document_on_time_from_phone_to_indicator(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    await send_rkpdes(world, sekdes)
    receipt = sekdes.last.text
    assert "TT-20240927-" in receipt and "27 September 2024 10.00 WIB" in receipt and "tepat waktu" in receipt
    alert = await staf.expect("Dokumen masuk: RKPDes TA 2025 · Desa Rojopolo")
    assert "Dari Siti" in alert.text
    assert any(m.document is not None for m in staf.messages)  # the file itself came along
    [(stored_path, sha, size)] = await world.rows(
        select(SubmissionFile.stored_path, SubmissionFile.sha256, SubmissionFile.size_bytes)
    )
    assert (world.app.files.root / stored_path).read_bytes() == PDF and size == len(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest() and sha in stored_path
    await staf.press("✅ Terima")
    await staf.expect("Diterima oleh Kasi Pem")
    await sekdes.expect("diterima kecamatan")
    async with world.app.sessions() as session:
        report = await kecamatan_indicator(session, JATIROTO, 2024, world.clock.now())
    rkpdes = report.result.documents[0]
    assert rkpdes.statuses[ROJOPOLO].value == "tepat_waktu"
    await camat.send_text("/indikator 2024")
    answer = await camat.expect("Indikator akuntabilitas")
    assert "RKPDes TA 2025: 16,67% (1/6 desa tepat waktu)" in answer.text
    assert f"Realisasi {str(report.result.realisasi).replace('.', ',')}%" in answer.text
    assert "Tidak ada: Banyuputih Kidul (LPPDes)" in answer.text
    await world.app.builds.idle()  # the chart follows from the report pool
    await world.sandbox.settle()
    chart = next(m for m in camat.messages if m.photo)
    png = world.sandbox.downloaded(chart.photo[-1]["file_id"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    await camat.send_text("/rekap 2024")
    await camat.expect("Rekap Kecamatan Jatiroto tahun 2024 sedang disiapkan")
    await world.app.builds.idle()
    sent = await camat.expect("Rekap Kecamatan Jatiroto, tahun kinerja 2024")
    assert sent.document["file_name"] == "rekap-jatiroto-2024.xlsx"
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(world.sandbox.downloaded(sent.document["file_id"])))
    assert {"Ringkasan", "Per Desa", "Rincian", "Perbandingan"} <= set(workbook.sheetnames)
    assert "rekap" in [c for c, _ in world.sandbox.commands_for(camat.id)]
    await sekdes.send_text("/rekap")
    await sekdes.expect("tidak punya hak")
    actions = [a for (a,) in await world.rows(select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions[-2:] == ["submission.submit", "submission.accept"]


async def test_rejected_then_sent_again_keeps_both_versions(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await send_rkpdes(world, sekdes)
    await staf.expect("Dokumen masuk")
    await staf.press("❌ Tolak")
    await staf.expect("Tulis alasan penolakan")
    await staf.send_text("Lampiran belum ditandatangani")
    await staf.expect("Ditolak oleh Kasi Pem")
    await sekdes.expect("ditolak: Lampiran belum ditandatangani")
    await sekdes.send_text("/kirim")
    offer = await sekdes.expect("Dokumen mana")
    assert any("perlu perbaikan" in text for row in offer.buttons for text, _ in row)
    await send_rkpdes(world, sekdes, data=PDF + b"% corrected\n")
    assert "versi 2" in sekdes.last.text
    await staf.expect("versi 2")
    await staf.press("✅ Terima")
    await sekdes.expect("(versi 2) diterima")
    versions = await world.rows(select(Submission.version, Submission.review_status).order_by(Submission.version))
    assert [(v, s.value) for v, s in versions] == [(1, "ditolak"), (2, "diterima")]


async def test_two_staf_and_a_double_press_give_one_verdict(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    first = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    second = await world.join(202, "Staf Dua", Role.STAF, JATIROTO, "Staf Kecamatan")
    await send_rkpdes(world, sekdes)
    alert = await first.expect("Dokumen masuk")
    await second.expect("Dokumen masuk")
    await first.press("✅ Terima")
    await first.expect("Diterima oleh Kasi Pem")  # two people are handled side by side: the first decides first
    await second.press("❌ Tolak")
    await second.expect("Sudah diputuskan oleh Kasi Pem: diterima")
    [(submission_id,)] = await world.rows(select(Submission.id))
    await first.press_callback(alert, f"v:a:{submission_id}", "✅ Terima")  # the same button again
    await world.sandbox.settle()
    assert world.sandbox.answers[-1].text == "Sudah diputuskan oleh Kasi Pem: diterima."
    verdicts = await world.rows(
        select(AuditEntry.action).where(AuditEntry.action.in_(["submission.accept", "submission.reject"]))
    )
    assert [a for (a,) in verdicts] == ["submission.accept"]
    assert len([m for m in sekdes.messages if "diterima kecamatan" in m.text]) == 1


async def test_pressing_send_twice_makes_one_submission(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await send_rkpdes(world, sekdes)
    summary = next(m for m in sekdes.messages if "Periksa dulu" in m.text)
    await sekdes.press_callback(summary, "k:send", "✅ Kirim")
    await world.sandbox.settle()
    assert len(await world.rows(select(Submission.id))) == 1
    assert "tidak berlaku" in world.sandbox.answers[-1].text


async def test_a_restart_in_the_middle_of_a_submission_loses_nothing(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.send_photo(JPEG)
    await sekdes.expect("Halaman diterima (1 berkas)")
    await world.restart_bot()
    await sekdes.send_photo(JPEG + b"page two")
    await sekdes.expect("Halaman diterima (2 berkas)")
    await sekdes.press("k:next")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.press("k:d:0")  # Hari ini
    await sekdes.expect("Nomor dokumennya")
    await world.restart_bot()
    await sekdes.press("k:skip")
    await sekdes.expect("Periksa dulu")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")
    [(submission_id,)] = await world.rows(select(Submission.id))
    files = await world.rows(select(SubmissionFile.mime_type).where(SubmissionFile.submission_id == submission_id))
    assert [m for (m,) in files] == ["image/jpeg", "image/jpeg"]
    assert await world.rows(select(Draft.person_id)) == []


@pytest.mark.parametrize(
    ("send", "answer"),
    [
        (lambda u: u.send_document(b"MZ\x90\x00 not a document", "rkpdes.exe", "application/octet-stream"),
         "tidak bisa diterima"),
        (lambda u: u.send_document(b"just text pretending", "rkpdes.pdf", "application/pdf"), "tidak bisa diterima"),
        (lambda u: u.send_document(b"%PDF-" + b"0" * (21 * 1024 * 1024), "besar.pdf", "application/pdf"),
         "terlalu besar"),
    ],
)  # fmt: skip
async def test_a_wrong_file_is_refused_and_the_step_stays(world, send, answer):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.expect("Kirim berkas")
    await send(sekdes)
    await sekdes.expect(answer)
    assert await world.rows(select(SubmissionFile.id)) == []
    await sekdes.send_document(PDF, "rkpdes.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")


async def test_dates_that_are_not_dates_or_in_the_future(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.send_document(PDF, "rkpdes.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text("kemarin sore")
    await sekdes.expect("bukan tanggal yang saya kenali")
    await sekdes.send_text("31/02/2024")
    await sekdes.expect("bukan tanggal yang saya kenali")
    await sekdes.send_text("28 Sep 2024")
    await sekdes.expect("belum terjadi")
    await sekdes.send_text("26 September 2024")
    await sekdes.expect("Nomor dokumennya")


async def test_refusals_change_nothing(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    pendamping = await world.join(401, "Dewi", Role.PENDAMPING, ROJOPOLO, "Pendamping Rojopolo")
    for command in ("/verifikasi", "/indikator", "/undang"):
        await sekdes.send_text(command)
        await sekdes.expect("tidak punya hak")
    await pendamping.send_text("/kirim")
    await pendamping.expect("tidak punya hak")
    # A forged button: another desa's obligation. The bot re-reads it and refuses.
    await sekdes.send_text("/kirim")
    offer = await sekdes.expect("Dokumen mana")
    other = await world.obligation_id(SUKOSARI, "RKPDES", 2025)
    await sekdes.press_callback(offer, f"k:o:{other}", "forged")
    await world.sandbox.settle()
    assert "tidak punya hak" in world.sandbox.answers[-1].text
    await sekdes.press_callback(offer, "v:a:1", "forged")
    await world.sandbox.settle()
    assert "tidak punya hak" in world.sandbox.answers[-1].text
    assert await world.rows(select(Submission.id)) == []


async def test_status_for_sekdes_pendamping_and_staf(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    pendamping = await world.join(401, "Dewi", Role.PENDAMPING, KALIBOTO_LOR, "Pendamping Kaliboto Lor")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await sekdes.send_text("/status")
    checklist = await sekdes.expect("Status dokumen Desa Rojopolo, tahun kinerja 2024")
    assert "RKPDes TA 2025 · batas 30 September 2024 · ▫️ belum jatuh tempo · tinggal 3 hari" in checklist.text
    assert "LPPDes TA 2023 · batas 31 Maret 2024 · ⭕ tidak ada · lewat 180 hari" in checklist.text
    await pendamping.send_text("/status")
    assert "Desa Kaliboto Lor" in (await pendamping.expect("Status dokumen")).text
    await staf.send_text("/status")
    matrix = await staf.expect("Kecamatan Jatiroto, tahun kinerja 2024")
    assert "❌ ditolak · ⭕ tidak ada" in matrix.text  # one mark, one meaning, and the legend says which
    grid = matrix_grid(matrix)  # in a monospace block, each mark under its document
    assert grid[0] == "RKPDes  APBDes  LPPDes" and "▫️      ▫️      ⭕      Rojopolo" in grid


async def test_staf_invites_from_the_chat_only_what_they_may(world):
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await staf.send_text("/undang")
    roles = await staf.expect("Undang sebagai apa")
    assert [text for row in roles.buttons for text, _ in row] == ["Sekretaris Desa", "Pendamping Desa", "Batal"]
    await staf.press("Sekretaris Desa")
    await staf.expect("Untuk desa mana")
    await staf.press("Sukosari")
    link = await staf.expect("https://t.me/ngobras_klambi_bot?start=")
    code = link.text.split("?start=")[1].split()[0]
    newcomer = world.sandbox.user(105, "Wati", label="Sekdes Sukosari")
    await newcomer.send_text(f"/start {code}")
    await newcomer.expect("Sekretaris Desa untuk Desa Sukosari")
    # A forged role button: staf may not invite a camat.
    await staf.send_text("/undang")
    offer = await staf.expect("Undang sebagai apa")
    await staf.press_callback(offer, "u:r:camat", "forged")
    await world.sandbox.settle()
    await staf.send_text("35.08.17")
    await world.sandbox.settle()
    people = await world.rows(select(Person.name))
    assert sorted(n for (n,) in people) == ["Kasi Pem", "Wati"]
    assert not any("start=" in m.text for m in staf.messages[-2:])


async def test_verifikasi_lists_what_waits(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await staf.send_text("/verifikasi")
    await staf.expect("Tidak ada dokumen yang menunggu")
    await send_rkpdes(world, sekdes)
    await staf.send_text("/verifikasi")
    await staf.expect("Menunggu verifikasi (1)")
    await staf.press("✅ Terima")
    await sekdes.expect("diterima kecamatan")


async def test_an_admin_invites_staf_by_typing_the_kecamatan_and_one_person_holds_two_roles(world):
    async with world.app.sessions() as session, session.begin():
        from bot.services.people import create_invitation as invite_anyone

        code = (await invite_anyone(session, Role.ADMIN, None, world.clock.now())).code
    admin = world.sandbox.user(900, "Admin", label="Admin")
    await admin.send_text(f"/start {code}")
    await admin.expect("Admin untuk seluruh wilayah")
    await admin.send_text("/undang")
    roles = await admin.expect("Undang sebagai apa")
    assert [text for row in roles.buttons for text, _ in row][:5] == [
        "Sekretaris Desa", "Pendamping Desa", "Staf Kecamatan", "Camat", "Admin",
    ]  # fmt: skip
    await admin.press("Staf Kecamatan")
    await admin.expect("Ketik kode kecamatannya")
    await admin.send_text("35.08.99")
    await admin.expect("belum terdaftar")
    await admin.send_text("35.08.17")
    link = await admin.expect("?start=")
    assert "Staf Kecamatan untuk Kecamatan Jatiroto" in link.text
    # One person, two roles: a secretary who also accompanies another desa.
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await sekdes.send_text(f"/start {await world.invite(Role.PENDAMPING, SUKOSARI)}")
    await sekdes.expect("Pendamping Desa untuk Desa Sukosari")
    await sekdes.send_text("/status")
    await sekdes.expect("Status dokumen Desa Rojopolo")
    await sekdes.expect("Status dokumen Desa Sukosari")
    await sekdes.send_text("/kirim")
    offer = await sekdes.expect("Dokumen mana")
    assert all("Sukosari" not in text for row in offer.buttons for text, _ in row)


async def test_the_camat_sees_the_kabupaten_comparison_only_when_the_admin_allows(world):
    from bot.services.calendar import load_calendar
    from bot.services.places import import_area

    async with world.app.sessions() as session, session.begin():
        await import_area(session, "35.08.07", world.clock.now(), [2024], await load_calendar(session))
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    await camat.send_text("/indikator 2024")
    assert "Peringkat" not in (await camat.expect("Indikator akuntabilitas")).text
    await world.app.builds.idle()  # its chart: one file per person at a time (reports.pool)
    world.app.settings.reports.compare_within_kabupaten = True
    await camat.send_text("/indikator 2024")
    tied = await camat.expect("Indikator akuntabilitas")  # both at 0%: ties break by code
    assert "Peringkat 2 dari 2 kecamatan di Kabupaten Lumajang (tertinggi: Yosowilangun, 0,00%)" in tied.text
    await world.app.builds.idle()
    from datetime import date

    from bot.services.records import RecordRequest, record_document

    async with world.app.sessions() as session, session.begin():
        request = RecordRequest(ROJOPOLO, "LPPDES", 2023, date(2024, 3, 1), date(2024, 3, 1))
        await record_document(session, request, world.clock.now(), world.app.files)
    await camat.send_text("/indikator 2024")
    ranked = await camat.expect("Indikator akuntabilitas")
    assert "Peringkat 1 dari 2 kecamatan di Kabupaten Lumajang (tertinggi: Jatiroto, 5,56%)" in ranked.text
