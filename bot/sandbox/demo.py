"""`klambi demo`: a season of Kecamatan Jatiroto, played offline against the local Bot API and Graph API sandboxes.

The real bot (what `klambi run` starts with Telegram and WhatsApp configured: `bot.channels.run`) talks over
loopback HTTP to `bot.sandbox.telegram` and `bot.sandbox.whatsapp`, which play the people: the Kasi Pemerintahan,
the camat, the secretary of Rojopolo and a pendamping on Telegram, the secretaries of Sukosari and Kaliboto Lor on
WhatsApp, and their forum group (an announcement, a problem and a question answered, an arisan with its invitation,
reminders and notulen). The bot reads each Perdes sent as a PDF and proposes its nomor and date; it catches a date
typed otherwise than the file says, and a file of another document than the one chosen. A reminder to a WhatsApp
secretary who has been quiet for days goes as its approved template; a meeting invitation after weeks of silence is
announced by a template and opened with "baca". Each transcript line says its app ([TG] or [WA]). The injected clock
walks from September 2024 to the LKjIP's signing day, 15 January 2025. Documents of the other desa arrived on paper
and are recorded the way `klambi record` records them. The dates are illustrative; the flows and the figures are the
real ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App
from bot.channels.run import Runtime, running
from bot.clock import ManualClock
from bot.config import Settings, WhatsAppSettings
from bot.db import upgrade
from bot.i18n import fmt_date
from bot.parsing import parse_chat_date
from bot.sandbox.perdes import perdes_pdf
from bot.sandbox.telegram import BotApiSandbox, SandboxChat, SandboxUser
from bot.sandbox.whatsapp import GraphSandbox, WaPerson
from bot.services.audit import Actor
from bot.services.calendar import load_calendar
from bot.services.indicator import KecamatanIndicator, kecamatan_indicator
from bot.services.people import create_invitation
from bot.services.places import import_area
from bot.services.records import RecordRequest, record_document
from bot.services.targets import set_target
from bot.storage import minimal_pdf
from bot.web import WebApp
from models.tables import Kecamatan, Obligation, Role
from scheduler.sweep import sweep

JATIROTO = "35.08.17"
WIB = ZoneInfo("Asia/Jakarta")
DEMO_START = datetime(2024, 9, 2, 8, 0, tzinfo=WIB)
DEMO_END = datetime(2025, 1, 15, 9, 0, tzinfo=WIB)  # the day Jatiroto's LKjIP 2024 was signed
DEMO_TOKEN = "777000:DEMO-sandbox-token"
FORUM_CHAT = -1001234567890
DESA = {
    "Banyuputih Kidul": "35.08.17.2001",
    "Rojopolo": "35.08.17.2002",
    "Kaliboto Kidul": "35.08.17.2003",
    "Kaliboto Lor": "35.08.17.2004",
    "Sukosari": "35.08.17.2005",
    "Jatiroto": "35.08.17.2006",
}
PDF = minimal_pdf(b" Perdes (demo) " + b"0" * 4096)
PHOTO = b"\xff\xd8\xff\xe0" + b"halaman" * 600
# The demo's WhatsApp Business number and app: only the Graph sandbox knows them.
WHATSAPP = {"phone_number_id": "100200300", "waba_id": "900800700", "business_number": "6281100000000",
            "access_token": "EAAG-demo-access-token", "app_secret": "demo-app-secret",
            "verify_token": "demo-verify-token"}  # fmt: skip


class WhatsAppUser:
    """A person on WhatsApp behind the verbs the season's script uses for Telegram users: they type command words
    without the slash, press buttons and list rows, send photos and documents."""

    def __init__(self, person: WaPerson) -> None:
        self.person = person

    async def send_text(self, text: str, *, reply_to: Any = None, chat: Any = None) -> None:
        await self.person.say(text.removeprefix("/"), reply_to=getattr(reply_to, "wamid", None))

    async def press(self, title_or_id: str) -> None:
        await self.person.press(title_or_id)

    async def tap(self, payload_or_text: str) -> None:
        await self.person.tap(payload_or_text)

    async def send_photo(self, data: bytes, caption: str | None = None) -> None:
        await self.person.send_image(data, "image/jpeg", caption)

    async def send_document(self, data: bytes, filename: str, mime_type: str, caption: str | None = None) -> None:
        await self.person.send_document(data, filename, mime_type, caption)

    async def expect(self, text: str, timeout: float = 5.0) -> Any:
        return await self.person.expect(text, timeout)


class Season:
    def __init__(self, app: App, sandbox: BotApiSandbox, graph: GraphSandbox, clock: ManualClock,
                 say: Callable[[str], object]) -> None:  # fmt: skip
        self.app, self.sandbox, self.graph, self.clock, self.say = app, sandbox, graph, clock, say
        self.runtime: Runtime | None = None  # the bot, once it runs
        self._shown = 0

    async def idle(self) -> None:
        """Wait until the bot is idle: every update made was delivered, handled and its answers sent, and what its
        commits queued for other people sent by the courier. PTB takes an update off its queue (`task_done`) only after
        its handler returned, and a handler returns after sending (and after waking the courier); the inbox worker
        is idle once every stored WhatsApp message was handled and answered."""
        if self.runtime is not None:
            await self.sandbox.delivered()
            await self.runtime.telegram.update_queue.join()
            await self.runtime.idle()

    async def day(self, moment: datetime) -> None:
        """Move the clock, only once the bot is idle (a press still being handled would be dated by the new day),
        and print the new day as a heading."""
        await self.idle()
        self.flush()
        self.clock.set(moment)
        self.say(f"\n— {fmt_date(moment.date(), self.app.language)}, {moment:%H.%M} WIB —")

    def note(self, text: str) -> None:
        self.flush()
        self.say(f"  ({text})")

    def flush(self) -> None:
        """Print what happened in the chat since the last call."""
        lines = self.sandbox.transcript()  # shared with the Graph sandbox: one story, in order
        for line in lines[self._shown :]:
            line = line if line.startswith("[WA]") else f"[TG] {line}"
            self.say("  " + line.replace("\n", "\n      "))
        self._shown = len(lines)

    async def join(self, user_id: int, name: str, label: str, role: Role, place: str) -> SandboxUser:
        async with self.app.sessions() as session, session.begin():
            invitation = await create_invitation(session, role, place, self.clock.now(), actor=Actor(None, "demo"))
        self.note(f"admin: klambi invite --role {role.value} → https://t.me/{self.sandbox.me['username']}?start=…")
        user = self.sandbox.user(user_id, name, label=label)
        await user.send_text(f"/start {invitation.code}")
        await user.expect("Selamat datang")
        await self.idle()
        return user

    async def join_whatsapp(self, wa_id: str, name: str, label: str, role: Role, place: str) -> WhatsAppUser:
        async with self.app.sessions() as session, session.begin():
            invitation = await create_invitation(session, role, place, self.clock.now(), actor=Actor(None, "demo"),
                                                 channel="whatsapp")  # fmt: skip
        number = self.app.settings.whatsapp.business_number
        self.note(f"admin: klambi invite --role {role.value} --channel whatsapp → https://wa.me/{number}?text=DAFTAR…")
        user = WhatsAppUser(self.graph.person(wa_id, name, label=label))
        await user.send_text(f"DAFTAR {invitation.code}")
        await user.expect("Selamat datang")
        await self.idle()
        return user

    async def templates(self) -> None:
        """What `klambi whatsapp templates push` and Meta's review (minutes to a day) do before the first message."""
        from bot.channels.whatsapp.templates import TEMPLATES

        assert self.runtime is not None and self.runtime.whatsapp is not None
        registry = self.runtime.whatsapp.registry
        for template in TEMPLATES:
            await registry.create(template)
            self.graph.set_template_status(template.name, "APPROVED", template.language)
        await registry.refresh()
        self.note(f"admin: klambi whatsapp templates push → {len(TEMPLATES)} templat dibuat; Meta menyetujuinya")

    async def forum(self) -> SandboxChat:
        """The kecamatan's chat group of secretaries and facilitators, linked as `klambi forum` links it."""
        async with self.app.sessions() as session, session.begin():
            (await session.get(Kecamatan, JATIROTO)).forum_chat_id = FORUM_CHAT
        self.note(f"admin: klambi forum --kecamatan {JATIROTO} --chat {FORUM_CHAT}")
        return self.sandbox.group(FORUM_CHAT, "Forum Sekdes Jatiroto")

    async def paper(self, desa: str, doc: str, ta: int, penetapan: str, diterima: str) -> None:
        async with self.app.sessions() as session, session.begin():
            request = RecordRequest(DESA[desa], doc, ta, date.fromisoformat(penetapan), date.fromisoformat(diterima))
            await record_document(session, request, self.clock.now(), self.app.files, actor=Actor(None, "demo"))

    async def obligation(self, desa: str, doc: str, ta: int) -> int:
        from sqlalchemy import select

        async with self.app.sessions() as session:
            return await session.scalar(
                select(Obligation.id).where(
                    Obligation.desa_kode == DESA[desa], Obligation.document_code == doc, Obligation.tahun_anggaran == ta
                )
            )

    async def send(
        self,
        sekdes: SandboxUser | WhatsAppUser,
        desa: str,
        doc: str,
        ta: int,
        penetapan: str,
        pages: int = 0,
        *,
        typed: str | None = None,
        take_the_file: bool = False,
    ) -> None:
        """A secretary's whole /kirim. A Perdes PDF established on `penetapan`: the bot reads it and proposes its
        nomor and date, and she confirms; or she types `typed` instead, is told it differs from the file, and keeps
        hers or takes the file's. Or `pages` photos, whose date she types."""
        await sekdes.send_text("/kirim")
        await sekdes.expect("Dokumen mana")
        await sekdes.press(f"k:o:{await self.obligation(desa, doc, ta)}")
        await sekdes.expect("Kirim berkas")
        nomor = sum(map(ord, desa)) % 20 + 1
        if pages:
            for page in range(pages):
                await sekdes.send_photo(PHOTO + bytes([page]))
                await sekdes.expect(f"({page + 1} berkas)")
            await sekdes.press("k:next")
            await sekdes.expect("Tanggal penetapan")
            await sekdes.send_text(penetapan)
            await sekdes.expect("Nomor dokumennya")
            await sekdes.send_text(f"{nomor} Tahun {ta - 1}")
        else:
            await sekdes.send_document(self.perdes(desa, doc, ta, penetapan), f"Perdes {doc} {desa}.pdf",
                                       "application/pdf")  # fmt: skip
            await sekdes.expect("Saya membaca", timeout=30)
            if typed is None:
                await sekdes.press("k:ok")
            else:
                await sekdes.press("k:edit")
                await sekdes.expect("Tanggal penetapan")
                await sekdes.send_text(typed)
                await sekdes.expect("Nomor dokumennya")
                await sekdes.send_text(f"{nomor} Tahun {ta - 1}")
                await sekdes.expect("berbeda dengan yang tertulis di berkas")
                if take_the_file:
                    await sekdes.press("k:use")
        await sekdes.expect("Periksa dulu")
        await sekdes.press("k:send")
        await sekdes.expect("Tanda terima")
        await self.idle()

    def perdes(self, desa: str, doc: str, ta: int, penetapan: str) -> bytes:
        """The Perdes as her word processor exported it, established on `penetapan`."""
        day = fmt_date(parse_chat_date(penetapan), self.app.language)
        return perdes_pdf(desa, doc, ta, sum(map(ord, desa)) % 20 + 1, ta - 1, day)


