"""`klambi demo`, the README's first command: offline, every flow of the bot in its transcript, then the indicator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.cli import main
from bot.clock import ManualClock
from bot.parsing import parse_chat_date
from bot.sandbox.demo import DEMO_START, DEMO_TOKEN, WIB, demo_graph, play_season, with_sandboxes
from bot.sandbox.telegram import BotApiSandbox
from models.tables import Desa, Obligation, Submission
from tests.conftest import query


def test_the_demo_season_shows_every_flow_and_ends_with_the_indicator(capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # after the README's install klambi is in .venv/bin, not on PATH
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
        # … and opens the dashboard with the chat's link: the same figure
        "(dasbor dibuka di peramban: /dasbor/kecamatan/35.08.17?tahun=2024 menampilkan realisasi 94,44%)",
        "☑️ Terlambat: Kaliboto Lor (RKPDes)",
        "[WA] bot > Sekdes Kaliboto Lor: ⏰ Pengingat H-14: RKPDes TA 2025 Desa Kaliboto Lor",  # off Maulid Nabi
        # quiet since 2 September: outside his window, the approved template, with its button
        "[WA] bot > Sekdes Sukosari: (template klambi_pengingat_v1) Pengingat dari Kecamatan Jatiroto: RKPDes Desa "
        "Sukosari tahun anggaran 2025 ditunggu paling lambat 30 September 2024 (tinggal 17 hari).",
        "[WA] Sekdes Sukosari > DAFTAR ",  # joined from WhatsApp's click-to-chat text
        "[WA] Sekdes Kaliboto Lor > kendala",  # commands as words
        "(template klambi_pesan_baru_v1) Ada pesan baru dari Kecamatan Jatiroto: undangan rapat",  # announced …
        "[WA] Sekdes Sukosari > [Baca]",  # … and opened
        "Sukosari tahun anggaran 2025 ditunggu paling lambat 30 September 2024 (tinggal 7 hari)",  # H-7, a template
        "📋 Ringkasan pagi Kecamatan Jatiroto, 23 September 2024",  # the staf digest
        "Desa tanpa sekdes terdaftar di bot: Banyuputih Kidul, Kaliboto Kidul, Jatiroto",
        "Batas waktu RKPDes TA 2025 (30 September 2024) sudah lewat: 1 dari 6 desa",  # the camat's escalation
        "bot → Forum Sekdes Jatiroto: 📎 Jadwal dokumen desa 2024.pdf",  # an announcement, in the forum group too
        "4 penerima: 2 sudah dibaca, 2 terkirim belum dibaca",  # who read it
        "⚠️ Kendala #1 — Desa Kaliboto Lor (tentang RKPDes TA 2025)",  # a problem …
        "Tanggapan kecamatan atas kendala #1",  # … answered …
        "✅ Kendala #1 (Musdes RKPDes belum bisa digelar",  # … and closed
        "Jawaban kecamatan atas pertanyaan #1",  # a question answered by a reply, numbered apart from problems
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
    suggestion = out.rstrip().splitlines()[-1]  # a command that runs as printed, and how to shorten it
    program = suggestion.split()[3]
    assert program != "klambi" and Path(program).is_file() and os.access(program, os.X_OK), suggestion
    assert f"source {Path(program).parent / 'activate'}" in suggestion
    assert "➡️\n" not in out and "➡️ 2 berkas" in out  # a pressed button says what was chosen
    assert Path("klambi-demo.db").is_file() and not Path("klambi.db").exists()
    assert main(["demo"]) == 0  # a second run starts afresh
    assert capsys.readouterr().out.count("Tanda terima TT-") == out.count("Tanda terima TT-")


class _MovingClock(ManualClock):
    """The demo's clock, telling whoever waits that it moved."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.moved = asyncio.Event()

    def set(self, moment: datetime) -> None:
        super().set(moment)
        self.moved.set()
        self.moved = asyncio.Event()


class _LoadedSandbox(BotApiSandbox):
    """A loaded machine: each press of [✅ Terima] reaches the bot only once the demo has moved its clock on, or after
    a second when the demo waits for the bot as it must."""

    clock: _MovingClock

    async def _get_updates(self, p):
        batch = await super()._get_updates(p)
        if any(str(u.get("callback_query", {}).get("data", "")).startswith("v:a:") for u in batch):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.clock.moved.wait(), 1.0)
        return batch


_HEADING = re.compile(r"^— (\d+ \w+ \d{4}), \d\d\.\d\d WIB —$")
_RECEIPT = re.compile(r"🧾 Tanda terima TT-\d+-\d+\n\s+(\w+) TA (\d{4}) · Desa (.+?) · versi (\d+)")
_VERDICT_PRESS = re.compile(r"Kasi Pemerintahan menekan \[(?:✅ Terima|❌ Tolak)\]")
_VERDICT = re.compile(r"[✅❌] (\w+) TA (\d{4}) Desa (.+?) \(versi (\d+)\) (?:diterima kecamatan|ditolak)")


def test_the_demo_moves_its_clock_only_when_the_bot_is_idle(settings, klambi):
    """Each receipt and verdict in the transcript is dated in the database by the day the transcript shows it under,
    even when the bot is slower than the demo; so the indicator at the end of 2024 is the story's."""
    out: list[str] = []

    async def play() -> None:
        clock = _MovingClock(DEMO_START)
        transcript: list[str] = []
        async with (
            _LoadedSandbox(token=DEMO_TOKEN, now=clock.now, transcript=transcript) as sandbox,
            demo_graph(clock, transcript) as graph,
        ):
            sandbox.clock = clock
            app = App.create(with_sandboxes(settings, sandbox, graph), clock)
            try:
                await play_season(app, sandbox, graph, clock, out.append)
            finally:
                await app.close()

    asyncio.run(play())
    shown: dict[tuple[str, int, str, int, str], date | None] = {}
    day, presses = None, []  # the days on which the Kasi pressed Terima or Tolak, in order
    for block in out:
        if heading := _HEADING.match(block.strip()):
            day = parse_chat_date(heading.group(1))
        presses += [day] * len(_VERDICT_PRESS.findall(block))
        for doc, ta, desa, version in _RECEIPT.findall(block):
            shown[(doc.upper(), int(ta), desa, int(version), "received")] = day
        for doc, ta, desa, version in _VERDICT.findall(block):
            pressed = presses.pop(0)
            assert pressed == day, f"{doc} {desa}: pressed on {pressed}, answered on {day}"
            shown[(doc.upper(), int(ta), desa, int(version), "reviewed")] = pressed
    assert presses == []
    rows = query(
        settings.database.url,
        select(Obligation.document_code, Obligation.tahun_anggaran, Desa.nama, Submission.version,
               Submission.received_at, Submission.reviewed_at)
        .join(Obligation, Submission.obligation_id == Obligation.id)
        .join(Desa, Obligation.desa_kode == Desa.kode),
    )  # fmt: skip
    stored = {}
    for doc, ta, desa, version, received_at, reviewed_at in rows:
        stored[(doc, ta, desa, version, "received")] = received_at.astimezone(WIB).date()
        if reviewed_at is not None:
            stored[(doc, ta, desa, version, "reviewed")] = reviewed_at.astimezone(WIB).date()
    assert len(shown) == 10  # five receipts in the chat, five verdicts told to the secretaries
    assert {key: stored.get(key) for key in shown} == shown
    result = klambi("indicator", "--kecamatan", "35.08.17", "--year", "2024", "--at", "2024-12-31")
    assert result.code == 0, result
    assert "IV 94,44%" in result.out
