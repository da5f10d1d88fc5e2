"""`klambi demo`, the README's first command: offline, every flow of the bot in its transcript, then the indicator."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main


def test_the_demo_season_shows_every_flow_and_ends_with_the_indicator(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for flow in (
        "Selamat datang, Siti! Anda terdaftar sebagai Sekretaris Desa untuk Desa Rojopolo",  # invitation
        "Tanda terima TT-20240910-",  # a document on time, with its receipt
        "Batas waktu 30 September 2024: ⚠️ melewati batas waktu",  # one late
        "ditolak: Lampiran RKPDes belum ditandatangani kepala desa",  # one rejected …
        "(versi 2) diterima kecamatan",  # … and sent again
        "✅ Diterima oleh Bu Rina",  # verification
        "Menunggu verifikasi (1)",
        "Camat: /indikator 2024",  # the camat asks
        "☑️ Terlambat: Kaliboto Lor (RKPDES)",
        "⏰ Pengingat H-14: RKPDES TA 2025 Desa Sukosari",  # reminders, moved off Maulid Nabi
        "Versi sebelumnya ditolak (Lampiran RKPDes belum ditandatangani kepala desa)",
        "📋 Ringkasan pagi Kecamatan Jatiroto, 23 September 2024",  # the staf digest
        "Desa tanpa sekdes terdaftar di bot: Banyuputih Kidul, Kaliboto Kidul, Jatiroto",
        "Batas waktu RKPDES TA 2025 (30 September 2024) sudah lewat: 1 dari 6 desa",  # the camat's escalation
        "bot → Forum Sekdes Jatiroto: 📎 Jadwal dokumen desa 2024.pdf",  # an announcement, in the forum group too
        "4 penerima: 2 sudah dibaca, 2 terkirim belum dibaca",  # who read it
        "⚠️ Kendala #1 — Desa Kaliboto Lor (tentang RKPDES TA 2025)",  # a problem …
        "Tanggapan kecamatan atas kendala #1",  # … answered …
        "✅ Kendala #1 (Musdes RKPDes belum bisa digelar",  # … and closed
        "Jawaban kecamatan atas pertanyaan #2",  # a question answered by a reply
        "bot → Forum Sekdes Jatiroto: Kecamatan Jatiroto, tahun kinerja 2024",  # /status in the forum group
        "📨 Undangan rapat #1",  # a meeting: the invitation, the answers, both reminders, the notulen
        "Jawaban Anda untuk rapat #1: Tidak hadir",
        "⏰ Pengingat: besok rapat #1",
        "⏰ Pengingat: dua jam lagi rapat #1",
        "2 hadir, 1 tidak hadir, 1 belum menjawab",
        "📝 Notulen rapat #1",
    ):
        assert flow in out, flow
    assert out.rstrip().splitlines()[-4].startswith("Realisasi 94,44% · Target 94,44% (awal 88,89%) · Capaian 100,00%")
    assert Path("klambi-demo.db").is_file() and not Path("klambi.db").exists()
    assert main(["demo"]) == 0  # a second run starts afresh
    assert capsys.readouterr().out.count("Tanda terima TT-") == out.count("Tanda terima TT-")