async def prepare_area(app: App, kecamatan: str, now: datetime) -> None:
    """A fresh database's world (the demo's and `klambi try`'s): the schema, the kecamatan and its desa from the
    reference list with their obligations for the year and the next, and the LKjIP targets where they are known
    (Jatiroto's 2024 Perjanjian Kinerja)."""
    await upgrade(app.engine)
    async with app.sessions() as session, session.begin():
        await import_area(session, kecamatan, now, [now.year, now.year + 1], await load_calendar(session))
        if kecamatan == JATIROTO and now.year == 2024:
            await set_target(session, JATIROTO, 2024, now, awal=Decimal("88.89"), perubahan=Decimal("94.44"))


async def play_season(
    app: App, sandbox: BotApiSandbox, graph: GraphSandbox, clock: ManualClock, say: Callable[[str], object]
) -> KecamatanIndicator:
    season = Season(app, sandbox, graph, clock, say)
    await season.day(DEMO_START)
    await prepare_area(app, JATIROTO, clock.now())
    season.note("admin: klambi villages import --area 35.08.17; target 2024 awal 88,89%, perubahan 94,44%")
    for i, desa in enumerate(DESA):
        await season.paper(desa, "LPPDES", 2023, f"2024-02-{12 + i}", f"2024-03-{4 + i:02d}")
    season.note("LPPDes TA 2023 keenam desa sudah diterima di atas kertas pada Maret 2024 (klambi record)")

    async def sweep_now() -> None:
        """What the bot's repeating job does every minute, called at the moment the clock was moved to."""
        assert season.runtime is not None
        await sweep(app, season.runtime.transports, "demo")
        await season.idle()

    async with running(app, telegram_token=DEMO_TOKEN, jobs=False, settle=0.2) as runtime:
        season.runtime = runtime
        assert runtime.whatsapp is not None
        graph.webhook_url = runtime.whatsapp.webhook.url
        await season.templates()
        staf = await season.join(201, "Bu Rina", "Kasi Pemerintahan", Role.STAF, JATIROTO)
        camat = await season.join(301, "Pak Kutum", "Camat", Role.CAMAT, JATIROTO)
        rojopolo = await season.join(101, "Siti", "Sekdes Rojopolo", Role.SEKDES, DESA["Rojopolo"])
        sukosari = await season.join_whatsapp("6281330000102", "Wahyu", "Sekdes Sukosari", Role.SEKDES,
                                              DESA["Sukosari"])  # fmt: skip
        kaliboto = await season.join_whatsapp("6281330000103", "Agus", "Sekdes Kaliboto Lor", Role.SEKDES,
                                              DESA["Kaliboto Lor"])  # fmt: skip
        pendamping = await season.join(401, "Budi", "Pendamping Rojopolo", Role.PENDAMPING, DESA["Rojopolo"])
        forum = await season.forum()

        await season.day(datetime(2024, 9, 2, 10, 0, tzinfo=WIB))  # the kecamatan tells every desa the schedule
        await staf.send_text("/umumkan")
        await staf.expect("Tulis isinya")
        await staf.send_document(PDF, "Jadwal dokumen desa 2024.pdf", "application/pdf",
                                 caption="Jadwal RKPDes, APBDes dan LPPDes 2024 terlampir. RKPDes TA 2025 paling "
                                         "lambat 30 September; unggah lewat /kirim.")  # fmt: skip
        await staf.expect("Untuk desa mana")
        await staf.press("n:g")
        await staf.press("n:s")
        await staf.expect("sedang dikirim")
        await sweep_now()
        await rojopolo.press("n:r:1")
        await sukosari.press("n:r:1")
        await season.idle()
        await staf.send_text("/pengumuman")
        await staf.expect("Pengumuman terakhir")

        await season.day(datetime(2024, 9, 10, 9, 15, tzinfo=WIB))
        await rojopolo.send_text("/status")
        await rojopolo.expect("Status dokumen")
        await season.send(rojopolo, "Rojopolo", "RKPDES", 2025, "10/09/2024")
        await staf.press("✅ Terima")
        await rojopolo.expect("diterima kecamatan")

        await season.day(datetime(2024, 9, 12, 14, 0, tzinfo=WIB))  # a desa's problem, mapped (pemetaan masalah)
        await kaliboto.send_text("/kendala")
        await kaliboto.press(f"kd:o:{await season.obligation('Kaliboto Lor', 'RKPDES', 2025)}")
        await kaliboto.expect("Ceritakan kendalanya")
        await kaliboto.send_text("Musdes RKPDes belum bisa digelar: kepala desa dirawat di rumah sakit.")
        await kaliboto.expect("tercatat")
        await sweep_now()
        await staf.press("💬 Jawab")
        await staf.expect("Tulis jawabannya")
        await staf.send_text("Musdes boleh dipimpin Sekdes sebagai Plh. Kami bantu surat tugasnya besok.")
        await staf.expect("dikirim ke Agus")
        await sweep_now()

        await season.day(datetime(2024, 9, 13, 8, 0, tzinfo=WIB))  # H-14, moved back from Maulid Nabi (16 September)
        await sweep_now()  # Wahyu (WhatsApp) last wrote on the 2nd: his reminder goes as its approved template
        await season.day(datetime(2024, 9, 13, 9, 30, tzinfo=WIB))
        await sukosari.send_text("/tanya Apakah lampiran RKPDes juga harus ditandatangani kepala desa?")
        await sukosari.expect("terkirim")
        await sweep_now()
        question = await staf.expect("Pertanyaan #1")
        await staf.send_text("Ya, setiap lampiran ditandatangani kepala desa dan dicap.", reply_to=question)
        await staf.expect("dikirim ke Wahyu")
        await sweep_now()
        await pendamping.send_text("/status", chat=forum)
        await forum.expect("Kecamatan Jatiroto")

        await season.day(datetime(2024, 9, 20, 13, 40, tzinfo=WIB))
        await season.send(sukosari, "Sukosari", "RKPDES", 2025, "19 September 2024", pages=2)
        await staf.press("❌ Tolak")
        await staf.expect("Tulis alasan")
        await staf.send_text("Lampiran RKPDes belum ditandatangani kepala desa")
        await sukosari.expect("ditolak")
        await season.day(datetime(2024, 9, 23, 8, 0, tzinfo=WIB))  # H-7, and the first morning digest
        await sweep_now()
        await season.day(datetime(2024, 9, 23, 8, 30, tzinfo=WIB))
        await season.send(sukosari, "Sukosari", "RKPDES", 2025, "19/09/2024")
        await staf.send_text("/verifikasi")
        await staf.expect("Menunggu verifikasi (1)")
        await staf.expect("Dokumen masuk")
        await staf.press("✅ Terima")
        await sukosari.expect("diterima kecamatan")

        await season.day(datetime(2024, 9, 30, 15, 0, tzinfo=WIB))
        for desa in ("Banyuputih Kidul", "Kaliboto Kidul", "Jatiroto"):
            await season.paper(desa, "RKPDES", 2025, "2024-09-24", "2024-09-30")
        season.note("RKPDes Banyuputih Kidul, Kaliboto Kidul dan Jatiroto diantar ke kantor kecamatan (klambi record)")
        await staf.send_text("/status")
        await staf.expect("Kecamatan Jatiroto")

        await season.day(datetime(2024, 10, 1, 8, 0, tzinfo=WIB))  # H+1: the camat hears who is missing
        await sweep_now()

        await season.day(datetime(2024, 10, 4, 10, 5, tzinfo=WIB))
        # the Perdes says 2 October; Agus types the 3rd from memory, is told, and takes the file's date
        await season.send(kaliboto, "Kaliboto Lor", "RKPDES", 2025, "2 Okt 2024", typed="3 Okt 2024",
                          take_the_file=True)  # fmt: skip
        await staf.press("✅ Terima")
        await kaliboto.expect("Tercatat terlambat")
        await staf.send_text("/kendala")
        await staf.expect("Kendala yang masih terbuka")
        await staf.press("f:c:1")
        await staf.expect("Tulis catatan penyelesaiannya")
        await staf.send_text("Musdes dipimpin Plh; RKPDes diterima 4 Oktober (terlambat).")
        await staf.expect("ditutup")
        await sweep_now()

        await season.day(datetime(2024, 12, 2, 10, 0, tzinfo=WIB))  # an arisan at a secretary's home, before the APBDes
        await staf.send_text("/rapat")
        await staf.expect("Apa judulnya")
        await staf.send_text("Arisan sekdes — persiapan APBDes 2025")
        await staf.expect("Kapan?")
        await staf.send_text("5 Desember 2024 pukul 9.00")
        await staf.expect("Di mana?")
        await staf.send_text("Rumah Sekdes Rojopolo")
        await staf.expect("Siapa yang diundang")
        await staf.press("m:g")
        await staf.press("m:s")
        await staf.expect("dijadwalkan")
        await sweep_now()  # weeks since Wahyu and Agus wrote: a template announces the invitation ("Balas baca")
        await rojopolo.press("m:y:1")
        await sukosari.tap("baca")
        await sukosari.press("m:y:1")
        await kaliboto.tap("baca")
        await kaliboto.press("m:n:1")
        await season.idle()
        await season.day(datetime(2024, 12, 4, 8, 0, tzinfo=WIB))
        await sweep_now()
        await season.day(datetime(2024, 12, 5, 7, 0, tzinfo=WIB))
        await sweep_now()
        await season.day(datetime(2024, 12, 5, 12, 0, tzinfo=WIB))
        await staf.send_text("/agenda")
        await staf.press("m:c:1")
        await staf.expect("Tulis notulennya")
        await staf.send_text("Disepakati: APBDes 2025 ditetapkan paling lambat 20 Desember; draf dikirim ke "
                             "kecamatan untuk dievaluasi minggu depan.")  # fmt: skip
        await staf.expect("Notulen rapat #1 dikirim")
        await sweep_now()

        await season.day(datetime(2024, 12, 20, 9, 0, tzinfo=WIB))
        await rojopolo.send_text("/kirim")  # Siti attaches last September's RKPDes by mistake: the bot says so
        await rojopolo.press(f"k:o:{await season.obligation('Rojopolo', 'APBDES', 2025)}")
        await rojopolo.expect("Kirim berkas")
        await rojopolo.send_document(season.perdes("Rojopolo", "RKPDES", 2025, "10/09/2024"),
                                     "Perdes Rojopolo.pdf", "application/pdf")  # fmt: skip
        await rojopolo.expect("tampaknya RKPDes TA 2025, padahal yang Anda pilih APBDes TA 2025", timeout=30)
        await rojopolo.press("batal")
        await season.idle()
        await season.send(rojopolo, "Rojopolo", "APBDES", 2025, "18/12/2024")
        await staf.press("✅ Terima")
        for desa in ("Banyuputih Kidul", "Kaliboto Kidul", "Kaliboto Lor", "Sukosari", "Jatiroto"):
            await season.paper(desa, "APBDES", 2025, "2024-12-16", "2024-12-19")
        season.note("APBDes TA 2025 lima desa lainnya diterima di atas kertas (klambi record)")

        await season.day(DEMO_END)
        await camat.send_text("/indikator 2024")
        await camat.expect("Indikator akuntabilitas")
        await season.idle()
        await camat.send_text("/dasbor")
        answer = await camat.expect("/dasbor/masuk/")
        season.note(await open_dashboard(runtime.webapp, answer.text, 2024))
        season.flush()
    async with app.sessions() as session:
        return await kecamatan_indicator(session, JATIROTO, 2024, clock.now())


async def open_dashboard(webapp: WebApp, message: str, year: int) -> str:
    """What the camat sees on opening the chat's sign-in link: press Masuk, land on the kecamatan page; one line
    with its realisasi (the same code as `/indikator`, so the same figure)."""
    import re

    import aiohttp

    token = message.split("/dasbor/masuk/", 1)[1].split()[0]
    link = webapp.local_url(f"/dasbor/masuk/{token}")  # the demo's web application listens on a free port
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(link) as page:
            form = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        assert form is not None, "the sign-in page has no form"
        async with browser.post(link, data={"csrf": form.group(1)}) as page:
            home = page.url.path  # /dasbor leads to the camat's kecamatan
        async with browser.get(webapp.local_url(f"{home}?tahun={year}")) as page:
            html = await page.text()
    found = re.search(r'id="realisasi"[^>]*>([^<]+)<', html)
    shown = found.group(1).strip() if found else "?"
    return f"dasbor dibuka di peramban: {home}?tahun={year} menampilkan realisasi {shown}"


DEMO_DATABASE = Path("klambi-demo.db")
DEMO_FILES = Path("demo-data")


def demo_graph(clock: ManualClock, transcript: list[str]) -> GraphSandbox:
    """The Graph sandbox of the demo's WhatsApp number; its pair rate follows the demo's clock, not the machine's."""
    return GraphSandbox(access_token=WHATSAPP["access_token"], app_secret=WHATSAPP["app_secret"],
                        phone_number_id=WHATSAPP["phone_number_id"], waba_id=WHATSAPP["waba_id"],
                        business_number=WHATSAPP["business_number"], clock=clock.now, transcript=transcript,
                        monotonic=lambda: clock.now().timestamp())  # fmt: skip


def with_sandboxes(settings: Settings, sandbox: BotApiSandbox, graph: GraphSandbox) -> Settings:
    """`settings` pointed at both sandboxes, the web application on a free loopback port."""
    return settings.model_copy(
        update={
            "telegram": settings.telegram.model_copy(
                update={"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url}
            ),
            "whatsapp": WhatsAppSettings(**WHATSAPP, graph_url=graph.graph_url),
            "web": settings.web.model_copy(update={"listen": "127.0.0.1", "port": 0, "public_url": None}),
        }
    )


async def run_demo(settings: Settings, say: Callable[[str], object]) -> KecamatanIndicator:
    """A fresh demo database and file store each run, the sandbox on a free loopback port, the season played."""
    for leftover in (DEMO_DATABASE, Path(f"{DEMO_DATABASE}-wal"), Path(f"{DEMO_DATABASE}-shm")):
        leftover.unlink(missing_ok=True)
    async with sandboxed(settings, Path(DEMO_DATABASE), Path(DEMO_FILES)) as (app, sandbox, graph, clock):
        return await play_season(app, sandbox, graph, clock, say)


@contextlib.asynccontextmanager
async def sandboxed(
    settings: Settings, database: Path, files: Path
) -> AsyncIterator[tuple[App, BotApiSandbox, Any, ManualClock]]:
    """Both sandboxes on free loopback ports, sharing a clock that starts at `DEMO_START`, and an app on them with its
    own SQLite file and file store (`klambi demo`, `klambi try`: never the configured ones)."""
    clock = ManualClock(DEMO_START)
    transcript: list[str] = []
    async with (
        BotApiSandbox(token=DEMO_TOKEN, bot_username="ngobras_klambi_bot", now=clock.now,
                      transcript=transcript) as sandbox,
        demo_graph(clock, transcript) as graph,
    ):  # fmt: skip
        sandboxed_settings = with_sandboxes(settings, sandbox, graph).model_copy(
            update={
                "database": settings.database.model_copy(update={"url": f"sqlite+aiosqlite:///{database}"}),
                "storage": settings.storage.model_copy(update={"path": files}),
            }
        )
        app = App.create(sandboxed_settings, clock)
        try:
            yield app, sandbox, graph, clock
        finally:
            await app.close()
